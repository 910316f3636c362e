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

from requests_app.importers.addresses import (
    addresses_drop_existing,
    addresses_read,
    addresses_save,
)
from requests_app.importers.command import PointImportCommand


class Command(PointImportCommand):
    help = "Import address points from CSV (label,lat,lng[,kind]) or GeoJSON points."
    file_help = "CSV or GeoJSON file"

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        boundary = self.boundary(options)
        read = addresses_read(path, boundary=boundary, srid=options["srid"])
        addresses_drop_existing(read)
        self.write_rows_read(rows=read.rows, path=path, boundary=boundary)
        kinds = Counter(d.kind for d in read.drafts)
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        verb = "Adding" if options["commit"] else "Would add"
        self.stdout.write(
            f"{verb} {len(read.drafts)} address points" + (f" ({summary})." if summary else ".")
        )
        self.write_skipped(read.skipped)
        if self.dry_run_ended(options):
            return
        added = addresses_save(read.drafts, source=self.source(options))
        self.stdout.write(self.style.SUCCESS(f"Added {added} address points."))
