"""The core data model: departments, categories and their questions, areas, address points, service
requests, their photos and the request event log that every change goes through."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.gis.db import models as gis
from django.contrib.postgres.indexes import GistIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from requests_app.address_points import AddressPoint  # noqa: F401 (a model of this app, re-exported)
from requests_app.labels import choice_label, tr_language

# The text search configurations of the category search, per language: the built-in english and
# spanish ones with `unaccent` before the stemmer (migration 0007), so "árbol" and "arbol" meet.
SEARCH_CONFIGS = {"en": "civic_en", "es": "civic_es"}


def search_vector(language: str) -> SearchVector:
    """A category's text in `language` as its search vector: name A, synonyms B, description C."""
    suffix = "" if language == "en" else f"_{language}"
    fields = (("name", "A"), ("keywords", "B"), ("description", "C"))
    vectors = [
        SearchVector(f"{field}{suffix}", config=SEARCH_CONFIGS[language], weight=weight)
        for field, weight in fields
    ]
    return vectors[0] + vectors[1] + vectors[2]


class Translated(models.Model):
    """Rows with admin-entered text in English (`field`) and Spanish (`field_es`)."""

    class Meta:
        abstract = True

    def tr(self, field: str, lang: str | None = None) -> str:
        """The text of `field` in the active language (or `lang`, as `tr_language` gives it: a
        list asks once, not once a row), falling back to English when untranslated."""
        if lang is None:
            lang = tr_language()
        if lang != "en":
            value = getattr(self, f"{field}_{lang}", "")
            if value:
                return value
        return getattr(self, field)

    def __getattr__(self, name: str) -> str:  # noqa: DJ012 - must follow tr()
        # Templates write `category.tr_name` for `category.tr("name")`.
        if name.startswith("tr_"):
            return self.tr(name[3:])
        raise AttributeError(name)


