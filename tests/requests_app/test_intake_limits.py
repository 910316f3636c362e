"""Abuse at the public report form (issue 10): one sender cannot file without end, robots and
blocked senders are turned away with words that give nothing away, and an email address or
phone number typed into the form hears nothing but the receipt until its owner follows our link.

Nothing is saved when a report is refused, and the form comes back as it was sent."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboxMessage, RequestSubscription
from notifications.resident import on_event
from notifications.surveys import on_event as survey_on_event
from notifications.surveys import surveys_due_send
from requests_app.forms import form_started_token
from requests_app.models import (
    BlockedContact,
    IntakeAttempt,
    IntakeSettings,
    RequestEvent,
    ServiceRequest,
)
from requests_app.services import (
    IntakeClient,
    Reporter,
    contact_confirm,
    contact_confirm_code,
    contacts_confirmed,
    intake_attempts_purge,
    intake_report_admit,
    request_comment,
    request_resolve,
    request_route,
)
from tests.conftest import INSIDE
from tests.images import upload
from tests.requests_app.helpers import submit
from tests.staff.test_intake_view import call

pytestmark = pytest.mark.django_db

URL = reverse("requests_app:report")
ATTACKER = "198.51.100.7"


def report(city, **overrides) -> dict:
    """A resident's finished report, sent back a minute after the form was handed out."""
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "started": form_started_token(at=time.time() - 60),
        "website": "",
        "category": city.pothole.pk,
        "q_size": "14",
        "q_lane": "traffic",
        "latitude": str(INSIDE[0]),
        "longitude": str(INSIDE[1]),
        "description": "Deep pothole in the right lane, cars swerve around it.",
        "name": "Vic Tim",
        "email": "victim@example.com",
        "phone": "",
        "contact_method": "email",
        "language": "en",
        "action": "submit",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def limits(**values) -> IntakeSettings:
    row = IntakeSettings.load()
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


def post(client, data, ip=ATTACKER):
    return client.post(URL, data, REMOTE_ADDR=ip)


# --- Limits ---------------------------------------------------------------------------------------


def test_thirty_rapid_reports_from_one_address_create_at_most_the_limit(client, city):
    limits(reports_per_address_per_hour=4, reports_per_contact_per_day=0)
    statuses = [post(client, report(city)).status_code for _ in range(30)]
    assert ServiceRequest.objects.count() == 4
    assert statuses[:4] == [302] * 4
    assert set(statuses[4:]) == {429}


def test_a_sender_over_the_limit_is_told_to_wait_and_keeps_what_they_typed(client, city):
    limits(reports_per_address_per_hour=1)
    post(client, report(city))
    response = post(client, report(city, description="A second, different hole by the school"))
    page = response.content.decode()
    assert response.status_code == 429
    assert "You have sent a lot of reports in a short time" in page
    assert "A second, different hole by the school" in page
    assert 'value="victim@example.com"' in page
    assert ServiceRequest.objects.count() == 1


