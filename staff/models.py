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
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")
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


class QueueTally(models.Model):
    """Request counts behind the queue counters, kept by a database trigger (migration
    0003_queue_tally) so every write path counts: the services, QuerySet.update(), the admin,
    Open311 imports and the demo's bulk COPY loads alike.

    Rows are deltas, never updated in place: each statement that writes requests appends one row
    per key it touched, with the net change (possibly 0: the row then only marks that the
    department changed, which the queue's ETag reads). Summing a key's rows gives its count;
    staff.queue_tally.tally_compact() folds them now and then. Appending takes no lock another
    writer waits for, so two staff members acting in one department never queue behind (or
    deadlock on) a shared counter row.

    Open requests are keyed by everything a counter asks; closed ones only by department."""

    department_id = models.IntegerField(null=True)
    is_open = models.BooleanField()
    # Open requests only (NULL for closed ones):
    unassigned = models.BooleanField(null=True)  # no assignee and no team
    new = models.BooleanField(null=True)  # received/routed/in queue and not acknowledged
    unacknowledged = models.BooleanField(null=True)
    # Start of the UTC hour of expected_at (of response_due_at: unacknowledged only); once
    # folded and more than a week old, the start of its UTC day (migration 0004).
    due_slot = models.DateTimeField(null=True)
    response_slot = models.DateTimeField(null=True)
    n = models.IntegerField()

    class Meta:
        verbose_name = _("queue tally")
        verbose_name_plural = _("queue tallies")
        indexes = [models.Index(fields=["department_id"], name="queue_tally_department")]

    def __str__(self) -> str:
        return f"department {self.department_id}: {self.n:+d}"
