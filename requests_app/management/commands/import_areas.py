"""Import a set of areas (service boundary, neighbourhoods or wards) from GeoJSON or a shapefile.

A dry run unless --commit: it reads and checks everything, prints what it would create and writes
nothing. Each import adds a new AreaSet (a "generation"); --activate makes it the active set of its
kind in the same transaction, so requests already filed keep the areas they were filed in.

    manage.py import_areas wards.shp --kind ward --name "Wards 2026" --name-field WARD_NAME
    manage.py import_areas tracts.geojson --kind neighbourhood --name "Neighbourhoods" \\
        --dissolve-by nhood --activate --commit
    manage.py import_areas tracts.geojson --kind boundary --name "City" --dissolve-all --commit
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.gdal import CoordTransform, DataSource, GDALException, SpatialReference
from django.contrib.gis.geos import GeometryCollection, GEOSGeometry, MultiPolygon
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify

from requests_app.models import Area, AreaSet

ERR_FILE_MISSING = "File not found: {path}"
ERR_UNREADABLE = "Could not read {path} as GeoJSON or a shapefile: {error}"
ERR_NO_FEATURES = "No features in {path}."
ERR_UNKNOWN_FIELD = "Field {field!r} is not in {path}. Its fields are: {fields}."
ERR_NAME_FIELD_NEEDED = (
    "{path} has no 'name' field: pass --name-field (or --dissolve-by / --dissolve-all). "
    "Its fields are: {fields}."
)
ERR_NO_POLYGONS = "No polygon features with a name in {path}."

WGS84 = 4326
LIST_LIMIT = 60


@dataclass
class AreaDraft:
    name: str
    code: str
    geom: MultiPolygon


@dataclass
class AreaRead:
    areas: list[AreaDraft]
    features: int
    srs_note: str
    fixed: int = 0
    skipped_unnamed: int = 0
    skipped_not_polygon: int = 0


def as_multipolygon(geom: GEOSGeometry) -> MultiPolygon | None:
    """The polygonal part of `geom` as a MultiPolygon (make_valid can return lines and points
    next to the polygons), or None when there is none."""
    if geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "Polygon":
        return MultiPolygon(geom, srid=geom.srid)
    if geom.geom_type == "GeometryCollection":
        parts = []
        for part in geom:
            multi = as_multipolygon(part)
            if multi is not None:
                parts.extend(multi)
        return MultiPolygon(parts, srid=geom.srid) if parts else None
    return None


def geometry_fix(geom: GEOSGeometry) -> tuple[MultiPolygon | None, bool]:
    """(valid polygonal geometry, whether it had to be repaired)."""
    if geom.valid:
        return as_multipolygon(geom), False
    fixed = as_multipolygon(geom.make_valid())
    if fixed is None or not fixed.valid:
        fixed = as_multipolygon(geom.buffer(0))
    return fixed, True


def natural_key(text: str) -> list:
    """Sort "District 2" before "District 10"."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def union(geoms: list[MultiPolygon]) -> MultiPolygon | None:
    if len(geoms) == 1:
        return geoms[0]
    merged = GeometryCollection(geoms, srid=WGS84).unary_union
    merged.srid = WGS84
    return as_multipolygon(merged)


def areas_read(
    path: Path,
    *,
    set_name: str,
    name_field: str | None = None,
    code_field: str | None = None,
    dissolve_by: str | None = None,
    dissolve_all: bool = False,
) -> AreaRead:
    """Read, reproject to WGS84, repair and (optionally) dissolve the polygons in `path`.

    1. Open the file's first layer with GDAL and check the named fields exist.
    2. Per feature: drop Z, transform to EPSG:4326 (a layer without a CRS is taken as WGS84, as
       GeoJSON says), repair invalid geometry (make_valid, else buffer(0)), keep polygons only.
    3. Group by the dissolve field (or everything into one area) and union each group."""
    if not path.exists():
        raise CommandError(ERR_FILE_MISSING.format(path=path))
    try:
        layer = DataSource(str(path))[0]
    except (GDALException, IndexError) as exc:
        raise CommandError(ERR_UNREADABLE.format(path=path, error=exc)) from exc
    if len(layer) == 0:
        raise CommandError(ERR_NO_FEATURES.format(path=path))
    fields = list(layer.fields)
    if not (name_field or dissolve_by or dissolve_all):
        if "name" not in fields:
            raise CommandError(ERR_NAME_FIELD_NEEDED.format(path=path, fields=", ".join(fields)))
        name_field = "name"
    for field in (name_field, code_field, dissolve_by):
        if field and field not in fields:
            raise CommandError(
                ERR_UNKNOWN_FIELD.format(field=field, path=path, fields=", ".join(fields))
            )

    srs = layer.srs
    transform = None
    if srs is None:
        srs_note = "no coordinate system given; taken as WGS84"
    elif srs.srid == WGS84:
        srs_note = "WGS84"
    else:
        srs_note = f"{srs.name} (EPSG:{srs.srid}), transformed to WGS84"
        transform = CoordTransform(srs, SpatialReference(WGS84))

    result = AreaRead(areas=[], features=len(layer), srs_note=srs_note)
    key_field = dissolve_by or name_field
    groups: dict[str, list[tuple[MultiPolygon, str]]] = {}
    for feature in layer:
        name = set_name if dissolve_all else str(feature.get(key_field) or "").strip()
        if not name:
            result.skipped_unnamed += 1
            continue
        try:
            ogr = feature.geom
        except GDALException:
            result.skipped_not_polygon += 1
            continue
        if ogr.is_3d:
            ogr.set_3d(False)
        if transform is not None:
            ogr.transform(transform)
        geom = ogr.geos
        geom.srid = WGS84
        multi, was_fixed = geometry_fix(geom)
        result.fixed += was_fixed
        if multi is None:
            result.skipped_not_polygon += 1
            continue
        code = str(feature.get(code_field) or "").strip() if code_field else ""
        groups.setdefault(name, []).append((multi, code or slugify(re.sub(r"\W+", " ", name))))

    for name, features in groups.items():
        if dissolve_by or dissolve_all:
            merged = union([geom for geom, _ in features])
            # A merged area takes the code of its group's first feature.
            features = [(merged, features[0][1])] if merged is not None else []
        # Not dissolving: each feature is its own area, even when two share a name.
        result.areas.extend(
            AreaDraft(name=name[:120], code=code[:60], geom=geom) for geom, code in features
        )
    if not result.areas:
        raise CommandError(ERR_NO_POLYGONS.format(path=path))
    result.areas.sort(key=lambda a: natural_key(a.name))
    return result


