"""import_places loads schools, hospitals... for the priority score: a dry run unless --commit."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command

from routing.models import SensitivePlace
from tests.imports import skipped_rows, write

pytestmark = pytest.mark.django_db

CSV = """name,lat,lng
Lincoln Elementary,37.7610,-122.4410
Mission High,37.7620,-122.4270
  lincoln   elementary ,37.7611,-122.4411
No Coordinates,,
Placeholder,37,-122
"""


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_places", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_reports_what_it_would_add_and_writes_nothing(tmp_path):
    output = run(write(tmp_path / "schools.csv", CSV), "--kind", "school")
    assert "Read 5 rows from schools.csv." in output
    assert "Would add 2 places of kind 'school' (within 150 m: +15 points)." in output
    assert "Skipped 3 rows:" in output
    assert skipped_rows(output) == {
        "duplicate in the file": 1,
        "blank or unreadable coordinates": 1,
        "placeholder coordinates (0,0 or whole degrees)": 1,
    }
    assert "Dry run: nothing written" in output
    assert not SensitivePlace.objects.exists()


def test_commit_adds_the_places_with_the_kind_radius_and_points_given(tmp_path):
    path = write(tmp_path / "schools.csv", CSV)
    output = run(path, "--kind", "School", "--radius", "200", "--points", "12", "--commit")
    assert "Added 2 places." in output
    place = SensitivePlace.objects.get(name="Lincoln Elementary")
    assert (place.kind, place.radius_m, place.points, place.source) == (
        "school",
        200,
        12,
        "schools.csv",
    )
    assert place.location.equals_exact(Point(-122.4410, 37.7610, srid=4326), tolerance=1e-9)

    again = run(path, "--kind", "school", "--commit")
    assert "Added 0 places." in again and "already in the database" in again
    assert SensitivePlace.objects.count() == 2


def test_geojson_points_with_a_name_are_read_and_other_shapes_skipped(tmp_path):
    features = [
        {
            "type": "Feature",
            "properties": {"name": "General Hospital"},
            "geometry": {"type": "Point", "coordinates": [-122.43, 37.765]},
        },
        {
            "type": "Feature",
            "properties": {"name": "Campus"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[-122.4, 37.7], [-122.3, 37.7], [-122.3, 37.8], [-122.4, 37.7]]],
            },
        },
    ]
    path = tmp_path / "hospitals.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    output = run(path, "--kind", "hospital", "--points", "20", "--commit")
    assert "Added 1 places." in output and "not a point" in output
    assert SensitivePlace.objects.get().points == 20


def test_a_csv_without_the_needed_columns_is_refused(tmp_path):
    path = write(tmp_path / "bad.csv", "title,x\nA,1\n")
    with pytest.raises(CommandError, match="needs the columns name, lat, lng"):
        run(path, "--kind", "school")
