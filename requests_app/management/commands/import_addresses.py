"""Import address points (addresses, intersections, places) for the address search.

A dry run unless --commit. Input is a CSV with columns `label,lat,lng[,kind]` (kind: address,
intersection or place; default address) or GeoJSON points with a `label` or `address` property.
Rows with blank, placeholder or out-of-range coordinates, points outside the active service
boundary and labels already known (compared in their normalized form) are skipped and counted.

    manage.py import_addresses addresses.csv              # dry run: what would be added/skipped
    manage.py import_addresses addresses.csv --commit --source "County address file 2026"
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.gdal import CoordTransform, DataSource, GDALException, SpatialReference
from django.contrib.gis.geos import GeometryCollection, Point
from django.contrib.gis.geos.prepared import PreparedGeometry
from django.core.management.base import BaseCommand, CommandError, CommandParser

from requests_app.addresses import address_normalize
from requests_app.models import AddressPoint, Area, AreaSet

ERR_FILE_MISSING = "File not found: {path}"
ERR_UNREADABLE = "Could not read {path}: {error}"
ERR_CSV_COLUMNS = "{path} needs the columns label, lat, lng (and optionally kind); it has: {found}."
ERR_GEOJSON_LABEL = "{path} needs a 'label' or 'address' property on its points; it has: {found}."

# Why rows are skipped, as reported.
SKIP_BLANK_LABEL = "blank label"
SKIP_BLANK_COORDS = "blank or unreadable coordinates"
SKIP_PLACEHOLDER = "placeholder coordinates (0,0 or whole degrees)"
SKIP_OUT_OF_RANGE = "coordinates out of range"
SKIP_NOT_POINT = "not a point"
SKIP_UNKNOWN_KIND = "unknown kind"
SKIP_OUTSIDE = "outside the service boundary"
SKIP_DUPLICATE_FILE = "duplicate in the file"
SKIP_EXISTING = "already in the database"

BATCH = 2000
BLANKS = frozenset({"", "na", "n/a", "nan", "null", "none"})
LAT_COLUMNS = ("lat", "latitude", "y")
LNG_COLUMNS = ("lng", "lon", "long", "longitude", "x")
KINDS = frozenset(AddressPoint.Kind.values)


@dataclass
class AddressDraft:
    label: str
    normalized: str
    kind: str
    lng: float
    lat: float


@dataclass
class AddressRead:
    rows: int
    drafts: list[AddressDraft]
    skipped: Counter


def coordinate(value: object) -> float | None:
    text = str(value if value is not None else "").strip()
    if text.lower() in BLANKS:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def coordinates_problem(lat: float | None, lng: float | None) -> str | None:
    """Why a pair of coordinates is unusable, or None. Whole-degree pairs such as (39, -77) are
    the placeholders some source systems write when geocoding failed."""
    if lat is None or lng is None:
        return SKIP_BLANK_COORDS
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return SKIP_OUT_OF_RANGE
    if lat.is_integer() and lng.is_integer():
        return SKIP_PLACEHOLDER
    return None


def rows_from_csv(path: Path, *, label_columns=("label",), error: str = ERR_CSV_COLUMNS):
    """(label, lat, lng, kind, is_point) per row; the label is the first of ``label_columns``
    the file has (import_places reads names with it too)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        columns = {c.strip().lower(): c for c in reader.fieldnames or []}
        label_col = next((columns[c] for c in label_columns if c in columns), None)
        lat_col = next((columns[c] for c in LAT_COLUMNS if c in columns), None)
        lng_col = next((columns[c] for c in LNG_COLUMNS if c in columns), None)
        if not label_col or not lat_col or not lng_col:
            found = ", ".join(reader.fieldnames or []) or "no header"
            raise CommandError(error.format(path=path, found=found))
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
    path: Path, *, label_columns=("label", "address"), error: str = ERR_GEOJSON_LABEL
):
    try:
        layer = DataSource(str(path))[0]
    except (GDALException, IndexError) as exc:
        raise CommandError(ERR_UNREADABLE.format(path=path, error=exc)) from exc
    fields = list(layer.fields)
    label_field = next((f for f in label_columns if f in fields), None)
    if label_field is None:
        raise CommandError(error.format(path=path, found=", ".join(fields)))
    srs = layer.srs
    transform = None
    if srs is not None and srs.srid != 4326:
        transform = CoordTransform(srs, SpatialReference(4326))
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
        if transform is not None:
            geom.transform(transform)
        yield label, geom.y, geom.x, kind, True


