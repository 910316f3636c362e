"""/health/ (liveness, free) and /health/full/ (readiness: database, queue lag, worker)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ

from civic311.health import HEARTBEAT_KEY, heartbeat

FULL = reverse("health_full")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_liveness_probe_answers_without_touching_the_database(client, db):
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0


def test_it_is_healthy_with_a_database_an_empty_queue_and_a_recent_heartbeat(client, db):
    heartbeat()
    response = client.get(FULL)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["queue"]["lag_seconds"] == 0
    assert body["checks"]["worker"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_fails_when_no_worker_has_ever_beaten(client, db):
    response = client.get(FULL)
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {
        "ok": False,
        "last_heartbeat": None,
        "max_age": 300,
    }


def test_it_fails_when_the_last_heartbeat_is_stale(client, db, settings):
    settings.HEALTH_HEARTBEAT_STALE_SECONDS = 120
    cache.set(HEARTBEAT_KEY, (timezone.now() - timedelta(minutes=3)).isoformat())
    response = client.get(FULL)
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["age_seconds"] >= 180


def test_it_fails_when_the_oldest_queued_task_has_waited_too_long(client, db, settings):
    settings.HEALTH_QUEUE_LAG_MAX_SECONDS = 60
    heartbeat()
    OrmQ.objects.create(key="civic311", payload="x", lock=timezone.now() - timedelta(minutes=5))
    # A task a worker holds (lock in the future) is not waiting.
    OrmQ.objects.create(key="civic311", payload="y", lock=timezone.now() + timedelta(minutes=2))
    response = client.get(FULL)
    assert response.status_code == 503
    queue = response.json()["checks"]["queue"]
    assert queue["ok"] is False
    assert 290 < queue["lag_seconds"] < 400


def test_a_task_that_just_arrived_is_no_lag_to_worry_about(client, db):
    heartbeat()
    OrmQ.objects.create(key="civic311", payload="x", lock=timezone.now() - timedelta(seconds=2))
    response = client.get(FULL)
    assert response.status_code == 200
    assert response.json()["checks"]["queue"]["lag_seconds"] < 60


def test_it_fails_with_json_when_the_database_is_down(client, db):
    heartbeat()
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("refused"),
    ):
        response = client.get(FULL)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}


def test_the_heartbeat_runs_every_minute_from_setup_schedules(db):
    from django.core.management import call_command
    from django_q.models import Schedule

    call_command("setup_schedules", stdout=mock.Mock())
    schedule = Schedule.objects.get(name="worker-heartbeat")
    assert schedule.func == "civic311.health.heartbeat"
    assert schedule.minutes == 1
