"""requests_app.when: every date a person reads is on the city's clock and in their language,
whatever zone and language the process happens to be in (a worker's are UTC and English)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from requests_app.when import SHORT, city_zone, when_date, when_datetime, when_iso, when_time

# San Francisco is the test city (settings.CITY_TIME_ZONE = America/Los_Angeles).
EVENING_IN_SF = datetime(2026, 12, 17, 3, 0, tzinfo=UTC)  # 16 Dec, 19:00 in San Francisco


def test_the_city_is_on_pacific_time():
    assert str(city_zone()) == "America/Los_Angeles"


@pytest.mark.parametrize("active_zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
def test_a_utc_early_morning_is_the_previous_evening_in_the_city(active_zone):
    with timezone.override(active_zone):
        assert when_date(EVENING_IN_SF, lang="en") == "Wednesday 16 December 2026"
        assert when_date(EVENING_IN_SF, lang="es") == "miércoles 16 de diciembre de 2026"
        assert when_date(EVENING_IN_SF, lang="en", style=SHORT) == "16 Dec 2026"
        assert when_date(EVENING_IN_SF, lang="es", style=SHORT) == "16 dic 2026"
        assert when_datetime(EVENING_IN_SF, lang="en") == "16 Dec 2026, 19:00"
        assert when_datetime(EVENING_IN_SF, lang="es", year=False) == "16 dic, 19:00"
        assert when_datetime(EVENING_IN_SF, lang="es", style="long") == (
            "miércoles 16 de diciembre de 2026, 19:00"
        )
        assert when_time(EVENING_IN_SF) == "19:00"
        assert when_iso(EVENING_IN_SF) == "2026-12-16T19:00:00-0800"


def test_the_language_defaults_to_the_active_one():
    with translation.override("es"):
        assert when_date(EVENING_IN_SF) == "miércoles 16 de diciembre de 2026"
    with translation.override("en"):
        assert when_date(EVENING_IN_SF) == "Wednesday 16 December 2026"


def test_another_zone_can_be_asked_for():
    assert when_date(EVENING_IN_SF, lang="en", tz=UTC) == "Thursday 17 December 2026"


@pytest.mark.parametrize(
    ("at", "en", "es", "iso"),
    [
        # Spring forward, Sunday 8 March 2026: 02:00 PST becomes 03:00 PDT.
        (
            datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
            "Saturday 7 March 2026, 23:30",
            "sábado 7 de marzo de 2026, 23:30",
            "2026-03-07T23:30:00-0800",
        ),
        (
            datetime(2026, 3, 8, 9, 59, tzinfo=UTC),
            "Sunday 8 March 2026, 01:59",
            "domingo 8 de marzo de 2026, 01:59",
            "2026-03-08T01:59:00-0800",
        ),
        (
            datetime(2026, 3, 8, 10, 0, tzinfo=UTC),
            "Sunday 8 March 2026, 03:00",
            "domingo 8 de marzo de 2026, 03:00",
            "2026-03-08T03:00:00-0700",
        ),
        # Fall back, Sunday 1 November 2026: 01:00-02:00 happens twice.
        (
            datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
            "Sunday 1 November 2026, 01:30",
            "domingo 1 de noviembre de 2026, 01:30",
            "2026-11-01T01:30:00-0700",
        ),
        (
            datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
            "Sunday 1 November 2026, 01:30",
            "domingo 1 de noviembre de 2026, 01:30",
            "2026-11-01T01:30:00-0800",
        ),
        # 07:30 UTC on Monday is still Sunday evening, an hour later in UTC than in summer.
        (
            datetime(2026, 11, 2, 7, 30, tzinfo=UTC),
            "Sunday 1 November 2026, 23:30",
            "domingo 1 de noviembre de 2026, 23:30",
            "2026-11-01T23:30:00-0800",
        ),
    ],
)
def test_dst_changes_move_the_clock_not_the_day(at, en, es, iso):
    with timezone.override("UTC"):
        assert when_datetime(at, lang="en", style="long") == en
        assert when_datetime(at, lang="es", style="long") == es
        assert when_iso(at) == iso


def test_spanish_writes_weekdays_and_months_in_lower_case_english_capitalises_them():
    days = [datetime(2026, 12, d, 20, 0, tzinfo=UTC) for d in range(14, 21)]  # Mon..Sun
    months = [datetime(2026, m, 15, 20, 0, tzinfo=UTC) for m in range(1, 13)]
    spanish = [when_date(at, lang="es") for at in days + months]
    english = [when_date(at, lang="en") for at in days + months]
    assert [s.split()[0] for s in spanish[:7]] == [
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
    ]
    assert all(s == s.lower() for s in spanish)
    assert [e.split()[0] for e in english[:7]] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    assert all(e.split()[2][0].isupper() for e in english)
    assert [when_date(at, lang="es", style=SHORT).split()[1] for at in months][:3] == [
        "ene",
        "feb",
        "mar",
    ]


def test_dates_and_naive_times_are_not_shifted():
    assert when_date(date(2026, 12, 16), lang="es") == "miércoles 16 de diciembre de 2026"
    # A naive datetime is taken as already local, as `|date` takes it.
    assert when_datetime(datetime(2026, 12, 16, 23, 30), lang="en") == "16 Dec 2026, 23:30"


@pytest.mark.parametrize("odd", [None, "", "2026-12-16", "\x00", "𝔡𝔞𝔱𝔢" * 1000, 17, [], object()])
def test_anything_that_is_not_a_date_is_shown_as_nothing(odd):
    assert when_date(odd) == when_datetime(odd) == when_time(odd) == when_iso(odd) == ""
    rendered = Template(
        "{% load times %}[{{ v|when_date }}|{{ v|when_datetime }}|{{ v|day_time }}|"
        "{{ v|isotime }}|{{ v|when_date:'\x00nonsense' }}]"
    ).render(Context({"v": odd}))
    assert rendered == "[||||]"


def test_the_template_filters_say_what_the_helper_says():
    template = Template(
        "{% load times %}{{ at|when_date }}|{{ at|when_date:'short' }}|{{ at|when_datetime }}|"
        "{{ at|when_datetime:'long' }}|{{ at|day_time }}|{{ at|isotime }}|"
        "{{ at|when_date:'odd style' }}"
    )
    for lang in ("en", "es"):
        with translation.override(lang), timezone.override("UTC"):
            assert template.render(Context({"at": EVENING_IN_SF})) == "|".join(
                [
                    when_date(EVENING_IN_SF),
                    when_date(EVENING_IN_SF, style=SHORT),
                    when_datetime(EVENING_IN_SF),
                    when_datetime(EVENING_IN_SF, style="long"),
                    when_datetime(EVENING_IN_SF),
                    when_iso(EVENING_IN_SF),
                    when_date(EVENING_IN_SF),
                ]
            )


def test_every_day_of_the_year_reads_as_djangos_own_formatter_writes_it():
    """The small formatter reads the catalogue's Django date syntax ("l j \\d\\e F \\d\\e Y" in
    Spanish) as Django does; only the Spanish capitals differ."""
    from datetime import timedelta

    from django.utils import formats
    from django.utils.translation import pgettext

    for lang in ("en", "es"):
        with translation.override(lang):
            long_date = pgettext("long date format, Django date syntax", "l j F Y")
            for n in range(365):
                day = date(2026, 1, 1) + timedelta(days=n)
                django = formats.date_format(day, long_date)
                assert when_date(day) == (django.lower() if lang == "es" else django)
