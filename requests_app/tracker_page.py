"""The public tracker page (`/requests/<number>/`) put together in Python.

Why: the tracker is the busiest resident page, and after round 4 about half of its CPU was the
template engine walking `tracker.html` and the base layout (~500 attribute lookups, a dozen
blocks, the context processors) to print text that is either the same for every reader of a
language or one of a few values per request. Here:

1. The page's layout (base.html through map_base.html, with the title and body as slots) and the
   follow box (with its form's address and CSRF token as slots) are rendered by the real
   templates once per process and language, each per-request value replaced by a marker; the
   text between the markers is kept (`_Stencil`). A page fills the slots.
2. The body (`_body`) prints the request's values into the same markup as `tracker.html`'s
   content block, with the same escaping; its fixed text is the same catalogue entries.

`tracker.html` stays the page's source of truth (the private page renders it, with its comment
form): tests render it beside this page for open, closed, duplicate, with and without photos,
asset and resident updates, in English and Spanish, and compare them byte for byte.
"""

from __future__ import annotations

import re
from html import escape

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template import engines
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext

from requests_app.templatetags.assets import request_asset
from requests_app.templatetags.cards import pipeline_steps, timeline_entries
from requests_app.templatetags.maps import map_config_script
from requests_app.templatetags.times import ISO_TIME, day_time
from requests_app.templatetags.tracker import expected_by, request_title

# The follow box's form before anything is typed, as notifications/follow.html reads it: no
# errors, no value. Also what tests give tracker.html when they compare pages.
BLANK_FOLLOW_FORM = {"contact": {"errors": (), "value": ""}, "non_field_errors": ()}

# The layout every map page has (base.html's blocks as map_base.html fills them) with the
# tracker's title and body left to fill.
_LAYOUT = (
    '{% extends "requests_app/map_base.html" %}'
    "{% block title %}{{ title }}{% endblock %}{% block content %}{{ body }}{% endblock %}"
)

# A marker survives HTML escaping unchanged (NUL is no HTML special), and no template or
# translation of ours holds a NUL.
_MARK = "\x00{}\x00"
_MARK_RE = re.compile("\x00(\\w+)\x00")


class _Slot:
    # Stands in for the request in the layout: `{{ request.get_full_path }}`.
    def get_full_path(self) -> str:
        return _MARK.format("path")


class _Stencil:
    """A template's output with named slots: literal text at even places, slot names at odd."""

    def __init__(self, text: str) -> None:
        self.parts = _MARK_RE.split(text)

    def fill(self, values: dict[str, str]) -> str:
        parts = self.parts[:]
        for i in range(1, len(parts), 2):
            parts[i] = values[parts[i]]
        return "".join(parts)


def _stencil(template, context: dict, slots: tuple[str, ...]) -> _Stencil:
    values = {name: _MARK.format(name) for name in slots}
    stencil = _Stencil(template.render({**context, **values, "request": _Slot()}))
    # Each slot must be in the text (a template change that dropped one would go unnoticed).
    found = set(stencil.parts[1::2])
    if found != set(slots):
        raise RuntimeError(f"tracker page: slots {sorted(found)}, expected {sorted(slots)}")
    return stencil


# The catalogue entries of tracker.html's fixed text ({% translate %} escapes its output);
# makemessages finds them in tracker.html, which the private page still renders.
_TEXTS = (
    "Request",
    "Status",
    "Responsible department",
    "Progress",
    "Outcome",
    "Details",
    "Reported",
    "Location",
    "Asset",
    "Neighbourhood",
    "Duplicate of",
    "Description",
    "Photos",
    "Photo from the city crew",
    "Photo from the resident",
    "Map",
    "Problem location",
    "Map showing where the problem is",
    "Timeline",
    "Find another request",
)


class _Kit:
    """What a language's tracker pages share: the layout, the follow box, the find box and the
    fixed text."""

    def __init__(self) -> None:
        self.layout = _stencil(
            engines["django"].from_string(_LAYOUT), {}, ("title", "body", "csrf_token", "path")
        )
        self.follow = _stencil(
            get_template("notifications/follow.html#follow-section"),
            {"follow_form": BLANK_FOLLOW_FORM},
            ("follow_url", "csrf_token"),
        )
        self.find = get_template("includes/find_box.html").render({"query": "", "not_found": False})
        self.t = {text: escape(gettext(text)) for text in _TEXTS}


_KITS: dict[tuple[str | None, str], _Kit] = {}


def _kit() -> _Kit:
    # The script prefix is part of every address inside; it is fixed for a deployment.
    key = (get_language(), get_script_prefix())
    kit = _KITS.get(key)
    if kit is None:
        kit = _KITS[key] = _Kit()
    return kit


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs) -> None:
    _KITS.clear()


def _html(value) -> str:
    # As the template prints a value: HTML already (SafeString) as it is, anything else escaped.
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


def _bdi(value) -> str:
    # The `bdi` filter.
    return f"<bdi>{_html(value)}</bdi>" if value not in (None, "") else ""


