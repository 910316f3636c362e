"""Reads for the back office: the department queues, their counters and the choices their filters
and bulk actions offer. Who may see which queue is decided here, once, for the view to enforce."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse
from django.utils.timesince import TIME_STRINGS, timesince, timeuntil
from django.utils.translation import gettext as _

from civic311.bounds import PAGE_MAX
from requests_app.configcache import config_cached
from requests_app.models import (
    OPEN_STATUSES,
    Area,
    AreaSet,
    Category,
    ClosureReason,
    Department,
    Priority,
    ServiceRequest,
    StaffProfile,
    Status,
    Team,
)
from requests_app.selectors import neighbourhood_list
from requests_app.tracking_numbers import tracking_number_normalise
from staff.queue_tally import (
    TALLY_TOTALS_WIDTH,
    hour_floor,
    tally_stamp,
    tally_totals_row,
    tally_totals_sql,
)

PAGE_SIZE = 50

SCOPE_DEPARTMENT = ""
SCOPE_MINE = "mine"
SCOPE_UNASSIGNED = "unassigned"
SCOPE_ALL = "all"
SCOPES = (SCOPE_DEPARTMENT, SCOPE_MINE, SCOPE_UNASSIGNED, SCOPE_ALL)

# Status filter values besides the single statuses.
STATUS_OPEN = "open"
STATUS_NEW = "new"
STATUS_CLOSED = "closed_all"
STATUS_ANY = "any"
NEW_STATUSES = frozenset({Status.RECEIVED, Status.ROUTED, Status.IN_QUEUE})

SORT_DUE = "due"
SORT_PRIORITY = "priority"
SORT_NEWEST = "newest"
SORT_OLDEST = "oldest"
SORT_RESPONSE = "response"
SORTS = (SORT_DUE, SORT_RESPONSE, SORT_PRIORITY, SORT_NEWEST, SORT_OLDEST)

DUE_OVERDUE = "overdue"
DUE_TODAY = "today"
DUE_AT_RISK = "at_risk"
# Not yet acknowledged and past the time-to-first-action target.
DUE_RESPONSE_OVERDUE = "response_overdue"
# A request is at risk once this share of the time between receipt and its due date has passed.
AT_RISK_SHARE = 0.75

PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}

# The columns a queue row needs; reporter fields stay out of the list page. The category, area
# and team come from per-process copies (_row_lookups), not joins: three fewer model instances
# per row to build.
ROW_FIELDS = (
    "id",
    "tracking_number",
    "version",
    "category",
    "department",
    "address",
    "location",
    "neighbourhood",
    "status",
    "priority",
    "channel",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "team",
    "supporter_count",
    "resident_replied_at",
    "acknowledged_at",
    "created_at",
    "expected_at",
    "response_due_at",
)


class QueueAccessDenied(Exception):
    """The staff member asked for a queue they may not see."""


@dataclass(frozen=True)
class QueueFilters:
    """Everything a queue URL says, with defaults left out of the query string so the plain
    `/staff/` address stays the user's default queue."""

    scope: str = SCOPE_DEPARTMENT
    department: int | None = None
    status: str = STATUS_OPEN
    category: int | None = None
    area: int | None = None
    assignee: str = ""  # "user:<id>" or "team:<id>"
    priority: str = ""
    channel: str = ""
    created_from: date | None = None
    created_to: date | None = None
    due: str = ""  # "overdue" or "today"
    q: str = ""
    sort: str = SORT_DUE
    view: str = "list"
    page: int = 1

    def params(self) -> dict[str, str]:
        defaults = QueueFilters()
        out = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value == getattr(defaults, name) or value in (None, ""):
                continue
            out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    def querystring(self, **changes) -> str:
        """The query string of this queue with some values changed (page 1 unless given)."""
        changes.setdefault("page", 1)
        params = replace(self, **changes).params()
        return "?" + urlencode(params) if params else "?"

    @property
    def filtered(self) -> bool:
        """True when something beyond the scope narrows the list."""
        base = QueueFilters(scope=self.scope, department=self.department)
        return replace(self, sort=base.sort, view=base.view, page=1) != base


