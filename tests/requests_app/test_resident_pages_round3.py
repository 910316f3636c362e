"""Issue 11, third round on the resident pages: what was made cheaper still says the same thing.

The page chrome rendered once per language ({% per_language %}), the tracker's request row and
the public list's rows read with a plain cursor, the list's rows put in their markup in Python,
and the tracker's dates formatted without Django's format parser: each is compared here with
what the ORM or the template gave before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone, translation

from requests_app.models import ServiceRequest
from requests_app.selectors import (
    PUBLIC_FIELDS,
    PUBLIC_LIST_FIELDS,
    PublicFilters,
    public_list_cards,
    request_get_public,
    request_public_list,
)
from tests.requests_app.helpers import public_list_seeded, submit

pytestmark = pytest.mark.django_db


# --- {% per_language %} ---------------------------------------------------------------------------


def test_the_page_chrome_follows_the_readers_language(client, city):
    english = client.get(reverse("requests_app:home")).content.decode()
    client.cookies["django_language"] = "es"
    spanish = client.get(reverse("requests_app:home")).content.decode()
    assert "Skip to main content" in english and "Recent requests" in english
    assert "Skip to main content" not in spanish and "Recent requests" not in spanish
    client.cookies["django_language"] = "en"
    assert "Recent requests" in client.get(reverse("requests_app:home")).content.decode()


def test_a_per_language_part_never_shows_a_visitors_values():
    part = Template(
        "{% load once %}[{% per_language %}{{ secret }}{{ CITY_NAME }}{% endper_language %}]"
    )
    first = part.render(Context({"secret": "alice@example.com"}))
    second = part.render(Context({"secret": "bob@example.com"}))
    assert first == second == f"[{settings.CITY_NAME}]"


def test_a_block_inside_a_per_language_part_is_refused():
    with pytest.raises(TemplateSyntaxError):
        Template(
            "{% load once %}{% per_language %}{% block x %}{% endblock %}{% endper_language %}"
        )


# --- Dates ----------------------------------------------------------------------------------------


def test_day_time_says_what_the_date_filter_said_on_the_citys_clock():
    """Issue 12 changed this test: day_time was `|date:"j M Y, H:i"` in the *active* zone and
    with Django's title-cased Spanish months ("Dic"); it is now the city's clock whatever zone is
    active (a worker's is UTC), and Spanish months are lower-case as Spanish writes them."""
    old = Template('{{ at|date:"j M Y, H:i" }}')
    new = Template("{% load times %}{{ at|day_time }}")
    moments = [
        datetime(2026, m, d, h, mi, tzinfo=UTC)
        for m in range(1, 13)
        for d, h, mi in ((1, 0, 5), (9, 7, 59))
    ]
    moments += [datetime(2026, 3, 8, 9, 30, tzinfo=UTC), datetime(2026, 11, 1, 8, 59, tzinfo=UTC)]
    for lang in ("en", "es"):
        for zone in ("America/Los_Angeles", "UTC", "Asia/Kolkata"):
            for at in moments:
                with translation.override(lang), timezone.override(settings.CITY_TIME_ZONE):
                    want = old.render(Context({"at": at}))
                with translation.override(lang), timezone.override(zone):
                    got = new.render(Context({"at": at}))
                assert got == (want.lower() if lang == "es" else want)
    assert new.render(Context({"at": None})) == ""


# --- The request row and the list's rows through a plain cursor ----------------------------------


def test_the_trackers_row_is_what_the_orm_read(city):
    sr = submit(city, address='2 <i>Main</i> "St"')
    got = request_get_public(tracking_number=sr.tracking_number)
    want = ServiceRequest.objects.only(*PUBLIC_FIELDS).get(pk=sr.pk)
    for name in PUBLIC_FIELDS:
        assert getattr(got, name) == getattr(want, name), name
    assert got.get_deferred_fields() == want.get_deferred_fields()
    assert "reporter_email" in got.get_deferred_fields()
    assert (got.location.x, got.location.y, got.location.srid) == (
        want.location.x,
        want.location.y,
        want.location.srid,
    )
    assert request_get_public(tracking_number="2612-99999999") is None


def _orm_page(filters: PublicFilters) -> list[int]:
    from requests_app.models import OPEN_STATUSES

    qs = ServiceRequest.objects.only(*PUBLIC_LIST_FIELDS)
    if filters.category:
        qs = qs.filter(category_id=filters.category)
    if filters.neighbourhood:
        qs = qs.filter(neighbourhood_id=filters.neighbourhood)
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status == "closed":
        qs = qs.exclude(status__in=OPEN_STATUSES)
    if filters.after:
        at, pk = filters.after.created_at, filters.after.id
        qs = qs.filter(created_at__lte=at).exclude(created_at=at, id__gte=pk)
        return list(qs.order_by("-created_at", "-id").values_list("id", flat=True)[:20])
    if filters.before:
        at, pk = filters.before.created_at, filters.before.id
        qs = qs.filter(created_at__gte=at).exclude(created_at=at, id__lte=pk)
        return list(qs.order_by("created_at", "id").values_list("id", flat=True)[:20])[::-1]
    start = (filters.page - 1) * 20
    return list(qs.order_by("-created_at", "-id").values_list("id", flat=True)[start : start + 20])


def test_the_list_reads_the_rows_the_orm_read(city):
    cursor, nhood = public_list_seeded(city)
    for filters in (
        PublicFilters(),
        PublicFilters(page=2),
        PublicFilters(page=3),
        PublicFilters(status="open"),
        PublicFilters(status="closed"),
        PublicFilters(category=city.pothole.pk, neighbourhood=nhood),
        PublicFilters(category=999_999),
        PublicFilters(after=cursor),
        PublicFilters(before=cursor),
        PublicFilters(status="open", after=cursor),
    ):
        rows, _has_next = request_public_list(filters=filters)
        assert [r.id for r in rows] == _orm_page(filters), filters
        for row in rows:
            want = ServiceRequest.objects.get(pk=row.id)
            for name in ("tracking_number", "category_id", "address", "neighbourhood_id"):
                assert getattr(row, name) == getattr(want, name)
            assert (row.status, row.created_at) == (want.status, want.created_at)
            assert row.lnglat == (want.location.x, want.location.y)
            assert "reporter_email" in row.get_deferred_fields()


def test_the_list_rows_markup_is_what_the_old_loop_rendered(city):
    submit(city, address='1 <b>"Market"</b> & St')
    submit(city, address="")
    old = Template(
        "{% for r in rows %}\n"
        '    <li class="request-card">\n'
        '      <a href="{{ r.url }}"><span aria-hidden="true">{{ r.icon }}</span> '
        "{{ r.name }}</a>\n"
        '      <span class="tracking-number small">{{ r.tracking_number }}</span>\n'
        '      <span class="status status-{{ r.status }}">{{ r.status_label }}</span>\n'
        '      <span class="muted">{% if r.address %}{{ r.address }} · {% endif %}'
        "{% if r.neighbourhood %}{{ r.neighbourhood }} · {% endif %}"
        '<time datetime="{{ r.iso }}">{{ r.date }}</time></span>\n'
        "    </li>\n"
        "    {% endfor %}"
    )
    new = Template("{% load cards %}{{ rows|request_cards }}")
    rows, _ = request_public_list(filters=PublicFilters())
    for lang in ("en", "es"):
        with translation.override(lang), timezone.override("America/Los_Angeles"):
            cards, _points = public_list_cards(rows=rows)
            cards.append({**cards[0], "neighbourhood": "", "icon": "<>", "name": "A & B"})
            assert new.render(Context({"rows": cards})) == old.render(Context({"rows": cards}))


# --- The blank report form ------------------------------------------------------------------------


def test_the_blank_forms_keys_are_what_the_widgets_rendered():
    import uuid

    from requests_app.forms import ReportForm, form_started_token
    from requests_app.views import report_keys_html

    key, started = uuid.uuid4(), form_started_token()
    form = ReportForm(initial={"idempotency_key": key, "started": started})
    assert report_keys_html(key=key, started=started) == (
        f"{form['idempotency_key']}\n  {form['started']}"
    )


def _without_keys(page: str) -> str:
    import re

    page = re.sub(r'name="(idempotency_key|started|csrfmiddlewaretoken)" value="[^"]*"', "", page)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", page)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_blank_form_body_kept_per_language_and_category_is_the_one_rendered_afresh(
    client, city, lang
):
    """The first load renders the body (and keeps it), the second reuses it: the same page,
    with new keys each time, as a render from scratch (a process with no snapshot yet)."""
    from requests_app.reference import reference_forget

    client.cookies["django_language"] = lang
    url = reverse("requests_app:report")
    for params in ({}, {"category": city.pothole.pk}, {"category": "nonsense"}):
        first = client.get(url, params).content.decode()
        second = client.get(url, params).content.decode()
        reference_forget()
        fresh = client.get(url, params).content.decode()
        assert first != second  # new keys
        assert _without_keys(first) == _without_keys(second) == _without_keys(fresh)
        assert 'name="idempotency_key"' in second and 'name="started"' in second
    with_category = client.get(url, {"category": city.pothole.pk}).content.decode()
    assert f'value="{city.pothole.pk}" id="category-{city.pothole.pk}"' in with_category
    assert 'id="q_size"' in with_category or "q_size" in with_category


