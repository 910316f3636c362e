"""Tracking numbers as people type them (issue 12, "Find my request"): one function decides what
counts as a tracking number, for every box where one is typed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from requests_app.services import tracking_number_candidate
from requests_app.tracking_numbers import tracking_number_normalise


@pytest.mark.parametrize(
    "text",
    [
        "2612-4827",
        "26124827",
        "2612 4827",
        "2612\u20134827",  # en dash
        "2612\u20144827",  # em dash
        "2612\u22124827",  # minus sign
        "#2612-4827",
        " 2612.4827 ",
        "2612/4827",
        "2612 - 4827",
        "26 12 48 27",
        "\t2612-4827\n",
        "２６１２－４８２７",  # full-width, as some phone keyboards type
        "٢٦١٢-٤٨٢٧",  # Arabic-Indic digits
    ],
)
def test_any_separator_or_none_gives_the_stored_number(text):
    assert tracking_number_normalise(text=text) == "2612-4827"


def test_the_longer_numbers_given_after_clashes_are_found_too():
    assert tracking_number_normalise(text="2612 48270") == "2612-48270"
    assert tracking_number_normalise(text="261248271234") == "2612-48271234"


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "hello",
        "pothole on Market",
        "1 Market St",
        "2612-4827a",
        "B2612-4827",
        "2612-482",  # too short
        "2612-482712345",  # too long
        "2613-4827",  # there is no 13th month
        "2600-4827",
        "26²1-24827",
        "2612-4827" + " " * 40,
        "26\x0011",
    ],
)
def test_anything_else_is_not_a_tracking_number(text):
    assert tracking_number_normalise(text=text) is None


def test_a_direction_override_or_nul_is_only_a_separator():
    assert tracking_number_normalise(text="\u202e2612-4827") == "2612-4827"
    assert tracking_number_normalise(text="2612\x004827") == "2612-4827"


def test_every_number_the_intake_hands_out_reads_back_as_itself():
    at = datetime(2026, 12, 6, 19, 0, tzinfo=UTC)
    for digits in range(4, 9):
        number = tracking_number_candidate(at=at, digits=digits)
        assert tracking_number_normalise(text=number) == number
        assert tracking_number_normalise(text=number.replace("-", "")) == number