@dataclass
class QueueScope:
    """The resolved queue: which requests it starts from, before any filter."""

    filters: QueueFilters
    department: Department | None = None
    # Departments whose work the scope covers; None means every department.
    department_ids: frozenset[int] | None = None
    tabs: list[Department] = field(default_factory=list)
    can_see_all: bool = False


@dataclass
class QueueCounters:
    new: int = 0
    unassigned: int = 0
    due_today: int = 0
    overdue: int = 0
    response_overdue: int = 0
    # Changes with every committed write to the scope's requests (see queue_counters).
    stamp: str = ""


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.CITY_TIME_ZONE)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=_zone())


def queue_scope(*, staff: StaffProfile, filters: QueueFilters) -> QueueScope:
    """Resolve the queue a staff member asked for, or refuse it.

    1. Department tabs: the user's own departments; operators and city admins see every
       active department.
    2. With no scope asked for, operators and city admins get "all departments"; others the
       first of their departments, or "my requests" if they have none.
    3. A department's queue is open to its members and to those who see all departments;
       "all departments" only to the latter. Anything else raises QueueAccessDenied.
    """
    can_see_all = staff.can_see_all_departments()
    own = staff.department_ids()
    tabs = _active_departments()
    if not can_see_all:
        tabs = [d for d in tabs if d.pk in own]
    scope, department_id = filters.scope, filters.department
    if scope == SCOPE_DEPARTMENT and department_id is None:
        own_tabs = [d for d in tabs if d.pk in own]
        if can_see_all:
            scope = SCOPE_ALL
        elif own_tabs:
            department_id = own_tabs[0].pk
        else:
            scope = SCOPE_MINE
    if scope == SCOPE_ALL and not can_see_all:
        raise QueueAccessDenied
    department = None
    if department_id is not None and scope in (SCOPE_DEPARTMENT, SCOPE_UNASSIGNED):
        if not can_see_all and department_id not in own:
            raise QueueAccessDenied
        department = next((d for d in tabs if d.pk == department_id), None)
        if department is None:
            department = Department.objects.filter(pk=department_id).first()
        if department is None:
            raise QueueAccessDenied
    elif scope == SCOPE_DEPARTMENT:
        department_id = None
    if scope in (SCOPE_MINE, SCOPE_ALL):
        department_id = None
    if department is not None:
        department_ids = frozenset({department.pk})
    elif can_see_all:
        department_ids = None
    else:
        department_ids = frozenset(own)
    return QueueScope(
        filters=replace(filters, scope=scope, department=department_id),
        department=department,
        department_ids=department_ids,
        tabs=tabs,
        can_see_all=can_see_all,
    )


def _active_departments() -> list[Department]:
    """Every active department, by name: kept per process until an admin edits departments
    (requests_app.configcache), since every queue load and refresh needs the tabs."""
    return config_cached(
        "staff.active_departments",
        lambda: list(Department.objects.filter(active=True).only("id", "name", "name_es")),
    )


def _scope_requests(*, scope: QueueScope, user) -> QuerySet[ServiceRequest]:
    qs = ServiceRequest.objects.all()
    kind = scope.filters.scope
    if kind == SCOPE_MINE:
        return qs.filter(assignee=user)
    if scope.department_ids is not None:
        qs = qs.filter(department_id__in=sorted(scope.department_ids))
    if kind == SCOPE_UNASSIGNED:
        qs = qs.filter(assignee__isnull=True, team__isnull=True)
    return qs


def _search(qs: QuerySet[ServiceRequest], text: str) -> QuerySet[ServiceRequest]:
    """A tracking number, typed with any separator or none, finds exactly that request (unique
    index); other text matches the address or description (ILIKE, over the scope's rows only)."""
    text = text.strip()
    number = tracking_number_normalise(text=text)
    if number is not None:
        return qs.filter(tracking_number=number)
    q = Q()
    for word in text.split()[:6]:
        q &= Q(address__icontains=word) | Q(description__icontains=word)
    return qs.filter(q)


