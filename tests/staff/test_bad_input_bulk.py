"""Bulk actions on ids the user may not work on (another department's, or none at all) are
refused row by row without the message naming them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from requests_app.models import RequestEvent
from tests.requests_app.helpers import routed

pytestmark = pytest.mark.django_db


def test_a_forged_bulk_post_does_not_reveal_other_departments_tracking_numbers(client, city, staff):
    theirs = routed(city)  # Streets
    before = RequestEvent.objects.filter(request=theirs).count()
    client.force_login(staff.parks_agent)
    response = client.post(
        reverse("staff:bulk"),
        {
            "action": "priority",
            "priority": "high",
            "ids": [f"{theirs.pk}:{theirs.version}", "987654321:1"],
            "next": f"?department={city.parks.pk}",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "0 updated, 2 not yours to change." in page
    assert theirs.tracking_number not in page
    theirs.refresh_from_db()
    assert theirs.priority == "normal"
    assert RequestEvent.objects.filter(request=theirs).count() == before
