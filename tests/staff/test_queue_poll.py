"""The queue's 20-second refresh answers "304 Not Modified" while nothing it shows has changed,
and shows any change on the next refresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from requests_app import services
from requests_app.models import ServiceRequest, Status
from tests.requests_app.helpers import routed

pytestmark = pytest.mark.django_db
QUEUE = reverse("staff:queue")
POLL = {"HX-Request": "true", "HX-Target": "queue-rows"}


def poll(client, etag: str = "", params=None):
    headers = {**POLL, **({"If-None-Match": etag} if etag else {})}
    return client.get(QUEUE, params or {}, headers=headers)


def test_an_unchanged_queue_answers_304_with_no_body(client, city, staff):
    routed(city)
    client.force_login(staff.agent)
    first = poll(client)
    assert first.status_code == 200 and first["ETag"]
    again = poll(client, first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_a_status_change_shows_on_the_next_refresh(client, city, staff):
    sr = routed(city)
    client.force_login(staff.agent)
    first = poll(client)
    services.request_status_change(request=sr, to_status=Status.IN_PROGRESS, actor=staff.agent)
    response = poll(client, first["ETag"])
    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]
    assert "status-in_progress" in response.content.decode()


def test_a_change_no_counter_sees_still_shows(client, city, staff):
    sr = routed(city)
    client.force_login(staff.agent)
    first = poll(client)
    ServiceRequest.objects.filter(pk=sr.pk).update(supporter_count=7, address="9 Elm St")
    response = poll(client, first["ETag"])
    assert response.status_code == 200
    assert "9 Elm St" in response.content.decode()


def test_a_closed_request_leaving_the_list_shows(client, city, staff):
    sr = routed(city)
    client.force_login(staff.agent)
    first = poll(client)
    assert sr.tracking_number in first.content.decode()
    ServiceRequest.objects.filter(pk=sr.pk).update(status=Status.RESOLVED)
    response = poll(client, first["ETag"])
    assert response.status_code == 200
    assert sr.tracking_number not in response.content.decode()


def test_a_new_minute_renders_again_for_the_time_labels(client, city, staff):
    routed(city)
    client.force_login(staff.agent)
    start = timezone.now().replace(second=5)
    with time_machine.travel(start, tick=False):
        first = poll(client)
        assert poll(client, first["ETag"]).status_code == 304
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert poll(client, first["ETag"]).status_code == 200


def test_the_etag_differs_by_user_language_and_filters(client, city, staff):
    routed(city)
    client.force_login(staff.agent)
    etag = poll(client)["ETag"]
    assert poll(client, etag, {"sort": "newest"}).status_code == 200
    client.cookies["django_language"] = "es"
    assert poll(client, etag).status_code == 200
    client.cookies.pop("django_language")
    client.force_login(staff.supervisor)
    assert poll(client, etag).status_code == 200


def test_a_change_in_another_department_may_still_answer_304(client, city, staff):
    routed(city)
    client.force_login(staff.agent)
    etag = poll(client)["ETag"]
    routed(city, department=city.parks, category=city.graffiti, answers={})
    assert poll(client, etag).status_code == 304


def test_the_304_costs_only_the_session_the_scope_and_the_tally(client, city, staff):
    routed(city)
    client.force_login(staff.agent)
    etag = poll(client)["ETag"]
    with CaptureQueriesContext(connection) as ctx:
        assert poll(client, etag).status_code == 304
    # The user with its profile and departments (one query; the session comes from the cache),
    # the config stamp (the tabs are kept per process: requests_app.configcache), the tally's
    # stamp: nothing over the request table (the count of what falls due today, which grows with
    # the city, is made only when the rows are rendered). No session save
    # (SessionRefreshMiddleware). Before the cached session and the one-query user: 6.
    assert len(ctx.captured_queries) == 3
    assert not any("requests_app_servicerequest" in q["sql"] for q in ctx.captured_queries)


def test_the_full_page_and_the_filter_fragment_are_never_304(client, city, staff):
    routed(city)
    client.force_login(staff.agent)
    etag = poll(client)["ETag"]
    assert client.get(QUEUE, headers={"If-None-Match": etag}).status_code == 200
    response = client.get(
        QUEUE, headers={"HX-Request": "true", "HX-Target": "results", "If-None-Match": etag}
    )
    assert response.status_code == 200
