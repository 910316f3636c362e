"""Reads for the staff request page and the operator intake. Unlike requests_app.selectors these
may return private data; the views decide (StaffProfile.can_work_on / can_see_contact) whether
to ask for it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db import connection
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.encoding import force_str
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from notifications.kinds import message_kind_labels
from notifications.models import Channel as MessageChannel
from notifications.models import OutboxMessage
from requests_app.configcache import STAMP_TABLE, config_snapshot_seed
from requests_app.labels import choice_label
from requests_app.models import (
    OPEN_STATUSES,
    AddressPoint,
    Area,
    Category,
    Channel,
    ClosureReason,
    Department,
    Photo,
    Priority,
    RequestEvent,
    ResponseTemplate,
    ServiceRequest,
    StaffProfile,
    Status,
    Supporter,
    Team,
)
from requests_app.prepared import prepared
from requests_app.reference import Reference, reference, reference_at, requests_attach
from requests_app.rows import model_columns, row_convert
from requests_app.selectors import address_resolve, closure_message
from requests_app.services import staff_user_list
from requests_app.tracking_numbers import tracking_number_normalise
from requests_app.when import when_datetime, when_iso
from staff.model_reads import model_rows, read_ahead

NEARBY_DETAIL_M = 200
NEARBY_INTAKE_M = 150
NEARBY_LIMIT = 10


# Joined: the person and the team. The category (with its questions), the department, the
# closure reason and both areas' names come from the process's reference snapshot
# (requests_app.reference), checked against the config stamp: no join, no query of their own.
# Each join made PostgreSQL weigh more join orders: at 1M requests the old 9-join query spent
# 4-8 ms planning and 0.5 ms running; 5 joins planned in about 0.6 ms.
# The statement is written once per process (_request_with_people).


def request_get_for_staff(*, tracking_number: str) -> ServiceRequest | None:
    """The request, from its number as typed (any separator or none). Its reference rows are
    the snapshot's, shared by the process: read them, never change them."""
    number = tracking_number_normalise(text=tracking_number)
    if number is None:
        return None
    sr, stamp = _request_with_people(number)
    if sr is not None:
        # The config stamp came with the request's row: the page's config_snapshot() block
        # (the score panel's settings) and the reference snapshot need no query of their own.
        config_snapshot_seed(stamp)
        ref = reference_at(stamp)
        requests_attach(rows=[sr], ref=ref)
        _ward_attach(sr, ref)
        sr._reference = ref  # for the action forms' choices (below)
    return sr


_REQUEST: tuple | None = None


def _request_with_people(number: str) -> tuple[ServiceRequest | None, int | None]:
    """`select_related("assignee", "team").filter(tracking_number=...).first()`, from a
    statement written once per process (building the ORM's was about 1 ms of CPU), and the
    config stamp as configcache reads it, in the same statement."""
    global _REQUEST
    if _REQUEST is None:
        parts = []
        for model, alias in ((ServiceRequest, "r"), (get_user_model(), "a"), (Team, "t")):
            fields = tuple(f.attname for f in model._meta.concrete_fields)
            parts.append((model, *model_columns(model, fields, alias=alias)))
        sr_meta, user_meta = ServiceRequest._meta, get_user_model()._meta
        stamp = f"(SELECT value FROM {STAMP_TABLE} WHERE id = 1)"  # noqa: S608
        sql = (
            "SELECT " + ", ".join(select for _m, _c, select, _v in parts) + f", {stamp} "
            f'FROM "{sr_meta.db_table}" r '
            f'LEFT OUTER JOIN "{user_meta.db_table}" a '
            f'ON (r."{sr_meta.get_field("assignee").column}" = a."{user_meta.pk.column}") '
            f'LEFT OUTER JOIN "{Team._meta.db_table}" t '
            f'ON (r."{sr_meta.get_field("team").column}" = t."{Team._meta.pk.column}") '
            'WHERE r."tracking_number" = %s'
        )
        _REQUEST = (sql, parts)
    sql, parts = _REQUEST
    with connection.cursor() as cursor:
        prepared(cursor, [(sql, None, [number])])  # planned once per session
        row = cursor.fetchone()
    if row is None:
        return None, None
    objects, start = [], 0
    for model, columns, _select, converters in parts:
        values = row[start : start + len(columns)]
        if values[0] is None:  # the LEFT JOIN found nothing (the pk is the first column)
            objects.append(None)
        else:
            values = row_convert(values, converters)
            objects.append(model.from_db(connection.alias, [f.attname for f in columns], values))
        start += len(columns)
    sr, assignee, team = objects
    ServiceRequest.assignee.field.set_cached_value(sr, assignee)
    ServiceRequest.team.field.set_cached_value(sr, team)
    return sr, row[-1]


