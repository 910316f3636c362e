"""Right-to-left override characters in what residents and staff type cannot reorder the page
around them: free text is shown isolated in <bdi> on the tracker, the public list, the staff
queue and request page, and in emails' HTML part."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.rendering import message_render
from tests.requests_app.helpers import routed, with_fields

pytestmark = pytest.mark.django_db
EVIL = "\u202e1 Market St"
EVIL_TEXT = "Hole here \u202egnp.exe"


@pytest.fixture
def sr(city):
    return with_fields(routed(city), address=EVIL, description=EVIL_TEXT)


def test_the_tracker_isolates_the_address_and_description(client, sr):
    page = client.get(reverse("requests_app:tracker", args=[sr.tracking_number])).content.decode()
    assert f"<bdi>{EVIL}</bdi>" in page
    assert f"<bdi>{EVIL_TEXT}</bdi>" in page


def test_the_public_list_isolates_the_address(client, sr):
    page = client.get(reverse("requests_app:browse")).content.decode()
    assert f"<bdi>{EVIL}</bdi>" in page


def test_the_staff_queue_and_request_page_isolate_free_text(client, sr, staff):
    client.force_login(staff.agent)
    queue = client.get(reverse("staff:queue")).content.decode()
    assert f"<bdi>{EVIL}</bdi>" in queue
    detail = client.get(reverse("staff:detail", args=[sr.tracking_number])).content.decode()
    assert f"<bdi>{EVIL}</bdi>" in detail and f"<bdi>{EVIL_TEXT}</bdi>" in detail
    assert EVIL not in detail.replace(f"<bdi>{EVIL}</bdi>", "")


def test_an_emails_html_part_isolates_staff_text(db):
    rendered = message_render(
        kind="comment",
        channel="email",
        language="en",
        context={"tracking_number": "2611-4827", "message": EVIL_TEXT, "city_name": "Test"},
    )
    assert f"<bdi>{EVIL_TEXT}</bdi>" in rendered.html
