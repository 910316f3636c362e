"""The queue page and its bulk actions, as staff use them: who gets in, what the page shows, the
fragments HTMX asks for, a fixed number of queries per page and one event per request changed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from requests_app.models import Priority, RequestEvent, ServiceRequest, Status
from staff.selectors import PAGE_SIZE
from staff.views.queue_cache import queue_cache_clear
from tests.requests_app.helpers import routed, with_fields

pytestmark = pytest.mark.django_db
QUEUE = reverse("staff:queue")
BULK = reverse("staff:bulk")
HTMX = {"HX-Request": "true"}
OPEN_SQL = re.compile(r"\"status\" IN \('in_progress', 'in_queue', 'received', 'reopened'")


def parks_request(city):
    return routed(city, department=city.parks, category=city.graffiti, answers={})


def events(sr, type_: str) -> int:
    return RequestEvent.objects.filter(request=sr, type=type_).count()


def tick(*requests) -> list[str]:
    return [f"{sr.pk}:{sr.version}" for sr in requests]


# --- Access ------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(QUEUE, {"status": "closed"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login") + "?next=/staff/")


def test_anonymous_bulk_actions_go_to_sign_in_and_change_nothing(client, city):
    sr = routed(city)
    response = client.post(BULK, {"action": "priority", "priority": "high", "ids": tick(sr)})
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
    sr.refresh_from_db()
    assert sr.priority == "normal"


def test_a_signed_in_user_who_is_not_staff_is_refused(client, city, django_user_model):
    client.force_login(django_user_model.objects.create_user("resident"))
    assert client.get(QUEUE).status_code == 403
    assert client.post(BULK, {"action": "comment"}).status_code == 403


def test_a_parks_agent_cannot_open_the_streets_queue_or_all_departments(client, city, staff):
    sr = routed(city)
    client.force_login(staff.parks_agent)
    response = client.get(QUEUE, {"department": city.streets.pk})
    assert response.status_code == 403
    assert sr.tracking_number not in response.content.decode()
    assert client.get(QUEUE, {"scope": "all"}).status_code == 403
    assert (
        client.get(QUEUE, {"scope": "unassigned", "department": city.streets.pk}).status_code == 403
    )
    assert client.get(QUEUE).status_code == 200


def test_operators_see_every_department_but_get_no_bulk_actions(client, city, staff):
    streets, parks = routed(city), parks_request(city)
    client.force_login(staff.operator)
    page = client.get(QUEUE).content.decode()
    assert streets.tracking_number in page and parks.tracking_number in page
    assert 'id="bulk-form"' not in page and 'name="ids"' not in page
    response = client.post(BULK, {"action": "comment", "message": "hi", "ids": tick(streets)})
    assert response.status_code == 403
    assert events(streets, RequestEvent.Type.COMMENT) == 0


# --- The page ----------------------------------------------------------------------------------


def test_an_agent_sees_their_department_queue_with_its_columns(client, city, staff):
    sr = routed(city, address="12 Oak St", location=city.mission.geom.centroid)
    ServiceRequest.objects.filter(pk=sr.pk).update(
        resident_replied_at=timezone.now(),
        supporter_count=3,
        assignee=staff.crew,
        team=staff.potholes_team,
        priority=Priority.URGENT,
        expected_at=timezone.now() - timedelta(hours=1),
    )
    other = parks_request(city)
    client.force_login(staff.agent)
    page = client.get(QUEUE).content.decode()
    assert "<h1>Streets queue</h1>" in page
    assert reverse("staff:detail", args=[sr.tracking_number]) in page
    assert other.tracking_number not in page
    for text in ("Pothole", "12 Oak St", "Mission", "Urgent", "In queue", "Casey", "Potholes"):
        assert text in page
    assert "Resident replied" in page and "badge-overdue" in page
    assert '<td data-label="Supporters" class="col-number">3</td>' in page
    assert f"Select {sr.tracking_number}" in page


def test_a_request_waiting_for_its_first_action_shows_when_that_is_due(client, city, staff):
    sr = routed(city)
    ServiceRequest.objects.filter(pk=sr.pk).update(
        response_due_at=timezone.now() - timedelta(minutes=10), acknowledged_at=None
    )
    client.force_login(staff.agent)
    page = client.get(QUEUE).content.decode()
    assert "First action by" in page and ">Late</span>" in page
    assert "First action overdue" in page
    filtered = client.get(QUEUE + "?due=response_overdue").content.decode()
    assert sr.tracking_number in filtered


def test_the_table_is_labelled_for_screen_readers(client, city, staff):
    routed(city)
    client.force_login(staff.agent)
    page = client.get(QUEUE, {"sort": "priority"}).content.decode()
    assert "<caption>Streets queue, sorted by priority, urgent first, page 1</caption>" in page
    assert page.count('<th scope="col"') == 10
    assert 'aria-sort="descending"><a id="sort-priority" href="?department=' in page
    assert '<th scope="row"' in page


def test_filters_live_in_the_url_and_links_keep_them(client, city, staff):
    high = routed(city, description="Deep hole")
    ServiceRequest.objects.filter(pk=high.pk).update(priority=Priority.HIGH)
    normal = routed(city, description="Deep hole too")
    client.force_login(staff.agent)
    page = client.get(QUEUE, {"priority": "high", "q": "deep", "sort": "newest"}).content.decode()
    assert high.tracking_number in page and normal.tracking_number not in page
    # The sort links, the poll and the bulk form's way back all carry the filters.
    assert f'hx-get="/staff/?department={city.streets.pk}&amp;priority=high&amp;q=deep' in page
    assert f'name="next" value="?department={city.streets.pk}&amp;priority=high&amp;q=deep' in page
    assert 'value="high" selected' in page and 'value="deep"' in page


def test_nonsense_in_the_url_is_ignored_not_an_error(client, city, staff):
    sr = routed(city)
    client.force_login(staff.agent)
    response = client.get(
        QUEUE, {"status": "bogus", "page": "x", "created_from": "yesterday", "sort": "1;drop"}
    )
    assert response.status_code == 200
    assert sr.tracking_number in response.content.decode()


def test_a_filter_asked_by_htmx_gets_only_the_results(client, city, staff):
    sr = routed(city)
    client.force_login(staff.agent)
    response = client.get(QUEUE, {"status": "open"}, headers={**HTMX, "HX-Target": "results"})
    page = response.content.decode()
    assert sr.tracking_number in page
    assert "<html" not in page and 'id="results"' in page
    assert 'id="queue-counters" class="counters"' in page and 'hx-swap-oob="true"' in page
    assert "HX-Request" in response["Vary"]
    # The address bar gets the queue's tidy URL (the default status left out).
    assert response["HX-Push-Url"] == f"/staff/?department={city.streets.pk}"


def test_the_poll_gets_only_the_rows_and_keeps_ticked_rows_ticked(client, city, staff):
    a, b = routed(city), routed(city)
    client.force_login(staff.agent)
    response = client.get(
        QUEUE, {"ids": [f"{a.pk}:{a.version}"]}, headers={**HTMX, "HX-Target": "queue-rows"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith("<tr")
    assert "<table" not in page and 'id="bulk-form"' not in page
    assert re.search(rf'id="sel-{a.pk}"[^>]*checked', page)
    assert not re.search(rf'id="sel-{b.pk}"[^>]*checked', page)
    # Counters and the pager come along out of band, inside a template so a tbody can hold them.
    assert re.search(r'<template>\s*<ul id="queue-counters"', page) and 'id="queue-pager"' in page


def test_a_history_restore_gets_the_whole_page(client, city, staff):
    client.force_login(staff.agent)
    page = client.get(
        QUEUE, headers={**HTMX, "HX-History-Restore-Request": "true"}
    ).content.decode()
    assert "<html" in page and "hx-swap-oob" not in page


def test_pages_follow_with_next_and_previous(client, city, staff):
    for _ in range(PAGE_SIZE + 2):
        routed(city)
    client.force_login(staff.agent)
    first = client.get(QUEUE).content.decode()
    assert ">Next</a>" in first and ">Previous</a>" not in first
    second = client.get(QUEUE, {"department": city.streets.pk, "page": 2}).content.decode()
    assert second.count('name="ids"') == 2
    assert ">Previous</a>" in second and ">Next</a>" not in second


def test_the_counters_show_the_scope_and_link_to_their_rows(client, city, staff):
    overdue = routed(city)
    ServiceRequest.objects.filter(pk=overdue.pk).update(
        expected_at=timezone.now() - timedelta(hours=1)
    )
    routed(city)
    client.force_login(staff.agent)
    page = client.get(QUEUE).content.decode()
    counters = page[
        page.index('id="queue-counters"') : page.index("</ul>", page.index('id="queue-counters"'))
    ]
    numbers = re.findall(r'<span class="count">(\d+)</span> (\w[\w ]*)<', counters)
    assert numbers == [
        ("2", "New"),
        ("2", "Unassigned"),
        ("0", "Due today"),
        ("1", "Overdue"),
        ("0", "First action overdue"),
    ]
    assert f'href="?department={city.streets.pk}&amp;due=overdue"' in counters
    assert f'href="?department={city.streets.pk}&amp;due=response_overdue"' in counters


def test_the_map_view_lists_the_same_rows_with_their_points(client, city, staff):
    sr = routed(city)
    client.force_login(staff.agent)
    page = client.get(QUEUE, {"view": "map"}).content.decode()
    assert 'id="queue-map"' in page and "leaflet.js" in page
    assert f'"tn": "{sr.tracking_number}"' in page
    assert '<table class="queue-table">' in page


def _page_queries(client, params=None) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(QUEUE, params or {})
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_query_count_is_the_same_for_3_rows_and_40(
    client, city, staff, django_assert_num_queries
):
    for _ in range(3):
        sr = routed(city)
        ServiceRequest.objects.filter(pk=sr.pk).update(
            assignee=staff.crew, team=staff.potholes_team
        )
    client.force_login(staff.agent)
    _page_queries(client)  # the first page after force_login stamps the session
    queue_cache_clear()  # the rendering just made would be reused: measure one made afresh
    few = _page_queries(client)
    # The same queue again, nothing changed, the same minute: the rows and counters kept by
    # staff.views.queue_cache; the tally's sums and stamp (its key) and the people.
    assert len(_page_queries(client)) == 4
    for _ in range(37):
        sr = routed(city, location=city.mission.geom.centroid)
        ServiceRequest.objects.filter(pk=sr.pk).update(assignee=staff.agent)
    # The writes moved the tally's stamp: rendered again, with no query more than for 3 rows.
    with django_assert_num_queries(len(few)):
        response = client.get(QUEUE)
    assert response.content.decode().count('name="ids"') == 40
    # Pinned: the user with its profile and departments (one query; the session comes from
    # the cache; before, 4 queries), the config stamp (the tabs, teams, categories, areas and
    # closure reasons are kept per process until an admin edits them:
    # requests_app.configcache), counters (the tally, then what falls due this hour: 2), rows,
    # the people to assign to. The session is saved only every few minutes
    # (SessionRefreshMiddleware); before that, every page saved it (3 more, with the test
    # transaction's savepoint). Before the choices were kept and the user read at once: 13.
    assert len(few) == 6


def test_the_poll_also_has_a_fixed_query_count(client, city, staff, django_assert_num_queries):
    routed(city)
    client.force_login(staff.agent)
    client.get(QUEUE)  # the first page after force_login stamps the session
    queue_cache_clear()  # the rows the page just rendered would be reused: measure afresh
    with CaptureQueriesContext(connection) as ctx:
        client.get(QUEUE, headers={**HTMX, "HX-Target": "queue-rows"})
    # The user, the config stamp, the tally, what falls due this hour, the rows.
    assert len(ctx.captured_queries) == 5
    for _ in range(10):
        routed(city)
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get(QUEUE, headers={**HTMX, "HX-Target": "queue-rows"})
    # Again, nothing changed: the fragment kept whole (staff.views.queue_cache), only its key read.
    with django_assert_num_queries(3):
        client.get(QUEUE, headers={**HTMX, "HX-Target": "queue-rows"})


def test_the_only_counts_are_the_counters_over_open_requests(client, city, staff):
    routed(city)
    client.force_login(staff.city_admin)
    for params in ({}, {"status": "closed_all"}, {"scope": "all", "q": "hole", "page": 2}):
        counts = [
            sql
            for sql in _page_queries(client, params)
            if "COUNT(" in sql.upper() and "servicerequest" in sql
        ]
        assert len(counts) == 1
        assert OPEN_SQL.search(counts[0])


# --- Bulk actions ------------------------------------------------------------------------------


def _bulk(client, action: str, requests, **data):
    return client.post(
        BULK, {"action": action, "ids": tick(*requests), "next": "?sort=newest", **data}
    )


def test_bulk_assign_to_a_person_writes_one_event_each_and_returns_to_the_queue(
    client, city, staff
):
    a, b = routed(city), routed(city)
    client.force_login(staff.supervisor)
    response = _bulk(client, "assign", [a, b], assign_to=f"user:{staff.crew.pk}")
    assert response.status_code == 303
    assert response["Location"] == "/staff/?sort=newest"
    for sr in (a, b):
        sr.refresh_from_db()
        assert sr.assignee == staff.crew
        assert events(sr, RequestEvent.Type.ASSIGNED) == 1
    page = client.get(response["Location"]).content.decode()
    assert "2 updated." in page


def test_bulk_assign_to_a_team_keeps_a_member_already_on_it(client, city, staff):
    a = with_fields(routed(city), assignee=staff.crew)
    b = with_fields(routed(city), assignee=staff.agent)
    client.force_login(staff.supervisor)
    _bulk(client, "assign", [a, b], assign_to=f"team:{staff.potholes_team.pk}")
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.team, a.assignee) == (staff.potholes_team, staff.crew)
    assert (b.team, b.assignee) == (staff.potholes_team, None)


def test_bulk_assign_refuses_someone_from_another_department(client, city, staff):
    sr = routed(city)
    client.force_login(staff.supervisor)
    response = _bulk(client, "assign", [sr], assign_to=f"user:{staff.parks_agent.pk}")
    sr.refresh_from_db()
    assert sr.assignee is None and events(sr, RequestEvent.Type.ASSIGNED) == 0
    page = client.get(response["Location"]).content.decode()
    assert (
        f"0 updated, 1 skipped: {sr.tracking_number} (Pat does not work for this department)."
        in page
    )


def test_bulk_priority_changes_each_once(client, city, staff):
    a, b = routed(city), with_fields(routed(city), priority=Priority.URGENT)
    client.force_login(staff.agent)
    response = _bulk(client, "priority", [a, b], priority="urgent")
    a.refresh_from_db()
    assert a.priority == "urgent"
    assert events(a, RequestEvent.Type.PRIORITY_CHANGED) == 1
    assert events(b, RequestEvent.Type.PRIORITY_CHANGED) == 0
    page = client.get(response["Location"]).content.decode()
    assert f"1 updated, 1 skipped: {b.tracking_number} (already Urgent)." in page


def test_bulk_status_moves_allowed_rows_and_reports_refused_ones(client, city, staff):
    queued, resolved = routed(city), with_fields(routed(city), status=Status.RESOLVED)
    client.force_login(staff.agent)
    response = _bulk(client, "status", [queued, resolved], status="in_progress")
    queued.refresh_from_db()
    resolved.refresh_from_db()
    assert queued.status == Status.IN_PROGRESS and resolved.status == Status.RESOLVED
    assert events(queued, RequestEvent.Type.STATUS_CHANGED) == 3  # routed, in queue, in progress
    assert events(resolved, RequestEvent.Type.STATUS_CHANGED) == 2
    page = client.get(response["Location"]).content.decode()
    assert (
        f"1 updated, 1 skipped: {resolved.tracking_number} "
        "(A request that is “Resolved” cannot become “In progress”.)."
    ) in page


def test_bulk_resolving_needs_a_closure_reason_whose_words_the_resident_sees(client, city, staff):
    sr = routed(city)
    client.force_login(staff.agent)
    _bulk(client, "status", [sr], status="resolved")
    sr.refresh_from_db()
    assert sr.status == Status.IN_QUEUE
    sr.refresh_from_db()
    _bulk(client, "status", [sr], status="resolved", closure_reason=city.repaired.pk)
    sr.refresh_from_db()
    assert sr.status == Status.RESOLVED and sr.closure_reason == city.repaired
    event = sr.events.get(type=RequestEvent.Type.STATUS_CHANGED, to_value="resolved")
    assert event.public and event.message == city.repaired.public_text


def test_bulk_public_comment_adds_one_public_event_each(client, city, staff):
    a, b = routed(city), routed(city)
    client.force_login(staff.agent)
    _bulk(client, "comment", [a, b], message="Crews are out this week.")
    for sr in (a, b):
        event = sr.events.get(type=RequestEvent.Type.COMMENT)
        assert event.public and event.message == "Crews are out this week."


def test_bulk_skips_another_departments_request_and_changes_nothing(client, city, staff):
    mine, theirs = routed(city), parks_request(city)
    before, version = RequestEvent.objects.filter(request=theirs).count(), theirs.version
    client.force_login(staff.agent)
    response = _bulk(client, "priority", [mine, theirs], priority="high")
    theirs.refresh_from_db()
    assert theirs.priority == "normal" and theirs.version == version
    assert RequestEvent.objects.filter(request=theirs).count() == before
    page = client.get(response["Location"]).content.decode()
    # Counted, never named: the message does not give away another department's tracking number.
    assert "1 updated, 1 not yours to change." in page
    assert theirs.tracking_number not in page


def test_bulk_skips_a_row_someone_changed_since_it_was_seen(client, city, staff):
    sr = routed(city)
    seen = tick(sr)
    ServiceRequest.objects.filter(pk=sr.pk).update(version=sr.version + 1)
    client.force_login(staff.agent)
    response = client.post(BULK, {"action": "priority", "priority": "high", "ids": seen})
    sr.refresh_from_db()
    assert sr.priority == "normal"
    page = client.get(response["Location"]).content.decode()
    assert "0 updated, 1 skipped" in page and "was changed by" in page


def test_bulk_with_nothing_ticked_says_so(client, city, staff):
    client.force_login(staff.agent)
    response = client.post(BULK, {"action": "comment", "message": "hi"})
    assert response.status_code == 303
    assert "Select at least one request first." in client.get(response["Location"]).content.decode()


def test_bulk_by_htmx_rerenders_the_results_with_the_summary(client, city, staff):
    sr = routed(city)
    client.force_login(staff.agent)
    response = client.post(
        BULK,
        {"action": "priority", "priority": "high", "ids": tick(sr), "next": "?sort=newest"},
        headers={**HTMX, "HX-Target": "results"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert '<p class="message success">1 updated.</p>' in page
    assert f'id="sel-{sr.pk}"' in page and not re.search(r'id="sel-\d+"[^>]*checked', page)


def test_a_superuser_without_a_staff_profile_gets_the_all_departments_queue(
    client, city, django_user_model
):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    sr = routed(city)
    client.force_login(root)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert sr.tracking_number in response.content.decode()


def test_the_results_fragment_keeps_every_select_and_choice_of_the_page(client, city, staff):
    """Issue 12: after a search the bulk "Set priority to" list held only "Choose…" (the fragment's
    context lacked the choices the page had). Every select the results hold, with every option,
    is the same in the page and in the fragment a filter or search asks for."""
    routed(city)
    client.force_login(staff.supervisor)
    selects = re.compile(r'<select id="([\w-]+)"[^>]*>(.*?)</select>', re.S)
    page = dict(selects.findall(client.get(QUEUE).content.decode()))
    for params in ({"q": "hole"}, {"priority": "urgent"}, {"sort": "priority", "page": 2}):
        fragment = client.get(QUEUE, params, headers={**HTMX, "HX-Target": "results"})
        shown = dict(selects.findall(fragment.content.decode()))
        assert set(shown) == {"b-assign", "b-priority", "b-status", "b-reason"}
        for name, options in shown.items():
            assert options == page[name], name
    assert page["b-priority"].count("<option") == 1 + len(Priority.choices)
