"""Reads for the resident-facing pages. Nothing here returns a resident's personal data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from civic311.bounds import PAGE_MAX
from requests_app.addresses import address_normalize
from requests_app.configcache import config_cached
from requests_app.models import (
    OPEN_STATUSES,
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

PUBLIC_PAGE_SIZE = 20


# --- Geography ---------------------------------------------------------------------------------


def boundary_contains(*, point: Point) -> bool:
    """True when the point is inside the active service-area boundary (or none is loaded yet)."""
    boundary = Area.objects.filter(area_set__active=True, kind=AreaSet.Kind.BOUNDARY)
    if not boundary_loaded():
        return True
    return boundary.filter(geom__intersects=point).exists()


def boundary_loaded() -> bool:
    """Whether an active service-area boundary is loaded; kept per process until areas change
    (requests_app.configcache), so a location check is one query."""
    return config_cached(
        "requests_app.boundary_loaded",
        Area.objects.filter(area_set__active=True, kind=AreaSet.Kind.BOUNDARY).exists,
    )


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


def address_search(*, query: str, limit: int = 8) -> list[AddressPoint]:
    """Address points best matching what the resident typed (trigram similarity, prefix boost)."""
    norm = address_normalize(query)
    if len(norm) < 3:
        return []
    return list(
        AddressPoint.objects.annotate(sim=TrigramWordSimilarity(norm, "normalized"))
        .filter(Q(normalized__startswith=norm) | Q(sim__gt=0.45))
        .order_by("-sim", "label")[:limit]
    )


def address_resolve(*, query: str) -> AddressPoint | None:
    """The one address point a typed address means: an exact match, else a single clear best
    match. Used when the form is submitted without JavaScript or without picking a suggestion."""
    norm = address_normalize(query)
    if not norm:
        return None
    exact = AddressPoint.objects.filter(normalized=norm).first()
    if exact:
        return exact
    matches = address_search(query=query, limit=2)
    if len(matches) == 1 or (len(matches) == 2 and matches[0].sim - matches[1].sim > 0.15):
        return matches[0]
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
    """Active categories grouped for the picker, filtered by what the resident typed (names and
    keywords in both languages)."""
    categories = Category.objects.filter(active=True)
    for word in query.split():
        categories = categories.filter(
            Q(name__icontains=word)
            | Q(name_es__icontains=word)
            | Q(description__icontains=word)
            | Q(description_es__icontains=word)
            | Q(keywords__icontains=word)
            | Q(group__name__icontains=word)
            | Q(group__name_es__icontains=word)
        )
    groups = CategoryGroup.objects.prefetch_related(
        Prefetch("categories", queryset=categories, to_attr="matching")
    )
    return [g for g in groups if g.matching]


def category_for_form(*, category_id: int | str | None) -> Category | None:
    if not category_id:
        return None
    try:
        return (
            Category.objects.filter(active=True)
            .prefetch_related("questions__choices")
            .get(pk=int(category_id))
        )
    except (Category.DoesNotExist, ValueError, TypeError):
        return None


# --- Requests, public views --------------------------------------------------------------------

# Everything a public page may read from a request: no reporter fields.
PUBLIC_FIELDS = (
    "id",
    "tracking_number",
    "category__name",
    "category__name_es",
    "category__icon",
    "department__name",
    "department__name_es",
    "description",
    "location",
    "address",
    "neighbourhood__name",
    "status",
    "created_at",
    "updated_at",
    "resolved_at",
    "closed_at",
    "expected_at",
    "closure_reason",
    "duplicate_of__tracking_number",
    # Asset ids are public information (they are painted on the poles).
    "category__asset_type",
    "asset_ref",
    "asset__asset_type",
    "asset__asset_id",
)


def _public_requests() -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.select_related(
        "category", "department", "neighbourhood", "closure_reason", "duplicate_of", "asset"
    ).only(*PUBLIC_FIELDS)


def request_get_public(*, tracking_number: str) -> ServiceRequest | None:
    return _public_requests().filter(tracking_number=tracking_number.strip()).first()


def request_get_by_token(*, token: str) -> ServiceRequest | None:
    if not token or len(token) < 32:
        return None
    return (
        ServiceRequest.objects.select_related("category", "department", "asset")
        .filter(private_token=token)
        .first()
    )


def public_events(*, request: ServiceRequest) -> list[RequestEvent]:
    return list(request.events.filter(public=True).order_by("created_at", "id"))


def public_photos(*, request: ServiceRequest) -> list[Photo]:
    return list(request.photos.filter(public=True).only("uuid", "source", "created_at"))


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


def request_pipeline(*, request: ServiceRequest, events: list[RequestEvent]) -> Pipeline:
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
        reason = ClosureReason.objects.filter(code=reason_codes[-1]).first()
        if reason:
            outcome = closure_message(reason=reason, message=outcome)
    return Pipeline(steps=list(steps.values()), outcome=outcome, terminal_label=terminal)


def closure_message(*, reason: ClosureReason, message: str) -> str:
    """What the resident reads when a request closes: the staff's own words when they wrote
    some, else the reason's standard wording in the reader's language."""
    if message and message.strip() != reason.public_text.strip():
        return message
    return reason.tr("public_text")


@dataclass(frozen=True)
class PublicFilters:
    category: int | None = None
    status: str = ""  # "open", "closed" or ""
    neighbourhood: int | None = None
    page: int = 1


def request_public_list(*, filters: PublicFilters) -> tuple[list[ServiceRequest], bool]:
    """One page of recent requests, newest first, and whether an older page exists.

    No COUNT(*): a city with millions of requests pages by fetching one row more than shown."""
    qs = _public_requests()
    if filters.category:
        qs = qs.filter(category_id=filters.category)
    if filters.neighbourhood:
        qs = qs.filter(neighbourhood_id=filters.neighbourhood)
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status == "closed":
        qs = qs.exclude(status__in=OPEN_STATUSES)
    start = (min(max(filters.page, 1), PAGE_MAX) - 1) * PUBLIC_PAGE_SIZE
    rows = list(qs.order_by("-created_at", "-id")[start : start + PUBLIC_PAGE_SIZE + 1])
    return rows[:PUBLIC_PAGE_SIZE], len(rows) > PUBLIC_PAGE_SIZE


def department_list() -> QuerySet[Department]:
    return Department.objects.filter(active=True)


@dataclass
class TimelineEntry:
    at: datetime
    title: str
    message: str = ""
    by_resident: bool = False
    photos: list[str] = field(default_factory=list)


def timeline_public(*, events: list[RequestEvent]) -> list[TimelineEntry]:
    """The public events in plain words, in the reader's language. Staff names never appear:
    a staff comment is signed by the department."""
    departments = {d.id: d for d in Department.objects.all()}
    entries = []
    for e in events:
        data = e.data or {}
        if e.type == RequestEvent.Type.CREATED:
            entries.append(TimelineEntry(e.created_at, _("Report received")))
        elif e.type == RequestEvent.Type.ROUTED:
            dept = departments.get(data.get("department_id"))
            name = dept.tr("name") if dept else e.to_value
            entries.append(
                TimelineEntry(e.created_at, _("Routed to %(department)s") % {"department": name})
            )
        elif e.type == RequestEvent.Type.STATUS_CHANGED:
            if e.to_value == Status.ROUTED:
                continue  # the routed event already says it
            label = Status(e.to_value).label if e.to_value in Status.values else e.to_value
            message = ""
            code = data.get("closure_reason")
            if code:
                reason = ClosureReason.objects.filter(code=code).first()
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