def test_the_request_by_private_link_is_what_the_orm_read(city):
    from requests_app.selectors import request_get_by_token

    sr = submit(city, address="3 Oak St")
    ServiceRequest.objects.filter(pk=sr.pk).update(
        answers={"size": 12, "lane": "bike"}, score_parts={"age": 3}, reporter_phone="+14155550123"
    )
    got = request_get_by_token(token=sr.private_token)
    want = ServiceRequest.objects.get(private_token=sr.private_token)
    assert got.get_deferred_fields() == set()
    for f in ServiceRequest._meta.concrete_fields:
        if f.name == "location":
            assert (got.location.x, got.location.y) == (want.location.x, want.location.y)
        else:
            assert getattr(got, f.attname) == getattr(want, f.attname), f.name
    assert str(got.reporter_phone) == "+14155550123"
    assert request_get_by_token(token="x" * 40) is None


# --- The tracker's pipeline and timeline ----------------------------------------------------------

_OLD_PIPELINE = (
    "{% load i18n times %}{% for step in steps %}\n"
    '  <li class="pipeline-step{% if step.done %} done{% endif %}{% if step.current %} current'
    '{% endif %}"{% if step.current %} aria-current="step"{% endif %}>\n'
    '    <span class="dot" aria-hidden="true">{% if step.done %}✓{% endif %}</span>\n'
    '    <span class="label">{{ step.label }}</span>\n'
    '    <span class="visually-hidden">{% if step.done %}({% translate "done" %}){% elif '
    'step.current %}({% translate "current step" %}){% else %}({% translate "not yet" %})'
    "{% endif %}</span>\n"
    '    {% if step.at %}<time datetime="{{ step.at|isotime }}">{{ step.at|when_datetime }}'
    "</time>{% endif %}\n"
    "  </li>\n"
    "  {% endfor %}"
)
_OLD_TIMELINE = (
    "{% load times user_text %}{% for entry in timeline %}\n"
    '    <li><time datetime="{{ entry.at|isotime }}">{{ entry.at|when_datetime }}</time>\n'
    "      <strong>{{ entry.title }}</strong>{% if entry.message %}"
    '<p class="prewrap">{{ entry.message|bdi }}</p>{% endif %}</li>\n'
    "    {% endfor %}"
)


