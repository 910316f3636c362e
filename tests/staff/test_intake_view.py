"""Operator intake: a call or walk-in becomes a request with the operator as the actor, or the
caller is attached to an open request of the same kind nearby."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from requests_app.models import Channel, RequestEvent, ServiceRequest, Supporter
from requests_app.reference import reference_forget
from requests_app.services import request_resolve, request_route
from tests.conftest import NEAR_MARKET
from tests.requests_app.helpers import routed, submit, typed

pytestmark = pytest.mark.django_db

URL = reverse("staff:intake")


def call(city, **overrides) -> dict:
    """What an operator types for a caller reporting a pothole on Market St."""
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "channel": "phone",
        "category": city.pothole.pk,
        "q_size": "12",
        "q_lane": "traffic",
        "address": "1 Market St",
        "description": "Deep hole in the right lane",
        "name": "Carla Caller",
        "phone": "+14155550111",
        "email": "",
        "contact_method": "phone",
        "language": "es",
    }
    data.update(overrides)
    return data


def near_market(metres_north: float = 0) -> Point:
    return Point(NEAR_MARKET[1], NEAR_MARKET[0] + metres_north / 111_000, srid=4326)


@pytest.fixture
def existing(city):
    """An open pothole request 60 m from 1 Market St."""
    sr = routed(city, location=near_market(60), description="Hole near the crossing")
    return sr


def test_the_form_opens_for_operators_with_the_category_search_focused(client, staff):
    client.force_login(staff.operator)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="category-search"' in html and "autofocus" in html
    for label in ("Phone", "Walk-in", "Email", "Caller name", "Caller phone", "Pothole"):
        assert label in html
    assert "Gas leak" in html  # phone-only categories are offered to operators


@pytest.mark.parametrize("who", ["agent", "supervisor", "city_admin"])
def test_other_staff_roles_may_take_calls_too(client, staff, who):
    client.force_login(getattr(staff, who))
    assert client.get(URL).status_code == 200


def test_a_user_who_is_not_staff_gets_403_and_nothing_is_created(client, city, django_user_model):
    client.force_login(django_user_model.objects.create_user("resident"))
    assert client.get(URL).status_code == 403
    assert client.post(URL, call(city, action="submit")).status_code == 403
    assert not ServiceRequest.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, city):
    response = client.post(URL, call(city, action="submit"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("staff:login"))
    assert not ServiceRequest.objects.exists()


def test_review_shows_the_request_and_saves_nothing(client, city, staff):
    client.force_login(staff.operator)
    response = client.post(URL, call(city))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Check the new request before saving" in html
    for text in (
        "Pothole",
        "How wide is it, in inches?",
        "12",
        "In a traffic lane",
        "Carla Caller",
    ):
        assert text in html
    assert not ServiceRequest.objects.exists()


def test_creating_files_a_phone_request_with_the_operator_as_actor(client, city, staff):
    client.force_login(staff.operator)
    response = client.post(URL, call(city, action="submit"))
    assert response.status_code == 303
    sr = ServiceRequest.objects.get()
    assert response["Location"] == reverse("staff:detail", args=[sr.tracking_number])
    assert sr.channel == Channel.PHONE and sr.language == "es"
    assert sr.answers == {"size": 12, "lane": "traffic"}
    assert sr.address == "1 Market St" and sr.reporter_name == "Carla Caller"
    created = sr.events.get(type=RequestEvent.Type.CREATED)
    assert created.actor == staff.operator and created.actor_label == "olive"

    page = client.get(response["Location"]).content.decode()
    assert f"Request {sr.tracking_number} created." in page
    assert "Carla Caller" in page  # the operator sees the contact details of a call they took


def test_a_walk_in_and_a_phone_only_category(client, city, staff):
    client.force_login(staff.operator)
    data = call(city, action="submit", channel="walk_in", category=city.gas_leak.pk)
    assert client.post(URL, data).status_code == 303
    sr = ServiceRequest.objects.get()
    assert sr.channel == Channel.WALK_IN and sr.category == city.gas_leak


def test_the_same_call_submitted_twice_makes_one_request(client, city, staff):
    client.force_login(staff.operator)
    data = call(city, action="submit")
    client.post(URL, data)
    client.post(URL, data)
    assert ServiceRequest.objects.count() == 1


def test_errors_keep_everything_typed(client, city, staff):
    client.force_login(staff.operator)
    response = client.post(URL, call(city, description="", q_size="wide", action="submit"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Describe the problem briefly." in html and "Enter a number." in html
    assert 'value="Carla Caller"' in html and 'value="1 Market St"' in html
    assert 'value="wide"' in html
    assert not ServiceRequest.objects.exists()


def test_an_unknown_address_is_a_field_error(client, city, staff):
    client.force_login(staff.operator)
    response = client.post(URL, call(city, address="Nowhere Lane 999"))
    assert response.status_code == 422
    assert "We couldn&#x27;t find “Nowhere Lane 999”" in response.content.decode()


def test_phone_contact_needs_a_phone_number(client, city, staff):
    client.force_login(staff.operator)
    response = client.post(URL, call(city, phone=""))
    assert response.status_code == 422
    assert "Enter the caller&#x27;s phone number" in response.content.decode()


# --- Fragments (HTMX) ------------------------------------------------------------------------


def fragment(client, target: str, **params):
    return client.get(URL, params, headers={"HX-Request": "true", "HX-Target": target})


def test_typing_filters_the_categories(client, staff, city):
    client.force_login(staff.operator)
    html = fragment(client, "category-list", q="graf").content.decode()
    assert "Graffiti" in html and "Pothole" not in html and "<html" not in html


def test_choosing_a_category_shows_its_questions(client, staff, city):
    client.force_login(staff.operator)
    html = fragment(client, "questions", category=city.pothole.pk).content.decode()
    assert "How wide is it, in inches?" in html and 'name="q_lane"' in html
    html = fragment(client, "questions", category=city.gas_leak.pk).content.decode()
    assert "Leave the area and call 911 now." in html


def test_address_type_ahead(client, staff, city):
    client.force_login(staff.operator)
    html = fragment(client, "address-results", address="1 mark").content.decode()
    assert "1 Market St" in html and "address-pick" in html


def test_nearby_same_category_open_requests_are_shown_once_address_and_category_are_set(
    client, city, staff, existing
):
    other_kind = submit(city, category=city.graffiti, location=near_market(30))
    far = submit(city, location=near_market(400))
    closed = submit(city, location=near_market(20))
    request_route(request=closed, department=city.streets)
    request_resolve(request=closed, actor=staff.agent, closure_reason=city.repaired)
    client.force_login(staff.operator)

    html = fragment(client, "nearby-results", category=city.pothole.pk).content.decode()
    assert "Choose the problem type and the address" in html

    html = fragment(
        client,
        "nearby-results",
        category=city.pothole.pk,
        latitude=NEAR_MARKET[0],
        longitude=NEAR_MARKET[1],
    ).content.decode()
    assert existing.tracking_number in html and "60 m away" in html
    assert f"Attach caller to {existing.tracking_number}" in html
    for absent in (other_kind, far, closed):
        assert absent.tracking_number not in html


def test_the_review_step_always_shows_nearby_requests(client, city, staff, existing):
    client.force_login(staff.operator)
    html = client.post(URL, call(city)).content.decode()
    assert f"Attach caller to {existing.tracking_number}" in html


def test_attaching_the_caller_adds_a_supporter_instead_of_a_new_request(
    client, city, staff, existing
):
    client.force_login(staff.operator)
    version = existing.version
    response = client.post(URL, call(city, attach_to=existing.tracking_number))
    assert response.status_code == 303
    assert response["Location"] == reverse("staff:detail", args=[existing.tracking_number])
    assert ServiceRequest.objects.count() == 1
    existing.refresh_from_db()
    assert existing.supporter_count == 1 and existing.version == version + 1
    supporter = Supporter.objects.get()
    assert (supporter.name, str(supporter.phone), supporter.channel, supporter.language) == (
        "Carla Caller",
        "+14155550111",
        "phone",
        "es",
    )
    event = existing.events.get(type=RequestEvent.Type.SUPPORTER_ADDED)
    assert event.public and event.actor == staff.operator
    assert event.message == "Another resident reported this problem too."
    tracker = client.get(existing.get_absolute_url()).content.decode()
    assert "Carla" not in tracker


def test_attaching_takes_the_number_however_it_is_written(client, city, staff, existing):
    client.force_login(staff.operator)
    response = client.post(URL, call(city, attach_to=typed(existing, "{ym} {n}")))
    assert response.status_code == 303
    assert response["Location"] == reverse("staff:detail", args=[existing.tracking_number])
    existing.refresh_from_db()
    assert existing.supporter_count == 1


def test_attaching_to_a_closed_request_is_refused(client, city, staff, existing):
    request_resolve(request=existing, actor=staff.agent, closure_reason=city.repaired)
    client.force_login(staff.operator)
    response = client.post(URL, call(city, attach_to=existing.tracking_number))
    assert response.status_code == 422
    assert "is no longer open" in response.content.decode()
    assert not Supporter.objects.exists()


def test_without_javascript_find_and_pick_an_address(client, city, staff):
    client.force_login(staff.operator)
    html = client.post(URL, call(city, address="1 mark", action="edit")).content.decode()
    assert f'name="pick_address" value="{city.address.pk}"' in html
    html = client.post(URL, call(city, address="1 mark", pick_address=city.address.pk)).content
    html = html.decode()
    assert 'value="1 Market St"' in html and f'value="{NEAR_MARKET[0]}"' in html


def test_editing_after_review_keeps_everything(client, city, staff):
    client.force_login(staff.operator)
    review = client.post(URL, call(city)).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', review))
    assert hidden["anonymous"] == "False" and hidden["q_lane"] == "traffic"
    html = client.post(URL, {**hidden, "action": "edit"}).content.decode()
    assert 'value="Carla Caller"' in html and 'value="Deep hole in the right lane"' not in html
    assert "Deep hole in the right lane</textarea>" in html
    assert not re.search(r'name="anonymous"[^>]*checked', html)
    assert re.search(r'value="traffic"[^>]*checked|checked[^>]*value="traffic"', html)


def test_a_search_keeps_the_category_already_chosen(client, staff, city):
    client.force_login(staff.operator)
    html = fragment(client, "category-list", q="graf", category=city.pothole.pk).content.decode()
    assert "Graffiti" in html
    assert re.search(rf'value="{city.pothole.pk}" id="category-{city.pothole.pk}"\s+checked', html)
    assert "1 problem type matches." in html


# --- The blank page's pieces kept with the reference snapshot -----------------------------------


def _blank(client, **headers) -> str:
    html = client.get(URL, headers=headers).content.decode()
    # Per page: the idempotency key and the CSRF token.
    html = re.sub(r'name="idempotency_key" value="[^"]+"', "", html)
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", html)


def test_the_blank_page_is_the_same_when_its_pieces_come_from_the_snapshot(client, staff, city):
    client.force_login(staff.operator)
    reference_forget()
    first = _blank(client)  # rendered in the page, then kept
    assert first == _blank(client)  # from the snapshot
    assert first.count('name="category"') == city_categories(first)
    spanish = _blank(client, **{"Accept-Language": "es"})
    assert 'lang="es"' in spanish and spanish != first
    assert spanish == _blank(client, **{"Accept-Language": "es"})


def city_categories(html: str) -> int:
    return len(re.findall(r'name="category" value="\d+"', html))


def test_an_edited_category_name_shows_on_the_next_blank_page(client, staff, city):
    client.force_login(staff.operator)
    assert "Pothole" in _blank(client)
    city.pothole.name = "Road crater"
    city.pothole.save(update_fields=["name"])
    page = _blank(client)
    assert "Road crater" in page and ">Pothole<" not in page


def test_a_page_with_a_choice_or_an_error_is_rendered_whole(client, staff, city):
    client.force_login(staff.operator)
    _blank(client)
    chosen = client.post(URL, {"action": "edit", "category": city.pothole.pk}).content.decode()
    assert re.search(
        rf'value="{city.pothole.pk}" id="category-{city.pothole.pk}"\s+checked', chosen
    )
    wrong = client.post(URL, {"action": "review", "channel": "phone"}).content.decode()
    assert 'aria-describedby="id_category_error"' in wrong
