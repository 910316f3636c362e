from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.core.management import CommandError, call_command

from requests_app.models import Area, AreaSet

pytestmark = pytest.mark.django_db

DEMO_NEIGHBOURHOODS = (
    settings.BASE_DIR / "data" / "cities" / "san-francisco" / "neighbourhoods.geojson"
)


def square(lng: float, lat: float, half: float) -> list:
    return [
        [
            [lng - half, lat - half],
            [lng + half, lat - half],
            [lng + half, lat + half],
            [lng - half, lat + half],
            [lng - half, lat - half],
        ]
    ]


def geojson(path: Path, features: list[tuple[dict, list]], crs: str | None = None) -> Path:
    data: dict = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": c},
            }
            for props, c in features
        ],
    }
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def wards_file(tmp_path: Path) -> Path:
    return geojson(
        tmp_path / "wards.geojson",
        [
            ({"WARD": "Ward 1", "NUM": "1", "zone": "north"}, square(-122.45, 37.77, 0.01)),
            ({"WARD": "Ward 2", "NUM": "2", "zone": "north"}, square(-122.43, 37.77, 0.01)),
            ({"WARD": "Ward 3", "NUM": "3", "zone": "south"}, square(-122.45, 37.75, 0.01)),
        ],
    )


def run(*args, **options) -> str:
    out = StringIO()
    call_command("import_areas", *[str(a) for a in args], stdout=out, **options)
    return out.getvalue()


def test_a_dry_run_writes_nothing_and_says_what_it_would_create(wards_file):
    output = run(wards_file, "--kind", "ward", "--name", "Wards 2026", "--name-field", "WARD")

    assert "Read 3 features" in output
    assert 'Would create ward set "Wards 2026" with 3 areas' in output
    assert "Ward 2" in output
    assert "Dry run: nothing written" in output
    assert not AreaSet.objects.exists()
    assert not Area.objects.exists()


def test_commit_creates_the_set_and_its_areas_with_codes(wards_file):
    output = run(
        wards_file,
        *("--kind", "ward", "--name", "Wards 2026", "--name-field", "WARD"),
        *("--code-field", "NUM", "--source", "City GIS", "--commit"),
    )

    area_set = AreaSet.objects.get()
    assert (area_set.kind, area_set.name, area_set.source) == ("ward", "Wards 2026", "City GIS")
    assert not area_set.active
    assert "It is not active" in output
    areas = {a.name: a for a in area_set.areas.all()}
    assert set(areas) == {"Ward 1", "Ward 2", "Ward 3"}
    assert areas["Ward 2"].code == "2"
    assert areas["Ward 2"].kind == "ward"
    assert areas["Ward 2"].geom.geom_type == "MultiPolygon"
    assert areas["Ward 2"].geom.srid == 4326


def test_dissolving_the_demo_tracts_by_nhood_gives_41_neighbourhoods():
    run(
        DEMO_NEIGHBOURHOODS,
        *("--kind", "neighbourhood", "--name", "Neighbourhoods", "--dissolve-by", "nhood"),
        "--commit",
    )

    areas = Area.objects.filter(kind="neighbourhood")
    assert areas.count() == 41
    mission = areas.get(name="Mission")
    assert mission.code == "mission"
    assert all(a.geom.valid and a.geom.geom_type == "MultiPolygon" for a in areas)


def test_dissolve_all_makes_one_service_boundary_covering_every_feature(wards_file):
    run(wards_file, "--kind", "boundary", "--name", "Test City", "--dissolve-all", "--commit")

    boundary = Area.objects.get(kind="boundary")
    assert boundary.name == "Test City"
    assert boundary.geom.geom_type == "MultiPolygon"
    assert boundary.geom.area == pytest.approx(3 * 0.02 * 0.02)


def test_activate_swaps_the_active_set_of_that_kind(wards_file):
    args = ("--kind", "ward", "--name-field", "WARD", "--activate", "--commit")
    run(wards_file, "--name", "Wards 2020", *args)
    output = run(wards_file, "--name", "Wards 2026", *args)

    assert AreaSet.objects.get(active=True, kind="ward").name == "Wards 2026"
    assert not AreaSet.objects.get(name="Wards 2020").active
    assert 'replacing "Wards 2020"' in output
    # The old generation and its areas stay, for requests filed under them.
    assert Area.objects.filter(area_set__name="Wards 2020").count() == 3


