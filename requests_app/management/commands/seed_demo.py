"""Load the demo city: its definitions, areas, addresses, staff logins and a year of requests.

    manage.py seed_demo                      # definitions + 3,000 requests with their histories
    manage.py seed_demo --if-empty           # only when there are no requests yet (for `make run`)
    manage.py seed_demo --reset --requests 1000000 --seed 7

Idempotent: definitions are created or updated by code/slug; areas and addresses are imported
only when missing; staff users only when missing. Requests are added on every run (unless
--if-empty finds some) and --reset deletes every request first.

Requests and their events are written with COPY in chunks, so a million takes minutes, not hours.
Their histories follow the conventions the tracker and the metrics read (see _history()).
Demo only: it creates a superuser with a published password.
"""

from __future__ import annotations

import csv
import json
import math
import queue
import random
import secrets
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.geos.prepared import PreparedGeometry
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from requests_app import demo
from requests_app.management.commands.import_addresses import (
    addresses_read,
    addresses_save,
    boundary_prepared,
)
from requests_app.management.commands.import_areas import area_set_save, areas_read
from requests_app.models import (
    CLOSED_STATUSES,
    AddressPoint,
    Area,
    AreaSet,
    Category,
    CategoryGroup,
    ClosureReason,
    Department,
    Question,
    QuestionChoice,
    RequestEvent,
    ResponseTemplate,
    ServiceRequest,
    StaffProfile,
    Status,
    Team,
)

DEMO_PASSWORD = "demo-311-pass"  # noqa: S105 - published on purpose: demo logins
DEMO_USERS = (  # username, superuser?
    ("admin", True),
    ("supervisor", False),
    ("agent", False),
    ("crew", False),
    ("operator", False),
    ("parks", False),
)
# Role and departments of each demo login (department slugs from requests_app.demo).
DEMO_ROLES = {
    "admin": ("city_admin", ()),
    "supervisor": ("supervisor", ("public-works-streets",)),
    "agent": ("agent", ("public-works-streets",)),
    "crew": ("agent", ("public-works-streets",)),
    "operator": ("operator", ()),
    "parks": ("agent", ("parks",)),
}
DEMO_ROLE_LABELS = {
    "admin": "city admin (Django admin too)",
    "supervisor": "supervisor, Public Works — Streets",
    "agent": "agent, Public Works — Streets",
    "crew": "field crew, Public Works — Streets (Pothole crew)",
    "operator": "call-centre operator",
    "parks": "agent, Parks & Recreation",
}
# category code, priority ("" = any), response hours, resolution hours, clock
DEMO_SLA_TARGETS = (
    ("streetlight-out", "", 8, 40, "business"),
    ("graffiti", "", 16, 80, "business"),
    ("pothole", "", 8, 72, "business"),
    ("pothole", "urgent", 2, 24, "24x7"),
)
CLOSURE_OUTCOMES = {"referred": "referred", "not_actionable": "not_actionable"}
RESPONSE_TEMPLATES = (
    # name, closure reason code or None, English, Spanish
    (
        "Crew scheduled",
        None,
        "Thanks for your report. A crew is scheduled to look at this within the next few days.",
        "Gracias por su reporte. Un equipo revisará esto en los próximos días.",
    ),
    (
        "Need a photo",
        None,
        "We couldn't find the problem at this location. Could you add a photo or more details "
        "using the link in your confirmation email?",
        "No encontramos el problema en este lugar. ¿Puede agregar una foto o más detalles con "
        "el enlace de su correo de confirmación?",
    ),
    (
        "Repaired — thanks",
        "repaired",
        "Our crew repaired this today. Thank you for helping keep the city in good shape.",
        "Nuestro equipo lo reparó hoy. Gracias por ayudar a mantener la ciudad en buen estado.",
    ),
)
CHUNK = 20_000
BULK_MIN = 50_000  # from this many requests, load with indexes dropped (see _bulk_begin)
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
TERMINAL = frozenset({Status.CLOSED_DUPLICATE, Status.REFERRED, Status.NOT_ACTIONABLE})
# Who writes events without being a member of staff acting on the request: the first event by
# anyone else is the first response (acknowledged_at), as the workflow services record it.
NOT_STAFF = frozenset({"Routing", "System", "Resident", *CREATED_BY.values()})
NULL = "\\N"
# Columns extra_columns() leaves alone: the identity, the areas (found in SQL), no key.
SET_ELSEWHERE = frozenset({"id", "neighbourhood_id", "ward_id", "idempotency_key"})


