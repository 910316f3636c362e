"""`manage.py bench` on a tiny database: it seeds what is missing, times every operation and
leaves nothing of its own behind."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from requests_app.models import ServiceRequest
from routing.models import EscalationFired, EscalationPolicy

pytestmark = pytest.mark.django_db


def test_it_seeds_a_small_database_and_times_every_operation_without_leaving_a_trace():
    out = StringIO()
    call_command("bench", requests=120, runs=2, due=2, stdout=out)
    output = out.getvalue()
    assert "Seeding 120 requests (found 0)" in output
    assert "failed" not in output
    for operation in (
        "routing one request",
        "due dates for one request",
        "public list page (open)",
        "staff queue page + counters",
        "sweep, nothing due",
        "sweep selection",
    ):
        assert operation in output
    assert ServiceRequest.objects.count() == 120
    assert not EscalationPolicy.objects.filter(name__startswith="bench").exists()
    assert not EscalationFired.objects.exists()
    assert not ServiceRequest.objects.filter(next_escalation_at__isnull=False).exists()


def test_only_escalations_times_the_sweep_alone():
    call_command("seed_demo", requests=60, seed=5, stdout=StringIO())
    out = StringIO()
    call_command("bench", requests=60, runs=1, due=2, only_escalations=True, stdout=out)
    output = out.getvalue()
    assert "Seeding" not in output
    assert "routing one request" not in output
    assert "sweep, nothing due" in output