def test_a_field_that_is_not_in_the_file_is_a_clear_error(wards_file):
    with pytest.raises(CommandError, match=r"Field 'WARD_NAME' is not in .* WARD, NUM, zone"):
        run(wards_file, "--kind", "ward", "--name", "W", "--name-field", "WARD_NAME")

    assert not AreaSet.objects.exists()


def test_a_file_without_a_name_field_asks_for_one(wards_file):
    with pytest.raises(CommandError, match="pass --name-field"):
        run(wards_file, "--kind", "ward", "--name", "W")


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        run(tmp_path / "nope.geojson", "--kind", "ward", "--name", "W")


def test_a_file_without_features_is_a_clear_error(tmp_path):
    empty = geojson(tmp_path / "empty.geojson", [])

    with pytest.raises(CommandError, match="No features"):
        run(empty, "--kind", "ward", "--name", "W", "--dissolve-all")


def test_an_invalid_polygon_is_repaired(tmp_path):
    bowtie = [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]
    path = geojson(tmp_path / "bowtie.geojson", [({"name": "Bowtie"}, bowtie)])

    output = run(path, "--kind", "neighbourhood", "--name", "N", "--commit")

    assert "Repaired 1 invalid geometries" in output
    geom = Area.objects.get().geom
    assert geom.valid
    assert geom.area == pytest.approx(0.5)


def test_a_projected_file_is_transformed_to_wgs84(tmp_path):
    # A 1 km square in Web Mercator metres around (-122.44, 37.76).
    x, y, half = -13630110.0, 4545820.0, 500.0
    ring = [[[x - half, y - half], [x + half, y - half], [x + half, y + half], [x - half, y + half],
             [x - half, y - half]]]  # fmt: skip
    path = geojson(tmp_path / "mercator.geojson", [({"name": "Centre"}, ring)], crs="EPSG:3857")

    output = run(path, "--kind", "neighbourhood", "--name", "N", "--commit")

    assert "transformed to WGS84" in output
    centroid = Area.objects.get().geom.centroid
    assert centroid.x == pytest.approx(-122.44, abs=0.01)
    assert centroid.y == pytest.approx(37.76, abs=0.01)


def state_plane_file(path: Path) -> Path:
    """Two small neighbourhoods in San Francisco, transformed with GDAL to NAD83 / California
    zone 3 (US feet, EPSG:2227) and written WITHOUT a crs member, as some city portals do."""
    features = []
    for name, lng in (("Mission", -122.42), ("Sunset", -122.49)):
        polygon = Polygon(square(lng, 37.75, 0.005)[0], srid=4326)
        polygon.transform(2227)
        features.append((name, json.loads(polygon.json)["coordinates"]))
    return geojson(path, [({"name": name}, coords) for name, coords in features])


def test_a_state_plane_file_without_crs_is_refused_with_the_fix(tmp_path):
    path = state_plane_file(tmp_path / "nhoods_stateplane.geojson")

    with pytest.raises(CommandError, match="cannot be degrees") as caught:
        run(path, "--kind", "neighbourhood", "--name", "N", "--commit")

    assert "--srid" in str(caught.value)
    assert not AreaSet.objects.exists()


def test_srid_declares_the_system_and_the_dry_run_shows_the_wgs84_box(tmp_path):
    path = state_plane_file(tmp_path / "nhoods_stateplane.geojson")

    output = run(path, "--kind", "neighbourhood", "--name", "N", "--srid", "2227")

    assert (
        "(NAD83 / California zone 3 (ftUS) (EPSG:2227, declared), transformed to WGS84)" in output
    )
    assert (
        "Bounding box in WGS84 (EPSG:4326): "
        "west -122.49500, south 37.74500, east -122.41500, north 37.75500."
    ) in output
    assert not AreaSet.objects.exists()


def test_srid_areas_land_where_they_belong(tmp_path):
    path = state_plane_file(tmp_path / "nhoods_stateplane.geojson")

    run(path, "--kind", "neighbourhood", "--name", "N", "--srid", "2227", "--commit")

    mission = Area.objects.get(name="Mission").geom.centroid
    assert mission.x == pytest.approx(-122.42, abs=0.001)
    assert mission.y == pytest.approx(37.75, abs=0.001)


def test_a_wgs84_file_without_crs_says_how_it_was_read(wards_file):
    output = run(wards_file, "--kind", "ward", "--name", "W", "--name-field", "WARD")

    assert "no coordinate system given; read as WGS84" in output
    assert "Bounding box in WGS84 (EPSG:4326): west -122.46000, south 37.74000" in output