def _ward_attach(sr: ServiceRequest, ref: Reference) -> None:
    """The ward's name from the snapshot (requests_attach gives the neighbourhood); one written
    after the snapshot was read is read without its polygon."""
    if sr.ward_id is None:
        return
    ward = ref.areas.get(sr.ward_id) or Area.objects.defer("geom").filter(pk=sr.ward_id).first()
    ServiceRequest.ward.field.set_cached_value(sr, ward)


def _reference_of(request: ServiceRequest) -> Reference:
    return getattr(request, "_reference", None) or reference()


def detail_read_ahead(
    *, request: ServiceRequest, can_work: bool, can_contact: bool, actions: list[str]
) -> None:
    """The request page's short reads, all in one round trip: photos, events, and as the page
    needs them supporters, messages, reply templates, the assign form's people and teams."""
    specs = [_photos_spec(request, can_work), _events_spec(request, can_work)]
    if can_contact:
        specs += [_supporters_spec(request), _messages_spec(request)]
    if "comment" in actions or "resolve" in actions:
        specs.append(_templates_spec(request))
    if "assign" in actions and request.department is not None:
        specs += [_people_spec(request.department), _teams_spec(request.department)]
    read_ahead(request=request, specs=specs)


# --- Choice labels -----------------------------------------------------------------------------

_CHOICES: dict[tuple, dict] = {}


def field_label(instance, field_name: str) -> str:
    """`instance.get_<field>_display()` in the active language, from a table of the field's
    choices made once per process and language (as requests_app.labels does for statuses):
    Django's builds a dict of every choice on each call, hashing each lazy label (a
    translation look-up apiece), about 0.1 ms a call and some 30 calls a page."""
    model = type(instance)
    key = (model, field_name, get_language())
    labels = _CHOICES.get(key)
    if labels is None:
        choices = model._meta.get_field(field_name).flatchoices
        labels = _CHOICES[key] = {v: force_str(label) for v, label in choices}
    value = getattr(instance, field_name)
    return labels.get(value, value)


# --- What the resident sent -------------------------------------------------------------------


@dataclass
class Answer:
    prompt: str
    value: str


def answers_with_prompts(*, request: ServiceRequest) -> list[Answer]:
    """The answers in question order, with their prompts and choice names. Answers to questions
    the category no longer has (e.g. after a category change) keep their codes."""
    category = request.category
    if "questions" in getattr(category, "_prefetched_objects_cache", {}):
        asked = category.questions.all()  # the snapshot's, with their choices
    else:
        asked = category.questions.prefetch_related("choices")
    questions = {q.code: q for q in asked}
    answers = dict(request.answers or {})
    rows = []
    for code, question in questions.items():
        if code in answers:
            rows.append(Answer(question.prompt, _answer_text(question, answers.pop(code))))
    rows += [Answer(code, _answer_text(None, value)) for code, value in answers.items()]
    return rows


def _answer_text(question, value) -> str:
    choices = {c.key: c.name for c in question.choices.all()} if question is not None else {}
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if question is not None and question.datatype == "datetime" and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            return when_datetime(parsed)
    return str(choices.get(value, value))