class Department(Translated):
    name = models.CharField(_("name"), max_length=120, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120, blank=True)
    slug = models.SlugField(unique=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Department head: told when a request breaches its target.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CategoryGroup(Translated):
    name = models.CharField(max_length=80, unique=True)
    name_es = models.CharField(max_length=80, blank=True)
    slug = models.SlugField(unique=True)
    icon = models.CharField(
        max_length=8, blank=True, help_text="A pictogram (emoji) shown beside the group."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("category group")
        verbose_name_plural = _("category groups")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Category(Translated):
    """A kind of problem residents can report (an Open311 'service')."""

    group = models.ForeignKey(CategoryGroup, on_delete=models.PROTECT, related_name="categories")
    code = models.SlugField(
        max_length=60, unique=True, help_text="Stable service code (used by the Open311 API)."
    )
    name = models.CharField(max_length=120)
    name_es = models.CharField(max_length=120, blank=True)
    description = models.CharField(max_length=240, help_text="One plain-language line.")
    description_es = models.CharField(max_length=240, blank=True)
    keywords = models.CharField(
        max_length=1000,
        blank=True,
        help_text=(
            "Synonyms in English: other words residents type for it, comma separated "
            "(plurals, accents and small misspellings are matched without listing them)."
        ),
    )
    keywords_es = models.CharField(
        max_length=1000,
        blank=True,
        help_text="Synonyms in Spanish, comma separated (e.g. bache, hoyo, hueco).",
    )
    icon = models.CharField(max_length=8, blank=True)
    asset_type = models.SlugField(
        max_length=40,
        blank=True,
        help_text="Asset layer residents pick from at intake (e.g. streetlight); blank for none.",
    )
    base_severity = models.PositiveSmallIntegerField(
        default=0, help_text="Points the priority score starts from for this category (0-100)."
    )
    default_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="categories"
    )
    # The fallback targets: routing's SLA targets (per priority, on a business calendar) are the
    # source of truth, and these count only for a category (or priority) with no SLA target row,
    # around the clock. The admin shows the target in effect beside them (routing/admin.py).
    response_target_hours = models.PositiveIntegerField(
        _("fallback hours to first response"),
        default=48,
        help_text=_(
            "Used only when no SLA target covers the request's priority (Routing › SLA "
            "targets); counted around the clock."
        ),
    )
    resolution_target_hours = models.PositiveIntegerField(
        _("fallback hours to resolution"),
        default=240,
        help_text=_(
            "Used only when no SLA target covers the request's priority (Routing › SLA "
            "targets); counted around the clock."
        ),
    )
    notice = models.TextField(
        blank=True, help_text="Shown above the questions, e.g. 'Call 911 if anyone is hurt'."
    )
    notice_es = models.TextField(blank=True)
    online_submission_allowed = models.BooleanField(default=True)
    offline_message = models.TextField(
        blank=True, help_text="Shown instead of the form when online submission is not allowed."
    )
    offline_message_es = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)
    # What the category search (requests_app.category_search) matches, kept by PostgreSQL
    # itself on every write (admin, city pack, raw SQL), so it can never be stale: the name
    # weighs A, the synonyms B, the description C, each stemmed in its language with accents
    # removed (the civic_en / civic_es text search configurations, migration 0007).
    search_en = models.GeneratedField(
        expression=search_vector("en"), output_field=SearchVectorField(), db_persist=True
    )
    search_es = models.GeneratedField(
        expression=search_vector("es"), output_field=SearchVectorField(), db_persist=True
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["group__order", "order", "name"]

    def __str__(self) -> str:
        return self.name

    def expected_resolution(self, *, start: datetime) -> datetime:
        """Due date from the category's own round-the-clock target (the fallback when no
        service-level target with a business calendar is set for it)."""
        return start + timedelta(hours=self.resolution_target_hours)

    def expected_response(self, *, start: datetime) -> datetime:
        return start + timedelta(hours=self.response_target_hours)


class Question(Translated):
    """A category's own question; datatypes are exactly Open311 GeoReport v2 attribute types.

    `variable=False` makes it an informational note (Open311's non-variable attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Long text")
        SINGLE = "singlevaluelist", _("Single choice")
        MULTI = "multivaluelist", _("Multiple choice")

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=60)
    datatype = models.CharField(max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    variable = models.BooleanField(
        default=True, help_text="Untick for an informational note that asks nothing."
    )
    prompt = models.CharField(max_length=300)
    prompt_es = models.CharField(max_length=300, blank=True)
    help_text = models.CharField(max_length=300, blank=True)
    help_text_es = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="question_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category.code}:{self.code}"


class QuestionChoice(Translated):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    name_es = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("answer choice")
        verbose_name_plural = _("answer choices")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="choice_key_unique")
        ]

    def __str__(self) -> str:
        return self.name


class AreaSet(models.Model):
    """A versioned set of areas of one kind (a 'generation'): redistricting adds a new set and
    requests keep the area they were filed in."""

    class Kind(models.TextChoices):
        BOUNDARY = "boundary", _("Service area boundary")
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
        WARD = "ward", _("Ward / district")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=120)
    source = models.CharField(max_length=300, blank=True, help_text="Where the data came from.")
    active = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("area set")
        verbose_name_plural = _("area sets")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(active=True), name="one_active_set_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class Area(models.Model):
    area_set = models.ForeignKey(AreaSet, on_delete=models.CASCADE, related_name="areas")
    kind = models.CharField(max_length=20, choices=AreaSet.Kind.choices)
    name = models.CharField(max_length=120)
    code = models.CharField(max_length=60, blank=True)
    geom = gis.MultiPolygonField(srid=4326)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "area_set"])]

    def __str__(self) -> str:
        return self.name


class Asset(models.Model):
    """A city-owned thing at a fixed point (a streetlight, hydrant, sign, tree), loaded by admins.

    Residents pick one at intake for categories with an ``asset_type``; its id can drive routing.
    Lives in the core because intake offers it, like address points."""

    asset_type = models.SlugField(max_length=40, help_text="e.g. streetlight, hydrant, sign, tree")
    asset_id = models.CharField(max_length=60, help_text="The city's own id for the asset.")
    name = models.CharField(max_length=200, blank=True)
    location = gis.PointField(geography=True, srid=4326)
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assets",
        help_text="The department that owns and maintains it, if known.",
    )
    attributes = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    source = models.CharField(max_length=120, blank=True)

    class Meta:
        verbose_name = _("city asset")
        verbose_name_plural = _("city assets")
        ordering = ["asset_type", "asset_id"]
        constraints = [
            models.UniqueConstraint(fields=["asset_type", "asset_id"], name="asset_id_unique")
        ]

    def __str__(self) -> str:
        return f"{self.asset_type} {self.asset_id}"


class ClosureReason(Translated):
    """Why a request was closed, in the words the resident sees (admin-managed)."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120, help_text="Short label staff pick from.")
    name_es = models.CharField(_("name (Spanish)"), max_length=120, blank=True)
    public_text = models.CharField(max_length=300)
    public_text_es = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(
        max_length=24,
        default="resolved",
        choices=[
            ("resolved", _("Resolved")),
            ("referred", _("Referred")),
            ("not_actionable", _("Not actionable")),
        ],
        help_text="The status a request closed with this reason ends in.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("closure reason")
        verbose_name_plural = _("closure reasons")

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ROUTED = "routed", _("Routed")
    IN_QUEUE = "in_queue", _("In queue")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_ON_RESIDENT = "waiting_on_resident", _("Waiting on resident")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    CLOSED_DUPLICATE = "closed_duplicate", _("Closed as duplicate")
    REFERRED = "referred", _("Referred")
    NOT_ACTIONABLE = "not_actionable", _("Not actionable")


OPEN_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.ROUTED,
        Status.IN_QUEUE,
        Status.IN_PROGRESS,
        Status.WAITING_ON_RESIDENT,
        Status.REOPENED,
    }
)
CLOSED_STATUSES = frozenset(set(Status) - OPEN_STATUSES)


