"""Where the demo city's data files are: the one place that knows the folder.

No Django imports, so data scripts can use it too."""

from __future__ import annotations

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# The demo city's pack (load_city reads it); the simulator also reads cases.csv from it.
CITY_DIR = BASE_DIR / "data" / "cities" / "san-francisco"