def _photos_spec(request: ServiceRequest, include_private: bool) -> tuple:
    return (
        Photo,
        ("uuid", "source", "public", "created_at"),
        '"request_id" = %s' + ("" if include_private else ' AND "public"'),
        '"created_at", "id"',  # Photo's ordering
        [request.pk],
    )


def photos_split(*, request: ServiceRequest, include_private: bool) -> tuple[list, list]:
    """(resident photos, staff evidence), oldest first."""
    photos = model_rows(*_photos_spec(request, include_private), request=request)
    resident, staff = [], []
    for photo in photos:
        (staff if photo.source == Photo.Source.STAFF else resident).append(photo)
    return resident, staff


_SUPPORTER_FIELDS = tuple(f.attname for f in Supporter._meta.concrete_fields)


def _supporters_spec(request: ServiceRequest) -> tuple:
    return (Supporter, _SUPPORTER_FIELDS, '"request_id" = %s', '"created_at", "id"', [request.pk])


def supporter_list(*, request: ServiceRequest) -> list[Supporter]:
    """Oldest first, each with `channel_label` (its get_channel_display())."""
    rows = model_rows(*_supporters_spec(request), request=request)
    for s in rows:
        s.channel_label = field_label(s, "channel")
    return rows


# --- Timeline --------------------------------------------------------------------------------


@dataclass
class StaffTimelineEntry:
    at: datetime
    title: str
    actor: str
    message: str = ""
    internal: bool = False

    # The page's two formats of `at`, made here: two `|date` filters per event were most of the
    # timeline's template time.
    @property
    def at_iso(self) -> str:
        """`<time datetime>`'s text, on the city's clock."""
        return when_iso(self.at)

    @property
    def at_text(self) -> str:
        """ "6 Dec 2026, 14:05" on the city's clock, in the reader's language."""
        return when_datetime(self.at)


def _label(choices, value: str) -> str:
    # The label (or the value itself when it is not a choice), from requests_app.labels' table.
    return choice_label(choices=choices, value=value)


_EVENT_FIELDS = tuple(f.attname for f in RequestEvent._meta.concrete_fields)


def _events_spec(request: ServiceRequest, include_internal: bool) -> tuple:
    return (
        RequestEvent,
        _EVENT_FIELDS,
        '"request_id" = %s' + ("" if include_internal else ' AND "public"'),
        '"created_at", "id"',
        [request.pk],
    )


def timeline_staff(*, request: ServiceRequest, include_internal: bool) -> list[StaffTimelineEntry]:
    """Every event (or only the public ones) with who did it, in words staff read at a glance."""
    events = model_rows(*_events_spec(request, include_internal), request=request)
    reasons = _reference_of(request).closure_reasons_by_code
    entries = []
    for e in events:
        data = e.data or {}
        title = field_label(e, "type")
        message = e.message
        if e.type == RequestEvent.Type.CREATED:
            channel = data.get("channel", "")
            if channel:
                title = _("Received via %(channel)s") % {"channel": _label(Channel, channel)}
        elif e.type == RequestEvent.Type.STATUS_CHANGED:
            title = _("Status: %(from)s → %(to)s") % {
                "from": _label(Status, e.from_value),
                "to": _label(Status, e.to_value),
            }
            # A closure's wording as the tracker gives it, in the reader's language (the event
            # keeps the English wording it was written with), then the staff's own words.
            reason = reasons.get(data.get("closure_reason") or "")
            if reason is not None:
                message = closure_message(reason=reason, message=e.message)
        elif e.type == RequestEvent.Type.PRIORITY_CHANGED and data.get("override_cleared"):
            title = _("Priority left to the score again")
            message = ""
        elif e.type == RequestEvent.Type.PRIORITY_CHANGED:
            title = _("Priority: %(from)s → %(to)s") % {
                "from": _label(Priority, e.from_value),
                "to": _label(Priority, e.to_value),
            }
        elif e.type == RequestEvent.Type.CATEGORY_CHANGED:
            title = _("Category: %(from)s → %(to)s") % {"from": e.from_value, "to": e.to_value}
        elif e.type == RequestEvent.Type.ROUTED:
            title = _("Routed to %(department)s") % {"department": e.to_value}
            if message == title:
                message = ""
        elif e.type == RequestEvent.Type.ASSIGNED:
            title, message = message or title, ""
        elif e.type == RequestEvent.Type.COMMENT:
            title = _("Public comment")
        elif e.type == RequestEvent.Type.NOTE and data.get("onsite"):
            title = _("Internal note from the site visit")
        elif e.type == RequestEvent.Type.DUPLICATE_MARKED:
            title = _("Marked as duplicate of %(number)s") % {"number": e.to_value}
        entries.append(
            StaffTimelineEntry(
                at=e.created_at,
                title=title,
                actor=e.actor_label,
                message=message,
                internal=not e.public,
            )
        )
    return entries


