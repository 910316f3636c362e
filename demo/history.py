"""The request-history simulator: a year of requests in the demo city, each with the event
history the tracker and the metrics read (see RequestWriter._history), streamed into the database
with COPY (demo.bulk) in chunks, so a million takes minutes, not hours.

It reads the city from the database (categories, their questions and departments, closure
reasons, addresses, the boundary) and its own sample text from demo.history_data; the request
locations come from the SF sample (CASES_FILE) and the address points.
"""

from __future__ import annotations

import csv
import json
import math
import random
import secrets
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.geos.prepared import PreparedGeometry
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from demo import history_data as data
from demo.bulk import (
    NULL,
    Stamper,
    bulk_begin,
    copy_lines,
    copy_text,
    extra_columns,
    ids_reserve,
    in_background,
    insert_with_areas,
    staging_create,
)
from demo.history_data import CategoryHint
from demo.paths import CITY_DIR
from requests_app.importers.geo import boundary_prepared
from requests_app.models import (
    CLOSED_STATUSES,
    AddressPoint,
    Category,
    ClosureReason,
    Question,
    RequestEvent,
    ServiceRequest,
    Status,
)

CHUNK = 20_000
BULK_MIN = 50_000  # from this many requests, load with indexes dropped (see demo.bulk.bulk_begin)
DAYS = 365
# Shares of outcomes and reporters.
P_DUPLICATE, P_REFERRED, P_NOT_ACTIONABLE = 0.03, 0.02, 0.02
P_ANONYMOUS, P_SPANISH = 0.40, 0.07
P_TEMPLATE_CATEGORY = 0.75  # else any category, so every category gets requests
P_ADDRESS_LOCATION = 0.20  # else a template case's location
JITTER_M = 12.0
# Weekly and daily rhythm in the city's time zone (Monday first; hours 0-23).
DAY_WEIGHTS = (1.15, 1.1, 1.05, 1.05, 1.0, 0.7, 0.6)
HOUR_WEIGHTS = (
    0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.8, 1.2, 1.5, 1.6, 1.6,
    1.5, 1.5, 1.5, 1.4, 1.3, 1.1, 0.95, 0.85, 0.7, 0.55, 0.4, 0.25,
)  # fmt: skip
PRIORITIES = {"normal": 85, "low": 7, "high": 7, "urgent": 1}

REQUEST_COLUMNS = (
    "id", "tracking_number", "category_id", "department_id", "description", "location",
    "address", "status", "priority", "channel", "answers", "closure_reason_id",
    "duplicate_of_id", "anonymous", "reporter_name", "reporter_email", "reporter_phone",
    "contact_method", "language", "private_token", "version", "created_at", "updated_at",
    "routed_at", "resolved_at", "closed_at", "expected_at", "acknowledged_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "request_id", "type", "actor_id", "actor_label", "created_at", "public", "from_value",
    "to_value", "message", "data",
)  # fmt: skip
REQUESTS = ServiceRequest._meta.db_table
EVENTS = RequestEvent._meta.db_table
STAGING = "seed_demo_requests"
CREATED_BY = {"phone": "Call centre", "walk_in": "Call centre", "api": "Open311 client"}
# Who writes events without being a member of staff acting on the request: the first event by
# anyone else is the first response (acknowledged_at), as the workflow services record it.
NOT_STAFF = frozenset({"Routing", "System", "Resident", *CREATED_BY.values()})


@dataclass
class CategoryInfo:
    id: int
    code: str
    department_id: int
    department_name: str
    resolution_hours: int
    description: str  # the category's, for requests without a sample description
    online: bool  # residents may report it online
    hint: CategoryHint
    questions: list[tuple[str, str, list[str]]]  # (code, datatype, choice keys)
    durations: list[float] = field(default_factory=list)  # hours, from the template cases


@dataclass
class Place:
    lng: float
    lat: float
    address: str
    code: str | None  # the template case's category, if any
    source: str
    safe: bool  # far enough inside the boundary that jitter cannot leave it


