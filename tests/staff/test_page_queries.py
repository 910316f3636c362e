"""Query counts pinned on the staff pages issue 11 measures: the request page, the operator's
intake page and its nearby panel (the queue and its refresh are pinned in test_queue_view and
test_queue_poll). A count that grows means a new query on every view of a hot page: make it
grow on purpose, and say why here."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app.models import ServiceRequest
from requests_app.prepared import prepared_text
from requests_app.services import request_comment
from tests.conftest import INSIDE
from tests.requests_app.helpers import routed, submit

pytestmark = pytest.mark.django_db
INTAKE = reverse("staff:intake")


def queries(client, url, params=None, headers=None) -> list[str]:
    # Once unmeasured: the first use in a process reads the spatial reference (cached after).
    client.get(url, params or {}, headers=headers or {})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {}, headers=headers or {})
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def near(metres_north: float) -> Point:
    return Point(INSIDE[1], INSIDE[0] + metres_north / 111_000, srid=4326)


def test_the_request_page_runs_a_fixed_set_of_queries(client, city, staff):
    sr = routed(city, location=near(0))
    request_comment(request=sr, actor=staff.agent, message="Crew booked", public=False)
    for i in range(3):
        submit(city, location=near(30 * (i + 1)))
    client.force_login(staff.supervisor)
    sql = [
        prepared_text(s)
        for s in queries(client, reverse("staff:detail", args=[sr.tracking_number]))
    ]
    # The user with its profile and departments (one query; the session comes from the cache;
    # before, 4 queries); the config stamp (the reference snapshot gives the request's
    # category with its questions and choices, department, closure reason and both areas'
    # names, and the forms' closure reasons, categories and departments: before, 7 queries);
    # the request (2 joins) and the assignee form's people and teams; response templates (one
    # query for both forms); photos; events; supporters; messages; nearby open requests. The
    # scoring settings come with the config stamp (routing.scoring.score_explain: before, a
    # query of their own). The session is not saved (SessionRefreshMiddleware: at most every
    # few minutes). Before issue 11 the request took one 9-join query and the templates two,
    # the areas' polygons were read and the session was saved on every page: 23. The reply
    # templates, photos, events, supporters, messages and the assign form's people and teams
    # go in one round trip of seven statements (staff.detail_selectors.detail_read_ahead), and
    # the config stamp is read in the request's own statement (before, 11 round trips).
    assert len(sql) == 4, "\n".join(s[:120] for s in sql)
    assert not any(s.startswith("SELECT value FROM requests_app_configstamp") for s in sql)
    batch = next(s for s in sql if "requests_app_photo" in s)
    for table in ("requestevent", "supporter", "outboxmessage", "responsetemplate", "team"):
        assert table in batch
    assert not any("routing_scoringsettings" in s for s in sql)
    assert sum("requests_app_responsetemplate" in s for s in sql) == 1
    # Neither polygon is read: only the names are shown.
    assert not any('"requests_app_area"."geom"' in s for s in sql)


def test_the_intake_page_runs_a_fixed_set_of_queries(client, city, staff):
    client.force_login(staff.operator)
    # The user with its profile and departments (one query; the session comes from the cache;
    # before, 3 queries), the reference snapshot's version (the category picker comes from the
    # per-process snapshot, not two queries). Before: 8, with two category queries and the
    # session saved (3).
    sql = queries(client, INTAKE)
    assert len(sql) == 2, "\n".join(s[:100] for s in sql)


def test_the_nearby_panel_runs_a_fixed_set_of_queries_however_many_are_near(client, city, staff):
    client.force_login(staff.operator)
    params = {"category": city.pothole.pk, "latitude": INSIDE[0], "longitude": INSIDE[1]}
    headers = {"HX-Request": "true", "HX-Target": "nearby-results"}
    routed(city, location=near(10))
    few = queries(client, INTAKE, params, headers)
    for i in range(8):
        routed(city, location=near(12 + 10 * i))
    many = queries(client, INTAKE, params, headers)
    assert len(many) == len(few)
    # The user with its profile (one query; the session comes from the cache; before, 3
    # queries); the reference snapshot's version, read once for the category and the category
    # list (both come from the per-process snapshot; config_snapshot: before, read twice); the
    # nearby requests (one query, category joined). Before: 12, with three category queries
    # and the session saved.
    assert len(few) == 3, "\n".join(s[:120] for s in few)
    nearby = [s for s in map(prepared_text, few) if "<->" in s]
    assert len(nearby) == 1, "nearest-first through the GiST index's distance operator"


def test_nearby_lists_only_open_requests_nearest_first(client, city, staff):
    from staff.detail_selectors import nearby_open_requests

    far = routed(city, location=near(120))
    close = routed(city, location=near(20))
    closed = routed(city, location=near(5))
    ServiceRequest.objects.filter(pk=closed.pk).update(status="resolved")
    found = nearby_open_requests(point=near(0), within_m=150)
    assert [r.pk for r in found] == [close.pk, far.pk]
    assert round(found[0].distance.m) == 20
    assert nearby_open_requests(point=near(0), within_m=50) == [close]
