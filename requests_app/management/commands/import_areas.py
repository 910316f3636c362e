"""Import a set of areas (service boundary, neighbourhoods or wards) from GeoJSON or a shapefile.

A dry run unless --commit: it reads and checks everything, prints what it would create and writes
nothing. Each import adds a new AreaSet (a "generation"); --activate makes it the active set of its
kind in the same transaction, so requests already filed keep the areas they were filed in. A file
in a projected system that does not say so (a GeoJSON without `crs`) needs --srid.

    manage.py import_areas wards.shp --kind ward --name "Wards 2026" --name-field WARD_NAME
    manage.py import_areas tracts.geojson --kind neighbourhood --name "Neighbourhoods" \\
        --dissolve-by nhood --activate --commit
    manage.py import_areas tracts.geojson --kind boundary --name "City" --dissolve-all --commit
    manage.py import_areas nhoods_stateplane.geojson --srid 2227 --kind neighbourhood ...

The logic is in requests_app.importers.areas.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandParser

from requests_app.importers.areas import AreaRead, area_set_save, areas_read
from requests_app.importers.command import DryRunCommand
from requests_app.models import AreaSet

LIST_LIMIT = 60


def area_read_lines(read: AreaRead, *, path: Path) -> list[str]:
    """What was read, in words (shared with load_city's dry run)."""
    lines = [f"Read {read.features} features from {path.name} ({read.srs_note})."]
    extent = read.extent
    if extent:
        lines.append(
            "Bounding box in WGS84 (EPSG:4326): "
            "west {:.5f}, south {:.5f}, east {:.5f}, north {:.5f}.".format(*extent)
        )
    if read.fixed:
        lines.append(f"Repaired {read.fixed} invalid geometries.")
    if read.skipped_unnamed:
        lines.append(f"Skipped {read.skipped_unnamed} features without a name.")
    if read.skipped_not_polygon:
        lines.append(f"Skipped {read.skipped_not_polygon} features that are not polygons.")
    return lines


class Command(DryRunCommand):
    help = "Import areas (boundary, neighbourhoods, wards) from GeoJSON or a shapefile."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="GeoJSON file or .shp (any GDAL vector file)")
        parser.add_argument("--kind", required=True, choices=AreaSet.Kind.values)
        parser.add_argument("--name", required=True, help="Name of the new area set")
        naming = parser.add_mutually_exclusive_group()
        naming.add_argument("--name-field", help="Property holding each area's name")
        naming.add_argument(
            "--dissolve-by", metavar="FIELD", help="Merge features sharing this property's value"
        )
        naming.add_argument(
            "--dissolve-all",
            action="store_true",
            help="Merge every feature into one area named after the set (for a boundary)",
        )
        parser.add_argument("--code-field", help="Property holding each area's code")
        parser.add_argument(
            "--srid",
            type=int,
            help="EPSG code of the file's coordinates when the file does not say (e.g. 2227)",
        )
        parser.add_argument("--source", default="", help="Where the data came from")
        parser.add_argument(
            "--activate", action="store_true", help="Make it the active set of its kind"
        )
        super().add_arguments(parser)

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        kind: str = options["kind"]
        read = areas_read(
            path,
            set_name=options["name"],
            name_field=options["name_field"],
            code_field=options["code_field"],
            dissolve_by=options["dissolve_by"],
            dissolve_all=options["dissolve_all"],
            srid=options["srid"],
        )
        out = self.stdout
        for line in area_read_lines(read, path=path):
            out.write(line)

        verb = "Creating" if options["commit"] else "Would create"
        count = f"{len(read.areas)} area" + ("" if len(read.areas) == 1 else "s")
        out.write(f'{verb} {kind} set "{options["name"]}" with {count}:')
        for area in read.areas[:LIST_LIMIT]:
            out.write(f"  {area.name} ({area.code})" if area.code else f"  {area.name}")
        if len(read.areas) > LIST_LIMIT:
            out.write(f"  ... and {len(read.areas) - LIST_LIMIT} more")

        if self.dry_run_ended(options):
            return
        area_set, previous = area_set_save(
            kind=kind,
            name=options["name"],
            source=options["source"] or path.name,
            areas=read.areas,
            activate=options["activate"],
        )
        out.write(self.style.SUCCESS(f"Created area set {area_set.pk} with {count}."))
        if options["activate"]:
            replaced = f' (replacing "{previous.name}")' if previous else ""
            out.write(f"It is now the active {kind} set{replaced}.")
        else:
            out.write("It is not active: run again with --activate, or activate it in the admin.")
