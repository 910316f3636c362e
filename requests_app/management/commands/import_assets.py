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

from django.core.management.base import CommandParser

from requests_app.importers.assets import (
    asset_type_clean,
    assets_existing,
    assets_read,
    assets_save,
    department_by_slug,
)
from requests_app.importers.command import PointImportCommand


class Command(PointImportCommand):
    help = "Import assets (streetlights, hydrants, signs, trees) from GeoJSON points or CSV."
    file_help = "GeoJSON (any GDAL point layer) or CSV"

    def add_layer_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--type", required=True, dest="asset_type", help="Asset type, e.g. streetlight"
        )
        parser.add_argument("--id-field", help="Field holding the asset id (default: asset_id/id)")
        parser.add_argument("--name-field", help="Field holding a name or description")
        parser.add_argument("--department", metavar="SLUG", help="Department that owns them")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        asset_type = asset_type_clean(options["asset_type"])
        department = department_by_slug(options["department"]) if options["department"] else None
        boundary = self.boundary(options)
        read = assets_read(
            path,
            id_field=options["id_field"],
            name_field=options["name_field"],
            boundary=boundary,
            srid=options["srid"],
        )
        existing = assets_existing(asset_type=asset_type, drafts=read.drafts)
        self.write_rows_read(rows=read.rows, path=path, boundary=boundary)
        owner = f", owned by {department.name}" if department else ""
        new = len(read.drafts) - len(existing)
        add, update = ("Adding", "updating") if options["commit"] else ("Would add", "update")
        updates = f" and {update} {len(existing)} existing" if existing else ""
        self.stdout.write(f"{add} {new} new{updates} {asset_type} assets{owner}.")
        self.write_skipped(read.skipped)
        if self.dry_run_ended(options):
            return
        assets_save(
            read.drafts,
            asset_type=asset_type,
            department=department,
            source=self.source(options),
        )
        self.stdout.write(self.style.SUCCESS(f"Saved {len(read.drafts)} {asset_type} assets."))
