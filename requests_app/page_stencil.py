"""Resident pages put together from their templates' own text, rendered once with a marker in
each per-request slot (the tracker, the public list and its results fragment).

Why: on the busiest resident pages about half of the CPU was the template engine walking the
base layout and the page's template (`{% extends %}` visits every node for its blocks, dozens of
lookups, the context processors) to print text that is either the same for every reader of a
language or one of a few values per request. Here a template is rendered once per process,
language, script prefix and variant (`per_language`), with a marker where a per-request value
goes; the text between the markers is kept (`Stencil`) and a page fills the slots. No markup is
retyped: the templates stay the pages' source of truth, and tests render them beside the pages
built here and compare byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from html import escape

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.template import engines
from django.urls import get_script_prefix
from django.utils.translation import get_language

# A marker survives HTML escaping unchanged (NUL is no HTML special), and no template or
# translation of ours holds a NUL.
_MARK = "\x00{}\x00"
_MARK_RE = re.compile("\x00(\\w+)\x00")


def mark(name: str) -> str:
    """The marker of slot `name`, to give the template in that value's place."""
    return _MARK.format(name)


class Slot:
    """Stands in for the request in a template: `{{ request.get_full_path }}` is the `path` slot;
    `request.htmx` is what the variant being rendered says."""

    def __init__(self, *, htmx: bool = False) -> None:
        self.htmx = htmx

    def get_full_path(self) -> str:
        return mark("path")


class Stencil:
    """A template's output with named slots: literal text at even places, slot names at odd."""

    def __init__(self, text: str, slots: tuple[str, ...]) -> None:
        self.parts = _MARK_RE.split(text)
        # Each slot must be in the text (a template change that dropped one would go unnoticed).
        found = set(self.parts[1::2])
        if found != set(slots):
            raise RuntimeError(f"stencil: slots {sorted(found)}, expected {sorted(slots)}")

    def fill(self, values: dict[str, str]) -> str:
        parts = self.parts[:]
        for i in range(1, len(parts), 2):
            parts[i] = values[parts[i]]
        return "".join(parts)


def stencil(
    template, context: dict, slots: tuple[str, ...], *, cut: dict[str, str] | None = None
) -> Stencil:
    """`template` rendered with each slot's marker as its value. `cut` names slots whose place is
    a piece of the output rather than a value (a loop, a filter's result): the piece, rendered
    beside it from the same context, must appear exactly once and becomes that slot."""
    cut = cut or {}
    values = {name: mark(name) for name in slots if name not in cut}
    text = template.render({"request": Slot(), **context, **values})
    for name, piece in cut.items():
        if text.count(piece) != 1:
            raise RuntimeError(f"stencil: {name!r} is not in the text exactly once")
        text = text.replace(piece, mark(name))
    return Stencil(text, slots)


_KITS: dict[tuple, object] = {}


def per_language[Kit](build: Callable[..., Kit], *key: Hashable) -> Kit:
    """What `build(*key)` gives, once per process, language, script prefix (part of every
    address inside; fixed for a deployment) and `key`."""
    full_key = (build, get_language(), get_script_prefix(), *key)
    kit = _KITS.get(full_key)
    if kit is None:
        kit = _KITS[full_key] = build(*key)
    return kit  # type: ignore[return-value]


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs) -> None:
    # The city's name and phone are in the layout, the static addresses in its links.
    _KITS.clear()


# The layout every map page has (base.html's blocks as map_base.html fills them) with the title
# and body left to fill.
_MAP_LAYOUT = (
    '{% extends "requests_app/map_base.html" %}'
    "{% block title %}{{ title }}{% endblock %}{% block content %}{{ body }}{% endblock %}"
)
LAYOUT_SLOTS = ("csrf_token", "path")


def map_layout() -> Stencil:
    return stencil(engines["django"].from_string(_MAP_LAYOUT), {}, ("title", "body", *LAYOUT_SLOTS))


def page(request: HttpRequest, kit: Stencil, values: dict[str, str], *, token: str) -> str:
    """A page from its stencil: `values` and the layout's own slots, the CSRF token (already
    escaped; one masked token a page, as the csrf context processor gives one per render) and
    the path the language switch returns to."""
    return kit.fill({**values, "csrf_token": token, "path": escape(request.get_full_path())})