def queue_filter(
    *, scope: QueueScope, user, now: datetime, filters: QueueFilters | None = None
) -> QuerySet[ServiceRequest]:
    """The scope's requests narrowed by every filter in the URL (unsorted, unpaged)."""
    f = filters or scope.filters
    qs = _scope_requests(scope=scope, user=user)
    if f.status == STATUS_OPEN:
        qs = qs.filter(status__in=sorted(OPEN_STATUSES))
    elif f.status == STATUS_NEW:
        qs = qs.filter(status__in=sorted(NEW_STATUSES), acknowledged_at__isnull=True)
    elif f.status == STATUS_CLOSED:
        qs = qs.exclude(status__in=sorted(OPEN_STATUSES))
    elif f.status in Status.values:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.area:
        qs = qs.filter(neighbourhood_id=f.area)
    kind, _sep, pk = f.assignee.partition(":")
    if pk.isdigit():
        qs = qs.filter(**{"assignee_id" if kind == "user" else "team_id": int(pk)})
    if f.priority:
        qs = qs.filter(priority=f.priority)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.created_from:
        qs = qs.filter(created_at__gte=_local_midnight(f.created_from))
    if f.created_to:
        qs = qs.filter(created_at__lt=_local_midnight(f.created_to + timedelta(days=1)))
    if f.due == DUE_OVERDUE:
        qs = qs.filter(status__in=sorted(OPEN_STATUSES), expected_at__lt=now)
    elif f.due == DUE_AT_RISK:
        # Not yet due, but received + 75% of (due - received) is already behind us.
        used = ExpressionWrapper(
            F("created_at") + (F("expected_at") - F("created_at")) * AT_RISK_SHARE,
            output_field=DateTimeField(),
        )
        qs = qs.annotate(risk_from=used).filter(
            status__in=sorted(OPEN_STATUSES), expected_at__gte=now, risk_from__lte=now
        )
    elif f.due == DUE_RESPONSE_OVERDUE:
        qs = qs.filter(
            status__in=sorted(OPEN_STATUSES), acknowledged_at__isnull=True, response_due_at__lt=now
        )
    elif f.due == DUE_TODAY:
        end = _end_of_day(now)
        qs = qs.filter(status__in=sorted(OPEN_STATUSES), expected_at__gte=now, expected_at__lt=end)
    if f.q.strip():
        qs = _search(qs, f.q)
    return qs


def _ordered(qs: QuerySet[ServiceRequest], sort: str) -> QuerySet[ServiceRequest]:
    if sort == SORT_NEWEST:
        return qs.order_by("-created_at", "-id")
    if sort == SORT_OLDEST:
        return qs.order_by("created_at", "id")
    if sort == SORT_PRIORITY:
        rank = Case(
            *(When(priority=p, then=Value(r)) for p, r in PRIORITY_RANK.items()),
            default=Value(9),
            output_field=IntegerField(),
        )
        return qs.order_by(rank, F("expected_at").asc(nulls_last=True), "created_at", "id")
    if sort == SORT_RESPONSE:
        # Waiting for a first action, soonest due first; acknowledged requests after them.
        waiting = Case(When(acknowledged_at__isnull=True, then=Value(0)), default=Value(1))
        return qs.order_by(waiting, F("response_due_at").asc(nulls_last=True), "created_at", "id")
    return qs.order_by(F("expected_at").asc(nulls_last=True), "created_at", "id")


def _at_risk(row: ServiceRequest, now: datetime) -> bool:
    if row.expected_at is None:
        return False
    window = (row.expected_at - row.created_at).total_seconds()
    return window > 0 and (now - row.created_at).total_seconds() >= window * AT_RISK_SHARE


@dataclass
class QueuePage:
    rows: list[ServiceRequest]
    has_next: bool
    page: int


def _row_lookups() -> tuple[dict[int, Category], dict[int, Area], dict[int, Team]]:
    """Every category, neighbourhood and team by id, kept per process until an admin edits one
    (requests_app.configcache): the queue's rows name them without joining them."""

    def load():
        categories = Category.objects.only("id", "name", "name_es", "icon")
        areas = Area.objects.filter(kind=AreaSet.Kind.NEIGHBOURHOOD).only("id", "name")
        teams = Team.objects.only("id", "name", "department")
        return (
            {c.pk: c for c in categories},
            {a.pk: a for a in areas},
            {t.pk: t for t in teams},
        )

    return config_cached("staff.queue_row_lookups", load)


