"""Reads for the resident-facing pages. Nothing here returns a resident's personal data."""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Abs, Coalesce
from django.utils.translation import gettext as _

from requests_app.addresses import MAX_QUERY, Street, address_normalize, address_query_parse
from requests_app.category_search import category_search
from requests_app.configcache import STAMP_TABLE, config_cached, config_snapshot_memo
from requests_app.models import (
    AddressPoint,
    Area,
    AreaSet,
    Asset,
    Category,
    CategoryGroup,
    ClosureReason,
    Department,
    Photo,
    RequestEvent,
    ServiceRequest,
    Status,
)
from requests_app.prepared import prepared
from requests_app.public_list import (  # noqa: F401 (the list's reads, re-exported)
    PUBLIC_PAGE_SIZE,
    ListCursor,
    PublicFilters,
    PublicListPage,
    list_cursor_parse,
    public_list_cards,
    public_list_page,
    request_public_list,
)
from requests_app.reference import (
    Reference,
    category_groups_ranked,
    reference,
    reference_at,
    requests_attach,
)
from requests_app.rows import model_columns, row_convert
from requests_app.tracking_numbers import tracking_number_normalise

# --- Geography ---------------------------------------------------------------------------------


def boundary_contains(*, point: Point, with_areas: bool = False) -> bool:
    """True when the point is inside the active service-area boundary (or none is loaded yet).

    ``with_areas``: answered from areas_at(), whose one query also finds the neighbourhood and
    ward, kept for the config snapshot: the report form checks the point and the submission it
    files then asks for the same point's areas."""
    if not boundary_loaded():
        return True
    if with_areas:
        return AreaSet.Kind.BOUNDARY in areas_at(point=point)
    boundary = Area.objects.filter(area_set__active=True, kind=AreaSet.Kind.BOUNDARY)
    return boundary.filter(geom__intersects=point).exists()


def boundary_loaded() -> bool:
    """Whether an active service-area boundary is loaded; kept per process until areas change
    (requests_app.configcache), so a location check is one query."""
    return config_cached(
        "requests_app.boundary_loaded",
        Area.objects.filter(area_set__active=True, kind=AreaSet.Kind.BOUNDARY).exists,
    )


def areas_at(*, point: Point) -> dict[str, Area]:
    """The active boundary, neighbourhood and ward containing the point, by kind: one query
    through the areas' spatial index, kept for the enclosing config_snapshot() block (areas are
    among the tables behind the stamp)."""

    def load() -> dict[str, Area]:
        found = Area.objects.filter(
            area_set__active=True,
            kind__in=[AreaSet.Kind.BOUNDARY, AreaSet.Kind.NEIGHBOURHOOD, AreaSet.Kind.WARD],
            geom__intersects=point,
        ).only("id", "kind", "name")
        # As areas_for_point: on a shared edge the last one found wins.
        return {area.kind: area for area in found}

    return config_snapshot_memo(("areas_at", point.srid, point.x, point.y), load)


def areas_for_point(*, point: Point) -> dict[str, Area]:
    """The active neighbourhood and ward containing the point, by kind."""
    found = Area.objects.filter(
        area_set__active=True,
        kind__in=[AreaSet.Kind.NEIGHBOURHOOD, AreaSet.Kind.WARD],
        geom__intersects=point,
    ).only("id", "kind", "name")
    return {area.kind: area for area in found}


def neighbourhood_list() -> QuerySet[Area]:
    return Area.objects.filter(area_set__active=True, kind=AreaSet.Kind.NEIGHBOURHOOD).only(
        "id", "name"
    )


# Address search ranks: the house number on the street typed, then a corner of the two streets
# typed, then any point on the street typed (nearest house number first), then names starting
# with the text typed, then names like it (trigram word similarity, misspelt street names).
RANK_EXACT, RANK_CORNER, RANK_STREET, RANK_PREFIX, RANK_FUZZY = range(5)
# How far apart two streets' address points may be for them to meet, when the pack has no
# intersection point for the pair.
CORNER_WITHIN_M = 150


