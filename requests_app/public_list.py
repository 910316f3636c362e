"""The public list's reads (`/requests/`): keyset paging over the request table, and the
page's cards and map points built in plain Python. Split from selectors.py (which re-exports
every public name here) when the list's light path made that module too long."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from civic311.bounds import ID_MAX, PAGE_MAX, year_in_range
from requests_app.configcache import STAMP_TABLE
from requests_app.labels import choice_label, tr_language
from requests_app.models import OPEN_STATUSES, Area, Category, ServiceRequest, Status
from requests_app.reference import Reference, reference, reference_at, requests_attach
from requests_app.when import ISO_TIME, SHORT, city_zone, when_date

PUBLIC_PAGE_SIZE = 20


@dataclass(frozen=True)
class ListCursor:
    """A place in the public list (newest first): a row's creation time and id."""

    created_at: datetime
    id: int

    def __str__(self) -> str:
        return f"{(self.created_at - _EPOCH) // _MICROSECOND}_{self.id}"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def list_cursor_parse(raw: str | None) -> ListCursor | None:
    """The cursor a pager link carries, or None for anything that is not one (then the page
    number alone is used, as before cursors)."""
    if not raw or len(raw) > 40:
        return None
    micros, _sep, pk = raw.partition("_")
    try:
        at = _EPOCH + int(micros) * _MICROSECOND
        row_id = int(pk)
    except (ValueError, OverflowError):
        return None
    if not (year_in_range(at) and 0 < row_id <= ID_MAX):
        return None
    return ListCursor(created_at=at, id=row_id)


@dataclass(frozen=True)
class PublicFilters:
    category: int | None = None
    status: str = ""  # "open", "closed" or ""
    neighbourhood: int | None = None
    page: int = 1
    # Keyset paging: rows older than `after` (the "Older" link) or newer than `before` ("Newer").
    # Without either, the page number picks the rows (links made before cursors still work).
    after: ListCursor | None = None
    before: ListCursor | None = None


# The public list's columns in the model's order; the map needs the point's coordinates only, so
# PostgreSQL hands them over as two numbers (a GEOS point per row cost ~50 us to build).
_LIST_SQL = (
    "SELECT id, tracking_number, category_id, address, neighbourhood_id, status, created_at,"
    " ST_X(location::geometry) AS lng, ST_Y(location::geometry) AS lat"
    " FROM requests_app_servicerequest"
)
# The page's rows with the config stamp as reference() reads it (configcache) in front: one
# statement where the stamp was one of its own. The one-row side keeps the stamp when no row
# matches (then the page's columns are NULL); the page's order is said again outside, where the
# join could lose it.
_WITH_STAMP_SQL = (
    f"SELECT (SELECT value FROM {STAMP_TABLE} WHERE id = 1), page.*"  # noqa: S608
    " FROM (SELECT 1) AS one LEFT JOIN LATERAL ({page}) AS page ON true"
    " ORDER BY page.created_at {order}, page.id {order}"
)
_LIST_ATTNAMES = (
    "id",
    "tracking_number",
    "category_id",
    "address",
    "neighbourhood_id",
    "status",
    "created_at",
)
_OPEN_IN = "status IN ({})".format(", ".join(["%s"] * len(OPEN_STATUSES)))