# --- Messages sent about it -------------------------------------------------------------------


@dataclass
class MessageRow:
    id: int
    at: datetime
    channel: str
    recipient: str
    template: str
    status: str
    status_label: str
    error: str
    can_resend: bool


def _message_status_labels() -> dict[str, str]:
    return {
        OutboxMessage.Status.QUEUED: _("Waiting to be sent"),
        OutboxMessage.Status.SENDING: _("Sending"),
        OutboxMessage.Status.SENT: _("Sent"),
        OutboxMessage.Status.FAILED: _("Failed"),
        OutboxMessage.Status.SUPPRESSED: _("Not sent (opted out)"),
    }


def _messages_spec(request: ServiceRequest) -> tuple:
    return (
        OutboxMessage,
        ("id", "created_at", "channel", "recipient", "template", "status", "last_error", "digest"),
        '"request_id" = %s',
        '"created_at" DESC, "id" DESC',
        [request.pk],
    )


_MESSAGE_WORDS: dict[str | None, tuple[dict[str, str], dict[str, str]]] = {}


def message_log(*, request: ServiceRequest) -> list[MessageRow]:
    """The outbox rows about this request, newest first. Recipients are contact details: the
    view asks only for staff who may see them."""
    # Two tables of some twenty words, made once per process and language.
    language = get_language()
    if language not in _MESSAGE_WORDS:
        _MESSAGE_WORDS[language] = (_message_status_labels(), message_kind_labels())
    labels, kinds = _MESSAGE_WORDS[language]
    rows = model_rows(*_messages_spec(request), request=request)
    return [
        MessageRow(
            id=m.pk,
            at=m.created_at,
            channel=_label(MessageChannel, m.channel),
            recipient=m.recipient,
            template=str(kinds.get(m.template, m.template)),
            status=m.status,
            status_label=_message_status(m, labels),
            error=m.last_error,
            can_resend=m.status == OutboxMessage.Status.FAILED,
        )
        for m in rows
    ]


def _message_status(message: OutboxMessage, labels: dict[str, str]) -> str:
    # Digest items wait queued for the member's digest, then are marked suppressed with a note
    # saying which digest carried them: neither is an opt-out.
    if message.digest and message.status == OutboxMessage.Status.QUEUED:
        return _("Waiting for the next digest")
    if message.digest and message.status == OutboxMessage.Status.SUPPRESSED:
        return _("Sent in a digest")
    return labels.get(message.status, message.status)


# --- Nearby ----------------------------------------------------------------------------------


