"""Priority scoring: a transparent score per request from admin-set weights, mapped to a priority
band. Staff see every part of it; a person can override the priority with a reason.

The parts (each only when it scores):
1. the category's base severity;
2. each admin keyword or phrase found in the description (once each; whole words,
   case-insensitive);
3. the single highest-scoring sensitive place (school, hospital...) within its radius — not a sum,
   so a dense block of places does not pile up points;
4. other residents who reported it (supporters and merged duplicates), capped;
5. age in days, capped.

The total maps to a band (urgent/high/normal/low) by the thresholds in ``ScoringSettings``. The
band sets the priority unless a person overrode it, and it never lowers a priority that something
else set automatically (a routing rule, an escalation): that priority is a floor.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.gis.db.models.functions import Distance
from django.db import transaction
from django.db.models import CharField, F, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from requests_app.configcache import config_cached
from requests_app.models import OPEN_STATUSES, Priority, RequestEvent, ServiceRequest, Status
from requests_app.services import event_record, request_priority_change
from routing.models import ScoreKeyword, ScoringSettings, SensitivePlace

logger = logging.getLogger(__name__)

# Priorities from lowest to highest, to compare a band with a floor.
RANK = {p: i for i, p in enumerate([Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT])}
SMALLINT = 32767
# How many requests one scores_refresh run re-scores at most; the rest wait for the next run.
REFRESH_LIMIT = 1000
# Events after which the request's own score is recomputed.
RESCORE_ON = frozenset(
    {
        RequestEvent.Type.CREATED,
        RequestEvent.Type.SUPPORTER_ADDED,
        RequestEvent.Type.CATEGORY_CHANGED,
    }
)


class Kind:
    CATEGORY = "category"
    KEYWORD = "keyword"
    PLACE = "place"
    SUPPORTERS = "supporters"
    AGE = "age"


@dataclass(frozen=True)
class ScoringContext:
    """What every score needs whatever the request: the settings row and the keywords, compiled.
    Loaded once per call (two queries), or once per batch by scores_refresh."""

    settings: ScoringSettings
    keywords: tuple[tuple[str, int, re.Pattern], ...]


@dataclass
class ScoreResult:
    total: int
    parts: list[dict] = field(default_factory=list)
    band: str = Priority.NORMAL


def scoring_settings() -> ScoringSettings:
    """The one settings row (created with the defaults the first time it is asked for)."""
    return ScoringSettings.objects.get_or_create(pk=1)[0]


def keyword_pattern(word: str) -> re.Pattern:
    """Whole words, any case; the words of a phrase may be separated by any white space."""
    body = r"\s+".join(re.escape(w) for w in word.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def scoring_context_load() -> ScoringContext:
    """The settings and keywords: no query while nothing was edited (see configcache)."""
    return config_cached("routing.scoring", _scoring_context_read)


def _scoring_context_read() -> ScoringContext:
    keywords = tuple(
        (word, points, keyword_pattern(word))
        for word, points in ScoreKeyword.objects.values_list("word", "points")
        if word.strip()
    )
    return ScoringContext(settings=scoring_settings(), keywords=keywords)


# --- Parts in words ---------------------------------------------------------------------------


def part_label(part: dict) -> str:
    """A part in words, in the active language (the stored ``label`` is the English one)."""
    params = part.get("params", {})
    kind = part.get("kind")
    if kind == Kind.CATEGORY:
        return _("Category %(name)s base severity") % params
    if kind == Kind.KEYWORD:
        return _("Keyword “%(word)s”") % params
    if kind == Kind.PLACE:
        return _("Within %(radius)s m of %(name)s (%(kind)s)") % params
    if kind == Kind.SUPPORTERS:
        n = params["count"]
        return ngettext(
            "%(count)s other resident reported it", "%(count)s other residents reported it", n
        ) % {"count": n}
    if kind == Kind.AGE:
        days = params["days"]
        if params.get("capped"):
            return ngettext("Open %(days)s day or more", "Open %(days)s days or more", days) % {
                "days": days
            }
        return ngettext("Open %(days)s day", "Open %(days)s days", days) % {"days": days}
    return part.get("label", "")


def _part(kind: str, points: int, /, **params) -> dict:
    part = {"kind": kind, "points": points, "params": params}
    with translation.override("en"):
        part["label"] = part_label(part)
    return part


def _part_short(part: dict) -> str:
    """A part as the SCORED event's message lists it (English, like every event message)."""
    params, points = part.get("params", {}), part["points"]
    signed = f"{points:+d}"
    return {
        Kind.CATEGORY: f"category base {points}",
        Kind.KEYWORD: f"keyword '{params.get('word')}' {signed}",
        Kind.PLACE: f"near {params.get('name')} {signed}",
        Kind.SUPPORTERS: f"{params.get('count')} other residents {signed}",
        Kind.AGE: f"open {params.get('days')} days {signed}",
    }.get(part.get("kind"), f"{part.get('label')} {signed}")


