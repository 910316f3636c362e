"""The request page's timeline and nearby rows (staff/views/detail.py) and the intake's nearby
rows (staff/views/intake.py) are written in Python instead of the templates' loops (about
1.5 ms of template a page at 1M requests). The loops are kept here verbatim, as they were, and
both are compared byte for byte: internal and public events, messages and names with markup,
addresses with markup and without, no, one and several supporters, in English and Spanish."""

# ruff: noqa: E501 - the old template, kept verbatim
from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.contrib.gis.measure import D
from django.template import Context, Template
from django.utils import translation

from staff.detail_selectors import StaffTimelineEntry
from staff.views import intake
from staff.views.detail import nearby_html, timeline_html

OLD_TIMELINE = Template(
    """{% load i18n user_text %}{% for e in timeline %}
          <li{% if e.internal %} class="internal"{% endif %}>
            <time datetime="{{ e.at_iso }}">{{ e.at_text }}</time>
            <strong>{{ e.title }}</strong>{% if e.internal %} <span class="badge internal-badge">{% translate "Internal" %}</span>{% endif %}
            <span class="by">{% blocktranslate with who=e.actor %}by {{ who }}{% endblocktranslate %}</span>
            {% if e.message %}<p class="prewrap">{{ e.message|bdi }}</p>{% endif %}
          </li>
          {% endfor %}"""
)
OLD_NEARBY = Template(
    """{% load i18n user_text %}{% for n in nearby %}
          <li data-lat="{{ n.lat }}" data-lng="{{ n.lng }}">
            <a href="{{ n.staff_url }}">{{ n.tracking_number }}</a>
            {{ n.category.tr_name }} · {{ n.status_label }} · {% blocktranslate with d=n.distance.m|floatformat:0 %}{{ d }} m away{% endblocktranslate %}
            {% if n.address %}<span class="muted">· {{ n.address|bdi }}</span>{% endif %}
          </li>
          {% endfor %}"""
)
OLD_INTAKE = Template(
    """{% load i18n user_text times %}{% for n in nearby %}
  <li>
    <a href="{% url 'staff:detail' n.tracking_number %}">{{ n.tracking_number }}</a>
    · {{ n.address|bdi|default:_("map point") }} · {% blocktranslate with d=n.distance.m|floatformat:0 %}{{ d }} m away{% endblocktranslate %}
    · {% blocktranslate with at=n.created_at|when_datetime:"brief" %}reported {{ at }}{% endblocktranslate %}
    {% if n.supporter_count %}· {% blocktranslate count c=n.supporter_count %}{{ c }} other caller{% plural %}{{ c }} other callers{% endblocktranslate %}{% endif %}
    <p class="muted">{{ n.description|truncatechars:160|bdi }}</p>
    <button type="submit" name="attach_to" value="{{ n.tracking_number }}" class="button secondary small" formnovalidate>{% blocktranslate with t=n.tracking_number %}Attach caller to {{ t }}{% endblocktranslate %}</button>
  </li>
  {% endfor %}"""
)

EVENTS = [
    StaffTimelineEntry(
        at=datetime(2026, 3, 1, 9, 5, tzinfo=UTC), title="Received via Phone", actor="Resident"
    ),
    StaffTimelineEntry(
        at=datetime(2026, 3, 2, 23, 59, tzinfo=UTC),
        title="Status: <New> → “Done” & 'more'",
        actor="Ana <b>O'Neil</b> & co",
        message="Line one\nline <two> & 50% of it",
        internal=True,
    ),
    StaffTimelineEntry(
        at=datetime(2026, 12, 31, 12, 0, tzinfo=UTC),
        title="Public comment",
        actor="100% staff",
        message="",
        internal=False,
    ),
]


def _row(n: int, address: str, metres: float, supporters: int = 0, description: str = ""):
    return SimpleNamespace(
        supporter_count=supporters,
        description=description,
        created_at=datetime(2026, 3, n, 23 - n, 7 * n, tzinfo=UTC),
        lat="37.774900",
        lng="-122.419400",
        staff_url=f"/staff/requests/2603-{n:05d}/",
        tracking_number=f"2603-{n:05d}",
        category=SimpleNamespace(tr_name="Pothole & <road>"),
        status_label="In progress",
        distance=D(m=metres),
        address=address,
    )


ROWS = [
    _row(1, "", 0.4),
    _row(2, "1 Main St <rear> & \u202eevil", 12.5, supporters=1, description="Deep <hole> & " * 20),
    _row(3, "Calle O'Higgins 1234", 1999.6, supporters=3, description="x"),
    _row(4, "", 149.5, supporters=1000),
    _row(5, "", 0.5),
    _row(6, "", 2.675),
    _row(7, "", 1234.4999999),
    _row(8, "", 10.0),
]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_timeline_rows_are_what_the_template_made(language):
    with translation.override(language):
        old = OLD_TIMELINE.render(Context({"timeline": EVENTS}))
        assert str(timeline_html(EVENTS)) == old
        assert str(timeline_html([])) == OLD_TIMELINE.render(Context({"timeline": []})) == ""


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_nearby_rows_are_what_the_template_made(language):
    with translation.override(language):
        old = OLD_NEARBY.render(Context({"nearby": ROWS}))
        assert str(nearby_html(ROWS)) == old
    assert "&lt;rear&gt;" in old


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_intake_nearby_rows_are_what_the_template_made(language):
    with translation.override(language):
        old = OLD_INTAKE.render(Context({"nearby": ROWS}))
        assert str(intake.nearby_html(ROWS)) == old
        assert str(intake.nearby_html([])) == ""
    assert "&lt;hole&gt;" in old