def nearby_open_requests(
    *,
    point: Point,
    within_m: float,
    category: Category | None = None,
    exclude: ServiceRequest | None = None,
    limit: int = NEARBY_LIMIT,
    coordinates: bool = False,
) -> list[ServiceRequest]:
    """Open requests within `within_m` metres of the point, nearest first, each with `distance`.

    The status list is the partial GiST index's own (request_open_location), so the search
    walks only open requests near the point: a few hundred index entries at 1M requests, as
    many at 10M, where the full location index would hand over every request ever filed there
    (about 4,000 within 200 m of a busy corner at 1M) to be filtered by status.

    With `coordinates`, each row has `latitude` and `longitude` (the point's y and x, the same
    doubles) instead of `location`, which is left unread: making a GEOS geometry of each row
    and reading its coordinates back cost more than the rest of the row."""
    # The ORM's own statement for this query, written once: building it was about a third of
    # the panel's CPU. Same columns, same converters, the category as select_related gave it.
    sql, attnames, converters, n = _nearby_statement(coordinates)
    here = point.hexewkb.decode()
    where, params, types = "", [here, here, within_m], ["geography", "geometry", "float8"]
    if category is not None:
        where += ' AND r."category_id" = %s'
        params.append(category.pk)
        types.append("int8")
    if exclude is not None:
        where += ' AND NOT (r."id" = %s)'
        params.append(exclude.pk)
        types.append("int8")
    # A prepared statement (requests_app.prepared): planning this one cost PostgreSQL
    # about three times what running it did.
    with connection.cursor() as cursor:
        prepared(
            cursor,
            [
                (
                    sql.replace("{where}", where),
                    (*types, "geography", "int8"),
                    [*params, here, limit],
                )
            ],
        )
        rows = cursor.fetchall()
    out = []
    for row in rows:
        sr = ServiceRequest.from_db(connection.alias, attnames, row_convert(row[:n], converters))
        sr.distance = D(m=row[n])
        if coordinates:
            sr.latitude, sr.longitude = row[n + 4], row[n + 5]
        cat = Category.from_db(connection.alias, ["id", "name", "name_es"], row[n + 1 : n + 4])
        ServiceRequest.category.field.set_cached_value(sr, cat)
        out.append(sr)
    return out


_NEARBY_FIELDS = (
    "id",
    "tracking_number",
    "category_id",
    "location",
    "address",
    "description",
    "status",
    "created_at",
    "supporter_count",
)
_NEARBY: dict[bool, tuple] = {}


def _nearby_statement(coordinates: bool) -> tuple[str, list[str], list, int]:
    if coordinates not in _NEARBY:
        fields = (
            tuple(f for f in _NEARBY_FIELDS if f != "location") if coordinates else _NEARBY_FIELDS
        )
        columns, select, converters = model_columns(ServiceRequest, fields, alias="r")
        more = ', ST_Y(r."location"::geometry), ST_X(r."location"::geometry)' if coordinates else ""
        # The status list is the partial GiST index's own (request_open_location): written as
        # the ORM wrote it (IN with the literal list) so the planner still matches the index.
        sql = (
            f"SELECT {select}, "  # noqa: S608
            'ST_Distance(r."location", %s::geography), c."id", c."name", c."name_es"'
            f"{more} "
            'FROM "requests_app_servicerequest" r '
            'INNER JOIN "requests_app_category" c ON (r."category_id" = c."id") '
            'WHERE (ST_DWithin(r."location", %s::geometry, %s) '
            'AND r."status" IN ({statuses}){where}) '
            # `<->` walks the GiST index nearest first and stops after `limit` rows, so only
            # those rows' pages are read (ordering by ST_Distance, or adding a second sort key,
            # reads and sorts every open request in the circle).
            'ORDER BY (r."location" <-> %s::geography) ASC LIMIT %s'
        ).replace("{statuses}", ", ".join(f"'{v}'" for v in sorted(OPEN_STATUSES)))
        _NEARBY[coordinates] = (sql, [f.attname for f in columns], converters, len(columns))
    return _NEARBY[coordinates]