def copy_text(value: str) -> str:
    """Escape a value for COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


class Stamper:
    """UTC timestamps as COPY text, fast: formatting millions of them with strftime is a
    noticeable share of a large seed, so days and seconds-of-day are cached strings."""

    def __init__(self) -> None:
        self.days: dict[int, str] = {}
        self.seconds = [
            f"{h:02d}:{m:02d}:{sec:02d}+00"
            for h in range(24)
            for m in range(60)
            for sec in range(60)
        ]

    def __call__(self, epoch: float) -> str:
        day, second = divmod(int(epoch), 86400)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = time.strftime("%Y-%m-%d ", time.gmtime(day * 86400))
        return prefix + self.seconds[second]


def extra_columns(model: type[models.Model], known: tuple[str, ...]) -> tuple[list[str], str]:
    """Columns the model gained after this seed was written, with their default as COPY text, so
    a new field with a Python-side default does not break the seed."""
    names, values = [], []
    for f in model._meta.concrete_fields:
        if f.column in known or f.column in SET_ELSEWHERE:
            continue
        # A NOT NULL field without an explicit default still has one in Python ("" for text).
        wanted = f.has_default() or not f.null
        value = f.get_db_prep_save(f.get_default(), connection) if wanted else None
        if hasattr(value, "dumps"):  # psycopg Jsonb adapter
            value = value.dumps(value.obj)
        names.append(f.column)
        values.append(NULL if value is None else copy_text(str(value)))
    return names, "".join("\t" + v for v in values)


@dataclass
class CategoryInfo:
    id: int
    code: str
    department_id: int
    department_name: str
    resolution_hours: int
    spec: demo.CategorySpec
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


class Command(BaseCommand):
    help = "Load the demo city (definitions, areas, addresses, logins) and generate requests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=3000, help="How many (default 3000)")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any request exists"
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed")
        parser.add_argument(
            "--reset", action="store_true", help="Delete every request (and its events) first"
        )

    def handle(self, *args, **options) -> None:
        if options["if_empty"] and ServiceRequest.objects.exists():
            self.stdout.write("Requests already exist; nothing to do (--if-empty).")
            self._print_logins()
            return
        started = time.monotonic()
        rng = random.Random(options["seed"])
        with transaction.atomic():
            self._definitions_sync()
        self._areas_import()
        self._addresses_import()
        users = self._users_ensure()
        if options["reset"]:
            with connection.cursor() as cursor:
                # CASCADE: events, photos and anything else hanging off a request.
                cursor.execute(f"TRUNCATE {ServiceRequest._meta.db_table} RESTART IDENTITY CASCADE")
            self.stdout.write("Deleted every request (--reset).")
        if options["requests"] > 0:
            writer = RequestWriter(
                rng=rng,
                actor_id=users.get("agent"),
                stdout=self.stdout,
                verbosity=options["verbosity"],
            )
            writer.run(options["requests"])
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
        self._print_logins()

    # --- definitions ------------------------------------------------------------------------
    def _definitions_sync(self) -> None:
        departments = {
            d.slug: Department.objects.update_or_create(
                slug=d.slug,
                defaults={
                    "name": d.name,
                    "name_es": d.name_es,
                    "email": d.email,
                    "phone": d.phone,
                    "active": True,
                },
            )[0]
            for d in demo.DEPARTMENTS
        }
        groups = {
            g.slug: CategoryGroup.objects.update_or_create(
                slug=g.slug,
                defaults={"name": g.name, "name_es": g.name_es, "icon": g.icon, "order": g.order},
            )[0]
            for g in demo.GROUPS
        }
        questions = 0
        for order, spec in enumerate(demo.CATEGORIES):
            category, _ = Category.objects.update_or_create(
                code=spec.code,
                defaults={
                    "group": groups[spec.group],
                    "default_department": departments[spec.department],
                    "name": spec.name,
                    "name_es": spec.name_es,
                    "description": spec.description,
                    "description_es": spec.description_es,
                    "keywords": spec.keywords,
                    "icon": spec.icon,
                    "response_target_hours": spec.response_target_hours,
                    "resolution_target_hours": spec.resolution_target_hours,
                    "notice": spec.notice,
                    "notice_es": spec.notice_es,
                    "online_submission_allowed": spec.online_submission_allowed,
                    "offline_message": spec.offline_message,
                    "offline_message_es": spec.offline_message_es,
                    "active": True,
                    "order": order,
                },
            )
            for q_order, q in enumerate(spec.questions):
                question, _ = Question.objects.update_or_create(
                    category=category,
                    code=q.code,
                    defaults={
                        "datatype": q.datatype,
                        "variable": q.variable,
                        "prompt": q.prompt,
                        "prompt_es": q.prompt_es,
                        "help_text": q.help_text,
                        "help_text_es": q.help_text_es,
                        "required": q.required,
                        "order": q_order,
                    },
                )
                questions += 1
                for c_order, c in enumerate(q.choices):
                    QuestionChoice.objects.update_or_create(
                        question=question,
                        key=c.key,
                        defaults={"name": c.name, "name_es": c.name_es, "order": c_order},
                    )
        for r in demo.CLOSURE_REASONS:
            ClosureReason.objects.update_or_create(
                code=r.code,
                defaults={
                    "name": r.name,
                    "public_text": r.public_text,
                    "public_text_es": r.public_text_es,
                    "outcome": CLOSURE_OUTCOMES.get(r.code, "resolved"),
                    "active": True,
                },
            )
        self._sla_sync()
        for name, reason_code, body, body_es in RESPONSE_TEMPLATES:
            ResponseTemplate.objects.update_or_create(
                name=name,
                defaults={
                    "closure_reason": ClosureReason.objects.filter(code=reason_code).first(),
                    "body": body,
                    "body_es": body_es,
                    "active": True,
                },
            )
        self.stdout.write(
            f"Definitions: {len(demo.DEPARTMENTS)} departments, {len(demo.GROUPS)} groups, "
            f"{len(demo.CATEGORIES)} categories ({questions} questions), "
            f"{len(demo.CLOSURE_REASONS)} closure reasons."
        )

    def _sla_sync(self) -> None:
        """A business calendar (city offices, federal and California holidays) and a few
        service-level targets, so new demo requests show business-hours dates."""
        from datetime import time as hhmm

        from routing.models import BusinessCalendar, Clock, SlaTarget, WorkingHours

        calendar, _ = BusinessCalendar.objects.update_or_create(
            name="City offices",
            defaults={
                "time_zone": settings.CITY_TIME_ZONE,
                "holiday_country": "US",
                "holiday_subdivision": "CA",
            },
        )
        if not calendar.working_hours.exists():
            WorkingHours.objects.bulk_create(
                WorkingHours(calendar=calendar, weekday=d, start=hhmm(8), end=hhmm(17))
                for d in range(5)
            )
        for code, priority, response, resolution, clock in DEMO_SLA_TARGETS:
            category = Category.objects.filter(code=code).first()
            if category is None:
                continue
            SlaTarget.objects.update_or_create(
                category=category,
                priority=priority,
                defaults={
                    "response_hours": response,
                    "resolution_hours": resolution,
                    "clock": clock,
                    "calendar": calendar if clock == Clock.BUSINESS else None,
                },
            )

    def _areas_import(self) -> None:
        for spec in demo.AREA_IMPORTS:
            if AreaSet.objects.filter(kind=spec.kind, active=True).exists():
                self.stdout.write(f"Areas: an active {spec.kind} set exists; kept.")
                continue
            read = areas_read(
                demo.DATA_DIR / spec.file,
                set_name=spec.name,
                name_field=spec.name_field,
                code_field=spec.code_field,
                dissolve_by=spec.dissolve_by,
                dissolve_all=spec.dissolve_all,
            )
            area_set_save(
                kind=spec.kind,
                name=spec.name,
                source=demo.SOURCE_NOTE,
                areas=read.areas,
                activate=True,
            )
            self.stdout.write(f'Areas: imported {spec.kind} set "{spec.name}" ({len(read.areas)}).')

    def _addresses_import(self) -> None:
        if AddressPoint.objects.exists():
            self.stdout.write("Addresses: some exist; kept.")
            return
        read = addresses_read(demo.DATA_DIR / demo.ADDRESSES_FILE, boundary=boundary_prepared())
        added = addresses_save(read.drafts, source=demo.SOURCE_NOTE[:120])
        self.stdout.write(f"Addresses: imported {added}.")

    def _users_ensure(self) -> dict[str, int]:
        User = get_user_model()
        ids = {}
        for username, superuser in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                make = User.objects.create_superuser if superuser else User.objects.create_user
                user = make(
                    username=username,
                    email=f"{username}@example.com",
                    password=DEMO_PASSWORD,
                    # Only the city admin uses Django admin; the rest work in /staff/.
                    is_staff=superuser,
                    first_name=username.capitalize(),
                )
            elif user.is_staff != superuser:
                User.objects.filter(pk=user.pk).update(is_staff=superuser)
            role, slugs = DEMO_ROLES[username]
            profile, _ = StaffProfile.objects.update_or_create(user=user, defaults={"role": role})
            profile.departments.set(Department.objects.filter(slug__in=slugs))
            ids[username] = user.pk
        streets = Department.objects.filter(slug="public-works-streets").first()
        if streets:
            team, _ = Team.objects.get_or_create(department=streets, name="Pothole crew")
            team.members.add(ids["crew"])
        return ids

    def _print_logins(self) -> None:
        lines = [
            "",
            "Demo logins " + "-" * 40,
            *(
                f"  {name:<12} {DEMO_PASSWORD}   {DEMO_ROLE_LABELS[name]}"
                for name, _su in DEMO_USERS
            ),
            "  Staff back office: /staff/   Django admin: /admin/",
            "-" * 52,
        ]
        self.stdout.write("\n".join(lines))


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
        self.online = [c for c in self.categories.values() if c.spec.online_submission_allowed]
        self.reasons = dict(ClosureReason.objects.values_list("code", "id"))
        self.reason_text = {r.code: copy_text(r.public_text) for r in demo.CLOSURE_REASONS}
        self.places = self._templates_load()
        self.addresses = self._addresses_load()
        self.last_by_category: dict[str, tuple[int, float, float, str]] = {}
        self.extra_request_cols, self.extra_request_vals = extra_columns(
            ServiceRequest, REQUEST_COLUMNS
        )
        self.extra_event_cols, self.extra_event_vals = extra_columns(RequestEvent, EVENT_COLUMNS)
        self.esc_comments = [copy_text(t) for t in demo.STAFF_COMMENTS]
        self.esc_notes = [copy_text(t) for t in demo.INTERNAL_NOTES]
        self.esc_onsite = [copy_text(t) for t in demo.ONSITE_MESSAGES]
        self.esc_reopen = [copy_text(t) for t in demo.REOPEN_COMMENTS]
        self.esc_waiting = copy_text(demo.WAITING_COMMENT)
        self.priorities = list(PRIORITIES)
        self.priority_weights = list(PRIORITIES.values())

    # --- inputs ---------------------------------------------------------------------------
    def _categories_load(self) -> dict[str, CategoryInfo]:
        specs = {s.code: s for s in demo.CATEGORIES}
        questions: dict[int, list[tuple[str, str, list[str]]]] = {}
        for q in Question.objects.filter(variable=True).prefetch_related("choices"):
            keys = [c.key for c in q.choices.all()]
            questions.setdefault(q.category_id, []).append((q.code, q.datatype, keys))
        result = {}
        for c in Category.objects.filter(active=True).select_related("default_department"):
            if c.code not in specs:
                continue  # an admin-made category: no sample text for it
            result[c.code] = CategoryInfo(
                id=c.id,
                code=c.code,
                department_id=c.default_department_id,
                department_name=copy_text(c.default_department.name),
                resolution_hours=c.resolution_target_hours,
                spec=specs[c.code],
                questions=questions.get(c.id, []),
            )
        return result

    def _templates_load(self) -> list[Place]:
        places = []
        with (demo.DATA_DIR / demo.CASES_FILE).open(newline="") as f:
            for row in csv.DictReader(f):
                code = demo.sf_case_category(row["category"], row["request_type"], row["details"])
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
            pools[yymm] = iter([n for n in (f"{yymm}-{x}" for x in numbers) if n not in existing])
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
        seed leaves nothing behind. A bulk load (see _bulk_begin) also drops and rebuilds the
        secondary indexes inside that transaction."""
        started = time.monotonic()
        created = self._created_times(n)
        numbers = self._tracking_numbers(created)
        bulk = n >= BULK_MIN and n >= ServiceRequest.objects.count()
        chunks: queue.Queue = queue.Queue(maxsize=2)
        stop = threading.Event()
        events = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [REQUESTS])
            sequence = cursor.fetchone()[0]
            # Reserve n ids so events can reference their request without a round trip.
            cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, n])
            first_id = cursor.fetchone()[0] - n + 1
            rebuild = self._bulk_begin(cursor) if bulk else []
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} (LIKE {REQUESTS})")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {STAGING}_gist ON {STAGING} USING gist (location)"
            )
            producer = threading.Thread(
                target=self._produce, args=(created, numbers, first_id, chunks, stop), daemon=True
            )
            producer.start()
            try:
                with tqdm(
                    total=n, unit="req", file=sys.stderr, desc="requests", disable=None
                ) as bar:
                    while True:
                        mark = time.monotonic()
                        item = chunks.get()
                        self.timings["waiting for Python"] += time.monotonic() - mark
                        if item is None:
                            break
                        if isinstance(item, BaseException):
                            raise item
                        requests_tsv, events_tsv, count = item
                        mark = time.monotonic()
                        self._requests_insert(cursor, requests_tsv)
                        self.timings["requests insert"] += time.monotonic() - mark
                        mark = time.monotonic()
                        event_columns = [*EVENT_COLUMNS, *self.extra_event_cols]
                        self._copy(cursor, EVENTS, event_columns, events_tsv)
                        self.timings["events copy"] += time.monotonic() - mark
                        events += count
                        bar.update(len(requests_tsv))
            finally:
                stop.set()
                producer.join()
            mark = time.monotonic()
            for statement in rebuild:
                cursor.execute(statement)
            self.timings["index rebuild"] += time.monotonic() - mark
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        mark = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {REQUESTS}")
            cursor.execute(f"ANALYZE {EVENTS}")
        self.timings["commit and analyze"] += time.monotonic() - mark
        self.stdout.write(
            f"Requests: created {n} with {events} events in {time.monotonic() - started:.1f} s."
        )
        if self.verbosity > 1:
            self.stdout.write(", ".join(f"{k} {v:.1f} s" for k, v in self.timings.items()))

    def _bulk_begin(self, cursor) -> list[str]:
        """For a load at least as big as what is there: drop the secondary indexes of requests
        and events (rebuilt at the end, in the same transaction: building an index once is far
        cheaper than updating it row by row) and, when the database user may, skip the
        per-row foreign-key triggers (the rows are built from ids just read, so they hold).
        Returns the statements that restore what was changed."""
        restore = []
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid IN (%s::regclass, %s::regclass) AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            """,
            [REQUESTS, EVENTS],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            restore.append(definition)
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
            restore.append("SET LOCAL session_replication_role = origin")
        return restore

    def _produce(self, created, numbers, first_id, chunks: queue.Queue, stop) -> None:
        """Producer thread: pure Python, never touches the database."""

        def put(item) -> bool:
            while not stop.is_set():
                try:
                    chunks.put(item, timeout=0.2)
                    return True
                except queue.Full:
                    continue
            return False

        try:
            for start in range(0, len(created), CHUNK):
                requests_tsv, events_tsv, count = [], [], 0
                for offset, t0 in enumerate(created[start : start + CHUNK]):
                    request_id = first_id + start + offset
                    tracking = next(numbers[self._yymm(t0)])
                    count += self._request(request_id, t0, tracking, requests_tsv, events_tsv)
                if not put((requests_tsv, events_tsv, count)):
                    return
            put(None)
        except BaseException as exc:  # handed to the main thread, which raises it
            put(exc)

    def _copy(self, cursor, table: str, columns: list[str], lines: list[str]) -> None:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for start in range(0, len(lines), 5000):
                copy.write("".join(lines[start : start + 5000]))

    def _requests_insert(self, cursor, lines: list[str]) -> None:
        """COPY the chunk into a temporary table, then insert it with each request's
        neighbourhood and ward found in SQL.

        The area join runs area by area (a few dozen) over the staging table's GiST index, so
        each ST_Intersects tests one polygon against many points and PostGIS reuses its prepared
        form; looking up each request's areas instead tests a different polygon on every call
        (measured ~100 times slower), and an UPDATE after loading rewrites every row (measured:
        a third of the load time). A point on a shared border matches two areas; max() picks
        one."""
        cursor.execute(f"TRUNCATE {STAGING}")
        columns = [*REQUEST_COLUMNS, *self.extra_request_cols]
        self._copy(cursor, STAGING, columns, lines)
        cursor.execute(f"ANALYZE {STAGING}")
        cols = ", ".join(columns)
        staged = ", ".join(f"t.{c}" for c in columns)
        cursor.execute(
            # Table and column names come from model metadata; values are parameters.
            f"""
            INSERT INTO {REQUESTS} ({cols}, neighbourhood_id, ward_id)
            SELECT {staged}, m.neighbourhood_id, m.ward_id
            FROM {STAGING} t
            LEFT JOIN (
                SELECT r.id,
                       max(a.id) FILTER (WHERE s.kind = %s) AS neighbourhood_id,
                       max(a.id) FILTER (WHERE s.kind = %s) AS ward_id
                FROM {Area._meta.db_table} a
                JOIN {AreaSet._meta.db_table} s
                  ON s.id = a.area_set_id AND s.active AND s.kind IN (%s, %s)
                JOIN {STAGING} r
                  ON r.location && a.geom::geography
                 AND ST_Intersects(a.geom, r.location::geometry)
                GROUP BY r.id
            ) m ON m.id = t.id
            """,  # noqa: S608
            [AreaSet.Kind.NEIGHBOURHOOD, AreaSet.Kind.WARD] * 2,
        )

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
        for at, etype, public, label, from_v, to_v, message, data, actor in history.events:
            events_out.append(
                f"{request_id}\t{etype}\t{actor}\t{label}\t{self.stamp(at)}\t{public}\t{from_v}\t"
                f"{to_v}\t{message}\t{data}{self.extra_event_vals}\n"
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
        usable = info is not None and info.spec.online_submission_allowed
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
        weights = demo.SF_SOURCE_CHANNELS.get(source, demo.DEFAULT_CHANNELS)
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def _reporter(self, channel: str) -> tuple[str, str, str, str]:
        """(name, email, phone, contact method); blank for the ~40% who report anonymously."""
        rng = self.rng
        if rng.random() < P_ANONYMOUS:
            return "", "", "", "none"
        first, last = rng.choice(demo.FIRST_NAMES), rng.choice(demo.LAST_NAMES)
        wants_phone = channel in ("phone", "sms", "walk_in")
        email = ""
        if rng.random() < (0.5 if wants_phone else 0.9):
            email = f"{first}.{last}{rng.randint(1, 99)}@example.com".lower()
        phone = ""
        if not email or rng.random() < 0.35:
            phone = f"{demo.PHONE_PREFIX}{rng.randint(100, 199):04d}"
        if email and (not phone or rng.random() < 0.7):
            contact = "email"
        elif phone:
            contact = "sms" if channel == "sms" or rng.random() < 0.5 else "phone"
        else:
            contact = "none"
        return f"{first} {last}", email, phone, contact

    def _description(self, category: CategoryInfo, language: str) -> str:
        spec = category.spec
        if language == "es" and spec.descriptions_es:
            return self.rng.choice(spec.descriptions_es)
        text = self.rng.choice(spec.descriptions) if spec.descriptions else spec.description
        return text + self.rng.choice(demo.DESCRIPTION_ENDINGS)

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
            elif code in demo.ANSWER_SAMPLES:
                answers[code] = rng.choice(demo.ANSWER_SAMPLES[code])
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
            h.finish(done, dept, Status.RESOLVED, category.spec.resolved_reason)
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
        if r < 0.16 and category.spec.private_property_possible:
            return "private_property"
        return category.spec.resolved_reason


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