def open_index(*fields: str, name: str, also: Q | None = None) -> models.Index:
    """A partial index over open requests only: a tenth of the table at city scale, and what
    every queue, counter and sweep reads."""
    condition = Q(status__in=sorted(s.value for s in OPEN_STATUSES))
    return models.Index(
        fields=list(fields), condition=condition & also if also else condition, name=name
    )


# The one table of legal status moves; request_status_change refuses anything else.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.ROUTED, Status.NOT_ACTIONABLE, Status.CLOSED_DUPLICATE}),
    Status.ROUTED: frozenset(
        {Status.IN_QUEUE, Status.ROUTED, Status.NOT_ACTIONABLE, Status.CLOSED_DUPLICATE}
    ),
    Status.IN_QUEUE: frozenset(
        {
            Status.IN_PROGRESS,
            Status.WAITING_ON_RESIDENT,
            Status.RESOLVED,
            Status.ROUTED,
            Status.CLOSED_DUPLICATE,
            Status.REFERRED,
            Status.NOT_ACTIONABLE,
        }
    ),
    Status.IN_PROGRESS: frozenset(
        {
            Status.WAITING_ON_RESIDENT,
            Status.RESOLVED,
            Status.IN_QUEUE,
            Status.CLOSED_DUPLICATE,
            Status.REFERRED,
            Status.NOT_ACTIONABLE,
        }
    ),
    Status.WAITING_ON_RESIDENT: frozenset(
        {Status.IN_PROGRESS, Status.IN_QUEUE, Status.RESOLVED, Status.NOT_ACTIONABLE}
    ),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.REOPENED}),
    Status.CLOSED: frozenset({Status.REOPENED}),
    Status.REOPENED: frozenset({Status.IN_QUEUE, Status.ROUTED}),
    Status.CLOSED_DUPLICATE: frozenset({Status.REOPENED}),
    Status.REFERRED: frozenset({Status.REOPENED}),
    Status.NOT_ACTIONABLE: frozenset({Status.REOPENED}),
}


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    API = "api", _("API")


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("Text message")
    NONE = "none", _("Do not contact me")