def point_for(*, latitude: str | None, longitude: str | None, address: str = "") -> Point | None:
    """Where the operator's caller means: the picked coordinates, else the typed address."""
    try:
        lat, lng = float(latitude or ""), float(longitude or "")
    except ValueError:
        found = address_resolve(query=address) if address.strip() else None
        return found.location if found else None
    if -90 <= lat <= 90 and -180 <= lng <= 180:
        return Point(lng, lat, srid=4326)
    return None


def request_get_open(*, tracking_number: str) -> ServiceRequest | None:
    number = tracking_number_normalise(text=tracking_number)
    if number is None:
        return None
    return (
        ServiceRequest.objects.filter(tracking_number=number, status__in=OPEN_STATUSES)
        .select_related("category")
        .first()
    )


# --- Choices for the action forms --------------------------------------------------------------


def assignable_users(*, department: Department | None):
    if department is None:
        return get_user_model().objects.none()
    return staff_user_list(department=department)


def team_list(*, department: Department | None) -> QuerySet[Team]:
    return Team.objects.filter(department_id=department.pk if department else None)


# The assign form's lists as shown (the form still validates a POST against the querysets
# above): the same rows in the same order, from statements written once per process.


def assignable_users_shown(*, department: Department | None) -> list:
    """assignable_users(department=...) as a list."""
    if department is None:
        return []
    return model_rows(*_people_spec(department))


def _people_spec(department: Department) -> tuple:
    User = get_user_model()
    profiles, through = StaffProfile._meta, StaffProfile.departments.through._meta
    members = (
        f'SELECT p."{StaffProfile.user.field.column}" FROM "{profiles.db_table}" p '  # noqa: S608
        f'JOIN "{through.db_table}" d '
        f'ON d."{StaffProfile.departments.field.m2m_column_name()}" = p."{profiles.pk.column}" '
        f'WHERE d."{StaffProfile.departments.field.m2m_reverse_name()}" = %s'
    )
    return (
        User,
        _USER_FIELDS,
        f'"{User._meta.pk.column}" IN ({members}) AND "is_active"',
        '"first_name", "username"',  # staff_user_list's order
        [department.pk],
    )


_USER_FIELDS = tuple(f.attname for f in get_user_model()._meta.concrete_fields)
_TEAM_FIELDS = tuple(f.attname for f in Team._meta.concrete_fields)


def teams_shown(*, department: Department | None) -> list[Team]:
    """team_list(department=...) as a list: Team's order (department name, name) within one
    department is by name."""
    if department is None:
        return list(team_list(department=None))
    return model_rows(*_teams_spec(department))


def _teams_spec(department: Department) -> tuple:
    return (Team, _TEAM_FIELDS, '"department_id" = %s', '"name"', [department.pk])


def assign_rows(*, request: ServiceRequest) -> tuple[list, list[Team]]:
    """(assignable_users_shown, teams_shown) for the request's department, read once per request
    object: the page reads them for its action panel's key and the assign form shows them."""
    cached = getattr(request, "_staff_assign_rows", None)
    if cached is None:
        department = request.department
        if department is None:
            cached = ([], teams_shown(department=None))
        else:
            cached = (
                model_rows(*_people_spec(department), request=request),
                model_rows(*_teams_spec(department), request=request),
            )
        request._staff_assign_rows = cached
    return cached


def closure_reason_list() -> QuerySet[ClosureReason]:
    return ClosureReason.objects.filter(active=True).order_by("name")


def transfer_departments(*, request: ServiceRequest) -> QuerySet[Department]:
    return Department.objects.filter(active=True).exclude(pk=request.department_id)


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True).select_related("group")


# The same three lists from the reference snapshot, as (id, label) (the forms still validate a
# POST against the querysets above). Labels are in the reader's language (tr_name, English
# where no translation was entered); reasons and departments in the order of their labels,
# categories in Category's order.


def closure_reason_choices(*, request: ServiceRequest) -> list[tuple[int, str]]:
    reasons = _reference_of(request).closure_reasons.values()
    return labelled_choices(r for r in reasons if r.active)