def test_the_limit_message_is_in_spanish_for_spanish_readers(client, city):
    limits(reports_per_address_per_hour=1)
    post(client, report(city))
    response = client.post(URL, report(city), REMOTE_ADDR=ATTACKER, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 429
    assert "Ha enviado muchos reportes en poco tiempo" in response.content.decode()


def test_one_email_address_is_limited_per_day_whatever_the_connection(client, city):
    limits(reports_per_contact_per_day=2)
    for i in range(5):
        post(client, report(city, email="Victim@Example.com"), ip=f"203.0.113.{i}")
    assert ServiceRequest.objects.count() == 2


def test_one_phone_number_is_limited_per_day(client, city):
    limits(reports_per_contact_per_day=1)
    for i in range(3):
        data = report(city, email="", phone="(415) 555-0177", contact_method="sms")
        post(client, data, ip=f"203.0.113.{i}")
    assert ServiceRequest.objects.count() == 1


def test_one_browser_is_limited_per_hour_even_from_many_addresses(client, city):
    limits(reports_per_device_per_hour=2, reports_per_contact_per_day=0)
    client.get(URL)  # hands out the device cookie
    assert "c311_device" in client.cookies
    for i in range(4):
        post(client, report(city), ip=f"203.0.113.{i}")
    assert ServiceRequest.objects.count() == 2


def test_an_anonymous_report_counts_against_the_address_only(client, city):
    limits(reports_per_contact_per_day=1)
    anonymous = {"anonymous": "on", "contact_method": "none", "email": "", "name": ""}
    for i in range(3):
        post(client, report(city, **anonymous), ip=f"203.0.113.{i}")
    assert ServiceRequest.objects.count() == 3


def test_the_same_form_sent_twice_is_not_counted_twice(client, city):
    limits(reports_per_address_per_hour=1)
    data = report(city)
    first, again = post(client, data), post(client, data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]


def test_zero_turns_a_limit_off(client, city):
    limits(reports_per_address_per_hour=0, reports_per_contact_per_day=0)
    for _ in range(12):
        post(client, report(city))
    assert ServiceRequest.objects.count() == 12


def test_the_operators_intake_is_exempt(client, city, staff):
    limits(reports_per_address_per_hour=1, min_fill_seconds=60)
    client.force_login(staff.operator)
    for _ in range(3):
        client.post(
            reverse("staff:intake"),
            call(city, action="submit"),
            REMOTE_ADDR=ATTACKER,
        )
    assert ServiceRequest.objects.count() == 3
    assert not IntakeAttempt.objects.exists()


def test_old_attempts_are_forgotten(city):
    from datetime import timedelta

    from django.utils import timezone

    client = IntakeClient(address=ATTACKER)
    intake_report_admit(client=client, now=timezone.now() - timedelta(days=3))
    intake_report_admit(client=client)
    assert intake_attempts_purge() == 1
    assert IntakeAttempt.objects.count() == 1


# --- Robots --------------------------------------------------------------------------------------


def _refused_neutrally(response) -> None:
    page = response.content.decode()
    assert response.status_code == 422
    assert "We couldn&#x27;t accept this report" in page or "We couldn't accept this report" in page
    assert not ServiceRequest.objects.exists()


def test_a_filled_in_honeypot_is_a_robot(client, city):
    _refused_neutrally(post(client, report(city, website="http://spam.example")))
    assert not IntakeAttempt.objects.exists()


def test_a_form_sent_back_within_seconds_is_a_robot(client, city):
    limits(min_fill_seconds=3)
    _refused_neutrally(post(client, report(city, started=form_started_token())))


def test_a_person_who_was_quick_can_send_it_again_a_moment_later(client, city):
    limits(min_fill_seconds=3)
    data = report(city, started=form_started_token(at=time.time() - 1))
    assert post(client, data).status_code == 422
    data["started"] = form_started_token(at=time.time() - 4)  # what the page kept, later on
    assert post(client, data).status_code == 302


@pytest.mark.parametrize("started", ["", "not-signed", "1700000000"])
def test_a_missing_or_forged_start_time_is_a_robot(client, city, started):
    _refused_neutrally(post(client, report(city, started=started)))


def test_the_form_carries_the_start_time_and_a_hidden_honeypot(client):
    page = client.get(URL).content.decode()
    assert 'name="started"' in page
    assert '<div hidden><label for="id_website">' in page


def test_the_review_page_carries_them_to_the_submit(client, city):
    page = post(client, report(city, action="review")).content.decode()
    assert 'name="started"' in page and 'name="website"' in page


# --- Block list ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "overrides"),
    [
        ("email", "VICTIM@example.com ", {}),
        ("phone", "(415) 555-0199", {"phone": "+14155550199"}),
        ("network", "198.51.100.0/24", {}),
        ("network", "198.51.100.7", {}),
    ],
)
def test_a_blocked_sender_is_refused_with_the_same_neutral_words(
    client, city, kind, value, overrides
):
    blocked = BlockedContact(kind=kind, value=value)
    blocked.full_clean()
    blocked.save()
    _refused_neutrally(post(client, report(city, **overrides)))


def test_the_neutral_words_are_the_same_for_robots_and_blocked_senders(client, city):
    BlockedContact.objects.create(kind="email", value="victim@example.com")
    blocked = post(client, report(city)).content.decode()
    robot = post(client, report(city, email="other@example.com", website="x")).content.decode()
    for page in (blocked, robot):
        assert page.count("accept this report") == 1


def test_a_bad_block_list_entry_is_refused_in_the_admin_form():
    with pytest.raises(ValidationError):
        BlockedContact(kind="network", value="300.1.2.3/8").full_clean()
    with pytest.raises(ValidationError):
        BlockedContact(kind="phone", value="12").full_clean()


def test_a_blocked_network_cannot_stage_photos(client):
    BlockedContact.objects.create(kind="network", value="198.51.100.0/24")
    client.post(
        reverse("requests_app:photo_upload"),
        {"idempotency_key": str(uuid.uuid4()), "photos": [upload()]},
        REMOTE_ADDR=ATTACKER,
    )
    from requests_app.models import Photo

    assert not Photo.objects.exists()


# --- Unconfirmed contacts ----------------------------------------------------------------------


def _deliver(sr) -> None:
    for event in sr.events.order_by("id"):
        on_event(event)


def _to(address: str):
    return OutboxMessage.objects.filter(recipient=address).order_by("id")


VICTIM = Reporter(name="Vic", email="victim@example.com", contact_method="email", anonymous=False)