class _PageTimeStrings(dict):
    """Django's timesince strings ("%(num)d days"), each number translated once per page: the
    lazy plural lookups were most of the 50 ages' cost. Same words, same rules."""

    class _Unit:
        def __init__(self, name: str, memo: dict) -> None:
            self.name, self.memo = name, memo

        def __mod__(self, values: dict) -> str:
            key = (self.name, values["num"])
            if key not in self.memo:
                self.memo[key] = str(TIME_STRINGS[self.name] % values)
            return self.memo[key]

    def __init__(self) -> None:
        memo: dict = {}
        super().__init__({name: self._Unit(name, memo) for name in TIME_STRINGS})


@cache
def _plain_columns() -> tuple[list[str], list[str], list[str], list[str]]:
    """The list view's row columns, in each model's field order (what Model.from_db expects):
    ROW_FIELDS without the point, and the assignee's, as the ORM query loads them."""
    wanted = {"assignee_id"}
    for name in ROW_FIELDS:
        if "__" not in name and name != "location":
            wanted.add(ServiceRequest._meta.get_field(name).attname)
    fields = [f for f in ServiceRequest._meta.concrete_fields if f.attname in wanted]
    user_wanted = {"id"} | {n.split("__")[1] for n in ROW_FIELDS if n.startswith("assignee__")}
    user_fields = [f for f in get_user_model()._meta.concrete_fields if f.attname in user_wanted]
    return (
        [f.attname for f in fields],
        [f'r."{f.column}"' for f in fields],
        [f.attname for f in user_fields],
        [f'u."{f.column}"' for f in user_fields],
    )


def _plain_rows(*, scope: QueueScope, user, start: int) -> list[ServiceRequest] | None:
    """The rows of the queue as it opens and refreshes (open requests, soonest due first, no
    filter beyond the scope, as a list), written out in SQL; None for any other queue (the ORM
    builds those). Why: building and compiling the ORM query cost ~1.1 ms of Python per page,
    several times the query itself. Same columns, conditions, order and instances as the ORM's
    (tests/staff/test_queue_selectors.py compares the two)."""
    f = scope.filters
    plain = QueueFilters(scope=f.scope, department=f.department, page=f.page)
    if f != plain:
        return None
    names, columns, user_names, user_columns = _plain_columns()
    user_model = get_user_model()
    params: dict = {**OPEN_IN_PARAMS, "limit": PAGE_SIZE + 1, "offset": start}
    where = f'r."status" IN {OPEN_IN_SQL}'
    if f.scope == SCOPE_MINE:
        where += ' AND r."assignee_id" = %(user)s'
        params["user"] = user.pk
    else:
        if scope.department_ids is not None:
            # Spelled out, as the ORM does: with `= ANY(array)` the planner no longer reads
            # the department's open requests in due order from its partial index (300 ms).
            ids = sorted(scope.department_ids)
            if not ids:
                return []
            params.update({f"department{i}": pk for i, pk in enumerate(ids)})
            where += ' AND r."department_id" IN ({})'.format(
                ", ".join(f"%(department{i})s" for i in range(len(ids)))
            )
        if f.scope == SCOPE_UNASSIGNED:
            where += ' AND r."assignee_id" IS NULL AND r."team_id" IS NULL'
    sql = f"""
        SELECT {", ".join(columns)}, {", ".join(user_columns)}
        FROM {ServiceRequest._meta.db_table} r
        LEFT OUTER JOIN {user_model._meta.db_table} u ON u."id" = r."assignee_id"
        WHERE {where}
        ORDER BY r."expected_at" ASC NULLS LAST, r."created_at" ASC, r."id" ASC
        LIMIT %(limit)s OFFSET %(offset)s
    """  # noqa: S608 - names and conditions from the models and constants above
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    db, width = connection.alias, len(names)
    rows = []
    for values in fetched:
        row = ServiceRequest.from_db(db, names, values[:width])
        assignee = values[width:]
        row._state.fields_cache["assignee"] = (
            user_model.from_db(db, user_names, assignee) if assignee[0] is not None else None
        )
        rows.append(row)
    return rows


