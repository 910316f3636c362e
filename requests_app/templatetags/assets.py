from __future__ import annotations

from django import template

from requests_app import assets

register = template.Library()


@register.filter
def asset_type_name(asset_type: str) -> str:
    return assets.asset_type_name(asset_type or "")


@register.filter
def request_asset(service_request) -> str:
    """'Streetlight SL-1234' for the asset a request was filed against, or ''. The id kept on the
    request wins, so the line survives the asset being removed from the layer."""
    ref = getattr(service_request, "asset_ref", "")
    if not ref:
        return ""
    asset = service_request.asset if service_request.asset_id else None
    asset_type = asset.asset_type if asset else service_request.category.asset_type
    return assets.asset_label(asset_type=asset_type, asset_id=ref)