def transfer_department_choices(*, request: ServiceRequest) -> list[tuple[int, str]]:
    departments = _reference_of(request).departments.values()
    return labelled_choices(d for d in departments if d.active and d.pk != request.department_id)


def category_choices(*, request: ServiceRequest) -> list[tuple[int, str]]:
    categories = _reference_of(request).active_categories  # in Category's order
    return [(c.pk, c.tr_name) for c in categories if c.pk != request.category_id]


def labelled_choices(rows: Iterable) -> list[tuple[int, str]]:
    """(id, name in the reader's language) of translated rows, in the order of those names
    (code point order, as the database's C collation sorts; the id breaks ties)."""
    return sorted(((r.pk, r.tr_name) for r in rows), key=lambda c: (c[1], c[0]))


@dataclass
class TemplateOption:
    id: int
    name: str
    body: str
    closure_reason_id: int | None


_TEMPLATE_FIELDS = tuple(f.attname for f in ResponseTemplate._meta.concrete_fields)


def _templates_spec(request: ServiceRequest) -> tuple:
    return (
        ResponseTemplate,
        _TEMPLATE_FIELDS,
        '"active" AND ("category_id" = %s OR "category_id" IS NULL)'
        ' AND ("closure_reason_id" IS NULL OR "closure_reason_id" IN'
        ' (SELECT "id" FROM "requests_app_closurereason" WHERE "active"))',
        '"name"',
        [request.category_id],
    )


def response_templates(*, request: ServiceRequest, for_resolve: bool) -> list[TemplateOption]:
    """Active canned replies for this request's category (or for any category), in the
    resident's language when translated. For resolving: those tied to an active closure
    reason; for a public comment: those tied to none. The page asks for both: one query, kept
    on the request object for the second call."""
    cached = getattr(request, "_staff_response_templates", None)
    if cached is None:
        cached = model_rows(*_templates_spec(request), request=request)
        request._staff_response_templates = cached
    spanish = request.language == "es"
    return [
        TemplateOption(
            id=t.pk,
            name=t.name,
            body=t.body_es if spanish and t.body_es else t.body,
            closure_reason_id=t.closure_reason_id,
        )
        for t in cached
        if (t.closure_reason_id is not None) == for_resolve
    ]


# --- Which actions apply ------------------------------------------------------------------------

ACTION_ORDER = (
    "acknowledge",
    "assign",
    "comment",
    "note",
    "onsite",
    "priority",
    "priority_automatic",
    "hold",
    "resume",
    "resolve",
    "duplicate",
    "recategorise",
    "transfer",
    "reopen",
)
WORKABLE = frozenset(
    {Status.ROUTED, Status.IN_QUEUE, Status.IN_PROGRESS, Status.WAITING_ON_RESIDENT}
)


def actions_available(*, request: ServiceRequest) -> list[str]:
    """The actions that apply to the request as it is now (the services refuse the rest)."""
    is_open = request.status in OPEN_STATUSES
    applies = {
        "acknowledge": is_open and request.acknowledged_at is None,
        "assign": is_open,
        "comment": True,
        "note": True,
        "onsite": is_open,
        "priority": is_open,
        "priority_automatic": is_open and request.priority_overridden,
        "hold": request.can_move_to(Status.WAITING_ON_RESIDENT),
        "resume": request.status == Status.WAITING_ON_RESIDENT,
        "resolve": request.status in WORKABLE,
        "duplicate": request.can_move_to(Status.CLOSED_DUPLICATE),
        "recategorise": is_open,
        "transfer": is_open,
        "reopen": request.can_move_to(Status.REOPENED),
    }
    return [name for name in ACTION_ORDER if applies[name]]


def address_point_get(*, pk: str | int | None) -> AddressPoint | None:
    try:
        return AddressPoint.objects.filter(pk=int(pk or "")).first()
    except ValueError:
        return None