def test_reports_naming_an_unconfirmed_email_send_it_one_receipt_a_day(city):
    for _ in range(5):
        _deliver(submit(city, reporter=VICTIM))
    assert [m.template for m in _to("victim@example.com")] == ["received"]


def test_updates_are_not_sent_to_an_unconfirmed_contact(city, staff):
    sr = submit(city, reporter=VICTIM)
    _deliver(sr)
    request_route(request=sr, department=city.streets, actor=staff.agent)
    request_comment(request=sr, actor=staff.agent, message="Crew booked for Monday.", public=True)
    _deliver(sr)
    assert [m.template for m in _to("victim@example.com")] == ["received"]


def test_the_receipt_carries_the_link_that_confirms_the_contact(client, city, staff):
    sr = submit(city, reporter=VICTIM)
    _deliver(sr)
    receipt = _to("victim@example.com").get()
    code = contact_confirm_code(request=sr, channel="email", address="victim@example.com")
    link = reverse("requests_app:private", args=[sr.private_token]) + f"?confirm={code}"
    assert link in receipt.body_text
    client.get(link)  # the owner of the mailbox follows it
    request_comment(request=sr, actor=staff.agent, message="Crew booked for Monday.", public=True)
    _deliver(sr)
    assert [m.template for m in _to("victim@example.com")] == ["received", "comment"]
    # and the next report naming it is confirmed from the start
    assert submit(city, reporter=VICTIM).contact_confirmed


@pytest.mark.parametrize("suffix", ["", "?confirm=", "?confirm=0123456789abcdef0123456789abcdef"])
def test_the_private_link_without_the_code_confirms_nothing(client, city, staff, suffix):
    """The confirmation page shows the private link to whoever filed: that proves nothing
    about the mailbox."""
    sr = submit(city, reporter=VICTIM)
    _deliver(sr)
    client.get(reverse("requests_app:private", args=[sr.private_token]) + suffix)
    request_comment(request=sr, actor=staff.agent, message="Crew booked for Monday.", public=True)
    _deliver(sr)
    assert [m.template for m in _to("victim@example.com")] == ["received"]


def test_a_number_added_through_an_unconfirmed_private_link_gets_no_texts(client, city, staff):
    sr = submit(city, reporter=VICTIM)
    _deliver(sr)
    client.post(
        reverse("notifications:preferences", args=[sr.private_token]),
        {"choice": "sms", "phone": "(415) 555-0100"},
    )
    assert RequestSubscription.objects.filter(request=sr, channel="sms").exists()
    request_comment(request=sr, actor=staff.agent, message="Crew booked for Monday.", public=True)
    on_event(sr.events.latest("id"))
    assert not _to("+14155550100").exists()


def test_contacts_taken_by_operators_hear_everything(city, staff):
    sr = submit(city, reporter=VICTIM, channel="phone")
    assert sr.contact_confirmed
    _deliver(sr)
    request_comment(request=sr, actor=staff.agent, message="Crew booked for Monday.", public=True)
    _deliver(sr)
    assert [m.template for m in _to("victim@example.com")] == ["received", "comment"]


def test_a_report_is_confirmed_only_when_each_contact_it_names_is(city):
    """Both of a reporter's contacts are checked in one query; one confirmed is not enough."""
    both = Reporter(
        name="Vic",
        email="Victim@Example.com",
        phone="+14155550199",
        contact_method="email",
        anonymous=False,
    )
    contact_confirm(channel="email", address="victim@example.com")
    assert not submit(city, reporter=both).contact_confirmed
    contact_confirm(channel="sms", address="+14155550199")
    assert submit(city, reporter=both).contact_confirmed
    pairs = [("email", "VICTIM@example.com"), ("sms", "+14155550100"), ("email", "")]
    assert contacts_confirmed(pairs=pairs) == {("email", "VICTIM@example.com")}
    assert contacts_confirmed(pairs=[]) == set()


def test_an_anonymous_report_has_nothing_to_confirm(city):
    sr = submit(city, reporter=Reporter(anonymous=True))
    assert sr.contact_confirmed
    assert RequestEvent.objects.filter(request=sr).count() == 1


# --- The typed location in messages ---------------------------------------------------------------

NASTY_LOCATION = "Pay the fine at https://evil.example/pay\nURGENT: call now \u202egnp.exe\u200b"


def test_a_typed_location_reaches_the_receipt_on_one_line_without_links(client, city):
    data = report(city, address=NASTY_LOCATION)  # the pin is set, so the text is kept as typed
    post(client, data)
    sr = ServiceRequest.objects.get()
    assert "\n" not in sr.address and "\u202e" not in sr.address
    _deliver(sr)
    receipt = _to("victim@example.com").get()
    for part in (receipt.subject, receipt.body_text, receipt.body_html):
        assert "https://" not in part and "evil.example" not in part
        assert "\u202e" not in part and "\u200b" not in part
    line = next(x for x in receipt.body_text.splitlines() if x.startswith("Location:"))
    assert (
        line == "Location: Pay the fine at https[:]//evil[.]example/pay URGENT: call now gnp[.]exe"
    )


