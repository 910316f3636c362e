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


def test_a_too_long_bulk_comment_is_refused_in_plain_words_and_adds_nothing(client, city, staff):
    mine = routed(city)  # Streets
    before = RequestEvent.objects.filter(request=mine).count()
    client.force_login(staff.agent)
    response = client.post(
        reverse("staff:bulk"),
        {
            "action": "comment",
            "message": "x" * 5000,
            "ids": [f"{mine.pk}:{mine.version}"],
            "next": f"?department={city.streets.pk}",
        },
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This text is 5000 characters long and the limit is 4000." in page
    assert RequestEvent.objects.filter(request=mine).count() == before


def test_the_bulk_comment_box_counts_instead_of_cutting(client, city, staff):
    client.force_login(staff.agent)
    page = client.get(reverse("staff:queue"), {"department": city.streets.pk}).content.decode()
    box = page[page.index('id="b-message"') :].split(">", 1)[0]
    assert "maxlength" not in box
    assert 'data-max-chars="4000"' in box
