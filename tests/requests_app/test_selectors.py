from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from requests_app.selectors import (
    address_nearest,
    address_resolve,
    address_search,
    areas_for_point,
    boundary_contains,
    category_groups_with_categories,
)
from tests.conftest import OUTSIDE

pytestmark = pytest.mark.django_db


def test_address_search_tolerates_case_and_punctuation(city):
    assert [a.label for a in address_search(query="1 market st.")] == ["1 Market St"]


def test_address_search_finds_an_intersection_typed_loosely(city):
    assert address_search(query="valencia 16th")[0].label == "Valencia St & 16th St"
    assert address_resolve(query="Valencia St & 16th St").label == "Valencia St & 16th St"


def test_an_ambiguous_or_unknown_address_resolves_to_nothing(city):
    assert address_resolve(query="742 Evergreen Terrace") is None


def test_nearest_address_to_a_pin(city):
    near = Point(-122.4301, 37.7701, srid=4326)
    assert address_nearest(point=near).label == "1 Market St"


def test_points_fall_in_their_neighbourhood_and_the_boundary(city):
    point = Point(-122.415, 37.76, srid=4326)
    assert areas_for_point(point=point)["neighbourhood"] == city.mission
    assert boundary_contains(point=point)
    assert not boundary_contains(point=Point(OUTSIDE[1], OUTSIDE[0], srid=4326))


def test_category_search_matches_spanish_names(city):
    groups = category_groups_with_categories(query="bache")
    assert [c.code for g in groups for c in g.matching] == ["pothole"]
