"""Map settings every page with a Leaflet map needs (resident and staff pages alike)."""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static


def map_config() -> dict:
    return {
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
