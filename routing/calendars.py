"""Service-level clock arithmetic: when is a target due, and how much of it has been used.

Two clocks:

* **24x7** counts real elapsed time. 24 hours after 12:00 on the Saturday before the spring
  daylight-saving change is 13:00 local on Sunday, because only 24 real hours have passed.
* **business** counts working time inside working intervals whose bounds are wall-clock times in
  the calendar's zone: "Monday 09:00-17:00" is 09:00-17:00 local on every Monday, before and after
  a daylight-saving change, so a due time of "Monday 10:00" stays 10:00 on the office clock. Time
  inside an interval is real elapsed time, so the rare interval that contains the change itself (an
  around-the-clock shift on the night the clocks move) is an hour shorter or longer that day.

In both clocks, paused intervals (the request waits on the resident) do not count: a pause inside
working hours pushes the due time by the working time it covered; a pause over a weekend changes
nothing. Public holidays come from the ``holidays`` package and admin-entered closures are skipped
whole days.

Everything here is pure (no database, no models): a stored calendar turns itself into a
``CalendarSpec`` with ``BusinessCalendar.spec()``. Datetimes in must be aware; datetimes out are in
UTC.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

Interval = tuple[datetime, datetime]
Pause = Interval  # (begin, end) of a wait on the resident

NAIVE_DATETIME = "Clock arithmetic needs aware datetimes."
NEGATIVE_HOURS = "A target cannot be a negative number of hours."
NO_WORKING_TIME = "The business calendar has no working time in the coming years."
BAD_WEEK = "A business calendar needs exactly seven weekdays of working hours (Monday first)."

# A calendar whose working time cannot be found in this many days is treated as broken rather than
# searched for ever (e.g. every working day closed).
MAX_DAYS_WITHOUT_WORK = 3 * 366


@dataclass(frozen=True)
class CalendarSpec:
    """Everything the business clock needs, without the database.

    ``weekly_hours[0]`` is Monday's list of (start, end) local times. An end of 00:00 means
    midnight at the end of that day, so (00:00, 00:00) is a whole day. Overlapping intervals of one
    day are merged."""

    zone: str
    weekly_hours: Sequence[Sequence[tuple[time, time]]]
    holiday_country: str = ""
    holiday_subdivision: str = ""
    closures: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if len(self.weekly_hours) != 7:
            raise ValueError(BAD_WEEK)


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def _is_day_off(spec: CalendarSpec, day: date) -> bool:
    if day in spec.closures:
        return True
    if spec.holiday_country:
        return day in _public_holidays(spec.holiday_country, spec.holiday_subdivision, day.year)
    return False


def _day_intervals(spec: CalendarSpec, zone: ZoneInfo, day: date) -> list[Interval]:
    """The working intervals of one local day as sorted, merged UTC pairs (empty on a day off)."""
    if not spec.weekly_hours[day.weekday()] or _is_day_off(spec, day):
        return []
    intervals: list[Interval] = []
    for start, end in spec.weekly_hours[day.weekday()]:
        # fold=0: a wall time skipped by spring-forward (02:30) lands an hour later (03:30); a
        # repeated one (fall-back) is its first occurrence.
        opens = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
        end_day = day + timedelta(days=1) if end == time(0) else day
        intervals.append((opens, datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)))
    return _merged(intervals)


def _merged(pairs: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping (begin, end) pairs: empty or reversed pairs dropped, overlapping
    ones joined. Opening hours and pauses are both merged this way."""
    merged: list[Interval] = []
    for begin, end in sorted(pairs):
        if end <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _working_intervals(spec: CalendarSpec, start: datetime) -> Iterator[Interval]:
    """Working intervals (UTC) from the local day containing ``start`` onwards, day by day."""
    zone = ZoneInfo(spec.zone)
    day = start.astimezone(zone).date()
    idle_days = 0
    while True:
        intervals = _day_intervals(spec, zone, day)
        if intervals:
            idle_days = 0
            yield from intervals
        else:
            idle_days += 1
            if idle_days > MAX_DAYS_WITHOUT_WORK:
                raise ValueError(NO_WORKING_TIME)
        day += timedelta(days=1)


def _check_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(NAIVE_DATETIME)


def _merge_pauses(pauses: Sequence[Pause]) -> list[Pause]:
    """Pauses as sorted, non-overlapping UTC pairs (empty or reversed pairs dropped)."""
    _check_aware(*(moment for pause in pauses for moment in pause))
    return _merged((b.astimezone(UTC), e.astimezone(UTC)) for b, e in pauses)


