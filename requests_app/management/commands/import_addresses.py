"""Import address points (addresses, intersections, places) for the address search.

A dry run unless --commit. Input is a CSV with columns `label,lat,lng[,kind]` (kind: address,
intersection or place; default address) or GeoJSON points with a `label` or `address` property.
Rows with blank, placeholder or out-of-range coordinates, points outside the active service
boundary and labels already known (compared in their normalized form) are skipped and counted.

    manage.py import_addresses addresses.csv              # dry run: what would be added/skipped
    manage.py import_addresses addresses.csv --commit --source "County address file 2026"

The logic is in requests_app.importers.addresses.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from requests_app.importers.addresses import (
    addresses_drop_existing,
    addresses_read,
    addresses_save,
)
from requests_app.importers.geo import boundary_prepared

# seed_demo imports these three from here until it calls the city-pack loader.
__all__ = ["Command", "addresses_read", "addresses_save", "boundary_prepared"]


class Command(BaseCommand):
    help = "Import address points from CSV (label,lat,lng[,kind]) or GeoJSON points."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV or GeoJSON file")
        parser.add_argument("--source", default="", help="Where the data came from")
        parser.add_argument(
            "--srid", type=int, help="EPSG code of a GeoJSON's coordinates when it does not say"
        )
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
        read = addresses_read(path, boundary=boundary, srid=options["srid"])
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
