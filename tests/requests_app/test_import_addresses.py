from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.management import CommandError, call_command

from requests_app.addresses import address_normalize
from requests_app.models import AddressPoint, Area, AreaSet
from tests.imports import skipped_rows, write

pytestmark = pytest.mark.django_db

CSV = """label,lat,lng,kind
1 Market St.,37.7941,-122.3951,address
Valencia St & 16th St,37.7650,-122.4220,intersection
Dolores Park,37.7596,-122.4269,place
"""


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_addresses", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("1 Market St.", "1 MARKET ST"),
        ("  Valencia   St & 16th St ", "VALENCIA ST & 16TH ST"),
        # Issue 12: units are not in the address points, so "#3" / "Apt 3" are dropped; "/"
        # joins two streets; street types, directions and ordinals take one spelling.
        ("O'Farrell St, #3", "OFARRELL ST"),
        ("100 Valencia Street Apt 3", "100 VALENCIA ST"),
        ("Third Avenue & West Portal", "3RD AVE & W PORTAL"),
        ("Calle Niño-Pérez", "CALLE NINO-PEREZ"),
        ("Main_St/2nd", "MAIN ST & 2ND"),
        ("", ""),
    ],
)
def test_address_normalize_upper_cases_and_strips_punctuation_but_keeps_and_and_hyphen(
    text, normalized
):
    assert address_normalize(text) == normalized


def test_a_dry_run_writes_nothing_and_reports_what_it_would_add(tmp_path):
    output = run(write(tmp_path / "a.csv", CSV))

    assert "Read 3 rows" in output
    assert "Would add 3 address points (1 address, 1 intersection, 1 place)" in output
    assert "Dry run: nothing written" in output
    assert not AddressPoint.objects.exists()


def test_commit_adds_the_points_with_their_normalized_labels(tmp_path):
    output = run(write(tmp_path / "a.csv", CSV), "--commit", "--source", "County 2026")

    assert "Added 3 address points" in output
    point = AddressPoint.objects.get(kind="intersection")
    assert point.label == "Valencia St & 16th St"
    assert point.normalized == "VALENCIA ST & 16TH ST"
    assert point.source == "County 2026"
    assert (round(point.location.x, 4), round(point.location.y, 4)) == (-122.422, 37.765)


def test_duplicates_and_unusable_coordinates_are_skipped_and_counted(tmp_path):
    rows = CSV + (
        "1 MARKET ST,37.7941,-122.3951,\n"  # same normalized label as row 1
        "2 Main St,NA,NA,\n"
        "3 Main St,,,\n"
        "4 Main St,39,-77,\n"  # whole-degree placeholder
        "5 Main St,0,0,\n"
        "6 Main St,137.7,-122.4,\n"
        "7 Main St,37.7,-122.4,castle\n"
        ",37.7,-122.4,\n"
    )

    output = run(write(tmp_path / "a.csv", rows), "--commit")

    assert AddressPoint.objects.count() == 3
    assert "Skipped 8 rows:" in output
    assert skipped_rows(output) == {
        "duplicate in the file": 1,
        "blank or unreadable coordinates": 2,
        "placeholder coordinates (0,0 or whole degrees)": 2,
        "coordinates out of range": 1,
        "unknown kind": 1,
        "blank label": 1,
    }


def test_labels_already_stored_are_skipped_on_a_second_import(tmp_path):
    path = write(tmp_path / "a.csv", CSV)
    run(path, "--commit")

    output = run(path, "--commit")

    assert AddressPoint.objects.count() == 3
    assert "3  already in the database" in output
    assert "Added 0 address points" in output


def test_points_outside_the_active_service_boundary_are_skipped(tmp_path):
    boundary = AreaSet.objects.create(kind="boundary", name="City", active=True)
    box = Polygon.from_bbox((-122.44, 37.75, -122.41, 37.78))
    Area.objects.create(area_set=boundary, kind="boundary", name="City", geom=MultiPolygon(box))

    output = run(write(tmp_path / "a.csv", CSV), "--commit")

    assert set(AddressPoint.objects.values_list("label", flat=True)) == {
        "Valencia St & 16th St",
        "Dolores Park",
    }
    assert "1  outside the service boundary" in output


def test_geojson_points_with_an_address_property_are_imported(tmp_path):
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"address": "10 Main St", "kind": "address"},
                "geometry": {"type": "Point", "coordinates": [-122.41, 37.77]},
            },
            {
                "type": "Feature",
                "properties": {"address": "Main St & 1st St", "kind": "intersection"},
                "geometry": {"type": "Point", "coordinates": [-122.42, 37.78]},
            },
        ],
    }

    output = run(write(tmp_path / "a.geojson", json.dumps(data)), "--commit")

    assert "Added 2 address points" in output
    assert AddressPoint.objects.get(normalized="MAIN ST & 1ST ST").kind == "intersection"


def test_a_csv_without_the_needed_columns_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="needs the columns label, lat, lng"):
        run(write(tmp_path / "a.csv", "name,x\nfoo,1\n"))


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        run(tmp_path / "nope.csv")