@pytest.mark.parametrize("closed", [False, True])
def test_the_pipeline_and_timeline_markup_is_what_the_old_loops_rendered(city, closed):
    from requests_app.selectors import (
        public_events_and_photos,
        request_pipeline,
        timeline_public,
    )
    from requests_app.services import request_resident_comment, request_route
    from tests.requests_app.helpers import resolve, routed

    sr = routed(city)
    request_resident_comment(
        request=sr, message='It is <b>"deep"</b> & wide\nnear the stop', photos=[]
    )
    if closed:
        resolve(city, sr, message="Filled <it> & rolled")
    else:
        request_route(request=sr, department=city.streets)
    sr = request_get_public(tracking_number=sr.tracking_number)
    events, _photos = public_events_and_photos(request=sr)
    for lang in ("en", "es"):
        for zone in ("America/Los_Angeles", "Asia/Kolkata"):
            with translation.override(lang), timezone.override(zone):
                steps = request_pipeline(request=sr, events=events).steps
                timeline = timeline_public(events=events)
                assert any(s.done for s in steps) and len(timeline) >= 2
                new = Template("{% load cards %}{{ steps|pipeline_steps }}")
                context = Context({"steps": steps})
                assert new.render(context) == Template(_OLD_PIPELINE).render(context)
                new = Template("{% load cards %}{{ timeline|timeline_entries }}")
                context = Context({"timeline": timeline})
                assert new.render(context) == Template(_OLD_TIMELINE).render(context)
