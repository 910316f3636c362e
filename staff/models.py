from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInThrottle(models.Model):
    """Sign-in attempts for one (address, username) pair, or for one address across every
    username (username ""). Counted in the database under a row lock so parallel attempts
    cannot slip past the limit (staff/sign_in_throttle.py)."""

    address = models.CharField(max_length=64)
    # Case-folded and stripped: "AGENT" and "agent " are one user for counting.
    username = models.CharField(max_length=150, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    blocked_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "username"], name="sign_in_throttle_key")
        ]
        indexes = [models.Index(fields=["username"], name="sign_in_throttle_user")]

    def __str__(self) -> str:
        return f"{self.address} {self.username or '*'}: {self.attempts}"


class AuditLogEntry(LogEntry):
    """Django's admin LogEntry, shown read-only as the admin's "Audit log" (staff/admin.py)."""

    class Meta:
        proxy = True
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
