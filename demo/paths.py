"""Where the demo city's data files are: the one place that knows the folder.

No Django imports, so data scripts can use it too."""

from __future__ import annotations

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# The city pack's folder; data/demo_city is its older name, used until the move lands.
CITY_DIR = BASE_DIR / "data" / "cities" / "san-francisco"
if not CITY_DIR.is_dir():
    CITY_DIR = BASE_DIR / "data" / "demo_city"
