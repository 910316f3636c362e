"""The scaffolding the data-changing commands share: a dry run unless --commit, and the same words
for what was read and skipped. The commands stay thin; what they import is in the modules here."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django.contrib.gis.geos.prepared import PreparedGeometry
from django.core.management.base import BaseCommand, CommandParser

from requests_app.importers.geo import boundary_prepared

DRY_RUN = "Dry run: nothing written. Add --commit to save."


class DryRunCommand(BaseCommand):
    """Reads and checks everything, says what it would do, and writes only with --commit."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--commit", action="store_true", help="Write to the database (default: dry run)"
        )

    def dry_run_ended(self, options: dict) -> bool:
        """True (after saying so) when this run writes nothing."""
        if options["commit"]:
            return False
        self.stdout.write(self.style.WARNING(DRY_RUN))
        return True


class PointImportCommand(DryRunCommand):
    """Imports a file of points (addresses, assets) checked against the active service boundary."""

    file_help = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=self.file_help)
        self.add_layer_arguments(parser)
        parser.add_argument("--source", default="", help="Where the data came from")
        parser.add_argument(
            "--srid", type=int, help="EPSG code of a GeoJSON's coordinates when it does not say"
        )
        parser.add_argument(
            "--ignore-boundary",
            action="store_true",
            help="Keep points outside the active service boundary",
        )
        super().add_arguments(parser)

    def add_layer_arguments(self, parser: CommandParser) -> None:
        """The options of one kind of layer, between the file and the common ones."""

    def boundary(self, options: dict) -> PreparedGeometry | None:
        return None if options["ignore_boundary"] else boundary_prepared()

    def write_rows_read(self, *, rows: int, path: Path, boundary: PreparedGeometry | None) -> None:
        note = " (checked against the active service boundary)" if boundary else ""
        self.stdout.write(f"Read {rows} rows from {path.name}{note}.")

    def write_skipped(self, skipped: Counter) -> None:
        if skipped:
            self.stdout.write(f"Skipped {sum(skipped.values())} rows:")
            for reason, count in skipped.most_common():
                self.stdout.write(f"  {count:>7}  {reason}")

    def source(self, options: dict) -> str:
        return (options["source"] or options["file"].name)[:120]
