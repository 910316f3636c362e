"""Reporting a problem by text message: what → where → optional photo → a request with channel
sms in the staff queue. Unknown or outside places are asked again, SKIP files without a photo,
and a conversation left for a day starts afresh."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.inbound.replies import Attachment
from notifications.inbound.sms import sms_receive
from notifications.models import SmsConversation
from requests_app.citypack import citypack_load
from requests_app.models import ServiceRequest
from requests_app.services import request_route
from tests.images import jpeg_bytes
from tests.requests_app.test_citypack import SF

pytestmark = pytest.mark.django_db
PHONE = "+14155550177"


def say(body: str, *, photo: bool = False, phone: str = PHONE) -> str:
    attachments = [Attachment("mms.jpg", "image/jpeg", jpeg_bytes())] if photo else []
    return sms_receive(sender=phone, body=body, attachments=attachments).reply


def conversation() -> SmsConversation:
    return SmsConversation.objects.get(phone=PHONE)


def test_a_full_conversation_files_a_request_that_staff_see_in_the_queue(client, city, staff):
    assert "where is it" in say("There is a big pothole outside my house")
    assert "photo" in say("1 Market St").lower()
    reply = say("", photo=True)

    sr = ServiceRequest.objects.get()
    assert sr.tracking_number in reply and sr.get_absolute_url() in reply
    assert (sr.channel, sr.category, sr.address) == ("sms", city.pothole, "1 Market St")
    assert str(sr.reporter_phone) == PHONE and sr.contact_method == "sms"
    assert sr.language == "en" and not sr.anonymous
    assert "pothole outside my house" in sr.description
    assert sr.photos.count() == 1
    assert (conversation().step, conversation().request) == ("done", sr)

    request_route(request=sr, department=city.streets)
    client.force_login(staff.agent)
    queue = client.get(reverse("staff:queue")).content.decode()
    assert sr.tracking_number in queue


def test_skip_files_without_a_photo(city):
    say("pothole")
    say("Valencia St & 16th St")
    reply = say("skip")
    sr = ServiceRequest.objects.get()
    assert sr.tracking_number in reply
    assert sr.photos.count() == 0
    assert sr.description == "pothole"


def test_words_instead_of_a_photo_join_the_description(city):
    say("pothole")
    say("1 Market St")
    say("It is in the bike lane")
    assert ServiceRequest.objects.get().description == "pothole\nIt is in the bike lane"


def test_an_unclear_problem_is_answered_with_a_numbered_list(city):
    reply = say("Something is wrong here")
    assert "Reply with a number" in reply
    number = re.search(r"(\d) Graffiti", reply)[1]
    assert "where is it" in say(number)
    assert conversation().category == city.graffiti


def test_an_unknown_address_is_asked_again(city):
    say("graffiti on the wall")
    reply = say("Nowhere Lane 999")
    assert "could not find" in reply
    assert conversation().step == "place"
    assert "photo" in say("1 Market St").lower()
    assert conversation().step == "photo"


def test_a_close_address_is_offered_as_a_numbered_suggestion(city):
    say("graffiti")
    reply = say("Valencia 16th")
    if "Did you mean" in reply:
        number = re.search(r"(\d) Valencia St & 16th St", reply)[1]
        say(number)
    assert conversation().address == "Valencia St & 16th St"


def test_a_place_outside_the_city_is_refused_and_asked_again(city):
    say("pothole")
    reply = say("40.7128, -74.0060")
    assert "outside" in reply
    assert conversation().step == "place"
    say("37.7600,-122.4400")
    assert conversation().step == "photo"


def test_a_problem_that_cannot_be_reported_by_text_says_what_to_do(city):
    reply = say("gas leak")
    assert "call 911" in reply
    assert conversation().step == "abandoned"
    assert not ServiceRequest.objects.exists()


def test_a_spanish_first_message_files_a_spanish_request(city):
    say("Hay un bache en la calle")
    say("1 Market St")
    say("no")
    sr = ServiceRequest.objects.get()
    assert sr.language == "es" and sr.category == city.pothole


def test_a_conversation_idle_for_a_day_starts_afresh(city):
    say("pothole")
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        reply = say("graffiti on the school wall")
    assert "where is it" in reply
    steps = dict(SmsConversation.objects.values_list("description", "step"))
    assert steps == {"pothole": "abandoned", "graffiti on the school wall": "place"}


def test_after_filing_a_text_adds_to_the_new_request(city):
    say("pothole")
    say("1 Market St")
    say("skip")
    reply = say("It is getting bigger")
    sr = ServiceRequest.objects.get()
    assert "added your message" in reply and sr.tracking_number in reply
    assert sr.events.filter(type="resident_comment").count() == 1


def test_a_report_by_text_gets_one_confirmation_not_two(city):
    from notifications.models import OutboxMessage
    from notifications.resident import on_event
    from requests_app.models import RequestEvent

    say("pothole")
    say("1 Market St")
    reply = say("skip")
    sr = ServiceRequest.objects.get()
    assert sr.tracking_number in reply  # the conversation's own answer
    on_event(sr.events.get(type=RequestEvent.Type.CREATED))  # what the worker does next
    assert not OutboxMessage.objects.filter(template="received", channel="sms").exists()


# --- The problem, found by the report form's category search (issue 12) ----------------------


def test_a_spanish_word_in_a_sentence_finds_the_category_directly(city):
    reply = say("There's a bache on my street")
    assert "where is it" in reply and "Reply with a number" not in reply
    assert conversation().category == city.pothole


def test_a_misspelt_problem_is_found_directly(city):
    say("grafitti all over the wall")
    assert conversation().category == city.graffiti


@pytest.fixture
def sf_categories():
    citypack_load(SF, commit=True, areas=False, addresses=False)


def test_several_close_matches_are_offered_as_the_best_three(sf_categories):
    reply = say("water everywhere")
    assert "Reply with a number" in reply
    offered = re.findall(r"(\d) ([^0-9]+)", reply.split(":", 1)[1])
    assert len(offered) == 3
    assert "Water leak" in reply
    number = next(n for n, label in offered if label.strip() == "Water leak")
    assert "where is it" in say(number)
    assert conversation().category.code == "water-leak"


def test_a_spanish_sentence_finds_the_category_in_the_city_pack(sf_categories):
    reply = say("hay una farola fundida en la esquina")
    assert "Reply with a number" not in reply
    assert conversation().category.code == "streetlight-out"
    assert conversation().language == "es"