def _unpaused(begin: datetime, end: datetime, pauses: list[Pause]) -> Iterator[Interval]:
    """The parts of [begin, end) not covered by the (merged, sorted) pauses."""
    # First pause that ends after ``begin``; pause ends are sorted because pauses are merged.
    index = bisect.bisect_right([pause_end for _, pause_end in pauses], begin)
    cursor = begin
    for pause_begin, pause_end in pauses[index:]:
        if pause_begin >= end:
            break
        if pause_begin > cursor:
            yield cursor, pause_begin
        cursor = max(cursor, pause_end)
        if cursor >= end:
            return
    if cursor < end:
        yield cursor, end


def _length(pieces: Iterator[Interval]) -> timedelta:
    return sum((end - begin for begin, end in pieces), timedelta())


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def business_add(
    *,
    calendar_spec: CalendarSpec,
    start: datetime,
    hours: float,
    pauses: Sequence[Pause] = (),
) -> datetime:
    """The moment ``hours`` of working time after ``start``.

    1. Merge the pauses into sorted, non-overlapping UTC intervals.
    2. Walk the calendar day by day from the local day of ``start``: skip public holidays and
       closures; turn each of the day's wall-clock working intervals into a UTC interval.
    3. Clip each interval to begin no earlier than ``start`` (so a start outside working hours
       begins counting at the next opening) and cut the pauses out of it.
    4. If the piece left holds the remaining time, the answer is its start plus the remaining
       time; otherwise subtract the piece's length and go on.

    The walk costs one step per working interval, not per hour: a 500-hour target on a 9-17
    weekday calendar takes about 63 steps. Zero hours returns ``start``.
    """
    _check_aware(start)
    if hours < 0:
        raise ValueError(NEGATIVE_HOURS)
    start = start.astimezone(UTC)
    remaining = timedelta(hours=hours)
    if not remaining:
        return start
    merged = _merge_pauses(pauses)
    for opens, closes in _working_intervals(calendar_spec, start):
        if closes <= start:
            continue
        for begin, end in _unpaused(max(opens, start), closes, merged):
            if end - begin >= remaining:
                return begin + remaining
            remaining -= end - begin
    raise AssertionError("unreachable: _working_intervals is infinite or raises")


def business_elapsed(
    *,
    calendar_spec: CalendarSpec,
    start: datetime,
    end: datetime,
    pauses: Sequence[Pause] = (),
) -> float:
    """Hours of working time between ``start`` and ``end`` (0 when ``end`` is not later).

    1. Merge the pauses as in ``business_add``.
    2. Walk the working intervals from the local day of ``start`` until one opens at or after
       ``end``.
    3. Add up each interval's overlap with [start, end) minus its paused parts.

    It is the inverse of ``business_add``: ``business_elapsed(start=s, end=business_add(start=s,
    hours=h))`` is ``h`` for the same calendar and pauses.
    """
    _check_aware(start, end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0.0
    merged = _merge_pauses(pauses)
    total = timedelta()
    zone = ZoneInfo(calendar_spec.zone)
    day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    while day <= last_day:
        for opens, closes in _day_intervals(calendar_spec, zone, day):
            begin, finish = max(opens, start), min(closes, end)
            if begin < finish:
                total += _length(_unpaused(begin, finish, merged))
        day += timedelta(days=1)
    return _hours(total)


def clock_add(
    *,
    start: datetime,
    hours: float,
    pauses: Sequence[Pause] = (),
    calendar_spec: CalendarSpec | None = None,
) -> datetime:
    """The due moment of a target of ``hours`` started at ``start``.

    Business hours when a calendar is given; otherwise real elapsed time around the clock, with
    the paused intervals still left out:

    1. Merge the pauses.
    2. From ``start``, for each pause that ends later: if it begins after the remaining time has
       run out, stop; otherwise spend the time up to the pause and jump to its end.
    3. Add what remains.
    """
    if calendar_spec is not None:
        return business_add(calendar_spec=calendar_spec, start=start, hours=hours, pauses=pauses)
    _check_aware(start)
    if hours < 0:
        raise ValueError(NEGATIVE_HOURS)
    cursor = start.astimezone(UTC)
    remaining = timedelta(hours=hours)
    for pause_begin, pause_end in _merge_pauses(pauses):
        if pause_end <= cursor:
            continue
        if pause_begin >= cursor + remaining:
            break
        if pause_begin > cursor:
            remaining -= pause_begin - cursor
        cursor = pause_end
    return cursor + remaining


def clock_elapsed(
    *,
    start: datetime,
    end: datetime,
    pauses: Sequence[Pause] = (),
    calendar_spec: CalendarSpec | None = None,
) -> float:
    """Hours counted by the clock between ``start`` and ``end``: the inverse of ``clock_add``."""
    if calendar_spec is not None:
        return business_elapsed(calendar_spec=calendar_spec, start=start, end=end, pauses=pauses)
    _check_aware(start, end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0.0
    return _hours(_length(_unpaused(start, end, _merge_pauses(pauses))))