def test_staff_alerts_get_the_same_neutralised_location(city):
    from notifications.staff_alerts import staff_alert_context

    sr = submit(city, address=NASTY_LOCATION)
    context = staff_alert_context(request=sr, event=None)
    assert "evil[.]example" in context["address"] and "\n" not in context["address"]


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("1 Market St. & 5th St", "1 Market St. & 5th St"),
        ("Calle 24 y Mission, frente a la panadería", "Calle 24 y Mission, frente a la panadería"),
        ("see www.evil.co", "see www[.]evil[.]co"),
        ("javascript:alert(1)", "javascript[:]alert(1)"),
        ("line\r\nbreak\u2028and\x00null", "line break and null"),
        ("\u202dreversed\u202c \u2066isolated\u2069", "reversed isolated"),
    ],
)
def test_location_for_message(typed, shown):
    from requests_app.text import location_for_message

    assert location_for_message(typed) == shown


def test_a_long_location_is_cut_to_200_characters():
    from requests_app.text import location_for_message

    shown = location_for_message("Near the corner " * 40)
    assert len(shown) == 200 and shown.endswith("…")


# --- Admin ---------------------------------------------------------------------------------------


def test_admins_set_the_limits_and_block_senders_in_the_admin(client, django_user_model):
    admin = django_user_model.objects.create_superuser("cityadmin", "a@example.com", "pw")
    client.force_login(admin)
    row = IntakeSettings.load()
    page = client.get(reverse("admin:requests_app_intakesettings_change", args=[row.pk]))
    assert "Reports per client address per hour" in page.content.decode()
    assert client.get(reverse("admin:requests_app_intakesettings_add")).status_code == 403
    response = client.post(
        reverse("admin:requests_app_blockedcontact_add"),
        {"kind": "network", "value": "203.0.113.9/24", "reason": "flood on 6 Dec"},
    )
    assert response.status_code == 302
    assert BlockedContact.objects.get().value == "203.0.113.0/24"
    for name in ("intakeattempt", "confirmedcontact", "blockedcontact"):
        assert client.get(reverse(f"admin:requests_app_{name}_changelist")).status_code == 200


def test_the_admin_speaks_spanish_too(client, django_user_model):
    from django.utils import translation

    with translation.override("es"):
        assert str(IntakeSettings._meta.verbose_name) != "intake limits"
        assert str(BlockedContact._meta.verbose_name_plural) != "blocked senders"


@pytest.mark.django_db(transaction=True)
def test_thirty_reports_at_the_same_moment_are_counted_one_by_one():
    """The flood arrived in 2.6 s: concurrent requests must not all count zero before any is
    recorded (each check runs under a lock per sender)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from requests_app.services import IntakeRefused

    limits(reports_per_address_per_hour=5, reports_per_contact_per_day=0)

    def attempt(_i: int) -> bool:
        try:
            intake_report_admit(client=IntakeClient(address=ATTACKER), email="victim@example.com")
            return True
        except IntakeRefused:
            return False
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        admitted = list(pool.map(attempt, range(30)))
    assert sum(admitted) == 5
    assert IntakeAttempt.objects.count() == 5


def test_no_survey_goes_to_an_unconfirmed_contact(city, staff):
    # The newcomer walk found "is it fixed?" sent to an address that was never told of the fix.
    sr = submit(city, reporter=VICTIM)
    _deliver(sr)
    request_route(request=sr, department=city.streets, actor=staff.agent)
    request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    sr.refresh_from_db()
    survey_on_event(sr.events.filter(to_value="resolved").latest("id"))
    surveys_due_send(now=timezone.now() + timedelta(days=30))  # long after any survey delay
    assert [m.template for m in _to("victim@example.com")] == ["received"]


def test_the_receipt_says_updates_wait_for_the_confirming_link(city):
    sr = submit(city, reporter=VICTIM)
    _deliver(sr)
    receipt = _to("victim@example.com").get()
    assert "To get updates about this request, confirm this address" in receipt.body_text
    assert "Confirm this address to get updates" in receipt.body_html


def test_the_confirmation_page_promises_updates_only_after_the_address_is_confirmed(client, city):
    sr = submit(city, reporter=VICTIM)
    page = client.get(reverse("requests_app:confirmation", args=[sr.private_token]))
    assert "Open the link in it to confirm your address" in page.content.decode()
    contact_confirm(channel="email", address="victim@example.com")
    page = client.get(reverse("requests_app:confirmation", args=[sr.private_token]))
    assert "Open the link in it to confirm" not in page.content.decode()
    assert "We'll email you when its status changes." in page.content.decode()
