"""Issue 10's models: how much one sender may file through the public form (IntakeSettings),
who is refused outright (BlockedContact), what the limits count (IntakeAttempt) and which
contacts their owners have confirmed (ConfirmedContact). Re-exported by requests_app.models."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import to_python

from requests_app.configcache import config_cached


class IntakeSettings(models.Model):
    """How much one client may send through the public report form and photo upload (one row,
    set by admins). Staff intake is exempt; zero turns a limit off."""

    reports_per_address_per_hour = models.PositiveSmallIntegerField(
        _("reports per client address per hour"), default=10
    )
    reports_per_contact_per_day = models.PositiveSmallIntegerField(
        _("reports per email address or phone number per day"), default=10
    )
    reports_per_device_per_hour = models.PositiveSmallIntegerField(
        _("reports per device per hour"),
        default=5,
        help_text=_("A device is a browser, recognised by a long-lived signed cookie."),
    )
    photos_per_address_per_hour = models.PositiveSmallIntegerField(
        _("photos per client address per hour"), default=60
    )
    min_fill_seconds = models.PositiveSmallIntegerField(
        _("minimum seconds to fill in the form"),
        default=3,
        help_text=_("Forms sent back faster than this are treated as sent by a robot."),
    )
    unconfirmed_receipts_per_day = models.PositiveSmallIntegerField(
        _("receipts per day to an unconfirmed contact"),
        default=1,
        help_text=_(
            "Until a resident follows a link from one of our messages, their email address or "
            "phone number gets at most this many “we received your report” messages a day and "
            "nothing else."
        ),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("intake limits")

    def __str__(self) -> str:
        return str(_("Intake limits"))

    @classmethod
    def load(cls) -> IntakeSettings:
        """The one row, created with the defaults on first use (lowest id wins, as for
        notifications' MessagingSettings). Kept per process until an admin edits it
        (requests_app.configcache): every public report reads it."""
        return config_cached("requests_app.intake_settings", cls._read)

    @classmethod
    def _read(cls) -> IntakeSettings:
        row = cls.objects.order_by("pk").first()
        if row is None:
            row, _created = cls.objects.get_or_create(pk=1)
        return row


class BlockedContact(models.Model):
    """A sender refused at intake with a neutral message: one email address, one phone number,
    or one IP address or CIDR range."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email address")
        PHONE = "phone", _("Phone number")
        NETWORK = "network", _("IP address or range")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(
        _("value"),
        max_length=254,
        help_text=_(
            "An email address, a phone number in international form (+14155550123), or an IP "
            "address or CIDR range (203.0.113.0/24)."
        ),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("blocked sender")
        verbose_name_plural = _("blocked senders")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="blocked_contact_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self) -> None:
        value = (self.value or "").strip()
        if self.kind == self.Kind.EMAIL:
            value = value.lower()
        elif self.kind == self.Kind.PHONE:
            number = to_python(value, region=settings.PHONENUMBER_DEFAULT_REGION)
            if number is None or not number.is_valid():
                raise ValidationError({"value": _("Enter a valid phone number.")})
            value = number.as_e164
        elif self.kind == self.Kind.NETWORK:
            try:
                value = str(ipaddress.ip_network(value, strict=False))
            except ValueError:
                raise ValidationError(
                    {"value": _("Enter an IP address or a CIDR range such as 203.0.113.0/24.")}
                ) from None
        self.value = value


class IntakeAttempt(models.Model):
    """One report or photo accepted for processing from the public, kept two days so the limits
    can count them (the housekeeping task deletes older rows: they hold IP addresses)."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        PHOTO = "photo", _("Photo")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    device = models.CharField(max_length=64, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("intake attempt")
        verbose_name_plural = _("intake attempts")
        indexes = [
            # The limits: WHERE kind = … AND client_address = … AND created_at >= now() - 1 hour.
            models.Index(fields=["kind", "client_address", "created_at"], name="intake_by_addr"),
            models.Index(fields=["kind", "device", "created_at"], name="intake_by_device"),
            models.Index(fields=["kind", "email", "created_at"], name="intake_by_email"),
            models.Index(fields=["kind", "phone", "created_at"], name="intake_by_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class ConfirmedContact(models.Model):
    """An email address or phone number whose owner followed a link from one of our messages:
    from then on it hears about their reports like anyone else."""

    channel = models.CharField(_("channel"), max_length=10)
    address = models.CharField(_("address"), max_length=254)
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        verbose_name = _("confirmed contact")
        verbose_name_plural = _("confirmed contacts")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="confirmed_contact_once")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address}"
