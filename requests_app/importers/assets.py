"""Read an asset layer (streetlights, hydrants, signs, trees) from GeoJSON (any GDAL point
layer) or CSV with lat/lon columns, and upsert it by (asset type, asset id).

Every other column or property is kept in the asset's `attributes`. Rows with no id, unusable
coordinates, points outside the active service boundary and ids repeated in the file are skipped
and counted."""

from __future__ import annotations

import csv
import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import Point
from django.contrib.gis.geos.prepared import PreparedGeometry
from django.utils.text import slugify

from requests_app.importers import ImportFileError
from requests_app.importers.geo import (
    BATCH,
    ERR_FILE_MISSING,
    LAT_COLUMNS,
    LNG_COLUMNS,
    RowSieve,
    coordinate,
    layer_open,
    ogr_to_wgs84,
    source_system,
)
from requests_app.models import Asset, Department

ERR_CSV_COORDS = "{path} needs latitude and longitude columns (lat/lon, latitude/longitude or y/x)."
ERR_NO_ID_FIELD = "{path} has no '{field}' field: pass --id-field with one of its fields: {fields}."
ERR_UNKNOWN_FIELD = "Field {field!r} is not in {path}. Its fields are: {fields}."
ERR_DEPARTMENT = "No department with the slug {slug!r}. Known: {known}."
ERR_TYPE = "--type must be a short slug such as streetlight or fire-hydrant, not {value!r}."

SKIP_NO_ID = "no id"

DEFAULT_ID_FIELDS = ("asset_id", "id", "ID")
DEFAULT_NAME_FIELDS = ("name", "NAME", "label")


@dataclass
class AssetDraft:
    asset_id: str
    name: str
    lng: float
    lat: float
    attributes: dict


@dataclass
class AssetRead:
    rows: int
    drafts: list[AssetDraft]
    skipped: Counter


