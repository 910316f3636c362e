"""The public tracker page (`/requests/<number>/`) put together in Python.

Why: the tracker is the busiest resident page, and after round 4 about half of its CPU was the
template engine walking `tracker.html` and the base layout (~500 attribute lookups, a dozen
blocks, the context processors) to print text that is either the same for every reader of a
language or one of a few values per request. Here:

1. The page's layout (base.html through map_base.html, with the title and body as slots) and the
   follow box (with its form's address and CSRF token as slots) are rendered by the real
   templates once per process and language, each per-request value replaced by a marker; the
   text between the markers is kept (requests_app/page_stencil.py, which the public list
   shares). A page fills the slots.
2. The body (`_body`) prints the request's values into the same markup as `tracker.html`'s
   content block, with the same escaping; its fixed text is the same catalogue entries.

`tracker.html` stays the page's source of truth (the private page renders it, with its comment
form): tests render it beside this page for open, closed, duplicate, with and without photos,
asset and resident updates, in English and Spanish, and compare them byte for byte.
"""

from __future__ import annotations

from html import escape

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext

from requests_app.page_stencil import map_layout, page, per_language, stencil
from requests_app.templatetags.assets import request_asset
from requests_app.templatetags.cards import pipeline_steps, timeline_entries
from requests_app.templatetags.maps import map_config_script
from requests_app.templatetags.tracker import expected_by, request_title
from requests_app.when import when_datetime, when_iso

# The follow box's form before anything is typed, as notifications/follow.html reads it: no
# errors, no value. Also what tests give tracker.html when they compare pages.
BLANK_FOLLOW_FORM = {"contact": {"errors": (), "value": ""}, "non_field_errors": ()}

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
        self.layout = map_layout()
        self.follow = stencil(
            get_template("notifications/follow.html#follow-section"),
            {"follow_form": BLANK_FOLLOW_FORM},
            ("follow_url", "csrf_token"),
        )
        self.find = get_template("includes/find_box.html").render({"query": "", "not_found": False})
        self.t = {text: escape(gettext(text)) for text in _TEXTS}


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
        f'<p class="prewrap" data-testid="outcome">{_html(outcome)}</p></div>'
        if outcome
        else ""
    )
    expected = f"<p>{expected_by(sr.expected_at)}</p>" if sr.is_open and sr.expected_at else ""
    created = sr.created_at
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
        f'<time datetime="{when_iso(created)}">{escape(when_datetime(created))}</time>'
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
    kit = per_language(_Kit)
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
    return page(
        request,
        kit.layout,
        {"title": request_title(sr.tracking_number), "body": body},
        token=token,
    )