def queue_page(*, scope: QueueScope, staff: StaffProfile, now: datetime) -> QueuePage:
    """One page of the filtered, sorted queue, and whether a next page exists.

    One query whatever the page holds: the assignee comes through select_related, the
    category, area and team from per-process copies, and paging fetches one row more than it
    shows instead of counting the table. Each row gets `age`,
    `overdue` and `workable` (whether this user may act on it) for the template."""
    f = scope.filters
    start = (min(max(f.page, 1), PAGE_MAX) - 1) * PAGE_SIZE
    rows = _plain_rows(scope=scope, user=staff.user, start=start)
    if rows is None:
        qs = queue_filter(scope=scope, user=staff.user, now=now).select_related("assignee")
        # The point is parsed into a GEOS object per row: only the map view shows it.
        fields = ROW_FIELDS if f.view == "map" else [n for n in ROW_FIELDS if n != "location"]
        rows = list(_ordered(qs.only(*fields), f.sort)[start : start + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    # Words and links every row repeats, looked up once per page rather than once per row.
    statuses = {value: str(label) for value, label in Status.choices}
    priorities = {value: str(label) for value, label in Priority.choices}
    detail_url = reverse("staff:detail", args=["0000-0000"]).replace("0000-0000", "{}")
    select, left = _("Select %(tn)s"), _("%(left)s left")
    categories, areas, teams = _row_lookups()
    time_strings = _PageTimeStrings()
    for row in rows:
        # Set as if select_related had fetched them; an id missing from the copies (never, while
        # the stamp triggers hold) is simply left to load on access.
        cache = row._state.fields_cache
        for name, known, pk in (
            ("category", categories, row.category_id),
            ("neighbourhood", areas, row.neighbourhood_id),
            ("team", teams, row.team_id),
        ):
            if pk is None:
                cache[name] = None
            elif pk in known:
                cache[name] = known[pk]
        row.url = detail_url.format(row.tracking_number)
        row.category_name = row.category.tr("name")
        row.status_label = statuses.get(row.status, row.status)
        row.priority_label = priorities.get(row.priority, row.priority)
        row.select_label = select % {"tn": row.tracking_number}
        row.age = timesince(row.created_at, now, depth=1, time_strings=time_strings)
        row.overdue = row.is_open and row.expected_at is not None and row.expected_at < now
        row.at_risk = row.is_open and not row.overdue and _at_risk(row, now)
        row.time_left = (
            timeuntil(row.expected_at, now, depth=1, time_strings=time_strings)
            if row.is_open and row.expected_at and not row.overdue
            else ""
        )
        row.time_left_label = left % {"left": row.time_left} if row.time_left else ""
        # Time to first action matters only until someone acknowledges or assigns it.
        row.awaiting_response = (
            row.is_open and row.acknowledged_at is None and row.response_due_at is not None
        )
        row.response_overdue = row.awaiting_response and row.response_due_at < now
        row.workable = staff.can_work_on(row)
    return QueuePage(rows=rows, has_next=has_next, page=min(max(f.page, 1), PAGE_MAX))


def queue_stamp(*, scope: QueueScope) -> str:
    """The stamp queue_counters would return, alone: one sum over the tally, without counting
    anything. The refresh compares it with the ETag it sent before counting anything."""
    if scope.filters.scope == SCOPE_MINE:
        return tally_stamp(department_ids=None)
    return tally_stamp(department_ids=scope.department_ids)


def _end_of_day(now: datetime) -> datetime:
    return _local_midnight(now.astimezone(_zone()).date() + timedelta(days=1))


def queue_counters(
    *, scope: QueueScope, user, now: datetime, stamp: str | None = None
) -> QueueCounters:
    """New, unassigned, due-today and overdue open requests of the scope, in one query.

    1. The tally (staff.queue_tally) gives "new" and "unassigned"; "overdue" and "first action
       overdue" for everything due before the current UTC hour; and "due today" for the whole
       hours from the next one to the city's midnight.
    2. A count over the request table, through the open-request partial indexes on
       (department, expected_at) and (department, response_due_at), adds what the tally's
       hours cannot split: what fell due between the hour's start and now, what falls due
       between now and the next hour, and (where the city's midnight is not on the hour) the
       part hour before midnight. An hour's due requests, whatever the size of the table.
    Both are read by one statement (one snapshot, one round trip).
    "My requests" is one person's work, counted directly (request_open_by_assignee), after the
    whole tally's stamp (`stamp`, when the caller has just read it with queue_stamp).
    The tally is read before the rows, so the stamp returned is never newer than them: the
    queue refresh's ETag (staff.views.queue) may then answer "not modified" only for a queue
    that truly has not changed, and the rendered-queue cache keys nothing by a stamp older
    than what it shows."""
    end_of_day = _end_of_day(now)
    if scope.filters.scope == SCOPE_MINE:
        return _counters_counted(
            scope=scope,
            user=user,
            now=now,
            end_of_day=end_of_day,
            stamp=stamp if stamp is not None else tally_stamp(department_ids=None),
        )
    tally_sql, params = tally_totals_sql(
        department_ids=scope.department_ids,
        unassigned_only=scope.filters.scope == SCOPE_UNASSIGNED,
        now=now,
        end_of_day=end_of_day,
    )
    recent_sql, recent_params = _recent_counts_sql(scope=scope, now=now, end_of_day=end_of_day)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM ({tally_sql}) t CROSS JOIN ({recent_sql}) r",  # noqa: S608 - ours
            {**params, **recent_params},
        )
        row = cursor.fetchone()
    totals = tally_totals_row(row)
    overdue, due_today, response_overdue = row[TALLY_TOTALS_WIDTH:]
    return QueueCounters(
        new=totals.new,
        unassigned=totals.unassigned,
        due_today=totals.due_later_today + due_today,
        overdue=totals.overdue_before + overdue,
        response_overdue=totals.response_overdue_before + response_overdue,
        stamp=totals.stamp,
    )


# Spelled out (not `= ANY(array)`) so the planner matches the open-request partial indexes.
OPEN_IN_SQL = "(" + ", ".join(f"%(open{i})s" for i in range(len(OPEN_STATUSES))) + ")"
OPEN_IN_PARAMS = {f"open{i}": status for i, status in enumerate(sorted(OPEN_STATUSES))}


def _recent_counts_sql(
    *, scope: QueueScope, now: datetime, end_of_day: datetime
) -> tuple[str, dict]:
    """What the tally's hour slots cannot split (see queue_counters), counted from the request
    table through the open-request partial indexes: overdue, due today and first action
    overdue. Written in SQL: through the ORM, its filtered counts cost ~2 ms of Python per load
    to compile, ten times the query itself."""
    hour = hour_floor(now)
    next_hour = hour + timedelta(hours=1)
    params = {
        **OPEN_IN_PARAMS,
        "hour": hour,
        "now": now,
        "next_hour": next_hour,
        "soon": min(next_hour, end_of_day),
        # The tally's "later today" ends at the last hour start before midnight (tally_totals_sql).
        "later": max(hour_floor(end_of_day), next_hour),
        "end": end_of_day,
    }
    where = f'"status" IN {OPEN_IN_SQL}'
    if scope.department_ids is not None:
        where += " AND department_id = ANY(%(departments)s)"
        params["departments"] = sorted(scope.department_ids)
    if scope.filters.scope == SCOPE_UNASSIGNED:
        where += " AND assignee_id IS NULL AND team_id IS NULL"
    sql = f"""
        SELECT COUNT(*) FILTER (WHERE expected_at >= %(hour)s AND expected_at < %(now)s),
               COUNT(*) FILTER (WHERE (expected_at >= %(now)s AND expected_at < %(soon)s)
                                   OR (expected_at >= %(later)s AND expected_at < %(end)s)),
               COUNT(*) FILTER (WHERE acknowledged_at IS NULL
                                  AND response_due_at >= %(hour)s AND response_due_at < %(now)s)
        FROM {ServiceRequest._meta.db_table}
        WHERE {where}
          AND ((expected_at >= %(hour)s AND expected_at < %(next_hour)s)
               OR (expected_at >= %(later)s AND expected_at < %(end)s)
               OR (acknowledged_at IS NULL
                   AND response_due_at >= %(hour)s AND response_due_at < %(now)s))
    """  # noqa: S608 - names and conditions from constants above
    return sql, params


def _counters_counted(
    *, scope: QueueScope, user, now: datetime, end_of_day, stamp: str
) -> QueueCounters:
    # `stamp`: the whole tally's, which any write to any request changes: enough for one
    # person's requests. Read before the count, like the tally in queue_counters.
    qs = _scope_requests(scope=scope, user=user).filter(status__in=sorted(OPEN_STATUSES))
    totals = qs.aggregate(
        new=Count("id", filter=Q(status__in=sorted(NEW_STATUSES), acknowledged_at__isnull=True)),
        unassigned=Count("id", filter=Q(assignee__isnull=True, team__isnull=True)),
        due_today=Count("id", filter=Q(expected_at__gte=now, expected_at__lt=end_of_day)),
        overdue=Count("id", filter=Q(expected_at__lt=now)),
        response_overdue=Count(
            "id", filter=Q(acknowledged_at__isnull=True, response_due_at__lt=now)
        ),
    )
    return QueueCounters(**totals, stamp=stamp)


@dataclass
class AssigneeGroup:
    department: Department
    people: list[tuple[int, str]] = field(default_factory=list)  # (user id, name)
    teams: list[Team] = field(default_factory=list)

    @property
    def options(self) -> list[tuple[str, str]]:
        """(value, label) pairs for a select: people, then teams."""
        people = [(f"user:{pk}", name) for pk, name in self.people]
        teams = [(f"team:{t.pk}", _("Team: %(name)s") % {"name": t.name}) for t in self.teams]
        return people + teams


def _teams_by_department() -> dict[int, list[Team]]:
    teams: dict[int, list[Team]] = {}
    for team in Team.objects.only("id", "name", "department"):
        teams.setdefault(team.department_id, []).append(team)
    return teams


def _active_members(*, department_ids: list[int]) -> list[tuple[int, int, str]]:
    """(department id, user id, name) of the departments' active staff, by first name then
    username; the name is what User.get_full_name() or get_username() gives. In SQL: the ORM
    spent ~1 ms compiling these three joins, ten times the query."""
    user = get_user_model()._meta.db_table
    profile = StaffProfile._meta.db_table
    membership = StaffProfile.departments.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT m.department_id, u.id, u.first_name, u.last_name, u.username
            FROM {membership} m
            JOIN {profile} p ON p.id = m.staffprofile_id
            JOIN {user} u ON u.id = p.user_id
            WHERE m.department_id = ANY(%s) AND u.is_active
            ORDER BY u.first_name, u.username
            """,  # noqa: S608 - names from model metadata
            [department_ids],
        )
        rows = cursor.fetchall()
    return [(d, pk, f"{first} {last}".strip() or username) for d, pk, first, last, username in rows]


def queue_assignee_groups(*, scope: QueueScope) -> list[AssigneeGroup]:
    """People and teams the scope's requests can be given to, grouped by department.

    Teams are kept per process until an admin edits teams (requests_app.configcache). People
    are read on each page, in one query of five columns: keeping them too would put staff
    names and memberships behind the config stamp, and then adding a staff member would make
    every process reload its routing rules, service levels and message templates."""
    departments = scope.tabs
    if scope.department_ids is not None:
        departments = [d for d in departments if d.pk in scope.department_ids]
    people: dict[int, list[tuple[int, str]]] = {}
    for department_id, user_id, name in _active_members(department_ids=[d.pk for d in departments]):
        people.setdefault(department_id, []).append((user_id, name))
    teams = config_cached("staff.teams", _teams_by_department)
    return [
        AssigneeGroup(department=d, people=people.get(d.pk, []), teams=teams.get(d.pk, []))
        for d in departments
    ]


def closure_reason_list() -> QuerySet[ClosureReason]:
    return ClosureReason.objects.filter(active=True).only(
        "id", "code", "name", "name_es", "outcome"
    )


def queue_closure_reasons() -> list[ClosureReason]:
    """The bulk form's closure reasons, kept per process until an admin edits them."""
    return config_cached("staff.closure_reasons", lambda: list(closure_reason_list()))


def queue_categories() -> list[Category]:
    """The category filter's choices, kept per process until an admin edits categories."""
    return config_cached(
        "staff.queue_categories",
        lambda: list(Category.objects.filter(active=True).only("id", "name", "name_es")),
    )


def queue_areas() -> list[Area]:
    """The area filter's choices (neighbourhoods), kept per process until areas change."""
    return config_cached("staff.queue_areas", lambda: list(neighbourhood_list()))


def staff_users_by_id(*, ids: list[int]) -> dict[int, object]:
    users = get_user_model().objects.filter(pk__in=ids, is_active=True)
    return {u.pk: u for u in users}