class ServiceRequest(models.Model):
    tracking_number = models.CharField(max_length=16, unique=True)
    # No index of its own on the foreign keys to small tables whose rows are never filtered
    # alone at scale: request_category_created and request_nhood_created lead with category and
    # neighbourhood; wards, teams, closure reasons and assets are only looked up from the
    # request (docs/performance.md, "Staff pages and indexes", lists what uses each index).
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="requests", db_index=False
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="requests", null=True, blank=True
    )
    description = models.TextField(max_length=4000)
    # Spatial searches over requests look only at open ones: request_open_location serves them,
    # and a GiST over every request ever filed (80 MB at 1M) served no query.
    location = gis.PointField(geography=True, srid=4326, spatial_index=False)
    address = models.CharField(max_length=200, blank=True)
    # Kept as filed, so later redistricting does not rewrite history.
    neighbourhood = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    ward = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.RECEIVED)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    answers = models.JSONField(default=dict, blank=True)
    closure_reason = models.ForeignKey(
        ClosureReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
    )
    team = models.ForeignKey(
        "Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        db_index=False,
    )
    supporter_count = models.PositiveIntegerField(
        default=0, help_text="Residents who reported the same problem (kept by the services)."
    )
    # The asset the resident picked (kept as its id too, so the record survives a reload).
    asset = models.ForeignKey(
        Asset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        db_index=False,
    )
    asset_ref = models.CharField(max_length=60, blank=True)
    # Priority score (routing.scoring): the total, its parts in words, and whether a person
    # overrode the priority (then scoring no longer changes it).
    score = models.SmallIntegerField(null=True, blank=True)
    score_parts = models.JSONField(default=list, blank=True)
    priority_overridden = models.BooleanField(default=False)
    # When the escalation sweep next needs to look at this request (routing.escalations).
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    # Set when the resident adds something, cleared when staff next act: the queue's badge.
    resident_replied_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    # The reporter: private, never rendered on public pages, feeds or APIs.
    anonymous = models.BooleanField(default=False)
    reporter_name = models.CharField(max_length=120, blank=True)
    reporter_email = models.EmailField(blank=True)
    reporter_phone = PhoneNumberField(blank=True)
    contact_method = models.CharField(
        max_length=10, choices=ContactMethod.choices, default=ContactMethod.NONE
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    # False when a resident filed online with an email or phone nobody has proven is theirs:
    # then it gets the receipt and nothing more until they follow a link from a message
    # (notifications.resident). True for staff intake, text-message reports, and older rows.
    contact_confirmed = models.BooleanField(default=True)

    # Secret for the resident's private link (>= 128 bits; 256 here).
    private_token = models.CharField(max_length=64, unique=True)
    idempotency_key = models.UUIDField(unique=True, null=True, blank=True)
    # Optimistic concurrency for staff edits.
    version = models.PositiveIntegerField(default=1)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    routed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    expected_at = models.DateTimeField(
        null=True, blank=True, help_text="Expected resolution from the service-level target."
    )
    response_due_at = models.DateTimeField(
        null=True, blank=True, help_text="First action due, from the service-level target."
    )

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="request_status_created"),
            models.Index(fields=["category", "-created_at"], name="request_category_created"),
            models.Index(fields=["neighbourhood", "-created_at"], name="request_nhood_created"),
            # Department queues list open work: WHERE department_id = ? AND status IN (open...).
            open_index("department", "-created_at", name="request_open_by_department"),
            # "My requests" and assignee filters: WHERE assignee_id = ? AND status IN (open...).
            open_index("assignee", "expected_at", name="request_open_by_assignee"),
            # Queues sorted by due date and the overdue counter: open rows ordered by expected_at.
            open_index("department", "expected_at", name="request_open_due"),
            # Queues over every department (the operator's "all", "unassigned", a supervisor of
            # several): open rows in the queue's own order. Without it PostgreSQL read and
            # sorted all ~90,000 open rows at 1M for each page (0.5-1.1 s); with it 0.2 ms.
            open_index("expected_at", "created_at", "id", name="request_open_due_all"),
            # The same queues sorted newest or oldest first.
            open_index("created_at", "id", name="request_open_created"),
            # The escalation sweep: open rows whose next step is due, oldest first.
            open_index(
                "next_escalation_at",
                name="request_open_escalation",
                also=Q(next_escalation_at__isnull=False),
            ),
            # The "first action due" sort and counters: open, not yet acknowledged.
            open_index(
                "department",
                "response_due_at",
                name="request_open_response_due",
                also=Q(acknowledged_at__isnull=True),
            ),
            # "Nearby open requests" on the staff request page and the operator's intake: a
            # GiST over open requests only, so the search never wades through closed ones.
            GistIndex(
                fields=["location"],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATUSES)),
                name="request_open_location",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    def get_absolute_url(self) -> str:
        return reverse("requests_app:tracker", args=[self.tracking_number])

    def get_status_display(self) -> str:
        # Django's own hashes all eleven lazy labels per call: a tenth of the list page's time.
        return choice_label(choices=Status, value=self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, frozenset())


