"""Issue 11, fourth round on the resident pages: the tracker and the public list made cheaper
still, saying the same thing.

The tracker reads its request row and the reference snapshot's version in one statement, fills
the follow box's fixed text once per language and names its blank form; the map's config script
is made once per process; the public list page is built from the database's tuples. Each is
compared here with what the previous path gave."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import json_script

from requests_app.maps import map_config
from requests_app.models import Category, ServiceRequest
from requests_app.reference import reference
from requests_app.selectors import (
    PUBLIC_FIELDS,
    ListCursor,
    PublicFilters,
    public_list_cards,
    public_list_page,
    request_get_public,
    request_get_tracker,
    request_public_list,
)
from requests_app.templatetags.cards import request_cards
from tests.requests_app.helpers import public_list_seeded, submit

pytestmark = pytest.mark.django_db


# --- The tracker's row and the snapshot in one statement ------------------------------------------


def test_the_row_read_with_the_version_is_request_get_publics(city):
    sr = submit(city, address='2 <i>Main</i> "St"')
    got, ref, _events, _photos = request_get_tracker(tracking_number=sr.tracking_number)
    want = request_get_public(tracking_number=sr.tracking_number)
    assert ref is reference()
    for name in PUBLIC_FIELDS:
        assert getattr(got, name) == getattr(want, name), name
    assert got.get_deferred_fields() == want.get_deferred_fields()
    assert "reporter_email" in got.get_deferred_fields()
    assert got.category is ref.categories[sr.category_id]
    assert got.neighbourhood == want.neighbourhood
    # As typed, and not found.
    spaced = sr.tracking_number.replace("-", " ")
    assert request_get_tracker(tracking_number=spaced)[0].pk == sr.pk
    assert request_get_tracker(tracking_number="2612-99999999") is None
    assert request_get_tracker(tracking_number="pothole") is None


def test_a_worker_holding_an_old_snapshot_sees_an_edit_on_its_next_tracker(client, city):
    # The version now comes with the request's row: a stale snapshot must still be noticed.
    from requests_app import reference as reference_module

    sr = submit(city)
    url = sr.get_absolute_url()
    assert "Pothole<" in client.get(url).content.decode()
    other_worker = reference()  # what a second process loaded before the edit
    pothole = Category.objects.get(pk=city.pothole.pk)
    pothole.name = "Road hole"
    pothole.save()
    reference_module._snapshot = other_worker
    page = client.get(url).content.decode()
    assert "Road hole<" in page and "Pothole<" not in page
    assert reference() is not other_worker


# --- The follow box ---------------------------------------------------------------------------


def _mask(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", html)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_trackers_follow_box_is_what_a_blank_follow_form_renders(city, lang):
    from django.template.loader import render_to_string

    from notifications.forms import FollowForm
    from requests_app.tracker_page import BLANK_FOLLOW_FORM as _BLANK_FOLLOW_FORM

    sr = submit(city)
    request = RequestFactory().get("/")
    url = reverse("notifications:follow", args=[sr.tracking_number])
    with translation.override(lang):
        blank = render_to_string(
            "notifications/follow.html#follow-section",
            {"sr": sr, "follow_url": url, "follow_form": _BLANK_FOLLOW_FORM},
            request=request,
        )
        real = render_to_string(
            "notifications/follow.html#follow-section",
            {"sr": sr, "follow_url": url, "follow_form": FollowForm(), "follow_sent": False},
            request=request,
        )
    assert _mask(blank) == _mask(real)
    assert f'action="{url}"' in blank and f'hx-post="{url}"' in blank


def test_the_follow_box_still_shows_a_visitors_errors_and_value(client, city):
    sr = submit(city)
    url = reverse("notifications:follow", args=[sr.tracking_number])
    page = client.post(url, {"contact": 'not <b>"an"</b> address'}).content.decode()
    assert 'aria-invalid="true"' in page and 'id="id_contact_error"' in page
    assert 'value="not &lt;b&gt;&quot;an&quot;&lt;/b&gt; address"' in page
    assert "<b>" not in page.split('id="follow"')[1]
    client.cookies["django_language"] = "es"
    spanish = client.get(sr.get_absolute_url()).content.decode()
    assert "Follow this request" not in spanish and f'action="{url}"' in spanish


# --- The map's config script ----------------------------------------------------------------------


def test_the_map_config_script_is_json_script_of_map_config(settings):
    tag = Template("{% load maps %}{% map_config_script %}")
    assert tag.render(Context()) == json_script(map_config(), "map-config")
    settings.MAP_ZOOM = 3  # a settings change drops the kept copy
    assert '"zoom": 3' in tag.render(Context())


# --- The public list page from the database's tuples ----------------------------------------------


def test_the_list_page_is_what_the_model_path_gave(city):
    cursor, nhood = public_list_seeded(
        city, address_of=lambda i: '1 <b>"Market"</b> & St' if i == 3 else ""
    )
    ref = reference()
    for filters in (
        PublicFilters(),
        PublicFilters(page=3),
        PublicFilters(status="open"),
        PublicFilters(status="closed"),
        PublicFilters(category=city.pothole.pk, neighbourhood=nhood),
        PublicFilters(category=999_999),
        PublicFilters(after=cursor),
        PublicFilters(before=cursor),
    ):
        for lang in ("en", "es"):
            with translation.override(lang), timezone.override("America/Los_Angeles"):
                rows, has_next = request_public_list(filters=filters, ref=ref)
                cards, points = public_list_cards(rows=rows)
                page = public_list_page(filters=filters, ref=ref)
            assert (page.cards, page.points, page.has_next) == (cards, points, has_next)
            assert page.cards_html == request_cards(cards), filters
            want_first = ListCursor(rows[0].created_at, rows[0].id) if rows else None
            want_last = ListCursor(rows[-1].created_at, rows[-1].id) if rows else None
            assert (page.first, page.last) == (want_first, want_last), filters


def test_a_category_newer_than_the_snapshot_is_read_for_the_list(city):
    sr = submit(city)
    ref = reference()
    newer = Category.objects.create(
        group=city.pothole.group,
        code="fallen-tree-round4",
        name="Fallen tree",
        description="A tree is down.",
        default_department=city.pothole.default_department,
    )
    ServiceRequest.objects.filter(pk=sr.pk).update(category=newer)
    assert newer.pk not in ref.categories  # written after the snapshot was read
    page = public_list_page(filters=PublicFilters(), ref=ref)
    assert page.cards[0]["name"] == "Fallen tree"


def test_the_list_view_pages_as_before(client, city):
    for _ in range(25):
        submit(city)
    first = client.get(reverse("requests_app:browse")).content.decode()
    older = re.search(r'<a href="([^"]+)">Older</a>', first).group(1).replace("&amp;", "&")
    second = client.get(reverse("requests_app:browse") + older).content.decode()
    assert "Page 2" in second and "Newer" in second
    assert second.count('class="request-card"') == 5


# --- The tracker's title and expected-by line -----------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Pacific/Kiritimati"])
def test_the_title_and_expected_line_are_what_the_template_tags_rendered(lang, zone, settings):
    """Issue 12 changed the date's part: it was `|date` with the catalogue's "l j F Y" in the
    active zone; it is now `|when_date`, on the city's clock whatever zone is active."""
    from datetime import UTC, datetime

    settings.CITY_TIME_ZONE = zone
    old = Template(
        "{% load i18n times %}"
        "{% blocktranslate with n=number %}Request {{ n }}{% endblocktranslate %}|"
        "{% blocktranslate with date=at|when_date %}Expected to be resolved by "
        "<strong>{{ date }}</strong>.{% endblocktranslate %}"
    )
    new = Template("{% load tracker %}{{ number|request_title }}|{{ at|expected_by }}")
    with translation.override(lang), timezone.override("UTC"):
        for number in ("2612-12205", '<b>"2612"</b> & 1'):
            for month in range(1, 13):
                # 23:30 UTC: the day differs between the two zones.
                at = datetime(2026, month, (month * 2) % 28 + 1, 23, 30, tzinfo=UTC)
                context = {"number": number, "at": at}
                assert new.render(Context(context)) == old.render(Context(context))
                local = at.astimezone(ZoneInfo(zone))
                assert f" {local.day} " in new.render(Context(context))
