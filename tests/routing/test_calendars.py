"""Service-level clock arithmetic: pure functions, explicit datetimes, no database."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from routing import calendars
from routing.calendars import (
    NAIVE_DATETIME,
    NEGATIVE_HOURS,
    NO_WORKING_TIME,
    CalendarSpec,
    business_add,
    business_elapsed,
    clock_add,
    clock_elapsed,
)

LA = ZoneInfo("America/Los_Angeles")
MADRID = ZoneInfo("Europe/Madrid")
NINE_TO_FIVE = ((time(9), time(17)),)
WEEKDAYS = (NINE_TO_FIVE,) * 5 + ((), ())


def la(*args: int) -> datetime:
    return datetime(*args, tzinfo=LA)


def madrid(*args: int) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def office(
    *,
    zone: str = "America/Los_Angeles",
    weekly_hours=WEEKDAYS,
    country: str = "",
    subdivision: str = "",
    closures: frozenset[date] = frozenset(),
) -> CalendarSpec:
    return CalendarSpec(
        zone=zone,
        weekly_hours=weekly_hours,
        holiday_country=country,
        holiday_subdivision=subdivision,
        closures=closures,
    )


OFFICE = office()


# Nights and weekends (2026-11-20 is a Friday).


def test_friday_afternoon_plus_two_hours_is_monday_morning():
    assert business_add(calendar_spec=OFFICE, start=la(2026, 11, 20, 16), hours=2) == la(
        2026, 11, 23, 10
    )


def test_the_answer_is_in_utc():
    due = business_add(calendar_spec=OFFICE, start=la(2026, 11, 20, 16), hours=2)
    assert due.tzinfo is UTC and due == datetime(2026, 11, 23, 18, tzinfo=UTC)


def test_it_counts_from_monday_opening_when_started_on_saturday():
    assert business_add(calendar_spec=OFFICE, start=la(2026, 11, 21, 10), hours=0.5) == la(
        2026, 11, 23, 9, 30
    )


def test_it_counts_from_the_opening_when_started_before_it():
    assert business_add(calendar_spec=OFFICE, start=la(2026, 11, 23, 7), hours=1) == la(
        2026, 11, 23, 10
    )


def test_it_counts_from_the_next_morning_when_started_after_closing():
    assert business_add(calendar_spec=OFFICE, start=la(2026, 11, 23, 18), hours=1) == la(
        2026, 11, 24, 10
    )


def test_it_carries_the_rest_over_the_night():
    assert business_add(calendar_spec=OFFICE, start=la(2026, 11, 23, 16, 30), hours=1) == la(
        2026, 11, 24, 9, 30
    )


def test_a_target_ending_exactly_at_closing_is_due_at_closing():
    assert business_add(calendar_spec=OFFICE, start=la(2026, 11, 23, 9), hours=8) == la(
        2026, 11, 23, 17
    )


def test_zero_hours_is_due_at_the_start():
    start = la(2026, 11, 21, 10)
    assert business_add(calendar_spec=OFFICE, start=start, hours=0) == start


def test_a_start_given_in_another_zone_is_the_same_moment():
    start_utc = la(2026, 11, 20, 16).astimezone(UTC)
    assert business_add(calendar_spec=OFFICE, start=start_utc, hours=2) == la(2026, 11, 23, 10)


# Holidays and closures.


def test_it_skips_thanksgiving():
    spec = office(country="US")
    assert business_add(calendar_spec=spec, start=la(2026, 11, 25, 16), hours=2) == la(
        2026, 11, 27, 10
    )


def test_it_skips_the_states_day_after_thanksgiving_too():
    spec = office(country="US", subdivision="CA")
    assert business_add(calendar_spec=spec, start=la(2026, 11, 25, 16), hours=2) == la(
        2026, 11, 30, 10
    )


def test_it_skips_an_admin_closure():
    spec = office(closures=frozenset({date(2026, 11, 24)}))
    assert business_add(calendar_spec=spec, start=la(2026, 11, 23, 16), hours=2) == la(
        2026, 11, 25, 10
    )


def test_it_skips_holidays_across_new_year():
    spec = office(country="US")
    # Thu 2026-12-31 16:00: one hour that day, then New Year's Day, then the weekend.
    assert business_add(calendar_spec=spec, start=la(2026, 12, 31, 16), hours=2) == la(
        2027, 1, 4, 10
    )


def test_a_calendar_without_working_time_is_an_error():
    spec = office(weekly_hours=((),) * 7)
    with pytest.raises(ValueError, match=NO_WORKING_TIME):
        business_add(calendar_spec=spec, start=la(2026, 11, 23, 9), hours=1)


# Split shifts.


def test_split_shifts_skip_the_lunch_break():
    spec = office(weekly_hours=(((time(8), time(12)), (time(13), time(17))),) * 5 + ((), ()))
    assert business_add(calendar_spec=spec, start=la(2026, 11, 23, 11), hours=2) == la(
        2026, 11, 23, 14
    )
    assert business_elapsed(
        calendar_spec=spec, start=la(2026, 11, 23, 0), end=la(2026, 11, 24, 0)
    ) == pytest.approx(8)


def test_overlapping_shifts_are_counted_once():
    spec = office(weekly_hours=(((time(13), time(17)), (time(9), time(14))),) * 5 + ((), ()))
    assert business_elapsed(
        calendar_spec=spec, start=la(2026, 11, 23, 0), end=la(2026, 11, 24, 0)
    ) == pytest.approx(8)


def test_a_shift_ending_at_midnight_runs_to_the_end_of_the_day():
    spec = office(weekly_hours=(((time(18), time(0)),),) * 7)
    assert business_add(calendar_spec=spec, start=la(2026, 11, 23, 23), hours=2) == la(
        2026, 11, 24, 19
    )


# Daylight saving: the 24x7 clock counts real elapsed time.


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (la(2026, 3, 7, 12), la(2026, 3, 8, 13)),  # spring forward: 23 wall-clock hours later
        (la(2026, 10, 31, 12), la(2026, 11, 1, 11)),  # fall back: 25 wall-clock hours later
        (madrid(2026, 3, 28, 12), madrid(2026, 3, 29, 13)),
        (madrid(2026, 10, 24, 12), madrid(2026, 10, 25, 11)),
    ],
)
def test_the_24x7_clock_counts_real_hours_across_daylight_saving(start, due):
    assert clock_add(start=start, hours=24) == due
    assert clock_elapsed(start=start, end=due) == pytest.approx(24)


# Daylight saving: the business clock follows the wall clock.


@pytest.mark.parametrize(
    ("zone", "start", "due"),
    [
        ("America/Los_Angeles", la(2026, 3, 6, 16), la(2026, 3, 9, 10)),
        ("America/Los_Angeles", la(2026, 10, 30, 16), la(2026, 11, 2, 10)),
        ("Europe/Madrid", madrid(2026, 3, 27, 16), madrid(2026, 3, 30, 10)),
        ("Europe/Madrid", madrid(2026, 10, 23, 16), madrid(2026, 10, 26, 10)),
    ],
)
def test_business_hours_over_a_daylight_saving_weekend_end_at_the_same_wall_time(zone, start, due):
    assert business_add(calendar_spec=office(zone=zone), start=start, hours=2) == due


def test_business_hours_on_the_day_of_the_change_keep_their_wall_times():
    every_day = office(weekly_hours=(NINE_TO_FIVE,) * 7)
    assert business_add(calendar_spec=every_day, start=la(2026, 3, 7, 16), hours=2) == la(
        2026, 3, 8, 10
    )
    assert business_add(calendar_spec=every_day, start=la(2026, 10, 31, 16), hours=2) == la(
        2026, 11, 1, 10
    )


def test_an_around_the_clock_shift_is_23_or_25_hours_on_the_days_the_clocks_move():
    always = office(weekly_hours=(((time(0), time(0)),),) * 7)
    spring = business_elapsed(calendar_spec=always, start=la(2026, 3, 8), end=la(2026, 3, 9))
    autumn = business_elapsed(calendar_spec=always, start=la(2026, 11, 1), end=la(2026, 11, 2))
    assert (spring, autumn) == (pytest.approx(23), pytest.approx(25))
    assert business_add(calendar_spec=always, start=la(2026, 3, 7, 12), hours=24) == la(
        2026, 3, 8, 13
    )


# Pauses (the request waits on the resident).


@pytest.mark.parametrize(
    ("pauses", "start", "hours", "due"),
    [
        pytest.param(
            [(la(2026, 11, 23, 11), la(2026, 11, 23, 12))],
            la(2026, 11, 23, 10),
            4,
            la(2026, 11, 23, 15),
            id="a_pause_inside_working_hours_pushes_the_due_time_by_its_length",
        ),
        pytest.param(
            [(la(2026, 11, 20, 17, 30), la(2026, 11, 23, 8))],
            la(2026, 11, 20, 16),
            2,
            la(2026, 11, 23, 10),
            id="a_pause_over_the_weekend_changes_nothing",
        ),
        pytest.param(
            # Paused Fri 16:30 to Mon 09:30: half an hour on Friday and half an hour on Monday.
            [(la(2026, 11, 20, 16, 30), la(2026, 11, 23, 9, 30))],
            la(2026, 11, 20, 16),
            2,
            la(2026, 11, 23, 11),
            id="a_pause_spanning_a_weekend_pushes_by_its_working_time_only",
        ),
        pytest.param(
            [
                (la(2026, 11, 16, 10), la(2026, 11, 16, 12)),
                (la(2026, 11, 23, 11), la(2026, 11, 23, 12)),
                (la(2026, 11, 23, 11, 30), la(2026, 11, 23, 12, 30)),
            ],
            la(2026, 11, 23, 10),
            4,
            la(2026, 11, 23, 15, 30),
            id="pauses_before_the_start_are_ignored_and_overlapping_pauses_count_once",
        ),
        pytest.param(
            [(la(2026, 11, 23, 8), la(2026, 11, 23, 13))],
            la(2026, 11, 23, 10),
            2,
            la(2026, 11, 23, 15),
            id="a_pause_covering_the_start_delays_the_clock_until_it_ends",
        ),
    ],
)
def test_a_pause_in_business_hours_moves_the_due_time(pauses, start, hours, due):
    assert business_add(calendar_spec=OFFICE, start=start, hours=hours, pauses=pauses) == due


def test_the_24x7_clock_leaves_pauses_out_too():
    pauses = [
        (la(2026, 11, 23, 11), la(2026, 11, 23, 13)),
        (la(2026, 11, 23, 12), la(2026, 11, 23, 14)),  # overlaps the first
        (la(2026, 11, 30), la(2026, 12, 1)),  # after the due time
    ]
    assert clock_add(start=la(2026, 11, 23, 10), hours=24, pauses=pauses) == la(2026, 11, 24, 13)
    assert clock_elapsed(
        start=la(2026, 11, 23, 10), end=la(2026, 11, 24, 13), pauses=pauses
    ) == pytest.approx(24)


def test_clock_add_uses_business_hours_when_given_a_calendar():
    assert clock_add(start=la(2026, 11, 20, 16), hours=2, calendar_spec=OFFICE) == la(
        2026, 11, 23, 10
    )


# Elapsed time, the inverse of adding.


def test_elapsed_business_hours_between_friday_afternoon_and_monday_morning():
    assert business_elapsed(
        calendar_spec=OFFICE, start=la(2026, 11, 20, 16), end=la(2026, 11, 23, 10)
    ) == pytest.approx(2)


def test_elapsed_is_zero_when_the_end_is_not_later():
    assert (
        business_elapsed(calendar_spec=OFFICE, start=la(2026, 11, 23, 12), end=la(2026, 11, 23, 10))
        == 0
    )
    assert clock_elapsed(start=la(2026, 11, 23, 12), end=la(2026, 11, 23, 10)) == 0


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Europe/Madrid"])
def test_business_elapsed_is_the_inverse_of_business_add(zone):
    rng = random.Random(311)
    tz = ZoneInfo(zone)
    spec = office(
        zone=zone,
        weekly_hours=(((time(8), time(12)), (time(13), time(17))),) * 5
        + (((time(10), time(14)),), ()),
        country="US" if zone == "America/Los_Angeles" else "ES",
        closures=frozenset({date(2026, 3, 10), date(2026, 11, 2)}),
    )
    for _ in range(25):
        start = datetime(2026, 1, 1, tzinfo=tz) + timedelta(minutes=rng.randrange(365 * 24 * 60))
        hours = rng.choice([0.25, 1, 2.5, 8, 40, rng.uniform(0, 300)])
        pause_start = start + timedelta(hours=rng.uniform(-10, 100))
        pauses = [(pause_start, pause_start + timedelta(hours=rng.uniform(0, 72)))]
        due = business_add(calendar_spec=spec, start=start, hours=hours, pauses=pauses)
        assert due >= start
        elapsed = business_elapsed(calendar_spec=spec, start=start, end=due, pauses=pauses)
        assert elapsed == pytest.approx(hours, abs=1e-6), (start, hours, pauses)
        # ... and the due time is the earliest such moment.
        if hours:
            just_before = business_elapsed(
                calendar_spec=spec, start=start, end=due - timedelta(seconds=1), pauses=pauses
            )
            assert just_before < hours


def test_a_500_hour_target_walks_days_not_hours(monkeypatch):
    calls = []
    original = calendars._day_intervals

    def counting(spec, zone, day):
        calls.append(day)
        return original(spec, zone, day)

    monkeypatch.setattr(calendars, "_day_intervals", counting)
    spec = office(country="US")
    due = business_add(calendar_spec=spec, start=la(2026, 1, 5, 9), hours=500)
    # 62.5 working days of 8 hours, plus weekends and holidays: about three calendar months.
    assert due == la(2026, 4, 3, 13)
    assert len(calls) < 100


# Bad input.


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match=NAIVE_DATETIME):
        business_add(calendar_spec=OFFICE, start=datetime(2026, 11, 23, 9), hours=1)
    with pytest.raises(ValueError, match=NAIVE_DATETIME):
        clock_add(
            start=la(2026, 11, 23, 9), hours=1, pauses=[(datetime(2026, 1, 1), la(2026, 1, 2))]
        )


def test_negative_hours_are_refused():
    with pytest.raises(ValueError, match=NEGATIVE_HOURS):
        business_add(calendar_spec=OFFICE, start=la(2026, 11, 23, 9), hours=-1)
    with pytest.raises(ValueError, match=NEGATIVE_HOURS):
        clock_add(start=la(2026, 11, 23, 9), hours=-1)


def test_a_week_needs_seven_days():
    with pytest.raises(ValueError, match="seven weekdays"):
        CalendarSpec(zone="UTC", weekly_hours=[NINE_TO_FIVE] * 5)