def _public_list_fetch(*, filters: PublicFilters) -> tuple[list[tuple], bool, int | None]:
    """One page of the public list as the database's tuples (`_LIST_ATTNAMES`, then longitude
    and latitude), newest first, whether an older page exists, and the config stamp."""
    where: list[str] = []
    params: list[object] = []
    if filters.category:
        where.append("category_id = %s")
        params.append(filters.category)
    if filters.neighbourhood:
        where.append("neighbourhood_id = %s")
        params.append(filters.neighbourhood)
    if filters.status == "open":
        where.append(_OPEN_IN)
        params.extend(sorted(OPEN_STATUSES))
    elif filters.status == "closed":
        where.append(f"NOT ({_OPEN_IN})")
        params.extend(sorted(OPEN_STATUSES))
    size = PUBLIC_PAGE_SIZE + 1
    newest_first = "ORDER BY created_at DESC, id DESC"
    if filters.after is not None:
        at, pk = filters.after.created_at, filters.after.id
        where.append("created_at <= %s AND NOT (created_at = %s AND id >= %s)")
        params.extend([at, at, pk])
        tail, limit = f"{newest_first} LIMIT {size}", size
    elif filters.before is not None:
        at, pk = filters.before.created_at, filters.before.id
        where.append("created_at >= %s AND NOT (created_at = %s AND id <= %s)")
        params.extend([at, at, pk])
        # The page just newer than the cursor: the oldest rows above it, shown newest first.
        tail, limit = f"ORDER BY created_at ASC, id ASC LIMIT {PUBLIC_PAGE_SIZE}", None
    else:
        start = (min(max(filters.page, 1), PAGE_MAX) - 1) * PUBLIC_PAGE_SIZE
        tail, limit = f"{newest_first} LIMIT {size}" + (f" OFFSET {start}" if start else ""), size
    sql = _WITH_STAMP_SQL.format(
        page=f"{_LIST_SQL} {'WHERE ' + ' AND '.join(where) if where else ''} {tail}",
        order="DESC" if limit else "ASC",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    stamp = fetched[0][0]
    fetched = [row[1:] for row in fetched if row[1] is not None]
    if limit is None:
        fetched.reverse()
        has_next = True  # the page the reader came from
    else:
        has_next = len(fetched) > PUBLIC_PAGE_SIZE
    return fetched[:PUBLIC_PAGE_SIZE], has_next, stamp


def request_public_list(
    *, filters: PublicFilters, ref: Reference | None = None
) -> tuple[list[ServiceRequest], bool]:
    """One page of recent requests, newest first, and whether an older page exists.

    No COUNT(*): a city with millions of requests pages by fetching one row more than shown.
    With a cursor the rows are found from it through the index (`created_at <= t`), so page
    500 costs what page 1 does; OFFSET would read and skip every row before it. Only the
    request table is read: the category and neighbourhood come from the reference snapshot.

    The statement is the one the ORM wrote for `only(*PUBLIC_LIST_FIELDS)` (same filters, same
    order, so the same plans), sent with a plain cursor: compiling it was ~0.5 ms a page. The
    rows are requests with those fields loaded, except the location: each has `lnglat`, its
    (longitude, latitude), and reading `location` loads it like any deferred field."""
    fetched, has_next, _stamp = _public_list_fetch(filters=filters)
    rows = []
    for *values, lng, lat in fetched:
        row = ServiceRequest.from_db(connection.alias, _LIST_ATTNAMES, values)
        row.lnglat = (lng, lat)
        rows.append(row)
    requests_attach(rows=rows, ref=ref or reference())
    return rows, has_next


_PLAIN_NUMBER = re.compile(r"[A-Za-z0-9-]+")


def public_list_cards(*, rows: list[ServiceRequest]) -> tuple[list[dict], list[dict]]:
    """The public list's rows as display strings, and the map's points, built in plain Python:
    the per-row template then only prints them. Each row's category name, status label, URL,
    address and dates were a dozen template lookups and filters (a reverse() twice per row, a
    lazy status label, Django's date-format parser); the same text, in the active language and
    the city's time zone (requests_app.when)."""
    items = []
    for r in rows:
        # The list's rows bring their coordinates as numbers (request_public_list).
        lnglat = r.__dict__.get("lnglat")
        lng, lat = lnglat if lnglat is not None else (r.location.x, r.location.y)
        category, area = r.category, r.neighbourhood
        tn, status, created_at = r.tracking_number, r.status, r.created_at
        items.append((tn, category, r.address, area, status, created_at, lng, lat))
    cards, points, _html = _list_cards(items)
    return cards, points


def _list_cards(items: list[tuple]) -> tuple[list[dict], list[dict], str]:
    """public_list_cards' work on (tracking number, category, address, neighbourhood, status,
    created_at, longitude, latitude) tuples, whether they come from model instances or straight
    from the database (public_list_page); and, in the same pass, the cards' HTML as
    `request_cards` prints them (a test compares), with each repeated value escaped once a
    page: 200 `escape` calls were a fifth of the results fragment's CPU."""
    cards = []
    points = []
    rows_html = []
    # One reverse() for the page: a tracking number is letters, digits and dashes, which the
    # URL carries as they are (anything else goes through reverse() itself).
    head = reverse("requests_app:tracker", args=["0"])[: -len("0/")]
    head_html = html.escape(head)
    zone = city_zone()  # the reader's clock (requests_app.when), read once a page
    lang = tr_language()
    days: dict[object, tuple[str, str]] = {}  # most rows of a page share their day
    # ... and their categories, statuses and areas: each name and label looked up and escaped
    # once a page (each look-up asks for the active language, a thread-local read).
    names: dict[int | None, tuple[str, str, str]] = {}
    labels: dict[str, tuple[str, str]] = {}
    areas: dict[str, str] = {}
    for tn, category, address, neighbourhood, status, created_at, lng, lat in items:
        key = category.id if category else None
        name_icon = names.get(key)
        if name_icon is None:
            name, icon = (category.tr("name", lang), category.icon) if category else ("", "")
            name_icon = names[key] = (
                name,
                icon,
                _ICON_NAME.format(html.escape(icon), html.escape(name)),
            )
        name, icon, icon_name = name_icon
        label_status = labels.get(status)
        if label_status is None:
            label = choice_label(choices=Status, value=status)
            label_status = labels[status] = (
                label,
                _STATUS.format(html.escape(status), html.escape(label)),
            )
        label, status_html = label_status
        if _PLAIN_NUMBER.fullmatch(tn):
            url, url_html, tn_html = f"{head}{tn}/", f"{head_html}{tn}/", tn
        else:
            url = reverse("requests_app:tracker", args=[tn])
            url_html, tn_html = html.escape(url), html.escape(tn)
        created = created_at.astimezone(zone)
        day = created.date()
        date_pair = days.get(day)
        if date_pair is None:
            date = when_date(created, style=SHORT)
            date_pair = days[day] = (date, html.escape(date))
        date, date_html = date_pair
        iso = created.strftime(ISO_TIME)  # when_iso(), on the time already local
        # bdi()'s markup, escaped as it escapes, without format_html (20 times a page).
        address_html = f"<bdi>{html.escape(address)}</bdi>" if address else ""
        area = neighbourhood.name if neighbourhood else ""
        muted = f"{address_html} · " if address else ""
        if area:
            area_html = areas.get(area)
            if area_html is None:
                area_html = areas[area] = f"{html.escape(area)} · "
            muted += area_html
        cards.append(
            {
                "url": url,
                "icon": icon,
                "name": name,
                "tracking_number": tn,
                "status": status,
                "status_label": label,
                # mark_safe's result without its lazy-string wrapper (20 times a page).
                "address": SafeString(address_html),
                "neighbourhood": area,
                "iso": iso,
                "date": date,
            }
        )
        rows_html.append(
            f'{_CARD_A}{url_html}">{icon_name}{_CARD_TN}{tn_html}{status_html}{_CARD_MUTED}'
            f'{muted}<time datetime="{iso}">{date_html}</time></span>\n    </li>\n    '
        )
        points.append({"lat": lat, "lng": lng, "tn": tn, "label": name, "url": url})
    return cards, points, mark_safe("".join(rows_html))  # noqa: S308 (every value is escaped)


# templatetags/cards.py's _ROW, cut where the values go (tests compare with request_cards).
_CARD_A = '\n    <li class="request-card">\n      <a href="'
_ICON_NAME = '<span aria-hidden="true">{}</span> {}</a>'
_CARD_TN = '\n      <span class="tracking-number small">'
_STATUS = '</span>\n      <span class="status status-{}">{}</span>'
_CARD_MUTED = '\n      <span class="muted">'


@dataclass(frozen=True)
class PublicListPage:
    ref: Reference  # the reference snapshot the cards were written from
    cards: list[dict]
    # The cards as request_cards prints them.
    cards_html: str
    points: list[dict]
    has_next: bool
    # The first and last rows' keys, for the pager's links (None on an empty page).
    first: ListCursor | None
    last: ListCursor | None


def public_list_page(*, filters: PublicFilters, ref: Reference | None = None) -> PublicListPage:
    """The public list page's cards, map points and pager keys, as request_public_list and
    public_list_cards give them, from the database's tuples: no model instance per row (twenty
    `from_db` and the snapshot's attaching were ~0.2 ms of the page). A category or area that
    the snapshot does not have yet (written after it was read) is read as the instance's
    foreign key would have read it. Without `ref`, the snapshot is checked against the config
    stamp read with the rows (`page.ref`): one statement a page."""
    fetched, has_next, stamp = _public_list_fetch(filters=filters)
    if ref is None:
        ref = reference_at(stamp)
    items = []
    for _pk, tn, category_id, address, area_id, status, created_at, lng, lat in fetched:
        category = ref.categories.get(category_id) if category_id is not None else None
        if category is None and category_id is not None:
            category = Category._base_manager.get(pk=category_id)
        area = ref.areas.get(area_id) if area_id is not None else None
        if area is None and area_id is not None:
            area = Area._base_manager.get(pk=area_id)
        items.append((tn, category, address, area, status, created_at, lng, lat))
    cards, points, cards_html = _list_cards(items)
    return PublicListPage(
        ref=ref,
        cards=cards,
        cards_html=cards_html,
        points=points,
        has_next=has_next,
        first=ListCursor(fetched[0][6], fetched[0][0]) if fetched else None,
        last=ListCursor(fetched[-1][6], fetched[-1][0]) if fetched else None,
    )
