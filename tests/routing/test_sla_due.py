"""Target dates on requests: computed at intake from the SLA target (business hours when it says
so), recomputed when the category or priority changes, and pushed out by waits on the resident."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from requests_app.models import RequestEvent
from requests_app.services import (
    request_hold,
    request_priority_change,
    request_recategorise,
    request_resume,
    request_route,
)
from routing.models import BusinessCalendar, Clock, SlaTarget, WorkingHours
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")
FRIDAY_4PM = datetime(2026, 11, 20, 16, 0, tzinfo=LA)


@pytest.fixture
def office_hours(db):
    calendar = BusinessCalendar.objects.create(
        name="Test offices", time_zone="America/Los_Angeles", holiday_country="US"
    )
    for weekday in range(5):
        WorkingHours.objects.create(calendar=calendar, weekday=weekday, start=time(9), end=time(17))
    return calendar


def test_intake_counts_business_hours_over_the_weekend(city, office_hours):
    SlaTarget.objects.create(
        category=city.pothole,
        response_hours=1,
        resolution_hours=2,
        clock=Clock.BUSINESS,
        calendar=office_hours,
    )
    with time_machine.travel(FRIDAY_4PM, tick=False):
        sr = submit(city)
    assert sr.response_due_at == datetime(2026, 11, 20, 17, 0, tzinfo=LA)
    assert sr.expected_at == datetime(2026, 11, 23, 10, 0, tzinfo=LA)  # Monday 10:00


def test_thanksgiving_is_not_a_working_day(city, office_hours):
    SlaTarget.objects.create(
        category=city.pothole, response_hours=1, resolution_hours=8, calendar=office_hours
    )
    with time_machine.travel(datetime(2026, 11, 25, 17, 0, tzinfo=LA), tick=False):
        sr = submit(city)
    # Wednesday after hours + 8 working hours: Thursday is Thanksgiving, so Friday 17:00.
    assert sr.expected_at == datetime(2026, 11, 27, 17, 0, tzinfo=LA)


def test_without_a_target_the_category_hours_count_around_the_clock(city):
    with time_machine.travel(FRIDAY_4PM, tick=False):
        sr = submit(city)
    assert sr.expected_at == FRIDAY_4PM + timedelta(hours=72)
    assert sr.response_due_at == FRIDAY_4PM + timedelta(hours=24)


def test_the_confirmation_page_promises_the_business_hours_date(client, city, office_hours):
    SlaTarget.objects.create(
        category=city.pothole, response_hours=1, resolution_hours=2, calendar=office_hours
    )
    with time_machine.travel(FRIDAY_4PM, tick=False):
        sr = submit(city)
        page = client.get(reverse("requests_app:confirmation", args=[sr.private_token]))
    assert "Monday 23 November 2026" in page.content.decode()


def test_a_priority_with_its_own_target_moves_the_dates(city, office_hours):
    SlaTarget.objects.create(
        category=city.pothole, response_hours=8, resolution_hours=40, calendar=office_hours
    )
    SlaTarget.objects.create(
        category=city.pothole,
        priority="urgent",
        response_hours=1,
        resolution_hours=4,
        clock=Clock.AROUND_THE_CLOCK,
    )
    with time_machine.travel(FRIDAY_4PM, tick=False):
        sr = submit(city)
        sr = request_priority_change(request=sr, actor=None, priority="urgent")
    assert sr.expected_at == FRIDAY_4PM + timedelta(hours=4)
    event = sr.events.get(type=RequestEvent.Type.DUE_CHANGED)
    assert not event.public and "urgent" in event.message


def test_recategorising_recomputes_from_the_new_category(city):
    city.graffiti.resolution_target_hours = 240
    city.graffiti.save()
    with time_machine.travel(FRIDAY_4PM, tick=False):
        sr = submit(city)
        request_route(request=sr, department=city.streets)
        sr.refresh_from_db()
        sr = request_recategorise(request=sr, actor=None, category=city.graffiti)
    assert sr.expected_at == FRIDAY_4PM + timedelta(hours=240)


def test_a_wait_on_the_resident_pauses_the_clock(city):
    with time_machine.travel(FRIDAY_4PM, tick=False):
        sr = submit(city)
        request_route(request=sr, department=city.streets)
        sr.refresh_from_db()
    due = sr.expected_at
    with time_machine.travel(FRIDAY_4PM + timedelta(hours=1), tick=False):
        sr = request_hold(request=sr, actor=None, message="Please send a photo")
    with time_machine.travel(FRIDAY_4PM + timedelta(hours=4), tick=False):
        sr = request_resume(request=sr, actor=None)
    assert sr.expected_at == due + timedelta(hours=3)
    assert sr.events.filter(type=RequestEvent.Type.DUE_CHANGED).count() == 1
