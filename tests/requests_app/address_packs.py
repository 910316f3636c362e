"""Load a city pack's address points and places (only those) for the address search tests."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from requests_app.citypack import LoadLog, citypack_validate
from requests_app.citypack.core import GEOGRAPHY
from requests_app.citypack.places import places_load
from requests_app.importers.addresses import addresses_read, addresses_save
from requests_app.models import AddressPoint, AreaSet

PACKS = Path(settings.BASE_DIR) / "data" / "cities"
SAN_FRANCISCO = PACKS / "san-francisco"


def pack_points_load(path: Path) -> None:
    """Replace every address point with the pack's (its address files and places.toml), as the
    city-pack loader stores them, without the slower areas and definitions."""
    pack, problems = citypack_validate(path)
    assert not problems, problems
    AddressPoint.objects.all().delete()
    # Another city's boundary (the test city's) would keep this pack's places out.
    AreaSet.objects.filter(kind=AreaSet.Kind.BOUNDARY).update(active=False)
    for entry in (pack.table(GEOGRAPHY).get("addresses") or {}).values():
        read = addresses_read(path / entry["file"], boundary=None)
        addresses_save(read.drafts, source=entry["file"])
    places_load(pack, LoadLog())