class RequestWriter:
    """Generates requests with their event histories and streams both into COPY."""

    def __init__(
        self, *, rng: random.Random, actor_id: int | None, stdout, verbosity: int = 1
    ) -> None:
        self.rng = rng
        self.verbosity = verbosity
        self.actor_id = actor_id
        self.stdout = stdout
        self.now = timezone.now().timestamp()
        self.stamp = Stamper()
        self.timings: Counter = Counter()
        self.yymm_cache: dict[int, str] = {}
        self.zone = ZoneInfo(settings.CITY_TIME_ZONE)
        self.boundary: PreparedGeometry | None = boundary_prepared()
        self.categories = self._categories_load()
        self.online = [c for c in self.categories.values() if c.online]
        self.reasons: dict[str, int] = {}
        self.reason_text: dict[str, str] = {}  # public text, as COPY text
        for reason_id, code, public_text in ClosureReason.objects.values_list(
            "id", "code", "public_text"
        ):
            self.reasons[code] = reason_id
            self.reason_text[code] = copy_text(public_text)
        self.places = self._templates_load()
        self.addresses = self._addresses_load()
        self.last_by_category: dict[str, tuple[int, float, float, str]] = {}
        self.extra_request_cols, self.extra_request_vals = extra_columns(
            ServiceRequest, REQUEST_COLUMNS
        )
        self.extra_event_cols, self.extra_event_vals = extra_columns(RequestEvent, EVENT_COLUMNS)
        self.esc_comments = [copy_text(t) for t in data.STAFF_COMMENTS]
        self.esc_notes = [copy_text(t) for t in data.INTERNAL_NOTES]
        self.esc_onsite = [copy_text(t) for t in data.ONSITE_MESSAGES]
        self.esc_reopen = [copy_text(t) for t in data.REOPEN_COMMENTS]
        self.esc_waiting = copy_text(data.WAITING_COMMENT)
        self.priorities = list(PRIORITIES)
        self.priority_weights = list(PRIORITIES.values())

    # --- inputs ---------------------------------------------------------------------------
    def _categories_load(self) -> dict[str, CategoryInfo]:
        questions: dict[int, list[tuple[str, str, list[str]]]] = {}
        for q in Question.objects.filter(variable=True).prefetch_related("choices"):
            keys = [c.key for c in q.choices.all()]
            questions.setdefault(q.category_id, []).append((q.code, q.datatype, keys))
        result = {}
        for c in Category.objects.filter(active=True).select_related("default_department"):
            if c.code not in data.CATEGORY_HINTS:
                continue  # an admin-made category: no sample text for it
            result[c.code] = CategoryInfo(
                id=c.id,
                code=c.code,
                department_id=c.default_department_id,
                department_name=copy_text(c.default_department.name),
                resolution_hours=c.resolution_target_hours,
                description=c.description,
                online=c.online_submission_allowed,
                hint=data.CATEGORY_HINTS[c.code],
                questions=questions.get(c.id, []),
            )
        return result

    def _templates_load(self) -> list[Place]:
        places = []
        with (CITY_DIR / data.CASES_FILE).open(newline="") as f:
            for row in csv.DictReader(f):
                code = data.sf_case_category(row["category"], row["request_type"], row["details"])
                lng, lat = float(row["lng"]), float(row["lat"])
                if not self._inside(lng, lat):
                    continue
                info = self.categories.get(code or "")
                if info and row["closed"]:
                    opened = datetime.fromisoformat(row["opened"])
                    hours = (datetime.fromisoformat(row["closed"]) - opened).total_seconds() / 3600
                    if 0.2 < hours < 24 * 200:
                        info.durations.append(hours)
                places.append(
                    Place(
                        lng,
                        lat,
                        copy_text(row["address"]),
                        code if info else None,
                        row["source"],
                        self._safe(lng, lat),
                    )
                )
        return places

    def _addresses_load(self) -> list[Place]:
        rows = AddressPoint.objects.order_by("?").values_list("label", "location")[:5000]
        return [
            Place(p.x, p.y, copy_text(label), None, "", self._safe(p.x, p.y))
            for label, p in rows
            if self._inside(p.x, p.y)
        ]

    def _inside(self, lng: float, lat: float) -> bool:
        return self.boundary is None or self.boundary.contains(Point(lng, lat))

    def _safe(self, lng: float, lat: float) -> bool:
        if self.boundary is None:
            return True
        d_lat = 4 * JITTER_M / 111_320
        d_lng = d_lat / math.cos(math.radians(lat))
        box = Polygon.from_bbox((lng - d_lng, lat - d_lat, lng + d_lng, lat + d_lat))
        return self.boundary.contains(box)

    # --- time -----------------------------------------------------------------------------
    def _created_times(self, n: int) -> list[float]:
        """n creation times over the last year, busier on weekdays and in the daytime (in the
        city's zone), with a slight upward trend and day-to-day noise; sorted."""
        rng = self.rng
        end = math.floor(self.now / 3600) * 3600
        start = end - DAYS * 24 * 3600
        hours = range(start, end, 3600)
        day_noise: dict[int, float] = {}
        cum, total = [], 0.0
        for i, h in enumerate(hours):
            local = datetime.fromtimestamp(h, self.zone)
            noise = day_noise.setdefault(local.toordinal(), rng.uniform(0.75, 1.25))
            total += (
                DAY_WEIGHTS[local.weekday()]
                * HOUR_WEIGHTS[local.hour]
                * noise
                * (0.9 + 0.2 * i / len(hours))
            )
            cum.append(total)
        picks = rng.choices(hours, cum_weights=cum, k=n)
        latest = self.now - 60
        return sorted(min(h + rng.random() * 3600, latest) for h in picks)

    def _tracking_numbers(self, created: list[float]) -> dict[str, Iterator[str]]:
        """Per city-zone month (YYMM): unique random numbers, 4 digits, more when a month has
        more requests than half of that space (so later live numbers still find room)."""
        counts = Counter(self._yymm(t) for t in created)
        pools = {}
        for yymm, count in counts.items():
            existing = set(
                ServiceRequest.objects.filter(tracking_number__startswith=f"{yymm}-").values_list(
                    "tracking_number", flat=True
                )
            )
            digits = 4
            while (count + len(existing)) * 2 > 9 * 10 ** (digits - 1):
                digits += 1
            space = range(10 ** (digits - 1), 10**digits)  # no leading zero, as the live ones
            numbers = self.rng.sample(space, count + len(existing))
            pools[yymm] = _numbers_lazy(yymm, numbers, existing)
        return pools

    def _yymm(self, epoch: float) -> str:
        """Year and month in the city's zone (cached per hour: zone offsets change on hours)."""
        hour = int(epoch // 3600)
        yymm = self.yymm_cache.get(hour)
        if yymm is None:
            yymm = datetime.fromtimestamp(hour * 3600, self.zone).strftime("%y%m")
            self.yymm_cache[hour] = yymm
        return yymm

    # --- writing --------------------------------------------------------------------------
    def run(self, n: int) -> None:
        """Generate in a producer thread while the main thread loads the previous chunk, so
        Python and PostgreSQL work at the same time. One transaction: a failed or interrupted
        seed leaves nothing behind. A bulk load (see demo.bulk.bulk_begin) also drops and
        rebuilds the secondary indexes inside that transaction."""
        started = time.monotonic()
        created = self._created_times(n)
        numbers = self._tracking_numbers(created)
        bulk = n >= BULK_MIN and n >= ServiceRequest.objects.count()
        request_columns = [*REQUEST_COLUMNS, *self.extra_request_cols]
        event_columns = [*EVENT_COLUMNS, *self.extra_event_cols]
        events = 0
        with transaction.atomic(), connection.cursor() as cursor:
            first_id = ids_reserve(cursor, REQUESTS, n)
            rebuild = bulk_begin(cursor, (REQUESTS, EVENTS)) if bulk else []
            staging_create(cursor, STAGING, REQUESTS)
            chunks = in_background(self._chunks(created, numbers, first_id))
            with (
                closing(chunks),
                tqdm(total=n, unit="req", file=sys.stderr, desc="requests", disable=None) as bar,
            ):
                mark = time.monotonic()
                for requests_tsv, events_tsv, count in chunks:
                    mark = self._timed("waiting for Python", mark)
                    insert_with_areas(
                        cursor,
                        staging=STAGING,
                        table=REQUESTS,
                        columns=request_columns,
                        lines=requests_tsv,
                    )
                    mark = self._timed("requests insert", mark)
                    copy_lines(cursor, EVENTS, event_columns, events_tsv)
                    mark = self._timed("events copy", mark)
                    events += count
                    bar.update(len(requests_tsv))
            mark = time.monotonic()
            for statement in rebuild:
                cursor.execute(statement)
            self._timed("index rebuild", mark)
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        mark = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {REQUESTS}")
            cursor.execute(f"ANALYZE {EVENTS}")
        self._timed("commit and analyze", mark)
        self.stdout.write(
            f"Requests: created {n} with {events} events in {time.monotonic() - started:.1f} s."
        )
        if self.verbosity > 1:
            self.stdout.write(", ".join(f"{k} {v:.1f} s" for k, v in self.timings.items()))

    def _timed(self, what: str, since: float) -> float:
        """Add the time since `since` to `what`'s total; returns now, the next step's start."""
        now = time.monotonic()
        self.timings[what] += now - since
        return now

    def _chunks(
        self, created: list[float], numbers: dict[str, Iterator[str]], first_id: int
    ) -> Iterator[tuple[list[str], list[str], int]]:
        """(request lines, event lines, event count) per CHUNK requests: pure Python, run in the
        producer thread, never touches the database."""
        for start in range(0, len(created), CHUNK):
            requests_tsv: list[str] = []
            events_tsv: list[str] = []
            count = 0
            for offset, t0 in enumerate(created[start : start + CHUNK]):
                request_id = first_id + start + offset
                tracking = next(numbers[self._yymm(t0)])
                count += self._request(request_id, t0, tracking, requests_tsv, events_tsv)
            yield requests_tsv, events_tsv, count

    # --- one request ----------------------------------------------------------------------
    def _request(
        self, request_id: int, t0: float, tracking: str, out: list[str], events_out: list[str]
    ) -> int:
        rng = self.rng
        place = self._place()
        category = self._category(place)
        outcome = self._outcome()
        duplicate_of = None
        lng, lat, address = place.lng, place.lat, place.address
        if outcome == Status.CLOSED_DUPLICATE:
            original = self.last_by_category.get(category.code)
            if original is None:
                outcome = None
            else:
                duplicate_of, lng, lat, address = original
        # A duplicate sits near its original, which may be anywhere: check it stays inside.
        lng, lat = self._jitter(lng, lat, place.safe and duplicate_of is None)
        self.last_by_category[category.code] = (request_id, lng, lat, address)

        channel = self._channel(place.source)
        language = "es" if rng.random() < P_SPANISH else "en"
        history = self._history(t0, category, outcome, channel, duplicate_of)
        status, closure, routed_at, resolved_at, closed_at, updated = history.summary()
        for at, etype, public, label, from_v, to_v, message, payload, actor in history.events:
            events_out.append(
                f"{request_id}\t{etype}\t{actor}\t{label}\t{self.stamp(at)}\t{public}\t{from_v}\t"
                f"{to_v}\t{message}\t{payload}{self.extra_event_vals}\n"
            )
        name, email, phone, contact = self._reporter(channel)
        answers = copy_text(json.dumps(self._answers(category), ensure_ascii=False))
        out.append(
            "\t".join(
                (
                    str(request_id),
                    tracking,
                    str(category.id),
                    str(category.department_id),
                    copy_text(self._description(category, language)),
                    f"SRID=4326;POINT({lng:.7f} {lat:.7f})",
                    address,
                    status,
                    rng.choices(self.priorities, self.priority_weights)[0],
                    channel,
                    answers,
                    str(self.reasons[closure]) if closure else NULL,
                    str(duplicate_of)
                    if duplicate_of and status == Status.CLOSED_DUPLICATE
                    else NULL,
                    "f" if name else "t",
                    name,
                    email,
                    phone,
                    contact,
                    language,
                    secrets.token_hex(32),
                    str(1 + history.changes),  # version: +1 per status change, as the service
                    self.stamp(t0),
                    self.stamp(updated),
                    self.stamp(routed_at) if routed_at else NULL,
                    self.stamp(resolved_at) if resolved_at else NULL,
                    self.stamp(closed_at) if closed_at else NULL,
                    self.stamp(t0 + category.resolution_hours * 3600),
                    self.stamp(history.acknowledged_at) if history.acknowledged_at else NULL,
                )
            )
            + self.extra_request_vals
            + "\n"
        )
        return len(history.events)

    def _place(self) -> Place:
        if self.addresses and (not self.places or self.rng.random() < P_ADDRESS_LOCATION):
            return self.rng.choice(self.addresses)
        return self.rng.choice(self.places)

    def _category(self, place: Place) -> CategoryInfo:
        info = self.categories.get(place.code or "")
        usable = info is not None and info.online
        if usable and self.rng.random() < P_TEMPLATE_CATEGORY:
            return info
        return self.rng.choice(self.online)

    def _outcome(self) -> str | None:
        r = self.rng.random()
        if r < P_DUPLICATE:
            return Status.CLOSED_DUPLICATE
        if r < P_DUPLICATE + P_REFERRED:
            return Status.REFERRED
        if r < P_DUPLICATE + P_REFERRED + P_NOT_ACTIONABLE:
            return Status.NOT_ACTIONABLE
        return None

    def _jitter(self, lng: float, lat: float, safe: bool) -> tuple[float, float]:
        """Move a few metres so repeated locations do not stack on one pixel; points near the
        boundary only move if they stay inside."""
        rng = self.rng
        for _ in range(3):
            dy = max(-3.0, min(3.0, rng.gauss(0, 1))) * JITTER_M
            dx = max(-3.0, min(3.0, rng.gauss(0, 1))) * JITTER_M
            new_lat = lat + dy / 111_320
            new_lng = lng + dx / (111_320 * math.cos(math.radians(lat)))
            if safe or self._inside(new_lng, new_lat):
                return new_lng, new_lat
        return lng, lat

    def _channel(self, source: str) -> str:
        weights = data.SF_SOURCE_CHANNELS.get(source, data.DEFAULT_CHANNELS)
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def _reporter(self, channel: str) -> tuple[str, str, str, str]:
        """(name, email, phone, contact method); blank for the ~40% who report anonymously."""
        rng = self.rng
        if rng.random() < P_ANONYMOUS:
            return "", "", "", "none"
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        wants_phone = channel in ("phone", "sms", "walk_in")
        email = ""
        if rng.random() < (0.5 if wants_phone else 0.9):
            email = f"{first}.{last}{rng.randint(1, 99)}@example.com".lower()
        phone = ""
        if not email or rng.random() < 0.35:
            phone = f"{data.PHONE_PREFIX}{rng.randint(100, 199):04d}"
        if email and (not phone or rng.random() < 0.7):
            contact = "email"
        elif phone:
            contact = "sms" if channel == "sms" or rng.random() < 0.5 else "phone"
        else:
            contact = "none"
        return f"{first} {last}", email, phone, contact

    def _description(self, category: CategoryInfo, language: str) -> str:
        hint = category.hint
        if language == "es" and hint.descriptions_es:
            return self.rng.choice(hint.descriptions_es)
        text = self.rng.choice(hint.descriptions) if hint.descriptions else category.description
        return text + self.rng.choice(data.DESCRIPTION_ENDINGS)

    def _answers(self, category: CategoryInfo) -> dict:
        rng = self.rng
        answers: dict = {}
        for code, datatype, keys in category.questions:
            if datatype == "singlevaluelist" and keys:
                answers[code] = rng.choice(keys)
            elif datatype == "multivaluelist" and keys:
                answers[code] = rng.sample(keys, min(len(keys), rng.choice((1, 1, 2))))
            elif datatype == "number":
                answers[code] = rng.randint(2, 20)
            elif code in data.ANSWER_SAMPLES:
                answers[code] = rng.choice(data.ANSWER_SAMPLES[code])
        return answers

    def _history(
        self,
        t0: float,
        category: CategoryInfo,
        outcome: str | None,
        channel: str,
        duplicate_of: int | None,
    ) -> History:
        """The request's events up to now, following the tracker's conventions:
        1. `created` (Resident; Call centre for phone and walk-in; Open311 client for the API)
           → received.
        2. A few minutes later (for a few, hours: manual triage) `routed` to the department
           plus status received→routed, both by Routing; soon after routed→in_queue.
        3. For some an on-site visit and in_queue→in_progress, staff comments (public, signed
           by the department) and notes (internal), rarely a question to the resident and a
           wait for the answer.
        4. The end: resolved with a closure reason (sometimes reopened and resolved again), then
           often closed; or the early exits closed_duplicate / referred / not_actionable.
        Events after now are cut off, so recent requests are still open."""
        rng = self.rng
        h = History(now=self.now, reasons=self.reason_text)
        dept = category.department_name
        minutes = 60.0
        created_by = CREATED_BY.get(channel, "Resident")
        created_data = f'{{"channel": "{channel}", "photos": 0}}'
        h.add(t0, "created", True, created_by, "", "received", "", created_data)
        # Most are routed automatically within minutes; a few wait for a person to triage them.
        delay = rng.uniform(1, 12) if rng.random() < 0.97 else rng.uniform(60, 1200)
        t = t0 + delay * minutes
        routed_data = f'{{"department_id": {category.department_id}}}'
        h.add(t, "routed", True, "Routing", "", dept, f"Routed to {dept}", routed_data)
        h.status(t, "Routing", "routed")
        if outcome == Status.CLOSED_DUPLICATE:
            extra = f', "duplicate_of_id": {duplicate_of}'
            h.finish(t + rng.uniform(10, 360) * minutes, dept, outcome, "duplicate", extra=extra)
            return h
        t += rng.uniform(0.5, 5) * minutes
        h.status(t, "Routing", "in_queue")
        if outcome == Status.NOT_ACTIONABLE:
            h.finish(t + rng.uniform(1, 48) * 60 * minutes, dept, outcome, "not_actionable")
            return h
        if outcome == Status.REFERRED:
            h.finish(t + rng.uniform(2, 72) * 60 * minutes, dept, outcome, "referred")
            return h

        done = max(t0 + self._duration_hours(category) * 3600, t + 15 * minutes)
        if rng.random() < 0.85:  # most are acknowledged within a working day
            seen = t + rng.uniform(5, 8 * 60) * minutes
            if seen < done:
                reviewed = "A member of staff has reviewed your request."
                h.add(seen, "acknowledged", True, dept, "", "", reviewed)
        span = done - t
        asides = []
        if rng.random() < 0.3:
            asides.append((t + span * rng.uniform(0.02, 0.25), "comment"))
        if rng.random() < 0.25:
            asides.append((t + span * rng.uniform(0.02, 0.3), "note"))
        for at, kind in sorted(asides):
            if kind == "comment":
                h.add(at, "comment", True, dept, "", "", rng.choice(self.esc_comments))
            else:
                note = rng.choice(self.esc_notes)
                h.add(at, "note", False, dept, "", "", note, actor=self.actor_id)
        if rng.random() < 0.04:
            asked = t + span * rng.uniform(0.3, 0.4)
            h.add(asked, "comment", True, dept, "", "", self.esc_waiting)
            h.status(asked, dept, "waiting_on_resident")
            wait = rng.uniform(1, 5) * 24 * 3600
            done += wait
            h.status(asked + wait, "Resident", "in_progress")
        elif rng.random() < 0.6:
            work = t + span * rng.uniform(0.45, 0.8)
            if rng.random() < 0.5:
                message = rng.choice(self.esc_onsite)
                h.add(work - 60, "onsite_attempt", True, "Field crew", "", "", message)
            h.status(work, dept, "in_progress")
        reason = self._resolved_reason(category)
        h.finish(done, dept, Status.RESOLVED, reason)
        if rng.random() < 0.02:  # reopened by the resident, then fixed again
            back = done + rng.uniform(1, 5) * 24 * 3600
            h.add(back, "resident_comment", True, "Resident", "", "", rng.choice(self.esc_reopen))
            h.status(back, "Resident", "reopened")
            h.status(back + 30 * minutes, "Routing", "in_queue")
            done = back + rng.uniform(1, 7) * 24 * 3600
            h.finish(done, dept, Status.RESOLVED, category.hint.resolved_reason)
        if rng.random() < 0.55:
            h.finish(done + rng.uniform(2, 14) * 24 * 3600, "System", Status.CLOSED, None)
        return h

    def _duration_hours(self, category: CategoryInfo) -> float:
        """Time to resolution: a real case's time for this category, stretched (today's backlog is
        longer than the sample's), and for about one in seven much longer."""
        rng = self.rng
        if category.durations:
            hours = rng.choice(category.durations) * rng.uniform(1.0, 2.5)
        else:
            hours = category.resolution_hours * 0.4 * math.exp(rng.gauss(0, 1.0))
        if rng.random() < 0.15:
            hours *= rng.uniform(3, 12)
        return min(hours, 24 * 300)

    def _resolved_reason(self, category: CategoryInfo) -> str:
        r = self.rng.random()
        if r < 0.08:
            return "no_problem_found"
        if r < 0.16 and category.hint.private_property_possible:
            return "private_property"
        return category.hint.resolved_reason


def _numbers_lazy(yymm: str, numbers: list[int], existing: set[str]) -> Iterator[str]:
    """The month's tracking numbers one at a time: at 10M requests all of them as strings at
    once would take gigabytes. (A function, not a generator expression in the loop: that
    would read the loop's last month when iterated.)"""
    for x in numbers:
        number = f"{yymm}-{x}"
        if number not in existing:
            yield number


class History:
    """A request's events in time order, cut off at `now`, and the request fields they imply."""

    def __init__(self, *, now: float, reasons: dict[str, str]) -> None:
        self.now = now
        self.reasons = reasons
        self.events: list[tuple] = []
        self.current = "received"
        self.closure: str | None = None
        self.routed_at = self.resolved_at = self.closed_at = None
        self.acknowledged_at: float | None = None
        self.changes = 0
        self.stopped = False

    def add(
        self,
        at: float,
        etype: str,
        public: bool,
        label: str,
        from_v: str,
        to_v: str,
        message: str = "",
        data: str = "{}",
        actor: int | None = None,
    ) -> bool:
        if self.stopped or at > self.now:
            self.stopped = True  # nothing after a cut-off event happens either
            return False
        at = max(at, self.events[-1][0]) if self.events else at
        actor_id = NULL if actor is None else str(actor)
        flag = "t" if public else "f"
        self.events.append((at, etype, flag, label, from_v, to_v, message, data, actor_id))
        if etype == "routed" and self.routed_at is None:
            self.routed_at = at
        if self.acknowledged_at is None and label not in NOT_STAFF:
            self.acknowledged_at = at
        return True

    def status(self, at: float, label: str, to: str, message: str = "", data: str = "{}") -> bool:
        if not self.add(at, "status_changed", True, label, self.current, to, message, data):
            return False
        self.current = to
        self.changes += 1
        return True

    def finish(
        self, at: float, label: str, to: str, reason: str | None, *, extra: str = ""
    ) -> None:
        """A move into a closed state, as request_status_change records it: resolving or an
        early exit carries its closure reason (in data, and its public text as the message) and
        sets resolved_at; leaving the open states for good sets closed_at. A plain close after
        resolution (reason None) carries nothing and keeps the reason given at resolution."""
        if reason is None:
            if not self.status(at, label, to):
                return
        else:
            message = self.reasons.get(reason, "")
            data = f'{{"closure_reason": "{reason}"{extra}}}'
            if not self.status(at, label, to, message, data):
                return
            self.closure = reason
            self.resolved_at = self.events[-1][0]
        if to != Status.RESOLVED:
            self.closed_at = self.events[-1][0]

    def summary(self) -> tuple[str, str | None, float | None, float | None, float | None, float]:
        """(status, closure reason, routed_at, resolved_at, closed_at, updated_at); the closing
        fields only while the request is in a closed state (a reopen clears them)."""
        closed = self.current in CLOSED_STATUSES
        return (
            self.current,
            self.closure if closed else None,
            self.routed_at,
            self.resolved_at if closed else None,
            self.closed_at if closed and self.current != Status.RESOLVED else None,
            self.events[-1][0],
        )
