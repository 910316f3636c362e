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

The templates stay the page's source of truth: tests/staff/test_detail_layout.py renders them
beside the page built here and compares byte for byte."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.html import conditional_escape, escape

from civic311.context_processors import city
from requests_app.models import ServiceRequest
from requests_app.page_stencil import Stencil, mark, per_language, stencil

_SLOTS = ("tn", "category", "body", "csrf_token", "path", "who")


class _User:
    """The signed-in user as the layout reads it: the name is a slot."""

    is_authenticated = True

    def __init__(self, *, is_staff: bool) -> None:
        self.is_staff = is_staff

    def get_full_name(self) -> str:
        return mark("who")

    def get_username(self) -> str:
        return mark("who")


class _Viewer:
    """Stands in for the request: what staff/base.html and the duty switch read of it."""

    def __init__(self, *, is_staff: bool, profile: bool, on_duty: bool, city_admin: bool) -> None:
        self.user = _User(is_staff=is_staff)
        # A superuser without a saved profile has no duty switch (its pk is None).
        self.staff = SimpleNamespace(
            pk=1 if profile else None, on_duty=on_duty, is_city_admin=city_admin
        )

    def get_full_path(self) -> str:
        return mark("path")


def _layout(is_staff: bool, profile: bool, on_duty: bool, city_admin: bool) -> Stencil:
    viewer = _Viewer(is_staff=is_staff, profile=profile, on_duty=on_duty, city_admin=city_admin)
    # Rendered without a request, so no context processors: the city's names and the dev
    # mailbox switch as the city processor gives them (per_language forgets on a setting change).
    context = {
        **city(viewer),
        "request": viewer,
        "sr": SimpleNamespace(
            tracking_number=mark("tn"), category=SimpleNamespace(tr_name=mark("category"))
        ),
        "detail_html": mark("body"),
        "messages": [],
    }
    # `csrf_token` and the others are given their markers by stencil(); the address is only in
    # the duty switch.
    slots = _SLOTS if profile else tuple(name for name in _SLOTS if name != "path")
    return stencil(get_template("staff/detail.html"), context, slots)


def detail_page(
    request: HttpRequest, sr: ServiceRequest, *, detail_html: str, csrf_token: str
) -> str | None:
    """The whole page, as `render(request, "staff/detail.html", ...)` gives it with the view's
    fragment, request and token; None when messages are waiting (the caller renders them)."""
    if len(get_messages(request)):
        return None
    user, staff = request.user, request.staff
    kit = per_language(
        _layout, user.is_staff, bool(staff.pk), bool(staff.on_duty), bool(staff.is_city_admin)
    )
    # {{ }} prints a value escaped unless it is already safe; a missing category prints nothing.
    category = sr.category
    return kit.fill(
        {
            "tn": conditional_escape(sr.tracking_number),
            "category": conditional_escape(category.tr_name) if category is not None else "",
            "body": detail_html,
            "csrf_token": csrf_token,
            "path": escape(request.get_full_path()),
            "who": conditional_escape(user.get_full_name() or user.get_username()),
        }
    )