def address_search(*, query: str, limit: int = 8) -> list[AddressPoint]:
    """Address points best matching what the person typed, best first, each with `rank` (see
    RANK_*) and `sim` (trigram word similarity).

    One query, the UNION of two index-friendly halves each cut to `limit` (together the planner
    picked a sequential scan, computing trigram similarity on every row: 0.6 s at 130,000
    points): the street columns by b-tree (exact address, corner, street) and the names by
    trigram (prefix, word similarity). An intersection typed with a joiner ("Valencia & 16th",
    "Valencia y 16") that the pack has no point for is then looked for as the closest pair of the
    two streets' address points (a second query)."""
    parsed = address_query_parse(query[:MAX_QUERY])
    if parsed is None or len(parsed.text) < 3:
        return []
    whens: list[When] = []
    streets = Q()
    if parsed.number is not None and parsed.street:
        whens.append(When(Q(number=parsed.number, street=parsed.street.name), then=RANK_EXACT))
    if parsed.pairs:
        corner = Q()
        for a, b in parsed.pairs:
            corner |= (_on(a, "street") & _on(b, "cross_street")) | (
                _on(b, "street") & _on(a, "cross_street")
            )
        streets |= corner
        whens.append(When(corner, then=RANK_CORNER))
    if parsed.street:
        streets |= Q(street=parsed.street.name)
        whens.append(When(street=parsed.street.name, then=RANK_STREET))
    whens.append(When(search__startswith=parsed.text, then=RANK_PREFIX))
    # Among names alike, a place before the streets it is named after ("Dolores Park").
    order = ["rank", "gap", "-sim", "not_place", "label"]
    points = AddressPoint.objects.annotate(
        rank=Case(*whens, default=Value(RANK_FUZZY)),
        sim=TrigramWordSimilarity(Value(parsed.text), "search"),
        not_place=Case(When(kind=AddressPoint.Kind.PLACE, then=0), default=1),
        # The nearest house number first on the street typed ("123 Valencia": 135, then 100).
        gap=Coalesce(Abs(F("number") - parsed.number), 2**31 - 1)
        if parsed.number is not None
        else Value(0),
    )
    if parsed.street and parsed.street.type:
        # "100 16th St" before "100 16th Ave": the street type typed agrees.
        typed = f"{parsed.street.name} {parsed.street.type}"
        points = points.annotate(typed=Case(When(search__contains=typed, then=0), default=1))
        order.insert(1, "typed")
    names = points.filter(
        Q(search__startswith=parsed.text) | Q(search__trigram_word_similar=parsed.text)
    ).order_by(*order)[:limit]
    if streets:
        names = points.filter(streets).order_by(*order)[:limit].union(names, all=True)
    results: dict[int, AddressPoint] = {}
    for point in names.order_by(*order) if streets else names:
        results.setdefault(point.pk, point)
    found = list(results.values())[:limit]
    if parsed.explicit and not any(p.rank <= RANK_CORNER for p in found):
        met = _streets_meet(*parsed.pairs[0])
        if met is not None:
            found = [met, *found][:limit]
    return found


def _on(street: Street, column: str) -> Q:
    """Points on `street` by `column`; with the type typed, that type ("16th Ave & Valencia" is
    no corner: 16th Avenue never meets Valencia Street)."""
    on = Q(**{column: street.name})
    return on & Q(search__contains=f"{street.name} {street.type}") if street.type else on


