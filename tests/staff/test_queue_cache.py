"""The queue's rows, counters and refresh fragment kept per process (staff.views.queue_cache):
what is kept is what a fresh rendering would give, no write is missed, and no one gets rows
rendered for someone who sees them differently."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from requests_app.models import Priority, ServiceRequest, Status
from staff.views.queue_cache import QUEUE_CACHE, RenderCache, queue_cache_clear
from tests.requests_app.helpers import routed

pytestmark = pytest.mark.django_db
QUEUE = reverse("staff:queue")
PARTS = {
    "page": {},
    "results": {"HX-Request": "true"},
    "rows": {"HX-Request": "true", "HX-Target": "queue-rows"},
}
# CSRF tokens (masked afresh on every render) are the only part that may differ.
TOKEN = re.compile(r"[A-Za-z0-9]{64}")
ROW = re.compile(r"<tr class=.*?</tr>", re.DOTALL)


def get(client, part: str = "page", params=None) -> str:
    response = client.get(QUEUE, params or {}, headers=PARTS[part])
    assert response.status_code == 200
    return TOKEN.sub("TOKEN", response.content.decode())


def rows(html: str) -> list[str]:
    return ROW.findall(html)


def reads_requests(ctx) -> bool:
    return any("requests_app_servicerequest" in q["sql"] for q in ctx.captured_queries)


@pytest.fixture
def moment():
    """A frozen moment: within one minute only the tally's stamp can tell two loads apart."""
    start = timezone.now().replace(second=10, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        yield start


@pytest.fixture
def queue(city, staff):
    """Rows that take many branches: a team and a person, urgent, overdue, a reply, no address."""
    a, b, c = routed(city), routed(city), routed(city)
    ServiceRequest.objects.filter(pk=a.pk).update(
        assignee=staff.crew, team=staff.potholes_team, priority=Priority.URGENT
    )
    ServiceRequest.objects.filter(pk=b.pk).update(
        expected_at=timezone.now() - timedelta(hours=3), resident_replied_at=timezone.now()
    )
    ServiceRequest.objects.filter(pk=c.pk).update(address="")
    routed(city, department=city.parks, category=city.graffiti, answers={})
    return [ServiceRequest.objects.get(pk=sr.pk) for sr in (a, b, c)]


@pytest.mark.parametrize("language", ["en", "es"])
def test_kept_renderings_are_byte_identical_to_fresh_ones(client, staff, queue, moment, language):
    a = queue[0]
    client.cookies["django_language"] = language
    for user in (staff.supervisor, staff.operator, staff.agent, staff.city_admin):
        client.force_login(user)
        client.get(QUEUE)  # shows a city admin's one-time two-factor message
        for params in (
            {},
            {"sort": "newest"},
            {"ids": [f"{a.pk}:{a.version}"]},
            {"scope": "unassigned"},
            {"scope": "mine"},
            {"priority": "urgent"},
            {"view": "map"},
        ):
            for part in PARTS:
                queue_cache_clear()
                fresh = get(client, part, params)
                assert len(QUEUE_CACHE)
                with CaptureQueriesContext(connection) as ctx:
                    kept = get(client, part, params)
                assert not reads_requests(ctx), (user, params, part)
                assert kept == fresh, (user, params, part)


def test_a_status_assignment_or_priority_change_shows_on_the_next_load(client, city, staff, moment):
    sr = routed(city)
    client.force_login(staff.supervisor)
    for part in PARTS:
        assert "status-in_progress" not in get(client, part)
    changes = (
        ({"priority": Priority.URGENT}, "priority-urgent"),
        ({"status": Status.IN_PROGRESS}, "status-in_progress"),
        ({"assignee": staff.crew}, '<td data-label="Assigned to">Casey</td>'),
    )
    for fields, shown in changes:
        for part in PARTS:
            assert shown not in get(client, part)
        ServiceRequest.objects.filter(pk=sr.pk).update(**fields)
        for part in PARTS:
            assert shown in get(client, part), (fields, part)


def test_the_counters_follow_a_write(client, city, staff, moment):
    routed(city)
    client.force_login(staff.supervisor)
    new = re.compile(r'<span class="count">(\d+)</span> New')
    assert new.search(get(client)).group(1) == "1"
    routed(city)
    assert new.search(get(client)).group(1) == "2"


def test_the_next_minute_renders_the_ages_again(client, city, staff):
    routed(city)
    client.force_login(staff.supervisor)
    start = timezone.now().replace(second=10, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        first = rows(get(client, "rows"))
        assert rows(get(client, "rows")) == first
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        later = rows(get(client, "rows"))
        queue_cache_clear()
        assert later == rows(get(client, "rows"))
    assert later != first


def test_a_category_renamed_in_the_admin_shows_at_once(client, city, staff, moment):
    routed(city)
    client.force_login(staff.supervisor)
    assert "Sinkhole" not in get(client, "rows")
    city.pothole.name = "Sinkhole"
    city.pothole.save()
    assert "Sinkhole" in get(client, "rows")


def test_staff_who_see_rows_differently_never_share_them(client, city, staff, moment):
    sr = routed(city)
    streets = {"department": city.streets.pk}
    client.force_login(staff.supervisor)
    assert 'name="ids"' in get(client, "rows", streets)
    # An operator sees the same queue without tick boxes.
    client.force_login(staff.operator)
    assert 'name="ids"' not in get(client, "rows", streets)
    # Another member of the department sees it as the supervisor does: one rendering for both.
    client.force_login(staff.agent)
    with CaptureQueriesContext(connection) as ctx:
        html = get(client, "rows", streets)
    assert 'name="ids"' in html and not reads_requests(ctx)
    # "My requests" are each person's own.
    ServiceRequest.objects.filter(pk=sr.pk).update(assignee=staff.agent)
    assert sr.tracking_number in get(client, "rows", {"scope": "mine"})
    client.force_login(staff.crew)
    assert sr.tracking_number not in get(client, "rows", {"scope": "mine"})


def test_english_and_spanish_are_kept_apart(client, city, staff, moment):
    routed(city)
    client.force_login(staff.supervisor)
    english = get(client, "rows")
    client.cookies["django_language"] = "es"
    spanish = get(client, "rows")
    assert spanish != english
    queue_cache_clear()
    assert get(client, "rows") == spanish
    client.cookies.pop("django_language")
    assert get(client, "rows") == english


def test_ticked_rows_come_back_ticked_only_where_ticked(client, city, staff, moment):
    sr = routed(city)
    client.force_login(staff.supervisor)
    assert " checked" not in get(client, "rows")
    assert " checked" in get(client, "rows", {"ids": [f"{sr.pk}:{sr.version}"]})
    assert " checked" not in get(client, "rows")


def test_the_cache_forgets_the_least_recently_used_beyond_its_size():
    cache = RenderCache(100)
    cache.put("a", "A", 40)
    cache.put("b", "B", 40)
    assert cache.get("a") == "A"  # now the most recent
    cache.put("c", "C", 40)
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == ("A", "C")
    cache.put("huge", "H", 101)  # bigger than the whole cache: not kept
    assert cache.get("huge") is None and len(cache) == 2
    cache.put(None, "N", 1)  # no key (no config stamp): nothing kept
    assert len(cache) == 2
