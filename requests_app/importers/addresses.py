"""Read address points (addresses, intersections, places) from CSV or GeoJSON and save the new
ones for the address search.

CSV has the columns `label,lat,lng[,kind]` (kind: address, intersection or place; default address);
GeoJSON has points with a `label` or `address` property. Rows with blank, placeholder or
out-of-range coordinates, points outside the active service boundary and labels already known
(compared in their normalized form) are skipped and counted."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import Point
from django.contrib.gis.geos.prepared import PreparedGeometry

from requests_app.addresses import AddressFields, address_fields
from requests_app.importers import ImportFileError
from requests_app.importers.geo import (
    BATCH,
    ERR_FILE_MISSING,
    LAT_COLUMNS,
    LNG_COLUMNS,
    SKIP_EXISTING,
    RowSieve,
    coordinate,
    layer_open,
    ogr_to_wgs84,
    source_system,
)
from requests_app.models import AddressPoint

ERR_CSV_COLUMNS = "{path} needs the columns label, lat, lng (and optionally kind); it has: {found}."
ERR_GEOJSON_LABEL = "{path} needs a 'label' or 'address' property on its points; it has: {found}."

SKIP_BLANK_LABEL = "blank label"
SKIP_UNKNOWN_KIND = "unknown kind"

KINDS = frozenset(AddressPoint.Kind.values)

# (label, lat, lng, kind, is_point) per row.
PointRow = tuple[str, float | None, float | None, str, bool]


@dataclass
class AddressDraft:
    label: str
    fields: AddressFields
    kind: str
    lng: float
    lat: float

    @property
    def normalized(self) -> str:
        return self.fields.normalized


@dataclass
class AddressRead:
    rows: int
    drafts: list[AddressDraft]
    skipped: Counter
    srs_note: str = "CSV latitude/longitude (WGS84)"


def rows_from_csv(
    path: Path, *, label_columns: tuple[str, ...] = ("label",), error: str = ERR_CSV_COLUMNS
) -> Iterator[PointRow]:
    """One row per CSV line; the label is the first of `label_columns` the file has
    (routing.places reads names with it too). CSV coordinates are always WGS84 degrees."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        columns = {c.strip().lower(): c for c in reader.fieldnames or []}
        label_col = next((columns[c] for c in label_columns if c in columns), None)
        lat_col = next((columns[c] for c in LAT_COLUMNS if c in columns), None)
        lng_col = next((columns[c] for c in LNG_COLUMNS if c in columns), None)
        if not label_col or not lat_col or not lng_col:
            found = ", ".join(reader.fieldnames or []) or "no header"
            raise ImportFileError(error.format(path=path, found=found))
        kind_col = columns.get("kind")
        for row in reader:
            yield (
                row[label_col] or "",
                coordinate(row[lat_col]),
                coordinate(row[lng_col]),
                (row[kind_col] or "") if kind_col else "",
                True,
            )


def rows_from_vector(
    path: Path,
    *,
    label_columns: tuple[str, ...] = ("label", "address"),
    error: str = ERR_GEOJSON_LABEL,
    srid: int | None = None,
    notes: list[str] | None = None,
) -> Iterator[PointRow]:
    """One row per feature of a GDAL point layer, in WGS84. The coordinate system read is
    appended to `notes` when given."""
    layer = layer_open(path)
    fields = list(layer.fields)
    label_field = next((f for f in label_columns if f in fields), None)
    if label_field is None:
        raise ImportFileError(error.format(path=path, found=", ".join(fields)))
    system = source_system(layer, path=path, srid=srid)
    if notes is not None:
        notes.append(system.note)
    for feature in layer:
        label = str(feature.get(label_field) or "")
        kind = str(feature.get("kind") or "") if "kind" in fields else ""
        try:
            geom = feature.geom
        except GDALException:
            yield label, None, None, kind, True
            continue
        if geom.geom_type.name != "Point":
            yield label, None, None, kind, False
            continue
        geom = ogr_to_wgs84(geom, system)
        yield label, geom.y, geom.x, kind, True


def addresses_read(
    path: Path, *, boundary: PreparedGeometry | None, srid: int | None = None
) -> AddressRead:
    """Parse and check every row; duplicates within the file are dropped (first one wins)."""
    if not path.exists():
        raise ImportFileError(ERR_FILE_MISSING.format(path=path))
    notes: list[str] = []
    if path.suffix.lower() == ".csv":
        rows_in = rows_from_csv(path)
    else:
        rows_in = rows_from_vector(path, srid=srid, notes=notes)
    sieve = RowSieve(boundary=boundary)
    drafts: list[AddressDraft] = []
    for label, lat, lng, kind, is_point in rows_in:
        label = " ".join(label.replace("\x00", " ").split())[:200]
        kind = kind.strip().lower() or AddressPoint.Kind.ADDRESS
        derived = address_fields(label=label, kind=kind)
        unknown = SKIP_UNKNOWN_KIND if kind not in KINDS else None
        if sieve.passes(
            derived.normalized, lat, lng, is_point=is_point, blank=SKIP_BLANK_LABEL, problem=unknown
        ):
            drafts.append(AddressDraft(label, derived, kind, lng, lat))
    read = AddressRead(rows=sieve.rows, drafts=drafts, skipped=sieve.skipped)
    if notes:
        read.srs_note = notes[0]
    return read


def addresses_drop_existing(read: AddressRead) -> None:
    """Remove drafts whose normalized label is already stored, counting them as skipped."""
    existing: set[str] = set()
    for start in range(0, len(read.drafts), BATCH):
        batch = [d.normalized for d in read.drafts[start : start + BATCH]]
        existing.update(
            AddressPoint.objects.filter(normalized__in=batch).values_list("normalized", flat=True)
        )
    if existing:
        read.skipped[SKIP_EXISTING] += sum(d.normalized in existing for d in read.drafts)
        read.drafts = [d for d in read.drafts if d.normalized not in existing]


def addresses_save(drafts: list[AddressDraft], *, source: str) -> int:
    """Insert in batches; a label stored meanwhile by someone else is skipped by the unique
    constraint (ON CONFLICT DO NOTHING). Returns how many rows were added."""
    before = AddressPoint.objects.count()
    for start in range(0, len(drafts), BATCH):
        AddressPoint.objects.bulk_create(
            (
                AddressPoint(
                    label=d.label,
                    normalized=d.normalized,
                    search=d.fields.search,
                    number=d.fields.number,
                    street=d.fields.street,
                    cross_street=d.fields.cross_street,
                    kind=d.kind,
                    location=Point(d.lng, d.lat, srid=4326),
                    source=source,
                )
                for d in drafts[start : start + BATCH]
            ),
            ignore_conflicts=True,
        )
    return AddressPoint.objects.count() - before
