"""The blank operator intake page (what an operator opens for each call) from its stencil
(staff_layout.py): templates/staff/intake.html on the staff layout rendered once per process,
reference snapshot (the category picker lists the admin's categories), language and header
variant, with a marker in each per-request slot: the form's idempotency key, the CSRF token, the
address the duty switch returns to and the signed-in user's name.

Why: the page is a long form (two radio lists, the category picker's 36 categories in ten
groups, the caller's fields) that is the same for every blank page but for those four values;
walking its templates was most of the page's time. A page with messages waiting, or whose
snapshot has no config stamp, is rendered by the template as before. The template stays the
source of truth: tests/staff/test_intake_layout.py renders it beside the page built here and
compares byte for byte."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import get_script_prefix
from django.utils.translation import get_language

from requests_app.page_stencil import Stencil, mark
from requests_app.reference import reference
from staff.views.staff_layout import staff_fill, staff_stencil, staff_variant

TEMPLATE = "staff/intake.html"
_SLOTS = ("idem",)

# The stencils of one reference snapshot (a new snapshot starts afresh): a few per language.
_kits: dict[tuple, Stencil] = {}
_kits_version: list[int | None] = [None]


def intake_blank_page(request: HttpRequest, context_for: Callable[[object], dict]) -> str | None:
    """The blank page as `render(request, TEMPLATE, context_for(key))` gives it, with a new
    idempotency key; `context_for(idempotency_key)` is the view's context for a blank form with
    that key. None when the template must render it (messages waiting, no config stamp)."""
    if len(get_messages(request)):
        return None
    version = reference().version
    if version is None:
        return None
    if _kits_version[0] != version:
        _kits.clear()
        _kits_version[0] = version
    variant = staff_variant(request)
    key = (get_language(), get_script_prefix(), variant)
    kit = _kits.get(key)
    if kit is None:
        kit = _kits[key] = staff_stencil(TEMPLATE, context_for(mark("idem")), _SLOTS, variant)
    return staff_fill(request, kit, {"idem": str(uuid.uuid4())}, csrf_token=get_token(request))


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs) -> None:
    # The city's name is in the layout, the static addresses in its links.
    _kits.clear()
