"""One source of truth for a category's due dates (issue 12): the SLA targets count, the
category's own hours only as a fallback, and the category's admin page shows per priority the
very target the due-date code applies."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from requests_app.models import Priority
from requests_app.services.due import request_due_times
from routing.models import BusinessCalendar, Clock, SlaTarget, WorkingHours
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")


def shown_targets(html: str) -> dict[str, list[str]]:
    """The "Service level in effect" table: priority label → [first action, resolution, set by]."""
    table = re.search(r'<table class="effective-targets">.*?</table>', html, re.S).group(0)
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table, re.S)
    return {label: re.findall(r"<td>(.*?)</td>", cells) for label, cells in rows}


def change_page(client, category) -> str:
    response = client.get(reverse("admin:requests_app_category_change", args=[category.pk]))
    assert response.status_code == 200
    return response.text


def test_the_category_page_shows_the_sla_target_the_due_dates_use_not_the_fallback(
    city, superuser_client
):
    city.pothole.resolution_target_hours = 168
    city.pothole.save()
    SlaTarget.objects.create(
        category=city.pothole, response_hours=8, resolution_hours=30, clock=Clock.AROUND_THE_CLOCK
    )
    shown = shown_targets(change_page(superuser_client, city.pothole))

    assert shown["Normal"] == [
        "8 hours around the clock",
        "30 hours around the clock",
        "SLA target",
    ]
    sr = submit(city)
    response_due, resolution_due = request_due_times(request=sr)
    assert resolution_due - sr.created_at == timedelta(hours=30)
    assert response_due - sr.created_at == timedelta(hours=8)


def test_a_priority_no_target_covers_shows_the_fallback_and_the_due_dates_use_it(
    city, superuser_client
):
    city.pothole.response_target_hours, city.pothole.resolution_target_hours = 24, 168
    city.pothole.save()
    SlaTarget.objects.create(
        category=city.pothole,
        priority=Priority.URGENT,
        response_hours=1,
        resolution_hours=4,
        clock=Clock.AROUND_THE_CLOCK,
    )
    shown = shown_targets(change_page(superuser_client, city.pothole))

    assert shown["Urgent"][:2] == ["1 hour around the clock", "4 hours around the clock"]
    assert shown["Normal"][:2] == ["24 hours around the clock", "168 hours around the clock"]
    assert "fallback" in shown["Normal"][2]
    sr = submit(city)
    assert sr.priority == Priority.NORMAL
    assert request_due_times(request=sr)[1] - sr.created_at == timedelta(hours=168)

    changelist = superuser_client.get(reverse("admin:requests_app_category_changelist")).text
    assert "168 hours around the clock (fallback)" in changelist


def test_a_business_hours_target_is_shown_with_its_calendar(city, superuser_client):
    calendar = BusinessCalendar.objects.create(name="City offices", time_zone="America/Los_Angeles")
    for weekday in range(5):
        WorkingHours.objects.create(calendar=calendar, weekday=weekday, start=time(9), end=time(17))
    city.pothole.resolution_target_hours = 168
    city.pothole.save()
    SlaTarget.objects.create(
        category=city.pothole, response_hours=8, resolution_hours=72, calendar=calendar
    )
    html = change_page(superuser_client, city.pothole)
    shown = shown_targets(html)

    assert shown["Low"] == shown["Normal"] == shown["High"] == shown["Urgent"]
    assert shown["Normal"] == [
        "8 business hours",
        "72 business hours",
        "SLA target, on the City offices calendar",
    ]
    # The fallback is labelled as one, beside the table (not as "Resolution target hours").
    assert "Fallback hours to resolution" in html
    assert "Resolution target hours" not in html
    with time_machine.travel(datetime(2026, 11, 16, 9, 0, tzinfo=LA), tick=False):  # a Monday
        sr = submit(city)
    # 72 working hours of 8 a day from Monday 09:00: nine working days, to Thursday 26th 17:00
    # (the calendar has no public holidays), at intake and when recomputed.
    assert sr.expected_at == datetime(2026, 11, 26, 17, 0, tzinfo=LA)
    assert request_due_times(request=sr)[1] == sr.expected_at


def test_the_targets_read_in_spanish(city, superuser_client):
    SlaTarget.objects.create(
        category=city.pothole, response_hours=8, resolution_hours=30, clock=Clock.AROUND_THE_CLOCK
    )
    with translation.override("es"):
        url = reverse("admin:requests_app_category_change", args=[city.pothole.pk])
    html = superuser_client.get(url, headers={"accept-language": "es"}).text
    assert "Nivel de servicio vigente" in html
    assert "30 horas corridas (las 24 horas)" in html


def test_sla_targets_are_edited_on_the_category_page(city, superuser_client):
    html = change_page(superuser_client, city.pothole)
    assert 'id="sla_targets-group"' in html
    # The inline's inputs are named (a column header does not name them).
    assert 'aria-label="Hours to resolution"' in html