def band_label(priority: str) -> str:
    with translation.override("en"):
        return str(Priority(priority).label)


def score_message(result: ScoreResult) -> str:
    """ "Score 62: category base 30, keyword 'gas' +25, near Lincoln Elementary +10 → High"."""
    parts = ", ".join(_part_short(p) for p in result.parts) or "no points"
    return f"Score {result.total}: {parts} → {band_label(result.band)}"


# --- Computing -----------------------------------------------------------------------------------


def score_band(*, total: int, settings: ScoringSettings) -> str:
    if total >= settings.urgent_at:
        return Priority.URGENT
    if total >= settings.high_at:
        return Priority.HIGH
    if total >= settings.normal_at:
        return Priority.NORMAL
    return Priority.LOW


def age_points(*, created_at: datetime, now: datetime, settings: ScoringSettings) -> tuple:
    """(whole days open, points, capped?) for a request filed at ``created_at``."""
    days = max(0, int((now - created_at).total_seconds() // 86400))
    raw = int(days * settings.age_points_per_day)
    return days, min(raw, settings.age_cap), raw >= settings.age_cap > 0


def age_cap_days(settings: ScoringSettings) -> int | None:
    """The first whole day at which the age part reaches its cap (None when age never scores)."""
    if settings.age_points_per_day <= 0 or settings.age_cap <= 0:
        return None
    days = int(settings.age_cap // settings.age_points_per_day)
    while int(days * settings.age_points_per_day) < settings.age_cap:
        days += 1
    return days


def score_compute(
    *, request: ServiceRequest, now: datetime | None = None, context: ScoringContext | None = None
) -> ScoreResult:
    """The score of a request as it is now. Reads only: one query for the place unless the row
    was read with it (``sensitive_place_annotate``), plus two for the settings and keywords
    unless a loaded ``context`` is passed."""
    context = context or scoring_context_load()
    settings = context.settings
    now = now or timezone.now()
    parts: list[dict] = []

    category = request.category
    if category.base_severity:
        parts.append(_part(Kind.CATEGORY, category.base_severity, name=category.name))

    description = request.description or ""
    for word, points, pattern in context.keywords:
        if points and pattern.search(description):
            parts.append(_part(Kind.KEYWORD, points, word=word))

    near = getattr(request, "near_place", _UNREAD)
    if near is not _UNREAD:
        # Read with the row (sensitive_place_annotate): no query of its own.
        place = (
            SensitivePlace(**dict(zip(_PLACE_FIELDS, json.loads(near), strict=True)))
            if near
            else None
        )
    elif request.location is not None:
        # Each place has its own radius, so the distance is a column; the table is small (a city's
        # schools and hospitals), so this is cheap without an index range.
        place = (
            SensitivePlace.objects.filter(location__dwithin=(request.location, F("radius_m")))
            .exclude(points=0)
            .annotate(distance=Distance("location", request.location))
            .order_by("-points", "distance", "pk")
            .only("kind", "name", "radius_m", "points")
            .first()
        )
    else:
        place = None
    if place is not None:
        parts.append(
            _part(
                Kind.PLACE,
                place.points,
                name=place.name,
                kind=place.kind,
                radius=place.radius_m,
            )
        )

    supporters = request.supporter_count or 0
    if supporters and settings.supporter_points:
        points = min(supporters * settings.supporter_points, settings.supporter_cap)
        if points:
            parts.append(_part(Kind.SUPPORTERS, points, count=supporters))

    days, points, capped = age_points(created_at=request.created_at, now=now, settings=settings)
    if points:
        if capped:
            parts.append(_part(Kind.AGE, points, days=age_cap_days(settings), capped=True))
        else:
            parts.append(_part(Kind.AGE, points, days=days))

    total = max(-SMALLINT, min(SMALLINT, sum(p["points"] for p in parts)))
    return ScoreResult(total=total, parts=parts, band=score_band(total=total, settings=settings))


def _priority_floors(*, request_id) -> QuerySet:
    """The priority last set automatically by something other than scoring (a routing rule, an
    escalation step): the score's band never goes below it. People's changes are overrides and
    are handled by ``priority_overridden`` instead. ``request_id`` may be an OuterRef."""
    return (
        RequestEvent.objects.filter(
            request_id=request_id, type=RequestEvent.Type.PRIORITY_CHANGED, actor__isnull=True
        )
        # ``@>`` rather than a key lookup: a key lookup is NULL on events without the key, and
        # NOT NULL would drop the very rule events this looks for.
        .exclude(data__contains={"scoring": True})
        .exclude(data__contains={"override": True})
        .exclude(data__contains={"override_cleared": True})
        .order_by("-created_at", "-id")
        .values_list("to_value", flat=True)
    )


def priority_floor(*, request_id: int) -> str | None:
    """The floor of one request (see _priority_floors)."""
    return _priority_floors(request_id=request_id).first()


# --- Writing -------------------------------------------------------------------------------------


def priority_floor_annotate(rows: QuerySet) -> QuerySet:
    """``rows`` (requests) with each one's priority floor as ``floor``, read with them (a
    subquery of the locking SELECT rather than a query of its own): ``_priority_floors``
    written out, because as an ORM subquery (three JSON exclusions) it took more Python to
    build than the rest of the read (about 1.4 ms of the routing lock's 2.3 on the shared
    bench machine). Tested against ``priority_floor``."""
    events, requests = RequestEvent._meta.db_table, ServiceRequest._meta.db_table
    floor = RawSQL(  # noqa: S611 (table names from the models)
        f"(SELECT e.to_value FROM {events} e WHERE e.request_id = "  # noqa: S608
        f'"{requests}"."id" AND e.type = %s AND e.actor_id IS NULL '
        "AND NOT (e.data @> %s::jsonb) AND NOT (e.data @> %s::jsonb) "
        "AND NOT (e.data @> %s::jsonb) ORDER BY e.created_at DESC, e.id DESC LIMIT 1)",
        [
            RequestEvent.Type.PRIORITY_CHANGED,
            '{"scoring": true}',
            '{"override": true}',
            '{"override_cleared": true}',
        ],
        output_field=CharField(),
    )
    return rows.annotate(floor=floor)


_UNREAD = object()
_PLACE_FIELDS = ("points", "name", "kind", "radius_m")


def sensitive_place_annotate(rows: QuerySet) -> QuerySet:
    """``rows`` (requests) with the sensitive place that scores each one (``near_place``, as
    ``score_compute`` would pick it: most points, then nearest, then first stored; None when
    none is in range) read with them: a subquery of routing's locking SELECT rather than a query
    of its own, written out like the floor (its ORM form costs more Python than the read).
    Tested against ``score_compute``'s own query."""
    places, requests = SensitivePlace._meta.db_table, ServiceRequest._meta.db_table
    here = f'"{requests}"."location"'
    near = RawSQL(  # noqa: S611 (table names from the models)
        f"(SELECT json_build_array(p.points, p.name, p.kind, p.radius_m)::text "  # noqa: S608
        f"FROM {places} p WHERE ST_DWithin(p.location, {here}, p.radius_m) AND p.points <> 0 "
        f"ORDER BY p.points DESC, ST_Distance(p.location, {here}) ASC, p.id ASC LIMIT 1)",
        [],
        output_field=TextField(),
    )
    return rows.annotate(near_place=near)


@dataclass
class ScoreUpdate:
    """A score computed on a locked row and set on it in memory (``score_prepare``), to be saved
    by the caller's UPDATE and recorded by ``score_record``."""

    result: ScoreResult
    before: int | None
    changed: bool


def score_prepare(
    *, sr: ServiceRequest, context: ScoringContext, now: datetime | None = None
) -> ScoreUpdate:
    """Compute the score of a locked row and set it on the object, unsaved: the caller saves
    ``score`` and ``score_parts`` (when ``changed``) with its own UPDATE, then calls
    ``score_record``. Routing a new request does both in its transaction, on its held row."""
    result = score_compute(request=sr, now=now, context=context)
    before = sr.score
    changed = sr.score != result.total or sr.score_parts != result.parts
    if changed:
        sr.score, sr.score_parts = result.total, result.parts
    return ScoreUpdate(result=result, before=before, changed=changed)


def score_record(
    *, sr: ServiceRequest, update: ScoreUpdate, reason: str, floor: str | None
) -> bool:
    """After the UPDATE that saved a prepared score: its SCORED event (the message lists the
    parts), then the band as the priority, unless a person overrode it, never below ``floor``
    (the priority a rule or escalation set). Returns whether anything was written."""
    result = update.result
    if update.changed:
        event_record(
            request=sr,
            type=RequestEvent.Type.SCORED,
            actor=None,
            actor_label="Priority score",
            public=False,
            from_value="" if update.before is None else str(update.before),
            to_value=str(result.total),
            message=score_message(result),
            data={"score": result.total, "band": result.band, "trigger": reason},
        )
    if sr.priority_overridden:
        return update.changed
    target = result.band
    if floor in RANK and RANK[floor] > RANK[target]:
        target = floor
    if target == sr.priority:
        return update.changed
    why = f"Priority score {result.total} → {band_label(result.band)}"
    if target != result.band:
        why += f"; kept at {band_label(target)}, set by a rule"
    request_priority_change(
        request=sr,
        actor=None,
        priority=target,
        reason=why,
        data={"scoring": True, "score": result.total},
    )
    return True


def request_score(
    *,
    request_id: int,
    reason: str,
    now: datetime | None = None,
    context: ScoringContext | None = None,
) -> bool:
    """Score one request and apply its band. Returns whether anything was written.

    1. Nothing when scoring is disabled or the request is closed.
    2. Lock the row, compute; store the score and its parts with an internal SCORED event when
       they changed (the message lists the parts).
    3. Unless a person overrode the priority, set it to the band — but never below the priority a
       rule or escalation set — through request_priority_change, which recomputes the due dates.
    Same inputs, same result: a second call writes nothing. A new request is scored by routing,
    in its transaction (routing.services.request_route_by_rules with ``score``)."""
    context = context or scoring_context_load()
    if not context.settings.enabled:
        return False
    with transaction.atomic():
        # The floor read with the lock (was a query of its own): nothing in between writes a
        # priority change, and scoring's own are not floors.
        sr = (
            priority_floor_annotate(
                ServiceRequest.objects.select_for_update(of=("self",)).select_related("category")
            )
            .filter(pk=request_id, status__in=OPEN_STATUSES)
            .first()
        )
        if sr is None:
            return False
        update = score_prepare(sr=sr, context=context, now=now)
        if update.changed:
            # No version bump: a new score alone should not turn a colleague's open form stale.
            sr.save(update_fields=["score", "score_parts"])
        return score_record(sr=sr, update=update, reason=reason, floor=sr.floor)


def on_event(event: RequestEvent) -> None:
    """Re-score when something the score reads changes. Idempotent (see request_score)."""
    data = event.data or {}
    if event.type in RESCORE_ON:
        request_score(request_id=event.request_id, reason=event.type)
    elif event.type == RequestEvent.Type.DUPLICATE_MARKED and data.get("original_id"):
        # The duplicate is closed; its reporters now count on the original.
        request_score(request_id=data["original_id"], reason=event.type)
    elif event.type == RequestEvent.Type.PRIORITY_CHANGED and data.get("override_cleared"):
        request_score(request_id=event.request_id, reason="override_cleared")
    elif event.type == RequestEvent.Type.STATUS_CHANGED and event.to_value == Status.REOPENED:
        request_score(request_id=event.request_id, reason="reopened")


def scores_refresh(*, now: datetime | None = None, limit: int = REFRESH_LIMIT) -> int:
    """Re-score the open, not overridden requests whose age part would change; returns how many
    changed. Bounded and cheap:

    1. only requests younger than the age cap (plus a day) can gain age points, so the scan reads
       open rows filed since then (the (status, created_at) index), a few columns each;
    2. the stored age part is compared with today's in Python, and at most ``limit`` requests,
       oldest first, are re-scored; the rest are still stale at the next (hourly) run.
    Requests never scored (filed while scoring was off) are left to their next event."""
    context = scoring_context_load()
    settings = context.settings
    cap_days = age_cap_days(settings)
    if not settings.enabled or cap_days is None:
        return 0
    now = now or timezone.now()
    candidates = (
        ServiceRequest.objects.filter(
            status__in=OPEN_STATUSES,
            created_at__gte=now - timedelta(days=cap_days + 1),
            priority_overridden=False,
            score__isnull=False,
        )
        .order_by("created_at", "id")
        .values_list("id", "created_at", "score_parts")
    )
    due: list[int] = []
    for pk, created_at, parts in candidates.iterator(chunk_size=2000):
        stored = next((p.get("points") for p in parts or [] if p.get("kind") == Kind.AGE), 0)
        if age_points(created_at=created_at, now=now, settings=settings)[1] != stored:
            due.append(pk)
            if len(due) >= limit:
                break
    changed = 0
    for pk in due:
        try:
            changed += request_score(request_id=pk, reason="age", now=now, context=context)
        except Exception:
            # One bad row must not stop the batch; the next run tries it again.
            logger.exception("scoring request %s failed", pk)
    return changed


# --- Reading (the staff page) ------------------------------------------------------------------


@dataclass
class ScoreExplanation:
    enabled: bool
    total: int | None
    parts: list[tuple[str, int]]
    bands: list[tuple[str, int]]
    band: str
    overridden: bool
    override_by: str = ""
    override_reason: str = ""
    override_at: datetime | None = None


def score_explain(*, request: ServiceRequest) -> ScoreExplanation:
    """The score panel: the stored parts in the active language, the thresholds, and who overrode
    the priority and why (from their event). One or two queries."""
    # A page view does not create the settings row; the defaults stand in until an admin saves it.
    # Kept per process like the scoring context (the row's table changes the config stamp), so
    # inside the request page's config_snapshot() it costs no query.
    settings = config_cached(
        "routing.scoring.explain",
        lambda: ScoringSettings.objects.filter(pk=1).first() or ScoringSettings(),
    )
    total = request.score
    parts = [(part_label(p), p.get("points", 0)) for p in request.score_parts or []]
    bands = [
        (str(Priority.URGENT.label), settings.urgent_at),
        (str(Priority.HIGH.label), settings.high_at),
        (str(Priority.NORMAL.label), settings.normal_at),
    ]
    explanation = ScoreExplanation(
        enabled=settings.enabled,
        total=total,
        parts=parts,
        bands=bands,
        band=score_band(total=total, settings=settings) if total is not None else "",
        overridden=request.priority_overridden,
    )
    if request.priority_overridden:
        event = (
            request.events.filter(type=RequestEvent.Type.PRIORITY_CHANGED, data__override=True)
            .order_by("-created_at", "-id")
            .only("actor_label", "message", "created_at")
            .first()
        )
        if event is not None:
            explanation.override_by = event.actor_label
            explanation.override_reason = event.message
            explanation.override_at = event.created_at
    return explanation


def scores_backfill(*, after_id: int = 0, batch: int = 500) -> tuple[int, int | None]:
    """Score open requests that have never been scored (loaded by an import or the demo seed,
    outside the services), one batch in id order after ``after_id``. Returns how many it scored
    and the id to continue after (None when done), so a task can chain batches."""
    context = scoring_context_load()
    if not context.settings.enabled:
        return 0, None
    ids = list(
        ServiceRequest.objects.filter(status__in=OPEN_STATUSES, score__isnull=True, pk__gt=after_id)
        .order_by("pk")
        .values_list("id", flat=True)[:batch]
    )
    scored = 0
    for pk in ids:
        try:
            scored += request_score(request_id=pk, reason="backfill", context=context)
        except Exception:
            logger.exception("scoring request %s failed", pk)
    return scored, (ids[-1] if len(ids) == batch else None)
