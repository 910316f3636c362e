"""Assets at intake: asset types in words and the picker's context.

An asset type is a free slug an admin chooses when importing a layer; the common ones get a
translated name, any other is shown as written."""

from __future__ import annotations

from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from requests_app.models import Category
from requests_app.selectors import assets_nearest

ASSET_TYPE_NAMES = {
    "streetlight": _("streetlight"),
    "hydrant": _("fire hydrant"),
    "sign": _("sign"),
    "tree": _("tree"),
    "signal": _("traffic signal"),
    "bench": _("bench"),
    "bin": _("litter bin"),
    "drain": _("storm drain"),
}


def asset_type_name(asset_type: str) -> str:
    """'streetlight' -> 'streetlight' (or 'farola' in Spanish); unknown slugs lose their dashes."""
    name = ASSET_TYPE_NAMES.get(asset_type)
    return str(name) if name else asset_type.replace("-", " ").replace("_", " ")


def asset_label(*, asset_type: str, asset_id: str) -> str:
    """What residents and staff read: 'Streetlight SL-1234'."""
    if not asset_id:
        return ""
    name = asset_type_name(asset_type)
    return f"{name[:1].upper()}{name[1:]} {asset_id}".strip()


def asset_picker_context(
    *, category: Category | None, point: Point | None, picked: str, url: str, trigger: str
) -> dict:
    """What the asset picker fragment (includes/asset_picker.html) shows: the nearest assets of
    the category's type to the point. Shared by the resident form and the operator's intake."""
    asset_type = category.asset_type if category is not None else ""
    candidates = (
        assets_nearest(asset_type=asset_type, point=point)
        if asset_type and point is not None
        else []
    )
    return {
        "asset_type": asset_type,
        "asset_type_name": asset_type_name(asset_type) if asset_type else "",
        "asset_candidates": candidates,
        "asset_located": point is not None,
        "asset_picked": picked if any(a.asset_id == picked for a in candidates) else "",
        "asset_picker_url": url,
        "asset_picker_trigger": trigger,
    }
