"""Events reach the other apps through the worker, after commit, and a failing handler does not
stop the others."""

from __future__ import annotations

import pytest

from requests_app import dispatch
from requests_app.models import Status
from requests_app.tasks import event_dispatch
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


def test_nothing_is_dispatched_before_commit(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sr = submit(city)
    sr.refresh_from_db()
    assert sr.status == Status.RECEIVED
    assert len(callbacks) == 1


def test_after_commit_the_worker_routes_the_request(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sr = submit(city)
    sr.refresh_from_db()
    assert sr.status == Status.IN_QUEUE


def test_a_failing_handler_does_not_stop_the_others_and_the_task_fails(city, monkeypatch):
    sr = submit(city)
    calls = []

    def broken(event_id: int) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(dispatch, "_HANDLERS", [("broken", broken), ("recorder", calls.append)])
    event = sr.events.get()
    with pytest.raises(RuntimeError, match="broken"):
        event_dispatch(event.id)
    assert calls == [event.id]
