"""The public list (`/requests/`) and its results fragment (the HTMX swap after a filter change)
put together from browse.html's own text (requests_app/page_stencil.py, which the tracker shares).

Why: after round 4 the template engine was still about half of the full page's CPU (the layout's
blocks, the filters' fixed text, the pager) and a sixth of the fragment's, to print what is the
same for every reader of a language but for a dozen values. browse.html is rendered here once per
process, language and variant with a marker in each per-request slot:

- the results (`#results`) once per shape: fragment or not, its announcement ("Results updated."
  or "n requests found.", which depends on the count), rows or none, a "Newer" and an "Older"
  link or not; the slots are the map points, the cards, the page number and the links;
- the whole page once per status filter (the status select's `selected`), the results, the
  filters' option lists (rendered once per snapshot, views._browse_filter_options), the CSRF
  token and the path as slots.

browse.html stays the source of truth: tests render it as the view used to beside these pages
(en and es, pages 1 and later, filters, an empty result, the fragment) and compare byte for byte.
"""

from __future__ import annotations

from html import escape

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.formats import localize
from django.utils.html import json_script

from requests_app.page_stencil import LAYOUT_SLOTS, Slot, Stencil, mark, page, per_language, stencil
from requests_app.templatetags.cards import request_cards

_PAGE = "requests_app/browse.html"
_RESULTS = "requests_app/browse.html#results"
# A card to give the template where rows are wanted: its rendering is cut out for the slot.
_CARD = dict.fromkeys(
    ("url", "icon", "name", "tracking_number", "status", "status_label", "iso", "date"), "x"
) | {"address": "", "neighbourhood": ""}


def _results_context(*, htmx: bool, more: bool, count: int, newer: bool, older: bool) -> dict:
    return {
        "request": Slot(htmx=htmx),
        "has_next": more,
        "rows": [_CARD] * count,
        "points": [],
        "filters": {"page": mark("page")},
        "newer_url": mark("newer_url") if newer else "",
        "older_url": mark("older_url") if older else "",
    }


def _results_cut(context: dict) -> dict[str, str]:
    cut = {"points": json_script(context["points"], "map-points")}
    if context["rows"]:
        cut["cards"] = request_cards(context["rows"])
    return cut


def _results(htmx: bool, more: bool, count: int, newer: bool, older: bool) -> Stencil:
    context = _results_context(htmx=htmx, more=more, count=count, newer=newer, older=older)
    cut = _results_cut(context)
    slots = (
        "page",
        *cut,
        *(name for name, on in (("newer_url", newer), ("older_url", older)) if on),
    )
    return stencil(get_template(_RESULTS), context, slots, cut=cut)


def _page(status: str) -> Stencil:
    context = _results_context(htmx=False, more=False, count=0, newer=False, older=False)
    context["filters"]["status"] = status
    results = get_template(_RESULTS).render(context)
    options = ("category_options_html", "neighbourhood_options_html")
    return stencil(
        get_template(_PAGE),
        context,
        (*options, "results", *LAYOUT_SLOTS),
        cut={"results": results},
    )


def browse_results(
    request: HttpRequest,
    *,
    cards_html: str,
    count: int,
    points: list[dict],
    has_next: bool,
    page_number: int,
    newer_url: str,
    older_url: str,
) -> str:
    """browse.html's `#results`, as the fragment or inside the page: `count` cards, printed as
    `cards_html` (public_list.py writes them as request_cards does)."""
    htmx = bool(request.htmx)
    # The count shows only in the fragment's announcement of a last page.
    shape = count if htmx and not has_next else min(count, 1)
    kit = per_language(_results, htmx, has_next, shape, bool(newer_url), bool(older_url))
    values = {
        "points": json_script(points, "map-points"),
        # {{ }} prints a number localized, then escaped.
        "page": escape(localize(page_number)),
        "newer_url": escape(newer_url),
        "older_url": escape(older_url),
    }
    if count:
        values["cards"] = cards_html
    return kit.fill(values)


def browse_page(request: HttpRequest, *, status: str, results: str, options: dict[str, str]) -> str:
    """The whole page, as `render(request, "requests_app/browse.html", ...)` gives it."""
    return page(
        request,
        per_language(_page, status),
        {"results": results, **options},
        token=escape(get_token(request)),
    )
