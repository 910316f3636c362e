"""Read a set of areas (service boundary, neighbourhoods or wards) from GeoJSON or a shapefile and
save it as a new AreaSet (a "generation"), optionally activating it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GeometryCollection, GEOSGeometry, MultiPolygon
from django.db import transaction
from django.utils.text import slugify

from requests_app.importers import ImportFileError
from requests_app.importers.geo import WGS84, layer_open, ogr_to_wgs84, source_system
from requests_app.models import Area, AreaSet

ERR_NO_FEATURES = "No features in {path}."
ERR_UNKNOWN_FIELD = "Field {field!r} is not in {path}. Its fields are: {fields}."
ERR_NAME_FIELD_NEEDED = (
    "{path} has no 'name' field: pass --name-field (or --dissolve-by / --dissolve-all). "
    "Its fields are: {fields}."
)
ERR_NO_POLYGONS = "No polygon features with a name in {path}."


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

    @property
    def extent(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) in WGS84 of everything read."""
        if not self.areas:
            return None
        boxes = [a.geom.extent for a in self.areas]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )


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
    srid: int | None = None,
) -> AreaRead:
    """Read, reproject to WGS84, repair and (optionally) dissolve the polygons in `path`.

    1. Open the file's first layer with GDAL and check the named fields exist.
    2. Work out its coordinate system (`srid` if given, else the file's; a file naming none must
       look like longitude/latitude, see `source_system`).
    3. Per feature: drop Z, transform to EPSG:4326, repair invalid geometry (make_valid, else
       buffer(0)), keep polygons only.
    4. Group by the dissolve field (or everything into one area) and union each group."""
    layer = layer_open(path)
    if len(layer) == 0:
        raise ImportFileError(ERR_NO_FEATURES.format(path=path))
    fields = list(layer.fields)
    if not (name_field or dissolve_by or dissolve_all):
        if "name" not in fields:
            raise ImportFileError(ERR_NAME_FIELD_NEEDED.format(path=path, fields=", ".join(fields)))
        name_field = "name"
    for field in (name_field, code_field, dissolve_by):
        if field and field not in fields:
            raise ImportFileError(
                ERR_UNKNOWN_FIELD.format(field=field, path=path, fields=", ".join(fields))
            )
    system = source_system(layer, path=path, srid=srid)

    result = AreaRead(areas=[], features=len(layer), srs_note=system.note)
    key_field = dissolve_by or name_field
    groups: dict[str, list[tuple[MultiPolygon, str]]] = {}
    for feature in layer:
        name = set_name if dissolve_all else str(feature.get(key_field) or "").strip()
        if not name:
            result.skipped_unnamed += 1
            continue
        try:
            ogr = ogr_to_wgs84(feature.geom, system)
        except GDALException:
            result.skipped_not_polygon += 1
            continue
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
        raise ImportFileError(ERR_NO_POLYGONS.format(path=path))
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
