"""The staff request page's layout (templates/staff/detail.html on staff/base.html on base.html)
put together from the templates' own text (requests_app/page_stencil.py).

Why: with the fragment written in Python (detail_body.py), walking the three `{% extends %}`
levels for their blocks was still about a fifth of the page's Python, to print what is the same
for every page of a language but for a handful of values. The layout is rendered once per
process, language and header variant with a marker in each per-request slot: the title's
tracking number and category, the fragment, the CSRF token, the address the duty switch returns
to and the signed-in user's name. The variants are what the header shows differently: the duty
switch (a profile or not, on or off duty), the admin link (`is_staff`) and the dev mailbox link
(a city admin). A page with messages waiting is rendered by the template as before (it shows,
and so uses, them).

The layout itself is staff_layout.py's, which the blank intake page shares. The templates stay
the page's source of truth: tests/staff/test_detail_layout.py renders them beside the page built
here and compares byte for byte."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.utils.html import conditional_escape

from requests_app.models import ServiceRequest
from requests_app.page_stencil import Stencil, mark, per_language
from staff.views.staff_layout import Variant, staff_fill, staff_stencil, staff_variant

_SLOTS = ("tn", "category", "body")


def _layout(variant: Variant) -> Stencil:
    context = {
        "sr": SimpleNamespace(
            tracking_number=mark("tn"), category=SimpleNamespace(tr_name=mark("category"))
        ),
        "detail_html": mark("body"),
    }
    return staff_stencil("staff/detail.html", context, _SLOTS, variant)


def detail_page(
    request: HttpRequest, sr: ServiceRequest, *, detail_html: str, csrf_token: str
) -> str | None:
    """The whole page, as `render(request, "staff/detail.html", ...)` gives it with the view's
    fragment, request and token; None when messages are waiting (the caller renders them)."""
    if len(get_messages(request)):
        return None
    kit = per_language(_layout, staff_variant(request))
    # {{ }} prints a value escaped unless it is already safe; a missing category prints nothing.
    category = sr.category
    values = {
        "tn": conditional_escape(sr.tracking_number),
        "category": conditional_escape(category.tr_name) if category is not None else "",
        "body": detail_html,
    }
    return staff_fill(request, kit, values, csrf_token=csrf_token)