def boundary_prepared() -> PreparedGeometry | None:
    """The active service boundary, prepared for fast point-in-polygon tests, if there is one."""
    geoms = [
        a.geom
        for a in Area.objects.filter(area_set__kind=AreaSet.Kind.BOUNDARY, area_set__active=True)
    ]
    if not geoms:
        return None
    return (geoms[0] if len(geoms) == 1 else GeometryCollection(geoms).unary_union).prepared


def addresses_read(path: Path, *, boundary: PreparedGeometry | None) -> AddressRead:
    """Parse and check every row; duplicates within the file are dropped (first one wins)."""
    if not path.exists():
        raise CommandError(ERR_FILE_MISSING.format(path=path))
    reader = rows_from_csv if path.suffix.lower() == ".csv" else rows_from_vector
    skipped: Counter = Counter()
    seen: set[str] = set()
    drafts: list[AddressDraft] = []
    rows = 0
    for label, lat, lng, kind, is_point in reader(path):
        rows += 1
        label = " ".join(label.split())[:200]
        normalized = address_normalize(label)[:200]
        kind = kind.strip().lower() or AddressPoint.Kind.ADDRESS
        problem = coordinates_problem(lat, lng) if is_point else SKIP_NOT_POINT
        if not normalized:
            problem = SKIP_BLANK_LABEL
        elif problem is None and kind not in KINDS:
            problem = SKIP_UNKNOWN_KIND
        elif problem is None and boundary is not None and not boundary.contains(Point(lng, lat)):
            problem = SKIP_OUTSIDE
        elif problem is None and normalized in seen:
            problem = SKIP_DUPLICATE_FILE
        if problem:
            skipped[problem] += 1
            continue
        seen.add(normalized)
        drafts.append(AddressDraft(label, normalized, kind, lng, lat))
    return AddressRead(rows=rows, drafts=drafts, skipped=skipped)


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
                    kind=d.kind,
                    location=Point(d.lng, d.lat, srid=4326),
                    source=source,
                )
                for d in drafts[start : start + BATCH]
            ),
            ignore_conflicts=True,
        )
    return AddressPoint.objects.count() - before


class Command(BaseCommand):
    help = "Import address points from CSV (label,lat,lng[,kind]) or GeoJSON points."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV or GeoJSON file")
        parser.add_argument("--source", default="", help="Where the data came from")
        parser.add_argument(
            "--ignore-boundary",
            action="store_true",
            help="Keep points outside the active service boundary",
        )
        parser.add_argument(
            "--commit", action="store_true", help="Write to the database (default: dry run)"
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        boundary = None if options["ignore_boundary"] else boundary_prepared()
        read = addresses_read(path, boundary=boundary)
        addresses_drop_existing(read)
        out = self.stdout
        note = " (checked against the active service boundary)" if boundary else ""
        out.write(f"Read {read.rows} rows from {path.name}{note}.")
        kinds = Counter(d.kind for d in read.drafts)
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        verb = "Adding" if options["commit"] else "Would add"
        out.write(
            f"{verb} {len(read.drafts)} address points" + (f" ({summary})." if summary else ".")
        )
        if read.skipped:
            out.write(f"Skipped {sum(read.skipped.values())} rows:")
            for reason, count in read.skipped.most_common():
                out.write(f"  {count:>7}  {reason}")
        if not options["commit"]:
            out.write(self.style.WARNING("Dry run: nothing written. Add --commit to save."))
            return
        added = addresses_save(read.drafts, source=(options["source"] or path.name)[:120])
        out.write(self.style.SUCCESS(f"Added {added} address points."))
