"""Staff pages in Spanish show the Spanish names admins entered (categories, groups,
departments), not only the Spanish fixed text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from requests_app.services import request_route
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


def test_intake_and_the_request_page_use_the_spanish_names(client, city, staff):
    sr = submit(city)
    request_route(request=sr, department=city.streets)
    client.force_login(staff.agent)
    client.cookies.load({"django_language": "es"})
    intake = client.get(reverse("staff:intake")).content.decode()
    assert "Calles y aceras" in intake and "Streets &amp; sidewalks" not in intake
    detail = client.get(reverse("staff:detail", args=[sr.tracking_number])).content.decode()
    assert "Bache" in detail and "<dd>Calles</dd>" in detail