def json_value(value: object) -> object:
    """Attribute values as JSON can hold them (GDAL gives dates and times as Python objects)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


# Each reader yields (fields, lat, lng, is_point) per row, after checking the file's fields.
Row = tuple[dict, float | None, float | None, bool]


def rows_from_csv(path: Path, *, srid: int | None = None) -> tuple[list[str], Iterator[Row]]:
    """CSV coordinates are WGS84 degrees; `srid` is accepted for symmetry and ignored."""
    f = path.open(newline="", encoding="utf-8-sig")
    reader = csv.DictReader(f)
    fields = [c for c in reader.fieldnames or []]
    columns = {c.strip().lower(): c for c in fields}
    lat_col = next((columns[c] for c in LAT_COLUMNS if c in columns), None)
    lng_col = next((columns[c] for c in LNG_COLUMNS if c in columns), None)
    if not lat_col or not lng_col:
        f.close()
        raise ImportFileError(ERR_CSV_COORDS.format(path=path))

    def rows() -> Iterator[Row]:
        with f:
            for row in reader:
                lat, lng = coordinate(row.get(lat_col)), coordinate(row.get(lng_col))
                values = {k: v for k, v in row.items() if k not in (lat_col, lng_col, None)}
                yield values, lat, lng, True

    return [c for c in fields if c not in (lat_col, lng_col)], rows()


def rows_from_vector(path: Path, *, srid: int | None = None) -> tuple[list[str], Iterator[Row]]:
    layer = layer_open(path)
    fields = list(layer.fields)
    system = source_system(layer, path=path, srid=srid)

    def rows() -> Iterator[Row]:
        for feature in layer:
            values = {name: json_value(feature.get(name)) for name in fields}
            try:
                geom = feature.geom
            except GDALException:
                yield values, None, None, True
                continue
            if geom.geom_type.name != "Point":
                yield values, None, None, False
                continue
            geom = ogr_to_wgs84(geom, system)
            yield values, geom.y, geom.x, True

    return fields, rows()


def field_pick(
    path: Path, fields: list[str], given: str | None, defaults: tuple[str, ...]
) -> str | None:
    if given:
        if given not in fields:
            raise ImportFileError(
                ERR_UNKNOWN_FIELD.format(field=given, path=path, fields=", ".join(fields))
            )
        return given
    return next((f for f in defaults if f in fields), None)


def assets_read(
    path: Path,
    *,
    id_field: str | None = None,
    name_field: str | None = None,
    boundary: PreparedGeometry | None = None,
    srid: int | None = None,
) -> AssetRead:
    """Parse and check every row; an id repeated in the file keeps its first row."""
    if not path.exists():
        raise ImportFileError(ERR_FILE_MISSING.format(path=path))
    reader = rows_from_csv if path.suffix.lower() == ".csv" else rows_from_vector
    fields, rows = reader(path, srid=srid)
    id_col = field_pick(path, fields, id_field, DEFAULT_ID_FIELDS)
    if id_col is None:
        raise ImportFileError(
            ERR_NO_ID_FIELD.format(path=path, field="asset_id", fields=", ".join(fields))
        )
    name_col = field_pick(path, fields, name_field, DEFAULT_NAME_FIELDS)
    sieve = RowSieve(boundary=boundary)
    drafts: list[AssetDraft] = []
    for values, lat, lng, is_point in rows:
        asset_id = str(values.get(id_col) if values.get(id_col) is not None else "").strip()[:60]
        if not sieve.passes(asset_id, lat, lng, is_point=is_point, blank=SKIP_NO_ID):
            continue
        name = str(values.get(name_col) or "").strip()[:200] if name_col else ""
        attributes = {k: v for k, v in values.items() if k not in (id_col, name_col) and v != ""}
        drafts.append(AssetDraft(asset_id, name, lng, lat, attributes))
    return AssetRead(rows=sieve.rows, drafts=drafts, skipped=sieve.skipped)


def assets_existing(*, asset_type: str, drafts: list[AssetDraft]) -> set[str]:
    """The ids in `drafts` already stored for this type (so the report can say added/updated)."""
    found: set[str] = set()
    for start in range(0, len(drafts), BATCH):
        batch = [d.asset_id for d in drafts[start : start + BATCH]]
        found.update(
            Asset.objects.filter(asset_type=asset_type, asset_id__in=batch).values_list(
                "asset_id", flat=True
            )
        )
    return found


def assets_save(
    drafts: list[AssetDraft], *, asset_type: str, department: Department | None, source: str
) -> None:
    """Upsert by (asset_type, asset_id) in batches (INSERT ... ON CONFLICT DO UPDATE). An import
    that names no department keeps the owners already set."""
    update_fields = ["name", "location", "attributes", "active", "source"]
    if department is not None:
        update_fields.append("department")
    for start in range(0, len(drafts), BATCH):
        Asset.objects.bulk_create(
            [
                Asset(
                    asset_type=asset_type,
                    asset_id=d.asset_id,
                    name=d.name,
                    location=Point(d.lng, d.lat, srid=4326),
                    department=department,
                    attributes=d.attributes,
                    active=True,
                    source=source,
                )
                for d in drafts[start : start + BATCH]
            ],
            update_conflicts=True,
            unique_fields=["asset_type", "asset_id"],
            update_fields=update_fields,
        )


def asset_type_clean(value: str) -> str:
    """The asset type as stored (a short lowercase slug), or ImportFileError."""
    asset_type = value.strip().lower()
    if not asset_type or slugify(asset_type) != asset_type or len(asset_type) > 40:
        raise ImportFileError(ERR_TYPE.format(value=value))
    return asset_type


def department_by_slug(slug: str) -> Department:
    department = Department.objects.filter(slug=slug).first()
    if department is None:
        known = ", ".join(Department.objects.values_list("slug", flat=True)) or "none"
        raise ImportFileError(ERR_DEPARTMENT.format(slug=slug, known=known))
    return department
