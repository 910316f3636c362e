"""Resident pages at city scale (issue 11): a fixed, small number of queries on every page and
fragment, and the reference snapshot (categories, departments, areas, closure reasons) replaced
as soon as anything in it changes, in every process."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.urls import reverse

from requests_app import reference as reference_module
from requests_app.models import Category, ServiceRequest, Status
from requests_app.reference import reference, reference_version
from requests_app.selectors import PUBLIC_PAGE_SIZE
from requests_app.services import request_status_change
from tests.requests_app.helpers import routed, submit

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def warm(client, city):
    """A filed request, and this process's snapshot loaded (as in a web worker that has served
    a page since the last admin edit)."""
    sr = submit(city)
    client.get(reverse("requests_app:home"))
    return sr


# --- Query counts -------------------------------------------------------------------------------
# One query checks the snapshot's version; the rest is the page's own rows.


@pytest.mark.parametrize(
    ("name", "params", "headers", "queries"),
    [
        ("requests_app:home", {}, {}, 1),
        ("requests_app:report", {}, {}, 1),
        ("requests_app:report_categories", {"q": "pot"}, HX, 1),
        ("requests_app:report_categories", {"q": ""}, HX, 1),
        ("requests_app:browse", {}, {}, 1),
        ("requests_app:browse", {"status": "open"}, HX, 1),
        ("requests_app:browse", {"page": "3", "category": "999"}, {}, 1),
        ("requests_app:find", {}, {}, 0),
    ],
)
def test_each_resident_page_runs_a_fixed_number_of_queries(
    client, warm, django_assert_num_queries, name, params, headers, queries
):
    with django_assert_num_queries(queries):
        response = client.get(reverse(name), params, headers=headers)
    assert response.status_code == 200


def test_the_report_form_with_a_category_and_its_questions_fragment(
    client, city, warm, django_assert_num_queries
):
    with django_assert_num_queries(1):
        page = client.get(reverse("requests_app:report"), {"category": city.pothole.pk})
    assert "How wide is it, in inches?" in page.content.decode()
    with django_assert_num_queries(1):
        fragment = client.get(
            reverse("requests_app:report_questions"), {"category": city.pothole.pk}, headers=HX
        )
    assert "In a bike lane" in fragment.content.decode()


def test_the_address_search_fragment_is_one_query(client, warm, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = client.get(reverse("requests_app:address_search"), {"address": "1 Market"})
    assert "1 Market St" in page.content.decode()


def test_the_tracker_is_one_query_and_find_one(client, warm, django_assert_num_queries):
    # The request's own columns with the snapshot's version (one statement since issue 11's
    # fourth round) and its public events and public photos (in the same statement since its
    # fifth; they were two statements of their own before its second round).
    with django_assert_num_queries(1):
        page = client.get(warm.get_absolute_url())
    assert page.status_code == 200
    with django_assert_num_queries(1):
        found = client.get(reverse("requests_app:find"), {"q": warm.tracking_number})
    assert found.status_code == 302 and found["Location"] == warm.get_absolute_url()


def test_find_asks_the_database_nothing_for_text_that_is_no_tracking_number(
    client, warm, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(reverse("requests_app:find"), {"q": "pothole on Market"})
    assert response.status_code == 404


def test_a_duplicate_costs_one_more_query_for_the_original_number(
    client, city, warm, django_assert_num_queries
):
    copy = submit(city)
    ServiceRequest.objects.filter(pk=copy.pk).update(
        duplicate_of=warm, status=Status.CLOSED_DUPLICATE
    )
    with django_assert_num_queries(2):
        page = client.get(copy.get_absolute_url()).content.decode()
    assert warm.tracking_number in page


def test_the_confirmation_page_is_a_fixed_number_of_queries(
    client, warm, django_assert_num_queries
):
    # The request with the config stamp (one statement since issue 11's tenth round: they were
    # two); its reporter's email is unconfirmed here, which costs one look-up.
    url = reverse("requests_app:confirmation", args=[warm.private_token])
    with django_assert_num_queries(2 if warm.reporter_email else 1):
        assert client.get(url).status_code == 200


def test_the_public_list_does_not_join_the_small_tables(client, warm):
    from django.test.utils import CaptureQueriesContext

    from requests_app.prepared import prepared_text

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("requests_app:browse"), {"status": "open"})
    # Round 8: the first page's statement is prepared once per session; read what it runs.
    sqls = [prepared_text(q["sql"]) for q in queries]
    listing = [sql for sql in sqls if "requests_app_servicerequest" in sql]
    # One statement (round 6: the config stamp rides along, joined to a constant row): it reads
    # the request table and the stamp, no category, area or other small table.
    assert len(listing) == 1
    tables = set(re.findall(r"\b(?:requests_app|routing|notifications)_\w+", listing[0]))
    assert tables == {"requests_app_servicerequest", "requests_app_configstamp"}
    assert "reporter" not in listing[0] and "private_token" not in listing[0]


# --- The snapshot follows every change ----------------------------------------------------------


class _FormFields(HTMLParser):
    """The values an admin change form would send back as it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value", "on"))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def admin_edit(client, obj, **changes) -> None:
    """Change fields through the Django admin's change form, as a city admin would."""
    url = reverse(f"admin:requests_app_{obj._meta.model_name}_change", args=[obj.pk])
    parser = _FormFields()
    parser.feed(client.get(url).content.decode())
    data = {**parser.data, **{k: [v] for k, v in changes.items()}}
    data.pop("_saveasnew", None)
    data.pop("_continue", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_an_admin_rename_shows_on_the_next_load_of_every_resident_page(
    superuser_client, city, warm
):
    client = superuser_client
    tracker = warm.get_absolute_url()
    pages = [
        (reverse("requests_app:report"), {}, {}),
        (reverse("requests_app:report_categories"), {"q": "hole"}, HX),
        (reverse("requests_app:browse"), {}, {}),
        (reverse("requests_app:browse"), {"status": "open"}, HX),
        (tracker, {}, {}),
        (reverse("requests_app:home"), {}, {}),
    ]
    spanish = {"Accept-Language": "es"}
    for url, params, headers in pages:  # each page (and its fragments) now held by this process
        # Followed by markup: the name itself, not the home page's "Potholes, graffiti...".
        assert "Pothole<" in client.get(url, params, headers=headers).content.decode(), url
        page = client.get(url, params, headers={**headers, **spanish}).content.decode()
        assert "Bache<" in page, url
    admin_edit(client, city.pothole, name="Road hole", name_es="Hoyo en la calle")
    assert Category.objects.get(pk=city.pothole.pk).name == "Road hole"
    for url, params, headers in pages:
        page = client.get(url, params, headers=headers).content.decode()
        assert "Road hole<" in page and "Pothole<" not in page, url
        page = client.get(url, params, headers={**headers, **spanish}).content.decode()
        assert "Hoyo en la calle<" in page and "Bache<" not in page, url


def test_another_worker_holding_the_old_snapshot_sees_the_edit_on_its_next_page(
    superuser_client, city, warm
):
    other_worker = reference()  # what a second gunicorn process loaded before the edit
    admin_edit(superuser_client, city.pothole, name="Road hole")
    # That process serves its next page with the snapshot it holds...
    reference_module._snapshot = other_worker
    page = superuser_client.get(reverse("requests_app:report")).content.decode()
    # ...and finds it stale: the version row moved with the edit's transaction.
    assert "Road hole" in page and "Pothole" not in page
    assert reference() is not other_worker


@pytest.mark.parametrize(
    "change",
    [
        lambda city: Category.objects.filter(pk=city.graffiti.pk).update(active=False),
        lambda city: type(city.streets).objects.filter(pk=city.streets.pk).update(name_es="X"),
        lambda city: type(city.mission).objects.filter(pk=city.mission.pk).update(name="Y"),
        lambda city: type(city.repaired).objects.filter(pk=city.repaired.pk).delete(),
        lambda city: city.pothole.questions.first().choices.update(name="Z"),
    ],
    ids=["bulk-update", "department", "area", "closure-reason-delete", "question-choices"],
)
def test_any_write_to_a_reference_table_moves_the_version(city, change):
    before = reference_version()
    change(city)
    assert reference_version() != before


def test_raw_sql_moves_the_version_too(city):
    before = reference_version()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE requests_app_categorygroup SET icon = 'x'")
    assert reference_version() != before


def test_writes_to_requests_leave_the_snapshot_alone(city, warm):
    held = reference()
    submit(city)
    assert reference() is held


# --- Requests themselves are never cached ------------------------------------------------------


def test_a_status_change_shows_on_the_next_tracker_and_list_load(client, city):
    sr = routed(city)
    tracker = sr.get_absolute_url()
    browse = reverse("requests_app:browse")
    shown = f'data-testid="status">{sr.get_status_display()}<'
    assert shown in client.get(tracker).content.decode()
    assert f"status-{sr.status}" in client.get(browse, {"status": "open"}).content.decode()
    before = sr.status
    to = next(s for s in (Status.IN_PROGRESS, Status.IN_QUEUE) if sr.can_move_to(s))
    request_status_change(request=sr, to_status=to)
    assert f'data-testid="status">{Status(to).label}<' in client.get(tracker).content.decode()
    listing = client.get(browse, {"status": "open"}, headers=HX).content.decode()
    assert f"status-{to}" in listing and f"status-{before}" not in listing


# --- Keyset paging --------------------------------------------------------------------------------


def _links(page: str) -> dict[str, str]:
    import re

    return {
        label: href.replace("&amp;", "&")
        for href, label in re.findall(r'<a href="(\?[^"]*)">(Newer|Older)</a>', page)
    }


def test_older_and_newer_links_walk_the_same_pages_as_page_numbers(client, city):
    for _ in range(PUBLIC_PAGE_SIZE * 2 + 5):
        submit(city)
    url = reverse("requests_app:browse")
    by_number = [client.get(url, {"page": n}).content.decode() for n in (1, 2, 3)]

    def numbers(page: str) -> list[str]:
        import re

        return re.findall(r'class="tracking-number small">([^<]+)<', page)

    walked = [client.get(url).content.decode()]
    for _ in range(2):
        older = _links(walked[-1])["Older"]
        assert "after=" in older
        walked.append(client.get(url + older).content.decode())
    assert [numbers(p) for p in walked] == [numbers(p) for p in by_number]
    assert "Older" not in _links(walked[-1]) and len(numbers(walked[-1])) == 5
    # Back from page 3 by its Newer link: page 2's rows, then page 1 without a cursor.
    newer = _links(walked[2])["Newer"]
    assert "before=" in newer and "page=2" in newer
    back = client.get(url + newer).content.decode()
    assert numbers(back) == numbers(by_number[1])
    assert _links(back)["Newer"] == "?page=1"


@pytest.mark.parametrize(
    "cursor",
    ["junk", "1_", "_5", "9" * 30 + "_1", "-99999999999999999_3", "1796575519000000_0", "1_-4"],
)
def test_a_bad_cursor_falls_back_to_the_page_number(client, city, cursor):
    sr = submit(city)
    for key in ("after", "before"):
        page = client.get(reverse("requests_app:browse"), {key: cursor})
        assert page.status_code == 200
        assert sr.tracking_number in page.content.decode()


# --- The tracker's events and photos in one statement ---------------------------------------


def test_the_trackers_one_statement_matches_the_orm(city):
    """public_events_and_photos gives the public events and public photos the ORM gives, in the
    same order, with the fields the tracker reads, and nothing of another request."""
    import uuid

    from requests_app.models import Photo
    from requests_app.selectors import public_events_and_photos
    from requests_app.services import photo_stage
    from tests.images import jpeg_bytes, upload

    shown, hidden = (
        photo_stage(upload=upload(f"IMG_{n}.jpg", jpeg_bytes()), draft_key=uuid.uuid4())
        for n in (1, 2)
    )
    sr = routed(city, photos=[shown, hidden])
    Photo.objects.filter(pk=hidden.pk).update(public=False)
    other = submit(city)
    request_status_change(request=sr, to_status=Status.IN_PROGRESS, message="On it")
    request_status_change(request=sr, to_status=Status.WAITING_ON_RESIDENT, public=False)

    events, photos = public_events_and_photos(request=sr)

    expected = list(sr.events.filter(public=True).order_by("created_at", "id"))
    assert [e.pk for e in events] == [e.pk for e in expected]
    for got, want in zip(events, expected, strict=True):
        for name in ("type", "actor_label", "created_at", "to_value", "message", "data"):
            assert getattr(got, name) == getattr(want, name), name
    assert [p.uuid for p in photos] == [shown.uuid]
    assert photos[0].source == shown.source
    assert not {e.pk for e in events} & set(other.events.values_list("pk", flat=True))


def test_the_list_cards_say_what_the_old_row_template_said(city):
    """public_list_cards builds in Python what the list's row template used to look up: the
    same text in English and Spanish, the same escaping, the same URLs."""
    from django.template import Context, Template
    from django.utils import timezone, translation

    from requests_app.selectors import PublicFilters, public_list_cards, request_public_list

    submit(city, address='1 <b>"Market"</b> St')
    older = submit(city)
    ServiceRequest.objects.filter(pk=older.pk).update(
        status=Status.CLOSED_DUPLICATE, created_at=timezone.now() - timezone.timedelta(days=40)
    )
    old = Template(
        "{% load times user_text %}{{ r.get_absolute_url }}|{{ r.category.icon }}|"
        "{{ r.category.tr_name }}|{{ r.tracking_number }}|{{ r.status }}|"
        "{{ r.get_status_display }}|{% if r.address %}{{ r.address|bdi }}{% endif %}|"
        "{% if r.neighbourhood %}{{ r.neighbourhood.name }}{% endif %}|"
        '{{ r.created_at|isotime }}|{{ r.created_at|when_date:"short" }}'
    )
    new = Template(
        "{{ r.url }}|{{ r.icon }}|{{ r.name }}|{{ r.tracking_number }}|{{ r.status }}|"
        "{{ r.status_label }}|{% if r.address %}{{ r.address }}{% endif %}|"
        "{% if r.neighbourhood %}{{ r.neighbourhood }}{% endif %}|{{ r.iso }}|{{ r.date }}"
    )
    rows, _ = request_public_list(filters=PublicFilters())
    assert len(rows) >= 2
    for lang in ("en", "es"):
        with translation.override(lang), timezone.override("America/Los_Angeles"):
            cards, points = public_list_cards(rows=rows)
            for row, card, point in zip(rows, cards, points, strict=True):
                assert new.render(Context({"r": card})) == old.render(Context({"r": row}))
                assert point["url"] == row.get_absolute_url()
                assert (point["lat"], point["lng"]) == (row.location.y, row.location.x)
