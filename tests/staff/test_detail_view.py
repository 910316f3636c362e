"""The staff request page: any staff member reads the public data; contact details, internal
notes and actions only for those allowed."""

from __future__ import annotations

from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from requests_app.models import Photo, Status
from requests_app.services import (
    Reporter,
    request_comment,
    request_resolve,
    request_route,
    request_supporter_add,
)
from tests.conftest import INSIDE
from tests.requests_app.helpers import TYPED_TRACKING_NUMBERS, submit, typed

pytestmark = pytest.mark.django_db


def url(sr) -> str:
    return reverse("staff:detail", args=[sr.tracking_number])


def offset(metres_north: float) -> Point:
    # One degree of latitude is about 111 km.
    return Point(INSIDE[1], INSIDE[0] + metres_north / 111_000, srid=4326)


def test_the_owning_department_sees_everything_the_resident_sent(client, staff, queued):
    client.force_login(staff.agent)
    response = client.get(url(queued))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Pothole",
        "Big hole by the bus stop",
        "How wide is it, in inches?",
        "In a traffic lane",
        "1 Market St",
        "Web",
        "English",
        "Streets",
        "In queue",
        "Rosa Martínez",
        "rosa@example.com",
        "(415) 555-0134",
    ):
        assert text in html, text


@pytest.mark.parametrize("form", TYPED_TRACKING_NUMBERS[1:])
def test_a_request_address_typed_without_the_hyphen_goes_to_the_one_page(
    client, staff, queued, form
):
    client.force_login(staff.agent)
    response = client.get(f"/staff/requests/{quote(typed(queued, form), safe='')}/")
    assert response.status_code == 302 and response["Location"] == url(queued)


def test_a_request_address_that_is_no_number_is_a_404(client, staff, queued):
    client.force_login(staff.agent)
    assert client.get("/staff/requests/pothole/").status_code == 404


def test_another_departments_agent_reads_the_public_data_without_contact_or_actions(
    client, staff, queued
):
    request_comment(request=queued, actor=staff.agent, message="Vendor code 44", public=False)
    client.force_login(staff.parks_agent)
    response = client.get(url(queued))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Big hole by the bus stop" in html
    for private in ("Rosa", "rosa@example.com", "555", "Vendor code 44"):
        assert private not in html
    assert 'data-testid="contact-hidden"' in html
    assert reverse("staff:action", args=[queued.tracking_number, "comment"]) not in html


def test_an_operator_sees_the_contact_details_of_a_call_they_took(city, client, staff):
    sr = submit(
        city,
        channel="phone",
        reporter=Reporter(
            name="Caller Carla", phone="+14155550111", contact_method="phone", anonymous=False
        ),
    )
    sr.events.update(actor=staff.operator)
    client.force_login(staff.operator)
    html = client.get(url(sr)).content.decode()
    assert "Caller Carla" in html and "(415) 555-0111" in html
    assert reverse("staff:action", args=[sr.tracking_number, "assign"]) not in html


def test_an_anonymous_reporter_is_shown_as_anonymous(city, client, staff):
    sr = submit(city, reporter=Reporter(anonymous=True))
    request_route(request=sr, department=city.streets)
    client.force_login(staff.agent)
    assert (
        "Anonymous: the resident left no contact details." in client.get(url(sr)).content.decode()
    )


def test_internal_notes_are_marked_internal_with_who_and_when(client, staff, queued):
    request_comment(request=queued, actor=staff.agent, message="Gate code 1234", public=False)
    client.force_login(staff.supervisor)
    html = client.get(url(queued)).content.decode()
    note = html[html.index("Gate code 1234") - 600 : html.index("Gate code 1234")]
    assert "Internal note" in note and ">Internal</span>" in note and "by Alex" in note
    assert "<time datetime=" in note


def test_internal_notes_never_appear_on_the_public_tracker(client, staff, queued):
    request_comment(request=queued, actor=staff.agent, message="Gate code 1234", public=False)
    request_comment(request=queued, actor=staff.agent, message="Crew booked", public=True)
    html = client.get(queued.get_absolute_url()).content.decode()
    assert "Crew booked" in html and "Gate code 1234" not in html


def test_photos_are_split_into_resident_photos_and_staff_evidence(client, staff, queued):
    resident = Photo.objects.create(request=queued, image="a.jpg", thumbnail="a_t.jpg")
    evidence = Photo.objects.create(
        request=queued, image="b.jpg", thumbnail="b_t.jpg", source=Photo.Source.STAFF
    )
    client.force_login(staff.agent)
    html = client.get(url(queued)).content.decode()
    resident_part = html[html.index("From the resident") : html.index("Staff evidence</h3>")]
    staff_part = html[html.index("Staff evidence</h3>") : html.index('id="h-timeline"')]
    assert str(resident.uuid) in resident_part and str(evidence.uuid) not in resident_part
    assert str(evidence.uuid) in staff_part


