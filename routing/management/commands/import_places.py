"""Import sensitive places (schools, hospitals, care homes) for the priority score.

A dry run unless --commit. Input is a CSV with columns `name,lat,lng` (`label` may stand for
`name`; `latitude`/`longitude`, `y`/`x` are read too) or GeoJSON points with a `name` or `label`
property. Every place gets the --kind, --radius and --points given. Rows with a blank name, blank,
placeholder or out-of-range coordinates, names repeated in the file and places of that kind already
stored under the same name are skipped and counted. Points outside the service boundary are kept:
a hospital just over the city line still matters to a request near it.

    manage.py import_places schools.geojson --kind school                  # dry run
    manage.py import_places schools.csv --kind school --radius 150 --points 15 --commit

The logic is in routing.places.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing.places import ERR_KIND, places_read, places_save


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