def area_set_save(
    *, kind: str, name: str, source: str, areas: list[AreaDraft], activate: bool
) -> tuple[AreaSet, AreaSet | None]:
    """Create the set and its areas; with `activate`, swap it in as the active set of its kind.
    Returns (new set, the set it replaced)."""
    with transaction.atomic():
        previous = None
        if activate:
            previous = AreaSet.objects.select_for_update().filter(kind=kind, active=True).first()
            if previous is not None:
                # Deactivate first: a partial unique index allows one active set per kind.
                AreaSet.objects.filter(pk=previous.pk).update(active=False)
        area_set = AreaSet.objects.create(kind=kind, name=name, source=source, active=activate)
        Area.objects.bulk_create(
            Area(area_set=area_set, kind=kind, name=a.name, code=a.code, geom=a.geom) for a in areas
        )
    return area_set, previous


class Command(BaseCommand):
    help = "Import areas (boundary, neighbourhoods, wards) from GeoJSON or a shapefile."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="GeoJSON file or .shp (any GDAL vector file)")
        parser.add_argument("--kind", required=True, choices=AreaSet.Kind.values)
        parser.add_argument("--name", required=True, help="Name of the new area set")
        naming = parser.add_mutually_exclusive_group()
        naming.add_argument("--name-field", help="Property holding each area's name")
        naming.add_argument(
            "--dissolve-by", metavar="FIELD", help="Merge features sharing this property's value"
        )
        naming.add_argument(
            "--dissolve-all",
            action="store_true",
            help="Merge every feature into one area named after the set (for a boundary)",
        )
        parser.add_argument("--code-field", help="Property holding each area's code")
        parser.add_argument("--source", default="", help="Where the data came from")
        parser.add_argument(
            "--activate", action="store_true", help="Make it the active set of its kind"
        )
        parser.add_argument(
            "--commit", action="store_true", help="Write to the database (default: dry run)"
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        kind: str = options["kind"]
        read = areas_read(
            path,
            set_name=options["name"],
            name_field=options["name_field"],
            code_field=options["code_field"],
            dissolve_by=options["dissolve_by"],
            dissolve_all=options["dissolve_all"],
        )
        out = self.stdout
        out.write(f"Read {read.features} features from {path.name} ({read.srs_note}).")
        if read.fixed:
            out.write(f"Repaired {read.fixed} invalid geometries.")
        if read.skipped_unnamed:
            out.write(f"Skipped {read.skipped_unnamed} features without a name.")
        if read.skipped_not_polygon:
            out.write(f"Skipped {read.skipped_not_polygon} features that are not polygons.")

        verb = "Creating" if options["commit"] else "Would create"
        count = f"{len(read.areas)} area" + ("" if len(read.areas) == 1 else "s")
        out.write(f'{verb} {kind} set "{options["name"]}" with {count}:')
        for area in read.areas[:LIST_LIMIT]:
            out.write(f"  {area.name} ({area.code})" if area.code else f"  {area.name}")
        if len(read.areas) > LIST_LIMIT:
            out.write(f"  ... and {len(read.areas) - LIST_LIMIT} more")

        if not options["commit"]:
            out.write(self.style.WARNING("Dry run: nothing written. Add --commit to save."))
            return
        area_set, previous = area_set_save(
            kind=kind,
            name=options["name"],
            source=options["source"] or path.name,
            areas=read.areas,
            activate=options["activate"],
        )
        out.write(self.style.SUCCESS(f"Created area set {area_set.pk} with {count}."))
        if options["activate"]:
            replaced = f' (replacing "{previous.name}")' if previous else ""
            out.write(f"It is now the active {kind} set{replaced}.")
        else:
            out.write("It is not active: run again with --activate, or activate it in the admin.")
