"""Address search against the San Francisco pack's real address points and places (issue 12):
what people type finds the place they mean, ranked, in English and Spanish."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app.selectors import (
    RANK_CORNER,
    RANK_EXACT,
    RANK_STREET,
    address_resolve,
    address_search,
)
from tests.requests_app.address_packs import SAN_FRANCISCO, pack_points_load


@pytest.fixture(scope="module")
def sf(django_db_setup, django_db_blocker):
    """The pack's 4,000-odd points, loaded once for the module (and removed after it)."""
    from requests_app.models import AddressPoint

    with django_db_blocker.unblock():
        pack_points_load(SAN_FRANCISCO)
        yield
        AddressPoint.objects.all().delete()


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sf")]


def first(query: str) -> str:
    found = address_search(query=query)
    assert found, f"nothing found for {query!r}"
    return found[0].label


@pytest.mark.parametrize(
    "typed",
    ["1 Dr Carlton B Goodlett Pl", "1 Doctor Carlton B. Goodlett Place", "City Hall",
     "city hall", "Ayuntamiento", "SF City Hall", "Alcaldía"],
)  # fmt: skip
def test_the_help_texts_own_example_and_city_hall_find_city_hall(typed):
    assert first(typed) == "City Hall, 1 Dr Carlton B Goodlett Pl"
    assert address_resolve(query=typed).label == "City Hall, 1 Dr Carlton B Goodlett Pl"


@pytest.mark.parametrize(
    "typed",
    ["Valencia & 16th", "Valencia and 16th", "Valencia y 16", "valencia 16th", "16th & Valencia",
     "Valencia / 16th St", "Valencia at Sixteenth Street", "corner of Valencia and 16th",
     "esquina de Valencia y 16", "Calle Valencia y Calle 16"],
)  # fmt: skip
def test_an_intersection_typed_either_way_in_either_language_finds_the_corner(typed):
    found = address_search(query=typed)
    assert (found[0].label, found[0].rank) == ("16th St & Valencia St", RANK_CORNER)
    assert address_resolve(query=typed).label == "16th St & Valencia St"


def test_a_corner_the_pack_lacks_is_where_the_two_streets_address_points_meet():
    # The pack has no "17th St & Valencia St" point; the real corner is at 37.7633, -122.4218.
    met = address_search(query="Valencia & 17th")[0]
    assert met.label == "Valencia St & 17th St"
    assert met.location.y == pytest.approx(37.7633, abs=0.0008)
    assert met.location.x == pytest.approx(-122.4218, abs=0.0008)
    assert address_resolve(query="Valencia y 17").label == "Valencia St & 17th St"


@pytest.mark.parametrize("typed", ["Valencia & Geary", "16th Ave & Valencia St"])
def test_streets_that_never_meet_find_no_corner(typed):
    found = address_search(query=typed)
    assert all(p.rank > RANK_CORNER for p in found)
    assert address_resolve(query=typed) is None


def test_street_types_and_ordinals_are_spelled_any_way():
    assert first("100 Valencia Street") == "100 Valencia St"
    assert first("Calle Valencia 100") == "100 Valencia St"
    assert first("Third & Mission") == "3rd St & Mission St"
    assert first("5th Street and Market Street") == "Market St & 5th St"
    assert first("1 market st.") == "1 Market St"
    assert first("1 Market Street, Apt 3") == "1 Market St"


def test_an_exact_address_ranks_first_then_its_street_by_nearest_number_then_the_rest():
    found = address_search(query="100 Valencia St")
    assert (found[0].label, found[0].rank) == ("100 Valencia St", RANK_EXACT)
    assert [p.rank for p in found[1:4]] == [RANK_STREET] * 3
    # No 123 on Valencia: the street's nearest numbers come first, nearest first.
    near = address_search(query="123 Valencia")
    assert [p.label for p in near[:3]] == ["135 Valencia St", "100 Valencia St", "150 Valencia St"]
    assert address_resolve(query="123 Valencia") is None  # a guess is not an address


def test_places_are_found_by_name_alias_and_street_address():
    assert first("Dolores Park") == "Mission Dolores Park"
    assert first("Golden Gate Park") == "Golden Gate Park"
    assert first("Main Library") == "Main Library, 100 Larkin St"
    assert first("Biblioteca Principal") == "Main Library, 100 Larkin St"
    assert first("747 Howard St") == "Moscone Center, 747 Howard St"
    assert first("SF General") == "Zuckerberg San Francisco General Hospital, 1001 Potrero Ave"
    assert first("Mission High School") == "Mission High School, 3750 18th St"


def test_a_misspelt_street_still_finds_it():
    assert "Valencia St" in first("Valencai St")
    assert first("100 Valensia St") == "100 Valencia St"


@pytest.mark.parametrize(
    "junk",
    ["", "&", "& & &", "\x00", "1 Market\x00 St", "😀" * 50, "a" * 10_000, "&" * 10_000,
     "%_%", "' OR 1=1 --", "Valencia & ", " y ", "\u202e\u200b", "١٢٣ شارع"],
)  # fmt: skip
def test_odd_input_finds_nothing_or_something_but_never_fails(client, junk):
    address_search(query=junk)
    address_resolve(query=junk)
    page = client.get(reverse("requests_app:address_search"), {"address": junk})
    assert page.status_code == 200


def test_a_search_is_one_query_and_a_missing_corner_two():
    with CaptureQueriesContext(connection) as queries:
        address_search(query="100 Valencia St")
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        address_search(query="Valencia & 17th")
    assert len(queries) == 2


def test_the_report_forms_find_button_lists_the_corner(client):
    page = client.get(reverse("requests_app:address_search"), {"address": "Valencia y 16"})
    assert 'data-label="16th St &amp; Valencia St"' in page.content.decode()
