"""Repeated rows of the busiest resident pages as HTML, in one pass of Python: the public
list's cards, and the tracker's pipeline steps and timeline entries.

Why not a `{% for %}` in the template: twenty list rows of ten lookups each were a third of the
list's CPU (~1 ms), the tracker's two loops a fifth of its; the rows' text is already built
(selectors), so what is left is putting it in the markup. The markup is the template's,
character for character, whitespace included (tests render the old loops and these side by
side, in English and Spanish)."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from requests_app.when import when_datetime, when_iso

register = template.Library()

_ROW = (
    '\n    <li class="request-card">'
    '\n      <a href="{url}"><span aria-hidden="true">{icon}</span> {name}</a>'
    '\n      <span class="tracking-number small">{tracking_number}</span>'
    '\n      <span class="status status-{status}">{status_label}</span>'
    '\n      <span class="muted">{address}{neighbourhood}'
    '<time datetime="{iso}">{date}</time></span>'
    "\n    </li>\n    "
)


@register.filter
def request_cards(cards: list[dict]) -> SafeString:
    """The `<li>` of each card (as selectors.public_list_cards builds them), escaped as the
    template escaped them: the address arrives as HTML already (`<bdi>`), the rest as text.
    `html.escape` is what Django's `escape` calls, without its lazy-string wrapper (which cost
    more than the escaping, 200 times a page)."""
    html = []
    for card in cards:
        address, neighbourhood = card["address"], card["neighbourhood"]
        html.append(
            _ROW.format(
                url=escape(card["url"]),
                icon=escape(card["icon"]),
                name=escape(card["name"]),
                tracking_number=escape(card["tracking_number"]),
                status=escape(card["status"]),
                status_label=escape(card["status_label"]),
                address=f"{_html(address)} · " if address else "",
                neighbourhood=f"{escape(neighbourhood)} · " if neighbourhood else "",
                iso=escape(card["iso"]),
                date=escape(card["date"]),
            )
        )
    return mark_safe("".join(html))  # noqa: S308 (every value above is escaped)


def _html(value) -> str:
    # As conditional_escape: HTML already (SafeString) as it is, anything else escaped.
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


_STEP = (
    '\n  <li class="pipeline-step{classes}"{current}>'
    '\n    <span class="dot" aria-hidden="true">{tick}</span>'
    '\n    <span class="label">{label}</span>'
    '\n    <span class="visually-hidden">({state})</span>'
    "\n    {time}"
    "\n  </li>\n  "
)
_TIME = '<time datetime="{iso}">{day}</time>'


def _time(at) -> str:
    if not at:
        return ""
    return _TIME.format(iso=when_iso(at), day=escape(when_datetime(at)))


@register.filter
def pipeline_steps(steps: list) -> SafeString:
    """The tracker's pipeline (selectors.PipelineStep each): done, current or not yet."""
    html = []
    # Each word once a page, not once a step (a catalogue lookup goes through thread-locals).
    done, current = escape(gettext("done")), escape(gettext("current step"))
    not_yet = escape(gettext("not yet"))
    for step in steps:
        classes = (" done" if step.done else "") + (" current" if step.current else "")
        state = done if step.done else current if step.current else not_yet
        html.append(
            _STEP.format(
                classes=classes,
                current=' aria-current="step"' if step.current else "",
                tick="✓" if step.done else "",
                label=_html(step.label),
                state=state,
                time=_time(step.at),
            )
        )
    return mark_safe("".join(html))  # noqa: S308 (every value above is escaped)


_ENTRY = "\n    <li>{time}\n      <strong>{title}</strong>{message}</li>\n    "


@register.filter
def timeline_entries(entries: list) -> SafeString:
    """The tracker's public timeline (selectors.TimelineEntry each); what residents and staff
    wrote is isolated in `<bdi>` as the `bdi` filter does."""
    html = []
    for entry in entries:
        message = entry.message
        html.append(
            _ENTRY.format(
                time=_time(entry.at),
                title=_html(entry.title),
                message=f'<p class="prewrap"><bdi>{_html(message)}</bdi></p>' if message else "",
            )
        )
    return mark_safe("".join(html))  # noqa: S308 (every value above is escaped)
