"""Load a city pack (data/cities/<city>/): departments, categories, questions, closure reasons,
calendars, service levels, areas, addresses and assets.

A dry run unless --commit. It validates the whole pack first and lists every problem with its
file, key, line and fix; then loads everything by code in one transaction (a dry run rolls it
back), so it says exactly what would be created and updated. Running it again changes nothing;
an edited pack updates what changed; nothing is deleted.

    manage.py load_city data/cities/san-francisco                   # check + dry run
    manage.py load_city data/cities/example-town --commit
    manage.py load_city data/cities/example-town --no-addresses --commit

The logic is in requests_app.citypack.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError, CommandParser

from requests_app.citypack import PackInvalid, citypack_load
from requests_app.importers.command import DRY_RUN, DryRunCommand


class Command(DryRunCommand):
    help = "Validate and load a city pack (a folder of TOML and GIS files)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The pack's folder, e.g. data/cities/x")
        parser.add_argument(
            "--no-areas", action="store_true", help="Skip the area sets in geography.toml"
        )
        parser.add_argument(
            "--no-addresses",
            action="store_true",
            help="Skip the address and asset files in geography.toml",
        )
        super().add_arguments(parser)

    def handle(self, *args, **options) -> None:
        out = self.stdout
        try:
            report = citypack_load(
                options["path"],
                commit=options["commit"],
                areas=not options["no_areas"],
                addresses=not options["no_addresses"],
                out=out.write,
            )
        except PackInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(exc.problems)} problem(s) in {options['path']}; nothing was loaded."
            ) from exc
        verb = "Loaded" if report.committed else "Would load"
        out.write(f"{verb} {options['path']}:")
        for line in report.log.summary():
            out.write(line)
        if not report.committed:
            out.write(self.style.WARNING(DRY_RUN))
        else:
            out.write(self.style.SUCCESS(f"Done: {report.log.changed()} rows created or updated."))