def _streets_meet(a: Street, b: Street) -> AddressPoint | None:
    """Where two streets meet when the pack has no intersection point for them: midway between
    the closest pair of their address points, if that pair is within CORNER_WITHIN_M. Not saved:
    a point to show and pick, labelled with the two streets as the address file spells them."""

    def spelled(street: Street) -> str:
        return f"% {street.name} {street.type}" if street.type else "%"

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.label, a.number, b.label, b.number,
                   ST_X(mid), ST_Y(mid)
            FROM requests_app_addresspoint a
            JOIN requests_app_addresspoint b
              ON ST_DWithin(a.location, b.location, %s)
            CROSS JOIN LATERAL ST_Centroid(
              ST_Collect(a.location::geometry, b.location::geometry)) AS mid
            WHERE a.street = %s AND b.street = %s AND a.kind = 'address' AND b.kind = 'address'
              AND a.normalized LIKE %s AND b.normalized LIKE %s
            ORDER BY ST_Distance(a.location, b.location)
            LIMIT 1
            """,
            [CORNER_WITHIN_M, a.name, b.name, spelled(a), spelled(b)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    a_label, a_number, b_label, b_number, lng, lat = row

    def street_of(label: str, number: int | None) -> str:
        return label.split(" ", 1)[1] if number is not None and " " in label else label

    point = AddressPoint(
        label=f"{street_of(a_label, a_number)} & {street_of(b_label, b_number)}"[:200],
        kind=AddressPoint.Kind.INTERSECTION,
        location=Point(lng, lat, srid=4326),
    )
    point.rank, point.sim = RANK_CORNER, 1.0
    return point


def address_resolve(*, query: str) -> AddressPoint | None:
    """The one address point a typed address means: an exact match, else a single clear best
    match (the only one, the only exact address or corner, or well ahead of the next by
    similarity). Used when the form is submitted without JavaScript or without picking a
    suggestion."""
    norm = address_normalize(query[:MAX_QUERY])
    if not norm:
        return None
    exact = AddressPoint.objects.filter(normalized=norm).first()
    if exact:
        return exact
    matches = address_search(query=query, limit=2)
    if len(matches) == 1:
        return matches[0]
    if len(matches) == 2:
        first, second = matches
        if first.rank <= RANK_CORNER < second.rank or (
            first.rank <= second.rank and first.sim - second.sim > 0.15
        ):
            return first
    return None


def address_nearest(*, point: Point, within_m: float = 150) -> AddressPoint | None:
    return (
        AddressPoint.objects.filter(location__dwithin=(point, within_m))
        .annotate(d=Distance("location", point))
        .order_by("d")
        .first()
    )


# --- Assets ------------------------------------------------------------------------------------

# How far from the request's point a picked asset may be: further than the picker offers (150 m),
# so a pin nudged after picking does not undo the pick, but close enough to refuse a forged id.
ASSET_PICK_MAX_M = 300


def assets_nearest(
    *, asset_type: str, point: Point, limit: int = 5, within_m: float = 150
) -> list[Asset]:
    """The active assets of one type nearest the point, closest first, each with `distance`.

    ST_DWithin on the geography column narrows the rows through the GiST index; only those few
    are sorted by their exact distance."""
    if not asset_type or point is None:
        return []
    return list(
        Asset.objects.filter(
            asset_type=asset_type, active=True, location__dwithin=(point, within_m)
        )
        .annotate(distance=Distance("location", point))
        .only("id", "asset_type", "asset_id", "name", "location")
        .order_by("distance", "asset_id")[:limit]
    )


def asset_for_pick(
    *, asset_type: str, asset_id: str, point: Point, within_m: float = ASSET_PICK_MAX_M
) -> Asset | None:
    """The active asset a resident picked, if it is of the expected type and near the point."""
    if not asset_type or not asset_id or point is None:
        return None
    return (
        Asset.objects.filter(
            asset_type=asset_type,
            asset_id=asset_id.strip(),
            active=True,
            location__dwithin=(point, within_m),
        )
        .select_related("department")
        .first()
    )


# --- Categories --------------------------------------------------------------------------------


def category_groups_with_categories(*, query: str = "") -> list[CategoryGroup]:
    """Active categories grouped for the picker, narrowed to what the resident typed and best
    first (requests_app.category_search). Read from the process's reference snapshot: shared
    objects, not to be changed."""
    return category_picker_search(query=query)[1]


def category_picker_search(*, query: str) -> tuple[Reference, list[CategoryGroup], tuple]:
    """The report form's category search: (the snapshot it read, the groups to show, the words
    searched for). The last word is taken as a prefix: the form searches as residents type.
    No word to search for (nothing typed, one letter, only punctuation) shows every group."""
    found = category_search(query=query, prefix_last=True)
    if not found.words:
        return found.ref, found.ref.groups, found.words
    categories = [m.category for m in found.matches]
    return found.ref, category_groups_ranked(ref=found.ref, categories=categories), found.words


def category_for_form(
    *, category_id: int | str | None, ref: Reference | None = None
) -> Category | None:
    """An active category with its questions and their choices (from the reference snapshot)."""
    if not category_id:
        return None
    try:
        pk = int(category_id)
    except (ValueError, TypeError):
        return None
    category = (ref or reference()).categories.get(pk)
    return category if category is not None and category.active else None


# --- Requests, public views --------------------------------------------------------------------

# Everything a public page may read from a request: no reporter fields. Only the request's own
# columns: the category, department, neighbourhood and closure reason come from the reference
# snapshot (a join with them cost the planner ~7 ms a page at 1M requests).
PUBLIC_FIELDS = (
    "id",
    "tracking_number",
    "category",
    "department",
    "description",
    "location",
    "address",
    "neighbourhood",
    "status",
    "created_at",
    "updated_at",
    "resolved_at",
    "closed_at",
    "expected_at",
    "closure_reason",
    "duplicate_of",
    # Asset ids are public information (they are painted on the poles).
    "asset_ref",
    "asset",
)
# What a row of the public list shows (and its map point).
PUBLIC_LIST_FIELDS = (
    "id",
    "tracking_number",
    "category",
    "location",
    "address",
    "neighbourhood",
    "status",
    "created_at",
)


@functools.cache
def _request_select(fields: tuple[str, ...]) -> tuple[str, tuple[str, ...], list]:
    """(SELECT ... FROM the request table, the attnames in model order, the converters
    `rows.row_convert` runs: the location's geometry), for fields (by name)."""
    attnames = [ServiceRequest._meta.get_field(name).attname for name in fields]
    table = ServiceRequest._meta.db_table
    columns, select, converters = model_columns(ServiceRequest, attnames, alias=table)
    sql = f'SELECT {select} FROM "{table}"'  # noqa: S608 - names from the model
    return sql, tuple(f.attname for f in columns), converters


# The config stamp as reference() reads it (configcache), as a column of a row's read.
_STAMP_SQL = f"(SELECT value FROM {STAMP_TABLE} WHERE id = 1)"  # noqa: S608


def _request_row(*, fields: tuple[str, ...], column: str, value: str) -> ServiceRequest | None:
    """The request whose unique `column` equals value, with only `fields` loaded (the rest
    deferred, as `only()` leaves them), read with a plain cursor: the ORM's query compilation
    was ~0.5 ms of the tracker's CPU, for one row by a unique key."""
    return _request_row_read(fields=fields, column=column, value=value, stamp=False)[0]


def _request_row_stamped(
    *, fields: tuple[str, ...], column: str, value: str
) -> tuple[ServiceRequest | None, int | None]:
    """_request_row's request and the config stamp as reference() reads it, in one statement
    (the tracker's way: a round trip less a page)."""
    return _request_row_read(fields=fields, column=column, value=value, stamp=True)


def _request_row_read(
    *, fields: tuple[str, ...], column: str, value: str, stamp: bool
) -> tuple[ServiceRequest | None, int | None]:
    select, attnames, converters = _request_select(fields)
    if stamp:
        columns, table = select.split(" FROM ", 1)
        select = f"{columns}, {_STAMP_SQL} FROM {table}"
    with connection.cursor() as cursor:
        # Prepared once per database session (its text is fixed per fields and column), like
        # the tracker's: PostgreSQL plans a wide row read by a unique key for longer than it
        # runs it (the confirmation page's read, issue 11 round 9).
        sql = f"{select} WHERE {connection.ops.quote_name(column)} = %s"
        prepared(cursor, [(sql, None, [value])])
        row = cursor.fetchone()
    if row is None:
        return None, None
    if stamp:
        return _request_from_row(row[:-1], attnames, converters), row[-1]
    return _request_from_row(row, attnames, converters), None


def _request_from_row(row: tuple, attnames: tuple[str, ...], converters: list) -> ServiceRequest:
    return ServiceRequest.from_db(connection.alias, attnames, row_convert(row, converters))


def _request_attach_public(sr: ServiceRequest, ref: Reference) -> None:
    # The snapshot's category, department, neighbourhood and closure reason, and the two rows
    # a public page may name: the request this one duplicates, the asset it was filed against.
    requests_attach(rows=[sr], ref=ref)
    if sr.duplicate_of_id is not None:
        original = ServiceRequest.objects.only("id", "tracking_number").filter(
            pk=sr.duplicate_of_id
        )
        ServiceRequest.duplicate_of.field.set_cached_value(sr, original.first())
    if sr.asset_id is not None:
        asset = Asset.objects.only("id", "asset_type", "asset_id").filter(pk=sr.asset_id)
        ServiceRequest.asset.field.set_cached_value(sr, asset.first())


def request_get_public(
    *, tracking_number: str, ref: Reference | None = None
) -> ServiceRequest | None:
    """One request's public fields, with its category, department, neighbourhood, closure
    reason, the request it duplicates (number only) and its asset (type and id only).
    ``tracking_number`` may be as typed ("26124827", "2612 4827")."""
    number = tracking_number_normalise(text=tracking_number)
    if number is None:
        return None
    sr = _request_row(fields=PUBLIC_FIELDS, column="tracking_number", value=number)
    if sr is None:
        return None
    _request_attach_public(sr, ref or reference())
    return sr


@functools.cache
def _tracker_sql() -> str:
    # The public columns, the config stamp as reference() reads it (configcache), and the
    # public events and photos as public_events_and_photos reads them, as one JSON array.
    select, _attnames, _converters = _request_select(PUBLIC_FIELDS)
    columns, table = select.split(" FROM ", 1)
    rows = _TRACKER_ROWS_JSON_SQL.format(request=f"{table}.{connection.ops.quote_name('id')}")
    return f"{columns}, {_STAMP_SQL}, ({rows}) FROM {table} WHERE tracking_number = %s"


def request_get_tracker(
    *, tracking_number: str
) -> tuple[ServiceRequest, Reference, list[RequestEvent], list[Photo]] | None:
    """What the tracker shows, in one statement: request_get_public's request, the reference
    snapshot (checked against the config stamp read with the row) and public_events_and_photos'
    events and photos. None when there is no such request. Three round trips made one (the
    stamp joined the row in issue 11's fourth round, the events and photos in its fifth)."""
    number = tracking_number_normalise(text=tracking_number)
    if number is None:
        return None
    _select, attnames, converters = _request_select(PUBLIC_FIELDS)
    with connection.cursor() as cursor:
        # Prepared once per database session: planning the row, the stamp and the events'
        # sub-select cost PostgreSQL more than running them (issue 11, round 9).
        prepared(cursor, [(_tracker_sql(), ("text",), [number])])
        row = cursor.fetchone()
    if row is None:
        return None
    ref = reference_at(row[-2])
    sr = _request_from_row(row[:-2], attnames, converters)
    _request_attach_public(sr, ref)
    events, photos = _events_and_photos(sr.pk, row[-1] or (), from_json=True)
    return sr, ref, events, photos


def request_public_url(*, tracking_number: str) -> str | None:
    """The tracker's address for a tracking number as typed (any separator or none), or None
    when there is no such request."""
    number = tracking_number_normalise(text=tracking_number)
    if number is None:
        return None
    found = (
        ServiceRequest.objects.filter(tracking_number=number)
        .order_by()
        .values_list("tracking_number", flat=True)[:1]
    )
    return ServiceRequest(tracking_number=found[0]).get_absolute_url() if found else None


def request_get_by_token(*, token: str, ref: Reference | None = None) -> ServiceRequest | None:
    if not token or len(token) < 32:
        return None
    # Every column, as ServiceRequest.objects.get(private_token=token) read them; without a
    # snapshot given, the config stamp rides along (the confirmation page: one round trip).
    if ref is None:
        sr, version = _request_row_stamped(fields=_ALL_FIELDS, column="private_token", value=token)
        if sr is None:
            return None
        ref = reference_at(version)
    else:
        sr = _request_row(fields=_ALL_FIELDS, column="private_token", value=token)
        if sr is None:
            return None
    requests_attach(rows=[sr], ref=ref)
    return sr


_ALL_FIELDS = tuple(f.name for f in ServiceRequest._meta.concrete_fields)


# Values in from_db go in the models' field order (Model.from_db fills the rest as deferred).
# One statement for the tracker's public events and photos: a round trip and two ORM query
# compilations less per page (together ~0.9 ms of the tracker's ~5.7 ms of CPU at 1M). The
# columns are the ones the timeline, the pipeline and the photo list read; the order is the
# models' own (created_at, id).
_TRACKER_ROWS_SQL = """
SELECT 'e', id, type, actor_label, created_at, to_value, message, data::text, NULL::uuid, ''
  FROM requests_app_requestevent WHERE request_id = %(id)s AND public
UNION ALL
SELECT 'p', id, '', '', created_at, '', '', NULL, uuid, source
  FROM requests_app_photo WHERE request_id = %(id)s AND public
ORDER BY 1, 5, 2
"""
# The same rows as one JSON array, as a sub-select of the tracker's request row ({request} is
# the row's id column); NULL when there are none. Timestamps come back as ISO text.
_TRACKER_ROWS_JSON_SQL = """
SELECT json_agg(json_build_array(k, id, type, actor_label, created_at, to_value, message, data,
                                 uuid, source) ORDER BY k, created_at, id)
  FROM (SELECT 'e' AS k, id, type, actor_label, created_at, to_value, message, data,
               NULL::uuid AS uuid, '' AS source
          FROM requests_app_requestevent WHERE request_id = {request} AND public
        UNION ALL
        SELECT 'p', id, '', '', created_at, '', '', NULL::jsonb, uuid, source
          FROM requests_app_photo WHERE request_id = {request} AND public) AS public_rows
"""


def public_events_and_photos(*, request: ServiceRequest) -> tuple[list[RequestEvent], list[Photo]]:
    """The request's public events and public photos (as public_events and public_photos give
    them, with only the fields the tracker shows), in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_TRACKER_ROWS_SQL, {"id": request.pk})
        rows = cursor.fetchall()
    return _events_and_photos(request.pk, rows, from_json=False)


def _events_and_photos(
    request_pk: int, rows, *, from_json: bool
) -> tuple[list[RequestEvent], list[Photo]]:
    # Rows from _TRACKER_ROWS_SQL, or from _TRACKER_ROWS_JSON_SQL (from_json: the time as ISO
    # text, the event's data already parsed, the photo's uuid as text).
    events: list[RequestEvent] = []
    photos: list[Photo] = []
    for kind, pk, type_, actor_label, created_at, to_value, message, data, uuid_, source in rows:
        if from_json:
            created_at = datetime.fromisoformat(created_at)
        if kind == "e":
            if data is None:
                data = {}
            elif not from_json:
                data = json.loads(data)
            values = (pk, request_pk, type_, actor_label, created_at, True, to_value, message, data)
            events.append(RequestEvent.from_db("default", _EVENT_FIELDS, values))
        else:
            if from_json:
                uuid_ = uuid.UUID(uuid_)
            values = (pk, uuid_, source, True, created_at)
            photos.append(Photo.from_db("default", _PHOTO_FIELDS, values))
    return events, photos


_EVENT_FIELDS = (
    "id",
    "request_id",
    "type",
    "actor_label",
    "created_at",
    "public",
    "to_value",
    "message",
    "data",
)
_PHOTO_FIELDS = ("id", "uuid", "source", "public", "created_at")


@dataclass
class PipelineStep:
    key: str
    label: str
    done: bool = False
    current: bool = False
    at: datetime | None = None
    detail: str = ""


@dataclass
class Pipeline:
    steps: list[PipelineStep] = field(default_factory=list)
    outcome: str = ""  # the closure reason in words
    terminal_label: str = ""


TERMINAL_STATUSES = frozenset({Status.CLOSED_DUPLICATE, Status.REFERRED, Status.NOT_ACTIONABLE})


def request_pipeline(
    *, request: ServiceRequest, events: list[RequestEvent], ref: Reference | None = None
) -> Pipeline:
    """The resident's pipeline (Received → Routed → In queue → On-site attempt → Resolved),
    derived from the public events only.

    1. Each step takes the time of the first event that reached it.
    2. A reopen clears the later steps, so the pipeline shows the current round of work.
    3. A terminal branch (duplicate, referred, not actionable) replaces the final step's label.
    """
    department = request.department.tr("name") if request.department else ""
    steps = {
        "received": PipelineStep("received", _("Received")),
        "routed": PipelineStep(
            "routed",
            _("Routed to %(department)s") % {"department": department}
            if department
            else _("Routed to a department"),
        ),
        "in_queue": PipelineStep("in_queue", _("In queue")),
        "onsite": PipelineStep("onsite", _("On-site attempt")),
        "resolved": PipelineStep("resolved", _("Resolved")),
    }
    order = list(steps)
    outcome = ""
    terminal = ""
    reason_codes: list[str] = []
    for event in events:
        key = None
        if event.type == RequestEvent.Type.CREATED:
            key = "received"
        elif event.type == RequestEvent.Type.ROUTED:
            key = "routed"
        elif event.type == RequestEvent.Type.ONSITE_ATTEMPT:
            key = "onsite"
        elif event.type == RequestEvent.Type.STATUS_CHANGED:
            to = event.to_value
            if to == Status.REOPENED:
                for k in order[1:]:
                    steps[k].done, steps[k].at = False, None
                outcome = terminal = ""
                continue
            if to == Status.ROUTED:
                key = "routed"
            elif to in (Status.IN_QUEUE, Status.IN_PROGRESS, Status.WAITING_ON_RESIDENT):
                key = "in_queue"
            elif to in (Status.RESOLVED, Status.CLOSED) or to in TERMINAL_STATUSES:
                key = "resolved"
                if to in TERMINAL_STATUSES:
                    terminal = str(Status(to).label)
                code = (event.data or {}).get("closure_reason")
                if code:
                    reason_codes.append(code)
                outcome = event.message or outcome
        if key and not steps[key].done:
            steps[key].done, steps[key].at = True, event.created_at
    # Earlier steps count as passed once a later one is reached (e.g. resolved straight away).
    reached = max((i for i, k in enumerate(order) if steps[k].done), default=0)
    for k in order[:reached]:
        if k != "onsite":
            steps[k].done = True
    if request.is_open:
        # Where the request is now: the last step it has reached.
        steps[order[reached]].current = True
    if terminal:
        steps["resolved"].label = terminal
    if reason_codes:
        reason = (ref or reference()).closure_reasons_by_code.get(reason_codes[-1])
        if reason:
            outcome = closure_message(reason=reason, message=outcome)
    return Pipeline(steps=list(steps.values()), outcome=outcome, terminal_label=terminal)


def closure_message(*, reason: ClosureReason, message: str) -> str:
    """What the resident reads when a request closes: the reason's public wording in the
    reader's language, then the staff's own words when they wrote some (issue 12: the wording
    was dropped whenever staff wrote a message, though staff are told the resident sees it)."""
    wording = reason.tr("public_text")
    own = (message or "").strip()
    if own and own not in (reason.public_text.strip(), wording.strip()):
        return f"{wording}\n\n{own}"
    return wording


def department_list() -> QuerySet[Department]:
    return Department.objects.filter(active=True)


@dataclass
class TimelineEntry:
    at: datetime
    title: str
    message: str = ""
    by_resident: bool = False
    photos: list[str] = field(default_factory=list)


def timeline_public(
    *, events: list[RequestEvent], ref: Reference | None = None
) -> list[TimelineEntry]:
    """The public events in plain words, in the reader's language. Staff names never appear:
    a staff comment is signed by the department."""
    ref = ref or reference()
    departments = ref.departments
    entries = []
    for e in events:
        data = e.data or {}
        if e.type == RequestEvent.Type.CREATED:
            entries.append(TimelineEntry(e.created_at, _("Report received")))
        elif e.type == RequestEvent.Type.ROUTED:
            dept = departments.get(data.get("department_id"))
            name = dept.tr("name") if dept else e.to_value
            entries.append(
                TimelineEntry(
                    e.created_at,
                    _("Routed to %(department)s") % {"department": name},
                    # A staff transfer's reason is public (its form says so); routing's
                    # explanations name rules and stay on the staff page.
                    e.message if data.get("public_reason") else "",
                )
            )
        elif e.type == RequestEvent.Type.ACKNOWLEDGED:
            entries.append(TimelineEntry(e.created_at, _("Staff have reviewed your request")))
        elif e.type == RequestEvent.Type.STATUS_CHANGED:
            if e.to_value == Status.ROUTED:
                continue  # the routed event already says it
            label = Status(e.to_value).label if e.to_value in Status.values else e.to_value
            message = ""
            code = data.get("closure_reason")
            if code:
                reason = ref.closure_reasons_by_code.get(code)
                message = closure_message(reason=reason, message=e.message) if reason else e.message
            elif e.message and e.actor_label not in ("Routing", "System"):
                message = e.message
            entries.append(
                TimelineEntry(e.created_at, _("Status: %(status)s") % {"status": label}, message)
            )
        elif e.type == RequestEvent.Type.ONSITE_ATTEMPT:
            entries.append(TimelineEntry(e.created_at, _("A crew visited the site"), e.message))
        elif e.type == RequestEvent.Type.COMMENT:
            entries.append(TimelineEntry(e.created_at, _("Update from the city"), e.message))
        elif e.type == RequestEvent.Type.RESIDENT_COMMENT:
            entries.append(
                TimelineEntry(
                    e.created_at,
                    _("The resident added more information"),
                    e.message,
                    by_resident=True,
                    photos=list(data.get("photos", [])),
                )
            )
        elif e.type == RequestEvent.Type.PHOTO_ADDED:
            entries.append(TimelineEntry(e.created_at, _("Photo added")))
    return entries