def photo_path(instance: Photo, filename: str) -> str:
    # Random names only: a phone's original filename can carry a person's name or a date.
    return f"photos/{instance.uuid.hex[:2]}/{filename}"


class Photo(models.Model):
    class Source(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        STAFF = "staff", _("Staff evidence")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="photos", null=True, blank=True
    )
    # Photos staged before the request exists (kept across form errors), keyed by the form's
    # idempotency key.
    draft_key = models.UUIDField(null=True, blank=True, db_index=True)
    image = models.ImageField(upload_to=photo_path)
    thumbnail = models.ImageField(upload_to=photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    # From the original's EXIF before it was stripped: private, for staff and location hints.
    gps = gis.PointField(geography=True, srid=4326, null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.RESIDENT)
    public = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(self.uuid)


class RequestEvent(models.Model):
    """One change to a request. Timelines, metrics and audits are derived from these rows."""

    class Type(models.TextChoices):
        CREATED = "created", _("Received")
        STATUS_CHANGED = "status_changed", _("Status changed")
        ROUTED = "routed", _("Routed")
        ASSIGNED = "assigned", _("Assigned")
        COMMENT = "comment", _("Comment")
        NOTE = "note", _("Internal note")
        RESIDENT_COMMENT = "resident_comment", _("Resident comment")
        PHOTO_ADDED = "photo_added", _("Photo added")
        ONSITE_ATTEMPT = "onsite_attempt", _("On-site attempt")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        CATEGORY_CHANGED = "category_changed", _("Category changed")
        NOTIFICATION_SENT = "notification_sent", _("Notification sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        TRANSFERRED = "transferred", _("Transferred")
        SUPPORTER_ADDED = "supporter_added", _("Another resident reported it")
        DUPLICATE_MARKED = "duplicate_marked", _("Marked as duplicate")
        DUE_CHANGED = "due_changed", _("Target dates changed")
        ESCALATED = "escalated", _("Escalated")
        SCORED = "scored", _("Priority score")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=24, choices=Type.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who did it, in words that survive the user row (e.g. "Resident", "System", "Routing").
    actor_label = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    public = models.BooleanField(default=False)
    from_value = models.CharField(max_length=120, blank=True)
    to_value = models.CharField(max_length=120, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["request", "created_at"], name="event_request_time"),
            models.Index(fields=["type", "created_at"], name="event_type_time"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.type} {self.created_at:%Y-%m-%d %H:%M}"


class ResponseTemplate(Translated):
    """A canned public reply staff can insert and edit before sending."""

    name = models.CharField(max_length=120)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="templates"
    )
    closure_reason = models.ForeignKey(
        ClosureReason, on_delete=models.CASCADE, null=True, blank=True, related_name="templates"
    )
    body = models.TextField()
    body_es = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Supporter(models.Model):
    """Another resident reporting the same problem, attached instead of a new request.
    Private: never shown publicly beyond a count."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="supporters")
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    phone = PhoneNumberField(blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PHONE)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("additional reporter")
        verbose_name_plural = _("additional reporters")

    def __str__(self) -> str:
        return f"supporter of {self.request_id}"


# Issue 10's models (intake limits, block list, intake attempts, confirmed contacts) live in
# requests_app.abuse, to keep this module readable; imported here so Django and callers find them.
from requests_app.abuse import (  # noqa: E402, F401
    BlockedContact,
    ConfirmedContact,
    IntakeAttempt,
    IntakeSettings,
)

# Staff roles, profiles and teams live in requests_app.staffing, likewise.
from requests_app.staffing import Role, StaffProfile, Team  # noqa: E402, F401
