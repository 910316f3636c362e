"""Create or update the periodic django-q2 schedules. Safe to run on every start."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_q.models import Schedule

SCHEDULES = [
    {
        "name": "purge-abandoned-photos",
        "func": "requests_app.tasks.staged_photos_purge",
        "schedule_type": Schedule.HOURLY,
    },
    {
        # Issue 10: the intake limits' counts hold IP addresses; kept two days, no longer.
        "name": "forget-intake-attempts",
        "func": "requests_app.tasks.intake_attempts_forget",
        "schedule_type": Schedule.HOURLY,
    },
    {
        "name": "escalation-sweep",
        "func": "routing.tasks.escalations_sweep",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
    },
    {
        "name": "refresh-priority-scores",
        "func": "routing.tasks.scores_refresh",
        "schedule_type": Schedule.HOURLY,
    },
    {
        "name": "outbox-retry-sweep",
        "func": "notifications.tasks.outbox_sweep",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
    },
    {
        # Issue 12: closure surveys go out MessagingSettings.survey_delay_hours after resolving.
        "name": "survey-sweep",
        "func": "notifications.tasks.surveys_send",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
    },
    {
        "name": "staff-digests",
        "func": "notifications.tasks.staff_digests_send",
        "schedule_type": Schedule.MINUTES,
        "minutes": 5,
    },
    {
        # The staff queue counters' tally gains a row or two per write; folding keeps it small.
        "name": "queue-tally-compact",
        "func": "staff.tasks.queue_tally_compact",
        "schedule_type": Schedule.MINUTES,
        "minutes": 5,
    },
    {
        # /health/full/ reads the time of the last run: proof that a worker takes tasks.
        "name": "worker-heartbeat",
        "func": "civic311.health.heartbeat",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
    },
]


class Command(BaseCommand):
    help = "Create or update the periodic background schedules (idempotent)."

    def handle(self, *args, **options) -> None:
        for spec in SCHEDULES:
            _obj, created = Schedule.objects.update_or_create(
                name=spec["name"],
                defaults={
                    "func": spec["func"],
                    "schedule_type": spec["schedule_type"],
                    "minutes": spec.get("minutes"),
                    # Forever: an edited or exhausted schedule is put back on every start.
                    "repeats": -1,
                },
            )
            self.stdout.write(f"{'created' if created else 'updated'} schedule {spec['name']}")
