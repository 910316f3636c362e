"""Business calendars and service-level targets as stored and edited by city admins."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from requests_app.models import Priority
from routing.calendars import CalendarSpec
from routing.models import (
    BUSINESS_CLOCK_NEEDS_CALENDAR,
    END_BEFORE_START,
    UNKNOWN_COUNTRY,
    UNKNOWN_SUBDIVISION,
    UNKNOWN_TIME_ZONE,
    BusinessCalendar,
    CalendarClosure,
    Clock,
    SlaTarget,
    WorkingHours,
)
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")


def la(*args: int) -> datetime:
    return datetime(*args, tzinfo=LA)


@pytest.fixture
def calendar() -> BusinessCalendar:
    """City hall: 9-17 Monday to Thursday, 8-12 and 13-16 on Friday, US/California holidays,
    closed for a snow day."""
    cal = BusinessCalendar.objects.create(
        name="City hall",
        time_zone="America/Los_Angeles",
        holiday_country="US",
        holiday_subdivision="CA",
    )
    for weekday in range(4):
        WorkingHours.objects.create(calendar=cal, weekday=weekday, start=time(9), end=time(17))
    WorkingHours.objects.create(calendar=cal, weekday=4, start=time(13), end=time(16))
    WorkingHours.objects.create(calendar=cal, weekday=4, start=time(8), end=time(12))
    CalendarClosure.objects.create(calendar=cal, date=date(2026, 12, 24), name="Snow day")
    return cal


# Calendars.


def test_calendar_spec_is_built_in_two_queries(calendar, django_assert_num_queries):
    with django_assert_num_queries(2):
        spec = calendar.spec()
    nine_to_five = ((time(9), time(17)),)
    assert spec == CalendarSpec(
        zone="America/Los_Angeles",
        weekly_hours=(
            nine_to_five,
            nine_to_five,
            nine_to_five,
            nine_to_five,
            ((time(8), time(12)), (time(13), time(16))),
            (),
            (),
        ),
        holiday_country="US",
        holiday_subdivision="CA",
        closures=frozenset({date(2026, 12, 24)}),
    )


def test_a_new_calendar_is_in_the_city_time_zone(settings):
    settings.CITY_TIME_ZONE = "Europe/Madrid"
    assert BusinessCalendar(name="Ayuntamiento").time_zone == "Europe/Madrid"


def test_a_calendar_accepts_known_codes_in_any_case():
    cal = BusinessCalendar(name="Madrid", time_zone="Europe/Madrid", holiday_country="es")
    cal.holiday_subdivision = "md"
    cal.full_clean()
    assert (cal.holiday_country, cal.holiday_subdivision) == ("ES", "MD")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", UNKNOWN_TIME_ZONE),
        ({"holiday_country": "XX"}, "holiday_country", UNKNOWN_COUNTRY),
        (
            {"holiday_country": "US", "holiday_subdivision": "ZZ"},
            "holiday_subdivision",
            UNKNOWN_SUBDIVISION,
        ),
    ],
)
def test_a_calendar_refuses_unknown_codes(fields, field, message):
    cal = BusinessCalendar(name="Broken", **fields)
    with pytest.raises(ValidationError) as error:
        cal.full_clean()
    assert error.value.message_dict[field] == [str(message)]


def test_working_hours_must_end_after_they_start_or_at_midnight(calendar):
    late = WorkingHours(calendar=calendar, weekday=5, start=time(18), end=time(0))
    late.full_clean()
    backwards = WorkingHours(calendar=calendar, weekday=5, start=time(17), end=time(9))
    with pytest.raises(ValidationError) as error:
        backwards.full_clean()
    assert str(END_BEFORE_START) in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        backwards.save()


def test_a_day_closes_once(calendar):
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarClosure.objects.create(calendar=calendar, date=date(2026, 12, 24), name="Again")


# Targets.


def test_one_target_per_category_and_priority(calendar):
    category = CategoryFactory()
    SlaTarget.objects.create(
        category=category, priority="", response_hours=8, resolution_hours=40, calendar=calendar
    )
    SlaTarget.objects.create(
        category=category,
        priority=Priority.URGENT,
        response_hours=1,
        resolution_hours=4,
        clock=Clock.AROUND_THE_CLOCK,
    )
    duplicate = SlaTarget(
        category=category,
        priority=Priority.URGENT,
        response_hours=2,
        resolution_hours=8,
        clock=Clock.AROUND_THE_CLOCK,
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_business_hours_target_needs_a_calendar():
    target = SlaTarget(category=CategoryFactory(), response_hours=8, resolution_hours=40)
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert error.value.message_dict["calendar"] == [str(BUSINESS_CLOCK_NEEDS_CALENDAR)]
    with pytest.raises(IntegrityError), transaction.atomic():
        target.save()


def test_the_target_for_a_priority_falls_back_to_the_any_priority_row(
    calendar, django_assert_num_queries
):
    pothole, graffiti = CategoryFactory(), CategoryFactory()
    any_priority = SlaTarget.objects.create(
        category=pothole, response_hours=8, resolution_hours=40, calendar=calendar
    )
    urgent = SlaTarget.objects.create(
        category=pothole,
        priority=Priority.URGENT,
        response_hours=1,
        resolution_hours=4,
        clock=Clock.AROUND_THE_CLOCK,
    )
    with django_assert_num_queries(1):
        found = SlaTarget.objects.for_request(category_id=pothole.pk, priority=Priority.URGENT)
        assert found.calendar is None
    assert found == urgent
    assert SlaTarget.objects.for_request(category_id=pothole.pk, priority=Priority.LOW) == (
        any_priority
    )
    assert SlaTarget.objects.for_request(category_id=graffiti.pk, priority=Priority.LOW) is None


def test_due_times_count_business_hours_from_now(calendar):
    target = SlaTarget.objects.create(
        category=CategoryFactory(), response_hours=3, resolution_hours=10, calendar=calendar
    )
    # Thursday 15:00: two hours that day; Friday is 8-12 and 13-16.
    with time_machine.travel(la(2026, 11, 19, 15), tick=False):
        response, resolution = target.due_times(start=timezone.now())
    assert response == la(2026, 11, 20, 9)
    assert resolution == la(2026, 11, 23, 10)


def test_due_times_count_around_the_clock_and_leave_pauses_out(calendar):
    target = SlaTarget.objects.create(
        category=CategoryFactory(),
        response_hours=4,
        resolution_hours=48,
        clock=Clock.AROUND_THE_CLOCK,
        calendar=calendar,  # ignored by a 24x7 target
    )
    pauses = [(la(2026, 11, 21, 9), la(2026, 11, 21, 21))]
    with time_machine.travel(la(2026, 11, 20, 16), tick=False):
        response, resolution = target.due_times(start=timezone.now(), pauses=pauses)
    assert response == la(2026, 11, 20, 20)
    assert resolution == la(2026, 11, 23, 4)


def test_due_times_skip_holidays_and_closures(calendar):
    target = SlaTarget.objects.create(
        category=CategoryFactory(), response_hours=2, resolution_hours=2, calendar=calendar
    )
    # Wednesday before Thanksgiving; Thursday and (in California) Friday are holidays.
    response, _ = target.due_times(start=la(2026, 11, 25, 16))
    assert response == la(2026, 11, 30, 10)
    # Wednesday 2026-12-23: the 24th is a snow day, the 25th Christmas.
    response, _ = target.due_times(start=la(2026, 12, 23, 16))
    assert response == la(2026, 12, 28, 10)


# Admin.


def test_admin_pages_render_for_a_superuser(superuser_client, calendar):
    target = SlaTarget.objects.create(
        category=CategoryFactory(name="Pothole"),
        priority=Priority.HIGH,
        response_hours=4,
        resolution_hours=24,
        calendar=calendar,
    )
    for name in ("businesscalendar", "slatarget"):
        for url in (
            reverse(f"admin:routing_{name}_changelist"),
            reverse(f"admin:routing_{name}_add"),
        ):
            assert superuser_client.get(url).status_code == 200, url
    page = superuser_client.get(
        reverse("admin:routing_businesscalendar_change", args=[calendar.pk])
    )
    assert page.status_code == 200 and "Snow day" in page.content.decode()
    page = superuser_client.get(reverse("admin:routing_slatarget_changelist"))
    assert "Pothole" in page.content.decode() and "Business hours" in page.content.decode()
    page = superuser_client.get(reverse("admin:routing_slatarget_change", args=[target.pk]))
    assert page.status_code == 200


def test_an_admin_adds_a_calendar_with_split_shifts_and_a_closure(superuser_client):
    def formset(prefix: str, rows: list[dict[str, str]]) -> dict[str, str]:
        data = {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        for index, row in enumerate(rows):
            data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
        return data

    response = superuser_client.post(
        reverse("admin:routing_businesscalendar_add"),
        {
            "name": "Crews",
            "time_zone": "America/Los_Angeles",
            "holiday_country": "us",
            "holiday_subdivision": "",
            **formset(
                "working_hours",
                [
                    {"weekday": "0", "start": "07:00", "end": "11:00"},
                    {"weekday": "0", "start": "12:00", "end": "15:30"},
                ],
            ),
            **formset("closures", [{"date": "2026-12-24", "name": "Snow day"}]),
        },
    )
    assert response.status_code == 302, response.content.decode()
    spec = BusinessCalendar.objects.get(name="Crews").spec()
    assert spec.holiday_country == "US"
    assert spec.weekly_hours[0] == ((time(7), time(11)), (time(12), time(15, 30)))
    assert spec.closures == frozenset({date(2026, 12, 24)})


def test_admin_refuses_working_hours_that_end_before_they_start(superuser_client):
    response = superuser_client.post(
        reverse("admin:routing_businesscalendar_add"),
        {
            "name": "Backwards",
            "time_zone": "America/Los_Angeles",
            "working_hours-TOTAL_FORMS": "1",
            "working_hours-INITIAL_FORMS": "0",
            "working_hours-0-weekday": "0",
            "working_hours-0-start": "17:00",
            "working_hours-0-end": "09:00",
            "closures-TOTAL_FORMS": "0",
            "closures-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not BusinessCalendar.objects.filter(name="Backwards").exists()


def test_staff_without_admin_rights_cannot_open_the_targets(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("clerk", password="pw"))
    response = client.get(reverse("admin:routing_slatarget_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
