"""Importers: library code that reads area, address and asset files into the database.

The management commands (`import_areas`, `import_addresses`, `import_assets`) and the city-pack
loader (`requests_app.citypack`) are thin callers of these modules, as in mapit's
add_areas_from_file/core.py. Reading is separate from saving, so a dry run reads and checks
everything and writes nothing.
"""

from __future__ import annotations

from django.core.management.base import CommandError


class ImportFileError(CommandError):
    """A file that cannot be imported as it is; the message says why and what to do.

    A CommandError so that a management command shows it as a plain error without a traceback;
    library callers (the city-pack loader) catch it like any other exception."""
