"""Browsing recent public requests: filters, paging, fixed query count."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app.models import Status
from requests_app.selectors import PUBLIC_PAGE_SIZE
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db
URL = reverse("requests_app:browse")


def test_filters_by_category_status_and_neighbourhood(client, city):
    in_mission = Point(-122.415, 37.76, srid=4326)
    pothole = submit(city, location=in_mission)
    graffiti = submit(city, category=city.graffiti, description="Tags on the wall")
    type(graffiti).objects.filter(pk=graffiti.pk).update(status=Status.RESOLVED)

    page = client.get(URL, {"category": city.pothole.pk}).content.decode()
    assert pothole.tracking_number in page and graffiti.tracking_number not in page
    page = client.get(URL, {"status": "closed"}).content.decode()
    assert graffiti.tracking_number in page and pothole.tracking_number not in page
    page = client.get(URL, {"neighbourhood": city.mission.pk}).content.decode()
    assert pothole.tracking_number in page and graffiti.tracking_number not in page


def test_htmx_gets_only_the_results_fragment(client, city):
    sr = submit(city)
    page = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert sr.tracking_number in page and "<html" not in page


def test_pages_hold_a_fixed_number_of_rows_and_link_older(client, city):
    for _ in range(PUBLIC_PAGE_SIZE + 3):
        submit(city)
    first = client.get(URL).content.decode()
    assert "Older" in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert second.count('class="request-card"') == 3
    assert "Newer" in second


def test_the_query_count_does_not_grow_with_rows(client, city):
    for _ in range(3):
        submit(city)
    client.get(URL)  # loads this process's reference snapshot (categories etc.) once
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(12):
        submit(city, category=city.graffiti)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)
    assert not any("COUNT(" in q["sql"].upper() and "servicerequest" in q["sql"] for q in many)
