"""import_assets: a dry run by default; GeoJSON and CSV; upsert by (type, id); skipped rows with
their reasons."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from requests_app.models import Asset
from tests.factories import AssetFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


def point(asset_id, lng, lat, **props) -> dict:
    return {
        "type": "Feature",
        "properties": {"POLE_ID": asset_id, **props},
        "geometry": {"type": "Point", "coordinates": [lng, lat]},
    }


def geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_assets", str(path), *args, stdout=out)
    return out.getvalue()


LIGHTS = [
    point("SL-1", -122.4401, 37.7601, LOCATION="Pole by the bus stop", WATTS=90),
    point("SL-2", -122.4402, 37.7602, LOCATION="Corner of 5th"),
]


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(tmp_path, city):
    output = run(
        geojson(tmp_path / "l.geojson", LIGHTS), "--type", "streetlight", "--id-field", "POLE_ID"
    )
    assert "Read 2 rows from l.geojson (checked against the active service boundary)." in output
    assert "Would add 2 new streetlight assets." in output
    assert "Dry run: nothing written" in output
    assert not Asset.objects.exists()


def test_commit_stores_geojson_points_with_owner_name_and_attributes(tmp_path, city):
    lighting = DepartmentFactory(name="Lighting", slug="lighting")
    path = geojson(tmp_path / "l.geojson", LIGHTS)
    output = run(
        path,
        "--type=streetlight",
        "--id-field=POLE_ID",
        "--name-field=LOCATION",
        "--department=lighting",
        "--commit",
    )
    assert "Adding 2 new streetlight assets, owned by Lighting." in output
    assert "Saved 2 streetlight assets." in output
    sl1 = Asset.objects.get(asset_id="SL-1")
    assert (sl1.asset_type, sl1.name, sl1.department) == (
        "streetlight",
        "Pole by the bus stop",
        lighting,
    )
    assert sl1.attributes == {"WATTS": 90}
    assert sl1.location.x == pytest.approx(-122.4401) and sl1.location.y == pytest.approx(37.7601)
    assert sl1.source == "l.geojson" and sl1.active


def test_a_reimport_updates_by_type_and_id_and_keeps_owners_it_does_not_name(tmp_path, city):
    lighting = DepartmentFactory(name="Lighting", slug="lighting")
    moved = AssetFactory(asset_id="SL-1", department=lighting, active=False)
    hydrant = AssetFactory(asset_type="hydrant", asset_id="SL-2")
    output = run(
        geojson(tmp_path / "l.geojson", LIGHTS),
        "--type=streetlight",
        "--id-field=POLE_ID",
        "--commit",
    )
    assert "Adding 1 new and updating 1 existing streetlight assets." in output
    moved.refresh_from_db()
    assert moved.department == lighting  # no --department: the owner stays
    assert moved.active and moved.location.x == pytest.approx(-122.4401)
    assert Asset.objects.filter(asset_id="SL-2").count() == 2  # a hydrant and a streetlight
    hydrant.refresh_from_db()
    assert hydrant.asset_type == "hydrant"


def test_csv_with_longitude_latitude_columns_and_skipped_rows_with_reasons(tmp_path, city):
    path = tmp_path / "hydrants.csv"
    path.write_text(
        "id,name,longitude,latitude,colour\n"
        "HY-1,Outside the library,-122.4401,37.7601,red\n"
        ",No id,-122.4402,37.7602,red\n"
        "HY-3,Blank,,,red\n"
        "HY-4,Placeholder,-122,37,red\n"
        "HY-5,New York,-74.0060,40.7128,red\n"
        "HY-1,Again,-122.4403,37.7603,red\n"
        "HY-7,Out of range,-122.44,137.76,red\n"
    )
    output = run(path, "--type", "hydrant", "--commit")
    assert "Read 7 rows" in output
    assert "Adding 1 new hydrant assets." in output
    assert "Skipped 6 rows:" in output
    for reason in (
        "no id",
        "blank or unreadable coordinates",
        "placeholder coordinates",
        "outside the service boundary",
        "duplicate in the file",
        "coordinates out of range",
    ):
        assert reason in output
    hydrant = Asset.objects.get()
    assert (hydrant.asset_id, hydrant.name, hydrant.attributes) == (
        "HY-1",
        "Outside the library",
        {"colour": "red"},
    )


def test_csv_with_x_y_columns_and_the_boundary_ignored(tmp_path, city):
    path = tmp_path / "signs.csv"
    path.write_text("asset_id,x,y\nSG-1,-74.0060,40.7128\n")
    run(path, "--type", "sign", "--ignore-boundary", "--commit")
    assert Asset.objects.get().asset_id == "SG-1"


def test_lines_are_not_points(tmp_path, city):
    line = {
        "type": "Feature",
        "properties": {"asset_id": "T-1"},
        "geometry": {"type": "LineString", "coordinates": [[-122.44, 37.76], [-122.43, 37.77]]},
    }
    output = run(geojson(tmp_path / "t.geojson", [line]), "--type", "tree")
    assert "not a point" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "streetlight"], "has no 'asset_id' field: pass --id-field"),
        (["--type", "streetlight", "--id-field", "NOPE"], "Field 'NOPE' is not in"),
        (["--type", "Street Light", "--id-field", "POLE_ID"], "--type must be a short slug"),
        (["--type", "streetlight", "--id-field", "POLE_ID", "--department", "x"], "No department"),
    ],
)
def test_it_stops_with_a_clear_message_on_bad_arguments(tmp_path, city, args, message):
    with pytest.raises(CommandError, match=message):
        run(geojson(tmp_path / "l.geojson", LIGHTS), *args)


def test_a_missing_file_or_csv_without_coordinates_is_refused(tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        run(tmp_path / "nope.geojson", "--type", "tree")
    path = tmp_path / "a.csv"
    path.write_text("id,name\nT-1,Oak\n")
    with pytest.raises(CommandError, match="needs latitude and longitude columns"):
        run(path, "--type", "tree")