def test_nearby_open_requests_within_200_m_of_any_category_with_distance(
    city, client, staff, queued
):
    near = submit(city, category=city.graffiti, location=offset(100), description="Tags")
    far = submit(city, location=offset(400))
    closed = submit(city, location=offset(50))
    request_route(request=closed, department=city.streets)
    request_resolve(request=closed, actor=staff.agent, closure_reason=city.repaired)
    client.force_login(staff.agent)
    html = client.get(url(queued)).content.decode()
    nearby = html[html.index('data-testid="nearby"') :]
    assert near.tracking_number in nearby and "Graffiti" in nearby and "100 m away" in nearby
    assert far.tracking_number not in nearby and closed.tracking_number not in nearby


def test_only_the_actions_that_apply_are_offered(city, client, staff, queued):
    client.force_login(staff.agent)
    html = client.get(url(queued)).content.decode()

    def offered(action: str) -> bool:
        return reverse("staff:action", args=[queued.tracking_number, action]) in html

    assert offered("acknowledge") and offered("resolve") and offered("hold")
    assert not offered("resume") and not offered("reopen")

    request_resolve(request=queued, actor=staff.agent, closure_reason=city.repaired)
    html = client.get(url(queued)).content.decode()
    assert offered("reopen") and offered("comment") and offered("note")
    assert not offered("resolve") and not offered("assign") and not offered("onsite")


def test_supporters_are_listed_for_those_who_may_see_contact_details(client, staff, queued):
    request_supporter_add(request=queued, actor=staff.operator, name="Second Caller")
    client.force_login(staff.agent)
    html = client.get(url(queued)).content.decode()
    assert "1 other resident reported it" in html and "Second Caller" in html
    client.force_login(staff.parks_agent)
    html = client.get(url(queued)).content.decode()
    assert "1 other resident reported it" in html and "Second Caller" not in html


def test_status_priority_assignee_and_version_are_shown(client, staff, queued):
    client.force_login(staff.agent)
    html = client.get(url(queued)).content.decode()
    assert ">In queue<" in html and ">Normal<" in html and ">Unassigned<" in html
    assert f"<dt>Version</dt><dd>{queued.version}</dd>" in html
    assert queued.status == Status.IN_QUEUE


def test_an_unknown_number_is_404(client, staff):
    client.force_login(staff.agent)
    assert client.get(reverse("staff:detail", args=["2601-0000"])).status_code == 404


def test_a_user_who_is_not_staff_gets_403(client, django_user_model, queued):
    client.force_login(django_user_model.objects.create_user("resident"))
    assert client.get(url(queued)).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, queued):
    response = client.get(url(queued))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))


def test_the_query_count_does_not_grow_with_events_photos_or_neighbours(
    city, client, staff, queued
):
    client.force_login(staff.agent)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(queued)).status_code == 200
        return len(ctx.captured_queries)

    queries()  # the first page after force_login stamps the session (SessionRefreshMiddleware)
    before = queries()
    for i in range(5):
        request_comment(request=queued, actor=staff.agent, message=f"note {i}", public=False)
        Photo.objects.create(request=queued, image=f"{i}.jpg", thumbnail=f"{i}_t.jpg")
        submit(city, location=offset(20 * (i + 1)))
    request_supporter_add(request=queued, actor=staff.operator, name="Caller")
    assert queries() == before


@pytest.mark.parametrize("language", ["en", "es"])
def test_timeline_times_and_nearby_rows_are_written_as_the_template_filters_wrote_them(
    city, client, staff, queued, language
):
    # The view formats these in Python now; the template's filters are the reference.
    near = submit(city, category=city.graffiti, location=offset(100), description="Tags")
    event = queued.events.order_by("created_at", "id").first()
    client.force_login(staff.agent)
    html = client.get(url(queued), headers={"Accept-Language": language}).content.decode()
    filters = Template(
        "{% load times %}<time datetime=\"{{ at|date:'Y-m-d\\TH:i:sO' }}\">"
        "{{ at|when_datetime }}</time>"
        "|<li data-lat=\"{{ p.y|stringformat:'.6f' }}\" data-lng=\"{{ p.x|stringformat:'.6f' }}\">"
        "\n            <a href=\"{% url 'staff:detail' n %}\">{{ n }}</a>"
    )
    with translation.override(language), timezone.override(ZoneInfo(settings.CITY_TIME_ZONE)):
        context = Context({"at": event.created_at, "p": near.location, "n": near.tracking_number})
        time_tag, nearby_row = filters.render(context).split("|")
    assert time_tag in html
    assert nearby_row in html
