"""Import sensitive places (schools, hospitals, care homes) for the priority score.

A dry run unless --commit. Input is a CSV with columns `name,lat,lng` (`label` may stand for
`name`; `latitude`/`longitude`, `y`/`x` are read too) or GeoJSON points with a `name` or `label`
property. Every place gets the --kind, --radius and --points given. Rows with a blank name, blank,
placeholder or out-of-range coordinates, names repeated in the file and places of that kind already
stored under the same name are skipped and counted. Points outside the service boundary are kept:
a hospital just over the city line still matters to a request near it.

    manage.py import_places schools.geojson --kind school                  # dry run
    manage.py import_places schools.csv --kind school --radius 150 --points 15 --commit
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.geos import Point
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from requests_app.management.commands.import_addresses import (
    ERR_FILE_MISSING,
    SKIP_DUPLICATE_FILE,
    SKIP_EXISTING,
    SKIP_NOT_POINT,
    coordinates_problem,
    rows_from_csv,
    rows_from_vector,
)
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
        raise CommandError(ERR_FILE_MISSING.format(path=path))
    if path.suffix.lower() == ".csv":
        rows_in = rows_from_csv(path, label_columns=NAME_COLUMNS, error=ERR_CSV_COLUMNS)
    else:
        rows_in = rows_from_vector(path, label_columns=NAME_COLUMNS, error=ERR_GEOJSON_NAME)
    existing = {
        _key(n) for n in SensitivePlace.objects.filter(kind=kind).values_list("name", flat=True)
    }
    skipped: Counter = Counter()
    seen: set[str] = set()
    drafts: list[PlaceDraft] = []
    rows = 0
    for raw_name, lat, lng, _kind, is_point in rows_in:
        rows += 1
        name = " ".join(raw_name.split())[:200]
        problem = coordinates_problem(lat, lng) if is_point else SKIP_NOT_POINT
        if not name:
            problem = SKIP_BLANK_NAME
        elif problem is None and _key(name) in seen:
            problem = SKIP_DUPLICATE_FILE
        elif problem is None and _key(name) in existing:
            problem = SKIP_EXISTING
        if problem:
            skipped[problem] += 1
            continue
        seen.add(_key(name))
        drafts.append(PlaceDraft(name, lng, lat))
    return rows, drafts, skipped


def places_save(
    drafts: list[PlaceDraft], *, kind: str, radius_m: int, points: int, source: str
) -> int:
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


class Command(BaseCommand):
    help = "Import sensitive places (schools, hospitals...) from CSV (name,lat,lng) or GeoJSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV or GeoJSON file")
        parser.add_argument("--kind", required=True, help="e.g. school, hospital")
        parser.add_argument("--radius", type=int, default=150, help="Metres (default 150)")
        parser.add_argument("--points", type=int, default=15, help="Score points (default 15)")
        parser.add_argument("--source", default="", help="Where the data came from")
        parser.add_argument(
            "--commit", action="store_true", help="Write to the database (default: dry run)"
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        kind = options["kind"].strip().lower()[:40]
        if not kind:
            raise CommandError(ERR_KIND)
        if options["radius"] <= 0:
            raise CommandError("--radius must be a positive number of metres.")
        rows, drafts, skipped = places_read(path, kind=kind)
        out = self.stdout
        out.write(f"Read {rows} rows from {path.name}.")
        verb = "Adding" if options["commit"] else "Would add"
        out.write(
            f"{verb} {len(drafts)} places of kind '{kind}' "
            f"(within {options['radius']} m: {options['points']:+d} points)."
        )
        if skipped:
            out.write(f"Skipped {sum(skipped.values())} rows:")
            for reason, count in skipped.most_common():
                out.write(f"  {count:>7}  {reason}")
        if not options["commit"]:
            out.write(self.style.WARNING("Dry run: nothing written. Add --commit to save."))
            return
        added = places_save(
            drafts,
            kind=kind,
            radius_m=options["radius"],
            points=options["points"],
            source=(options["source"] or path.name)[:120],
        )
        out.write(self.style.SUCCESS(f"Added {added} places."))
