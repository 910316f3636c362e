"""Import an asset layer (streetlights, hydrants, signs, trees) that residents pick from at intake.

A dry run unless --commit. Input is GeoJSON (or any GDAL point layer) or a CSV with lat/lon
columns (lat/lng, latitude/longitude or y/x). Each row is upserted by (asset type, asset id): a
re-import updates the points it already has and adds the new ones. Every other column or
property is kept in the asset's `attributes`. Rows with no id, unusable coordinates, points
outside the active service boundary and ids repeated in the file are skipped and counted.

    manage.py import_assets lights.geojson --type streetlight --id-field POLE_ID \\
        --name-field LOCATION --department lighting
    manage.py import_assets hydrants.csv --type hydrant --commit --source "Water dept 2026"

The logic is in requests_app.importers.assets.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from requests_app.importers.assets import (
    asset_type_clean,
    assets_existing,
    assets_read,
    assets_save,
    department_by_slug,
)
from requests_app.importers.geo import boundary_prepared


class Command(BaseCommand):
    help = "Import assets (streetlights, hydrants, signs, trees) from GeoJSON points or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="GeoJSON (any GDAL point layer) or CSV")
        parser.add_argument(
            "--type", required=True, dest="asset_type", help="Asset type, e.g. streetlight"
        )
        parser.add_argument("--id-field", help="Field holding the asset id (default: asset_id/id)")
        parser.add_argument("--name-field", help="Field holding a name or description")
        parser.add_argument("--department", metavar="SLUG", help="Department that owns them")
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
        asset_type = asset_type_clean(options["asset_type"])
        department = department_by_slug(options["department"]) if options["department"] else None
        boundary = None if options["ignore_boundary"] else boundary_prepared()
        read = assets_read(
            path,
            id_field=options["id_field"],
            name_field=options["name_field"],
            boundary=boundary,
            srid=options["srid"],
        )
        existing = assets_existing(asset_type=asset_type, drafts=read.drafts)
        out = self.stdout
        note = " (checked against the active service boundary)" if boundary else ""
        out.write(f"Read {read.rows} rows from {path.name}{note}.")
        owner = f", owned by {department.name}" if department else ""
        new = len(read.drafts) - len(existing)
        add, update = ("Adding", "updating") if options["commit"] else ("Would add", "update")
        updates = f" and {update} {len(existing)} existing" if existing else ""
        out.write(f"{add} {new} new{updates} {asset_type} assets{owner}.")
        if read.skipped:
            out.write(f"Skipped {sum(read.skipped.values())} rows:")
            for reason, count in read.skipped.most_common():
                out.write(f"  {count:>7}  {reason}")
        if not options["commit"]:
            out.write(self.style.WARNING("Dry run: nothing written. Add --commit to save."))
            return
        assets_save(
            read.drafts,
            asset_type=asset_type,
            department=department,
            source=(options["source"] or path.name)[:120],
        )
        out.write(self.style.SUCCESS(f"Saved {len(read.drafts)} {asset_type} assets."))
