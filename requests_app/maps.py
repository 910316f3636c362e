"""Map settings every page with a Leaflet map needs (resident and staff pages alike)."""

from __future__ import annotations

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static

# Built once per process: settings and static file names do not change while it runs, and three
# static() look-ups (manifest, URL joining) were ~0.1 ms of every map page.
_CONFIG: dict | None = None


def map_config() -> dict:
    global _CONFIG
    if _CONFIG is None:
        _CONFIG = {
            "center": settings.MAP_CENTER,
            "zoom": settings.MAP_ZOOM,
            "tileUrl": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "icons": {
                "icon": static("vendor/leaflet/images/marker-icon.png"),
                "icon2x": static("vendor/leaflet/images/marker-icon-2x.png"),
                "shadow": static("vendor/leaflet/images/marker-shadow.png"),
            },
        }
    # A copy, so a caller that changes its dict cannot change every later page's.
    return {**_CONFIG, "icons": dict(_CONFIG["icons"])}


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs) -> None:
    global _CONFIG
    _CONFIG = None
