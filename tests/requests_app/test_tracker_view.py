"""The public tracker, the find box and the resident's private link."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import translation

from requests_app.models import RequestEvent, ServiceRequest, Status
from requests_app.services import event_record, request_route, request_status_change
from tests.images import jpeg_bytes, upload
from tests.requests_app.helpers import TYPED_TRACKING_NUMBERS, routed, submit, typed

pytestmark = pytest.mark.django_db


def _resolved(city):
    sr = routed(city)
    for type_, public, actor, message in (
        (RequestEvent.Type.ONSITE_ATTEMPT, True, "Crew", "Crew visited and measured the hole."),
        (RequestEvent.Type.NOTE, False, "agent1", "Internal: contractor invoice 4471"),
    ):
        event_record(request=sr, type=type_, public=public, actor_label=actor, message=message)
    request_status_change(request=sr, to_status=Status.IN_PROGRESS)
    request_status_change(request=sr, to_status=Status.RESOLVED, closure_reason=city.repaired)
    sr.refresh_from_db()
    return sr


def test_the_tracker_shows_the_pipeline_with_department_and_outcome(client, city):
    sr = _resolved(city)
    page = client.get(reverse("requests_app:tracker", args=[sr.tracking_number])).content.decode()
    for step in ("Received", "Routed to Streets", "In queue", "On-site attempt", "Resolved"):
        assert step in page
    assert "The crew repaired it." in page  # the closure reason in words, not its code
    assert "Crew visited and measured the hole." in page
    assert "Internal: contractor invoice" not in page


def test_a_fresh_request_is_at_received_with_routing_still_ahead(client, city):
    sr = submit(city)
    page = client.get(sr.get_absolute_url()).content.decode()
    current = page.split('aria-current="step"')[1].split("</li>")[0]
    assert "Received" in current
    assert "Routed to a department" in page


def test_a_queued_request_is_at_in_queue_not_resolved(client, city):
    sr = submit(city)
    request_route(request=sr, department=city.streets)
    page = client.get(sr.get_absolute_url()).content.decode()
    current = page.split('aria-current="step"')[1].split("</li>")[0]
    assert "In queue" in current and "Resolved" not in current


def test_a_duplicate_shows_closed_as_duplicate(client, city):
    sr = routed(city)
    request_status_change(
        request=sr, to_status=Status.CLOSED_DUPLICATE, message="Same pothole as 2611-0001"
    )
    page = client.get(sr.get_absolute_url()).content.decode()
    assert "Closed as duplicate" in page


def test_the_tracker_speaks_spanish(client, city):
    sr = _resolved(city)
    with translation.override("es"):
        client.cookies["django_language"] = "es"
        page = client.get(sr.get_absolute_url()).content.decode()
    assert "El equipo lo reparó." in page
    assert "Calles" in page


def test_the_expected_date_reads_as_a_spanish_date(client, city):
    import datetime

    sr = submit(city)
    expected = datetime.datetime(2026, 12, 1, 20, 0, tzinfo=datetime.UTC)
    ServiceRequest.objects.filter(pk=sr.pk).update(expected_at=expected)
    client.cookies["django_language"] = "es"
    page = client.get(sr.get_absolute_url()).content.decode()
    assert "1 de diciembre de 2026" in page


def test_find_my_request_redirects_to_the_tracker(client, city):
    sr = submit(city)
    response = client.get(reverse("requests_app:find"), {"q": f" {sr.tracking_number} "})
    assert response.status_code == 302 and response["Location"] == sr.get_absolute_url()


def test_find_my_request_says_when_nothing_matches(client, city):
    response = client.get(reverse("requests_app:find"), {"q": "0000-0000"})
    assert response.status_code == 404
    assert "couldn" in response.content.decode()


@pytest.mark.parametrize("form", TYPED_TRACKING_NUMBERS)
def test_find_my_request_takes_the_number_with_any_separator_or_none(client, city, form):
    sr = submit(city)
    response = client.get(reverse("requests_app:find"), {"q": typed(sr, form)})
    assert response.status_code == 302 and response["Location"] == sr.get_absolute_url()


@pytest.mark.parametrize("form", TYPED_TRACKING_NUMBERS[1:])
def test_a_tracker_address_typed_another_way_goes_to_the_one_tracker(client, city, form):
    sr = submit(city)
    response = client.get(f"/requests/{quote(typed(sr, form), safe='')}/")
    assert response.status_code == 302 and response["Location"] == sr.get_absolute_url()


@pytest.mark.parametrize(
    "query",
    ["hello", "12 Market St", "2612-482", "2613-4827", "x" * 500, "<b>26124827</b>", "26\x0011"],
)
def test_find_my_request_answers_anything_else_with_the_friendly_not_found(client, city, query):
    submit(city)
    response = client.get(reverse("requests_app:find"), {"q": query})
    assert response.status_code == 404
    page = response.content.decode()
    assert "Check the number and try again." in page
    assert "<b>26124827" not in page  # repeated escaped
    if len(query) > 40:  # and cut short (the language switch keeps the whole address)
        assert "“" + "x" * 39 + "…”" in page


def test_the_find_box_says_the_hyphen_is_optional_as_its_number_pad_has_none(client, city):
    page = client.get(reverse("requests_app:find")).content.decode()
    assert 'inputmode="numeric"' in page
    assert "Type the digits, with or without the hyphen." in page


def test_find_my_request_speaks_spanish(client, city):
    sr = submit(city)
    client.cookies["django_language"] = "es"
    found = client.get(reverse("requests_app:find"), {"q": typed(sr, "{ym} {n}")})
    assert found.status_code == 302 and found["Location"] == sr.get_absolute_url()
    page = client.get(reverse("requests_app:find"), {"q": "hola"}).content.decode()
    assert "Escriba los dígitos, con o sin el guion." in page
    assert "No encontramos ninguna solicitud con el número “hola”." in page


def test_an_unknown_tracking_number_is_a_friendly_404(client, city):
    response = client.get(reverse("requests_app:tracker", args=["9999-9999"]))
    assert response.status_code == 404 and "Find my request" in response.content.decode()


def test_the_private_link_lets_the_resident_add_a_comment_and_photo(client, city):
    sr = submit(city)
    url = reverse("requests_app:private", args=[sr.private_token])
    page = client.get(url).content.decode()
    assert "Add a comment or photo" in page
    response = client.post(
        url,
        {
            "message": "It got bigger after the rain",
            "draft_key": "8f1c9a6e-0000-4000-8000-000000000001",
            "photos": [upload("more.jpg", jpeg_bytes())],
        },
    )
    assert response.status_code == 302
    event = sr.events.get(type=RequestEvent.Type.RESIDENT_COMMENT)
    assert event.public and event.message == "It got bigger after the rain"
    assert sr.photos.count() == 1
    public = client.get(sr.get_absolute_url()).content.decode()
    assert "It got bigger after the rain" in public


def test_an_empty_comment_is_refused(client, city):
    sr = submit(city)
    url = reverse("requests_app:private", args=[sr.private_token])
    response = client.post(
        url, {"message": "", "draft_key": "8f1c9a6e-0000-4000-8000-000000000002"}
    )
    assert response.status_code == 422
    assert "Write a comment or attach a photo." in response.content.decode()
    assert sr.events.count() == 1


def test_a_wrong_private_token_finds_nothing(client, city):
    submit(city)
    assert client.get(reverse("requests_app:private", args=["0" * 64])).status_code == 404


def test_the_private_token_is_at_least_128_bits(city):
    sr = submit(city)
    assert len(bytes.fromhex(sr.private_token)) * 8 >= 128


def test_the_resident_reads_what_staff_wrote_when_closing(client, city):
    sr = routed(city)
    request_status_change(
        request=sr,
        to_status=Status.RESOLVED,
        closure_reason=city.repaired,
        message="Filled today with hot asphalt; thanks for the photo.",
    )
    page = client.get(sr.get_absolute_url()).content.decode()
    assert "Filled today with hot asphalt; thanks for the photo." in page


def test_the_standard_closure_wording_is_shown_in_the_readers_language(client, city):
    sr = _resolved(city)
    client.cookies["django_language"] = "es"
    page = client.get(sr.get_absolute_url()).content.decode()
    assert "El equipo lo reparó." in page and "The crew repaired it." not in page
