"""A used session stays alive without a database write on every page (SessionRefreshMiddleware)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone


def session_writes(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]


def test_pages_right_after_sign_in_do_not_write_the_session(client, staff):
    client.force_login(staff.supervisor)
    client.get(reverse("staff:queue"))  # the first page after signing in stamps the session
    for _ in range(3):
        assert not [s for s in session_writes(client, reverse("staff:queue")) if "session" in s]


def test_a_session_used_after_the_refresh_interval_moves_its_expiry_on(client, staff, settings):
    client.force_login(staff.supervisor)
    client.get(reverse("staff:queue"))
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    settings.SESSION_REFRESH_SECONDS = 0
    writes = session_writes(client, reverse("staff:queue"))
    assert [s for s in writes if "django_session" in s]
    expiry = Session.objects.get(pk=key).expire_date
    assert expiry > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_a_resident_without_a_session_costs_no_session_query(client, city):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("requests_app:home")).status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"]]
