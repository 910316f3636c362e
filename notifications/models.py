from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models as gis
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from requests_app.configcache import config_cached


class OutboxMessage(models.Model):
    """One message to one recipient on one channel. The dedupe key (event, recipient, channel)
    makes it impossible to message the same person twice about the same event."""

    # Labelled for the dev mailbox's badges and the admin, in the reader's language.
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Not sent (suppressed)")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")

    request = models.ForeignKey(
        "requests_app.ServiceRequest",
        on_delete=models.CASCADE,
        related_name="messages",
        null=True,
        blank=True,
    )
    event = models.ForeignKey(
        "requests_app.RequestEvent", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    template = models.CharField(max_length=60)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=200, blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Permanent failures (invalid address, opted out) stop at once; staff see them.
    permanent_failure = models.BooleanField(default=False)
    provider_message_id = models.CharField(max_length=120, blank=True)
    # Retries wait until this time (exponential backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Staff messages name their user; resident messages their subscription.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subscription = models.ForeignKey(
        "RequestSubscription", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Digest items wait (status queued, digest=True) until the recipient's digest is sent.
    digest = models.BooleanField(default=False)
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at"]
        indexes = [
            # The sender's sweep: WHERE status IN ('queued', 'sending') ORDER BY created_at.
            models.Index(
                fields=["created_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="outbox_pending",
            ),
            # The receipt's check of the day's receipts to one address
            # (notifications.outbox.outbox_checks_ask): recipient, template, created_at >= since.
            # Without it that check reads the whole outbox, which grows with every request.
            models.Index(
                fields=["recipient", "template", "created_at"],
                name="outbox_recipient_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.template} #{self.pk}"


# --- Issue 5: the full messaging model -----------------------------------------------------------


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class ContactPreference(models.Model):
    """What one address (an email or an E.164 phone number) agreed to receive, across all of its
    requests. STOP/START and one-click unsubscribes land here, and every send checks it."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254, help_text=_("Lower-case email or E.164 phone."))
    opted_out = models.BooleanField(default=False)
    language = models.CharField(max_length=8, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="contact_pref_once")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address}{' (opted out)' if self.opted_out else ''}"


class OptOutLog(models.Model):
    """Every opt-out and opt-in, recorded (who, which channel, how, when)."""

    class Action(models.TextChoices):
        OPT_OUT = "opt_out", _("Opted out")
        OPT_IN = "opt_in", _("Opted in")

    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254)
    action = models.CharField(max_length=10, choices=Action.choices)
    source = models.CharField(max_length=40, help_text=_("e.g. sms-keyword, email-link, staff"))
    request = models.ForeignKey(
        "requests_app.ServiceRequest", on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("opt-out log entry")
        verbose_name_plural = _("opt-out log")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.address} {self.action} ({self.source})"


class RequestSubscription(models.Model):
    """Someone who hears about a request: its reporter (per-request channel choice) or a
    follower who confirmed by link (double opt-in)."""

    class Role(models.TextChoices):
        REPORTER = "reporter", _("Reporter")
        SUPPORTER = "supporter", _("Also reported it")
        FOLLOWER = "follower", _("Follower")

    request = models.ForeignKey(
        "requests_app.ServiceRequest", on_delete=models.CASCADE, related_name="subscriptions"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254)
    language = models.CharField(max_length=8, default="en")
    token = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("request subscription")
        verbose_name_plural = _("request subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "channel", "address"], name="subscription_once"
            )
        ]
        indexes = [models.Index(fields=["channel", "address"], name="subscription_address")]

    def __str__(self) -> str:
        return f"{self.role} {self.channel} on {self.request_id}"

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class MessageTemplate(models.Model):
    """The words of one kind of message on one channel in one language, editable in admin.
    Rendered with Django's template language; the defaults ship as files."""

    kind = models.CharField(max_length=40, help_text=_("e.g. received, status_in_progress"))
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(max_length=200, blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["kind", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel", "language"], name="message_template_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} / {self.channel} / {self.language}"


class StaffPreference(models.Model):
    """How one staff member hears about work: immediately or in digests at chosen times."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DIGEST = "digest", _("In a digest")
        OFF = "off", _("Not at all")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    new_in_department = models.CharField(max_length=10, choices=Mode.choices, default=Mode.DIGEST)
    assigned_to_me = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE)
    resident_replied = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE)
    escalations = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE)
    digest_times = models.CharField(
        max_length=100, default="08:00", help_text=_("City local times, comma-separated.")
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff notification settings")
        verbose_name_plural = _("staff notification settings")

    def __str__(self) -> str:
        return f"notifications for {self.user}"


class InboundMessage(models.Model):
    """Every inbound email or SMS, kept whether it was threaded, started a request or refused."""

    class Outcome(models.TextChoices):
        THREADED = "threaded", _("Added to a request")
        INTAKE = "intake", _("Part of a text-message report")
        KEYWORD = "keyword", _("STOP/START/HELP keyword")
        REJECTED = "rejected", _("Refused")

    channel = models.CharField(max_length=10, choices=Channel.choices)
    sender = models.CharField(max_length=254)
    recipient = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    provider_id = models.CharField(max_length=120, blank=True)
    request = models.ForeignKey(
        "requests_app.ServiceRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.channel} from {self.sender} ({self.outcome})"


class SmsConversation(models.Model):
    """A report being made by text message: problem → place → optional photo → filed."""

    class Step(models.TextChoices):
        PROBLEM = "problem", _("Waiting for the problem")
        PLACE = "place", _("Waiting for the place")
        PHOTO = "photo", _("Waiting for an optional photo")
        DONE = "done", _("Filed")
        ABANDONED = "abandoned", _("Abandoned")

    phone = models.CharField(max_length=32)
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.PROBLEM)
    language = models.CharField(max_length=8, default="en")
    category = models.ForeignKey(
        "requests_app.Category", on_delete=models.SET_NULL, null=True, blank=True
    )
    description = models.TextField(blank=True)
    address = models.CharField(max_length=200, blank=True)
    location = gis.PointField(geography=True, srid=4326, null=True, blank=True)
    request = models.ForeignKey(
        "requests_app.ServiceRequest", on_delete=models.SET_NULL, null=True, blank=True
    )
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("text-message report in progress")
        verbose_name_plural = _("text-message reports in progress")
        indexes = [
            models.Index(
                fields=["phone", "updated_at"],
                condition=Q(step__in=["problem", "place", "photo"]),
                name="sms_conversation_open",
            )
        ]

    def __str__(self) -> str:
        return f"SMS report from {self.phone} ({self.step})"


class Survey(models.Model):
    """The closure survey sent after resolution: is it fixed, how satisfied (1-5), a comment."""

    request = models.ForeignKey(
        "requests_app.ServiceRequest", on_delete=models.CASCADE, related_name="surveys"
    )
    token = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=8, default="en")
    sent_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    fixed = models.BooleanField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        verbose_name = _("closure survey")
        verbose_name_plural = _("closure surveys")
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | (Q(satisfaction__gte=1) & Q(satisfaction__lte=5)),
                name="survey_satisfaction_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"survey for {self.request_id}"


class SurveyDue(models.Model):
    """A resolution's survey, waiting for MessagingSettings.survey_delay_hours to pass. The
    survey sweep (notifications.surveys.surveys_due_send) claims each row once with a
    conditional UPDATE of done_at, in the transaction that sends it."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        REOPENED = "reopened", _("Not sent: reopened first")
        NOBODY = "nobody", _("Not sent: nobody to send it to")

    event = models.OneToOneField(
        "requests_app.RequestEvent", on_delete=models.CASCADE, related_name="+"
    )
    request = models.ForeignKey(
        "requests_app.ServiceRequest", on_delete=models.CASCADE, related_name="+"
    )
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("survey waiting to be sent")
        verbose_name_plural = _("surveys waiting to be sent")
        indexes = [
            # The sweep: WHERE done_at IS NULL AND due_at <= now ORDER BY due_at.
            models.Index(
                fields=["due_at"], condition=Q(done_at__isnull=True), name="survey_due_pending"
            )
        ]

    def __str__(self) -> str:
        return f"survey for {self.request_id} due {self.due_at:%Y-%m-%d %H:%M}"


class MessagingSettings(models.Model):
    """City-wide messaging rules set by admins (one row)."""

    survey_reopen_days = models.PositiveSmallIntegerField(
        default=14, help_text=_("A 'not fixed' answer within this many days reopens the request.")
    )
    no_problem_reply_days = models.PositiveSmallIntegerField(
        default=14,
        help_text=_("A reply within this many days to 'no problem found' reopens for review."),
    )
    max_attempts = models.PositiveSmallIntegerField(default=5)
    # Issue 12: the survey arrived the same minute as "resolved", before anyone could see the
    # repair. 0 sends it with the resolution, as before.
    survey_delay_hours = models.PositiveSmallIntegerField(
        default=24,
        help_text=_(
            "Hours between a resolution and its survey (0: at once). No survey goes out if the "
            "request is reopened in the meantime."
        ),
    )
    sms_intake_enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("messaging settings")
        verbose_name_plural = _("messaging settings")

    def __str__(self) -> str:
        return "Messaging settings"

    @classmethod
    def load(cls) -> MessagingSettings:
        """The one row, created with the defaults on first use. The lowest id wins should an
        older database hold more than one (the admin allows adding only the first). Kept per
        process until an admin edits it (requests_app.configcache)."""
        return config_cached("notifications.messaging_settings", cls._read)

    @classmethod
    def _read(cls) -> MessagingSettings:
        row = cls.objects.order_by("pk").first()
        if row is None:
            row, _created = cls.objects.get_or_create(pk=1)
        return row
