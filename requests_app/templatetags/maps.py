"""`{% map_config_script %}`: the map pages' `<script id="map-config">`, made once per process.

`{{ map_config|json_script:"map-config" }}` serialised and escaped the same settings-only dict
on every tracker and list page (~0.05 ms each); the settings do not change while the process
runs, and a settings change (tests) drops the copy as it drops map_config's own."""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.html import json_script
from django.utils.safestring import SafeString

from requests_app.maps import map_config

register = template.Library()

_SCRIPT: SafeString | None = None


@register.simple_tag
def map_config_script() -> SafeString:
    global _SCRIPT
    if _SCRIPT is None:
        _SCRIPT = json_script(map_config(), "map-config")
    return _SCRIPT


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs) -> None:
    global _SCRIPT
    _SCRIPT = None
