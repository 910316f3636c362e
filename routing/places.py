"""Sensitive places (schools, hospitals, care homes) for the priority score: reading a CSV
(`name,lat,lng`; `label` may stand for `name`) or GeoJSON points with a `name` or `label` property,
and saving them. Rows with a blank name, unusable coordinates, names repeated in the file and places
of that kind already stored under the same name are skipped and counted. Points outside the
service boundary are kept: a hospital just over the city line still matters to a request near it.

The command `import_places` is a thin caller; the point readers are the core's
(requests_app.importers.addresses)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.geos import Point
from django.db import transaction

from requests_app.importers import ImportFileError
from requests_app.importers.addresses import rows_from_csv, rows_from_vector
from requests_app.importers.geo import ERR_FILE_MISSING, SKIP_EXISTING, RowSieve
from routing.models import SensitivePlace

ERR_CSV_COLUMNS = "{path} needs the columns name, lat, lng; it has: {found}."
ERR_GEOJSON_NAME = "{path} needs a 'name' or 'label' property on its points; it has: {found}."
ERR_KIND = "--kind must not be blank (e.g. school, hospital)."
SKIP_BLANK_NAME = "blank name"
NAME_COLUMNS = ("name", "label")


@dataclass
class PlaceDraft:
    name: str
    lng: float
    lat: float


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def places_read(path: Path, *, kind: str) -> tuple[int, list[PlaceDraft], Counter]:
    """(rows read, places to add, skipped by reason). Duplicates in the file and places of this
    kind already stored under the same name (case and spacing ignored) are skipped."""
    if not path.exists():
        raise ImportFileError(ERR_FILE_MISSING.format(path=path))
    if path.suffix.lower() == ".csv":
        rows_in = rows_from_csv(path, label_columns=NAME_COLUMNS, error=ERR_CSV_COLUMNS)
    else:
        rows_in = rows_from_vector(path, label_columns=NAME_COLUMNS, error=ERR_GEOJSON_NAME)
    existing = {
        _key(n) for n in SensitivePlace.objects.filter(kind=kind).values_list("name", flat=True)
    }
    # No boundary: a place just over the city line still matters to a request near it. A name
    # already stored is never one the file has passed, so checking it before repeats is the same.
    sieve = RowSieve()
    drafts: list[PlaceDraft] = []
    for raw_name, lat, lng, _kind, is_point in rows_in:
        name = " ".join(raw_name.split())[:200]
        stored = SKIP_EXISTING if _key(name) in existing else None
        if sieve.passes(
            _key(name), lat, lng, is_point=is_point, blank=SKIP_BLANK_NAME, problem=stored
        ):
            drafts.append(PlaceDraft(name, lng, lat))
    return sieve.rows, drafts, sieve.skipped


def places_save(
    drafts: list[PlaceDraft], *, kind: str, radius_m: int, points: int, source: str
) -> int:
    """Insert the places in one transaction; returns how many were added."""
    with transaction.atomic():
        created = SensitivePlace.objects.bulk_create(
            SensitivePlace(
                kind=kind,
                name=d.name,
                location=Point(d.lng, d.lat, srid=4326),
                radius_m=radius_m,
                points=points,
                source=source,
            )
            for d in drafts
        )
    return len(created)
