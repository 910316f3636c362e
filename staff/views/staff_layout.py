"""A staff page put together from its templates' own text (requests_app/page_stencil.py): the
template on staff/base.html on base.html rendered once per process, language and header variant
with a marker in each per-request slot, then filled for each page.

The header variants are what it shows differently: the duty switch (a profile or not, on or off
duty), the admin link (`is_staff`) and the dev mailbox link (a city admin). The slots every staff
layout has are the CSRF token, the address the duty switch returns to (only with a profile) and
the signed-in user's name. The request page (detail_layout.py) and the blank intake page
(intake_layout.py) are built on it; their tests render the templates beside them and compare
byte for byte."""

from __future__ import annotations

from types import SimpleNamespace

from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.html import conditional_escape

from civic311.context_processors import city
from requests_app.page_stencil import Stencil, mark, page, stencil

STAFF_SLOTS = ("csrf_token", "path", "who")

# (is_staff, has a profile, on duty, city admin)
type Variant = tuple[bool, bool, bool, bool]


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

    htmx = False

    def __init__(self, variant: Variant) -> None:
        is_staff, profile, on_duty, city_admin = variant
        self.user = _User(is_staff=is_staff)
        # A superuser without a saved profile has no duty switch (its pk is None).
        self.staff = SimpleNamespace(
            pk=1 if profile else None, on_duty=on_duty, is_city_admin=city_admin
        )

    def get_full_path(self) -> str:
        return mark("path")


def staff_variant(request: HttpRequest) -> Variant:
    """What the header shows differently for the signed-in staff member."""
    staff = request.staff  # type: ignore[attr-defined]
    return (
        bool(request.user.is_staff),
        bool(staff.pk),
        bool(staff.on_duty),
        bool(staff.is_city_admin),
    )


def staff_stencil(
    template_name: str, context: dict, slots: tuple[str, ...], variant: Variant
) -> Stencil:
    """`template_name` rendered for `variant` with markers in the staff layout's slots and
    `slots` (the page's own)."""
    viewer = _Viewer(variant)
    # Rendered without a request, so no context processors: the city's names and the dev
    # mailbox switch as the city processor gives them (per_language forgets on a setting change).
    context = {**city(viewer), "request": viewer, "messages": [], **context}
    profile = variant[1]
    # The address is only in the duty switch.
    layout = STAFF_SLOTS if profile else tuple(s for s in STAFF_SLOTS if s != "path")
    return stencil(get_template(template_name), context, (*slots, *layout))


def staff_fill(
    request: HttpRequest, kit: Stencil, values: dict[str, str], *, csrf_token: str
) -> str:
    """The page from its stencil: the page's `values` and the layout's slots (the token and
    path as requests_app.page_stencil.page fills them, and the user's name)."""
    user = request.user
    # {{ }} prints a value escaped unless it is already safe.
    who = conditional_escape(user.get_full_name() or user.get_username())
    return page(request, kit, {**values, "who": who}, token=csrf_token)