def _photos(photos: list, t: dict[str, str]) -> str:
    if not photos:
        return ""
    items = []
    for photo in photos:
        alt = t[
            "Photo from the city crew" if photo.source == "staff" else "Photo from the resident"
        ]
        full = escape(reverse("requests_app:photo", args=[photo.uuid, "full"]))
        thumb = escape(reverse("requests_app:photo", args=[photo.uuid, "thumb"]))
        items.append(f'<li><a href="{full}"><img src="{thumb}" alt="{alt}" width="160"></a></li>')
    return f'\n    <h3>{t["Photos"]}</h3>\n    <ul class="photo-list">{"".join(items)}</ul>\n    '


def _body(sr, *, pipeline, timeline: list, photos: list, follow: str, kit: _Kit) -> str:
    """tracker.html's content block for the public page (`private` false)."""
    t = kit.t
    outcome = pipeline.outcome
    department = sr.department
    department_html = (
        f" · {t['Responsible department']}: <strong>{_html(department.tr_name)}</strong>"
        if department
        else ""
    )
    outcome_html = (
        f'<div class="panel outcome"><h2>{t["Outcome"]}</h2>'
        f'<p data-testid="outcome">{_html(outcome)}</p></div>'
        if outcome
        else ""
    )
    expected = (
        f"<p>{expected_by(timezone.localtime(sr.expected_at))}</p>"
        if sr.is_open and sr.expected_at
        else ""
    )
    created = timezone.localtime(sr.created_at)
    address = (
        f"<div><dt>{t['Location']}</dt><dd>{_bdi(sr.address)}</dd></div>" if sr.address else ""
    )
    asset = request_asset(sr)
    asset_html = (
        f'<div><dt>{t["Asset"]}</dt><dd data-testid="asset">{_html(asset)}</dd></div>'
        if asset
        else ""
    )
    neighbourhood = sr.neighbourhood
    neighbourhood_html = (
        f"<div><dt>{t['Neighbourhood']}</dt><dd>{_html(neighbourhood.name)}</dd></div>"
        if neighbourhood
        else ""
    )
    duplicate = sr.duplicate_of
    duplicate_html = (
        f'<div><dt>{t["Duplicate of"]}</dt><dd><a href="{_html(duplicate.get_absolute_url())}">'
        f"{_html(duplicate.tracking_number)}</a></dd></div>"
        if duplicate
        else ""
    )
    location = sr.location
    return (
        f'\n<p class="eyebrow">{t["Request"]} <span class="tracking-number small">'
        f"{_html(sr.tracking_number)}</span></p>\n"
        f'<h1><span aria-hidden="true">{_html(sr.category.icon)}</span> '
        f"{_html(sr.category.tr_name)}</h1>\n"
        f'<p class="status-line">{t["Status"]}: <strong class="status status-{_html(sr.status)}"'
        f' data-testid="status">{_html(sr.get_status_display())}</strong>\n'
        f"{department_html}</p>\n\n\n\n"
        f'<h2 class="visually-hidden">{t["Progress"]}</h2>\n'
        f'<ol class="pipeline" aria-label="{t["Progress"]}">\n'
        f"  {pipeline_steps(pipeline.steps)}\n</ol>\n"
        f"{outcome_html}\n{expected}\n\n"
        f'<div class="two-col">\n  <section>\n    <h2>{t["Details"]}</h2>\n'
        f'    <dl class="summary">\n      <div><dt>{t["Reported"]}</dt><dd>'
        f'<time datetime="{created.strftime(ISO_TIME)}">{escape(day_time(created))}</time>'
        f"</dd></div>\n      {address}\n      {asset_html}\n      {neighbourhood_html}\n"
        f"      {duplicate_html}\n"
        f'      <div><dt>{t["Description"]}</dt><dd class="prewrap">{_bdi(sr.description)}'
        f"</dd></div>\n    </dl>\n    {_photos(photos, t)}\n  </section>\n"
        f"  <section>\n    <h2>{t['Map']}</h2>\n    {map_config_script()}\n"
        f'    <div id="tracker-map" class="map small" data-lat="{location.y:.6f}"'
        f' data-lng="{location.x:.6f}" data-pin="{t["Problem location"]}" role="region"'
        f' aria-label="{t["Map showing where the problem is"]}"></div>\n  </section>\n</div>\n\n'
        f'<section>\n  <h2>{t["Timeline"]}</h2>\n  <ol class="timeline">\n'
        f"    {timeline_entries(timeline)}\n"
        f"  </ol>\n</section>\n\n\n{follow}\n\n\n"
        f'<section class="panel">\n  <h2>{t["Find another request"]}</h2>\n  {kit.find}\n'
        "</section>\n"
    )


def tracker_page(
    request: HttpRequest, *, sr, pipeline, timeline: list, photos: list, follow_url: str
) -> str:
    """The whole page, as `render(request, "requests_app/tracker.html", ...)` gives it."""
    kit = _kit()
    # One masked token for the page, as the csrf context processor gives one per render.
    token = escape(get_token(request))
    follow = kit.follow.fill({"follow_url": escape(follow_url), "csrf_token": token})
    body = _body(
        sr,
        pipeline=pipeline,
        timeline=timeline,
        photos=photos,
        follow=follow,
        kit=kit,
    )
    return kit.layout.fill(
        {
            "title": request_title(sr.tracking_number),
            "body": body,
            "csrf_token": token,
            "path": escape(request.get_full_path()),
        }
    )
