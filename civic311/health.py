"""Health endpoints for load balancers, the proxy and monitoring.

``/health/`` is the liveness probe and the benchmarks' bare baseline: it answers from the process
alone (no database, no cache), as cheaply as a Django view can. ``/health/full/`` is the readiness
probe: it checks what a request needs and answers 200 when all is well, 503 when not, with JSON:

- ``database``: one ``SELECT 1`` on the default connection;
- ``queue``: how long the oldest waiting django-q2 task has waited (ORM broker: the
  ``django_q_ormq`` row with the oldest ``lock``, which is its enqueue time until a worker takes
  it) or, with Redis, how many tasks wait (Redis keeps no enqueue time we can read cheaply);
- ``worker``: when a worker last ran the ``worker-heartbeat`` schedule (every minute), read from
  the cache; stale after ``HEALTH_HEARTBEAT_STALE_SECONDS``. Needs a cache shared by web and
  worker: Redis (REDIS_URL) or a file cache on a shared volume (docker-compose.yml).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "civic311:worker-heartbeat"
HEARTBEAT_FUNC = "civic311.health.heartbeat"


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else, on purpose."""
    return JsonResponse({"status": "ok"})


def heartbeat() -> str:
    """django-q2 task (schedule ``worker-heartbeat``, every minute): proves a worker runs tasks.
    Idempotent: it only overwrites a timestamp."""
    now = timezone.now().isoformat()
    # Longer than any staleness threshold, so an expired key also reads as stale, not missing.
    cache.set(HEARTBEAT_KEY, now, timeout=24 * 60 * 60)
    return now


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def check_queue(*, now: datetime) -> dict:
    limit = settings.HEALTH_QUEUE_LAG_MAX_SECONDS
    if "redis" in settings.Q_CLUSTER:
        try:
            from django_q.brokers import get_broker

            depth = get_broker().queue_size()
        except Exception as exc:  # any Redis error means the queue is not usable
            return {"ok": False, "broker": "redis", "error": type(exc).__name__}
        return {"ok": True, "broker": "redis", "waiting": depth, "lag_seconds": None}
    from django_q.models import OrmQ

    try:
        # Rows a worker holds have lock in the future; the rest wait since their lock time.
        oldest = OrmQ.objects.filter(lock__lte=now).aggregate(oldest=Min("lock"))["oldest"]
    except DatabaseError as exc:
        return {"ok": False, "broker": "orm", "error": type(exc).__name__}
    lag = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    return {"ok": lag <= limit, "broker": "orm", "lag_seconds": round(lag, 1), "max": limit}


def check_worker(*, now: datetime) -> dict:
    limit = settings.HEALTH_HEARTBEAT_STALE_SECONDS
    try:
        value = cache.get(HEARTBEAT_KEY)
    except Exception as exc:  # the cache backend is down: we cannot tell, so say so
        return {"ok": False, "error": type(exc).__name__}
    if not value:
        return {"ok": False, "last_heartbeat": None, "max_age": limit}
    age = (now - datetime.fromisoformat(value)).total_seconds()
    return {
        "ok": age <= limit,
        "last_heartbeat": value,
        "age_seconds": round(age, 1),
        "max_age": limit,
    }


@never_cache
def health_full(request: HttpRequest) -> JsonResponse:
    """Readiness: database, queue lag and worker heartbeat; 503 if any is not ok."""
    now = timezone.now()
    checks = {"database": check_database()}
    if checks["database"]["ok"]:
        checks["queue"] = check_queue(now=now)
    else:
        checks["queue"] = {"ok": False, "error": "database unavailable"}
    checks["worker"] = check_worker(now=now)
    healthy = all(check["ok"] for check in checks.values())
    if not healthy:
        logger.warning("health check failing: %s", {k: v for k, v in checks.items() if not v["ok"]})
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )
