"""Drill (b): workers running side by side on the same queues never double-send. Four threads
stand in for four worker processes (each with its own database connection and real commits);
scripts/drills/worker_kill.py does the same for sends with two real qcluster processes."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import transports
from notifications.models import OutboxMessage, StaffPreference, Survey
from notifications.sending import message_claim, message_send
from notifications.staff_alerts import staff_alert, staff_digests_send
from notifications.surveys import survey_send_for_event
from requests_app.models import RequestEvent
from requests_app.services import contact_confirm, request_resolve
from tests.notifications.staff_helpers import give_emails, prefer, routed_request

pytestmark = pytest.mark.django_db(transaction=True)
WORKERS = 4


def side_by_side(work: Callable[[int], object]) -> list:
    """Run work(n) in WORKERS threads released at the same instant; return their results."""
    barrier = threading.Barrier(WORKERS)
    results: list = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            results.append(work(n))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def queued_sms(count: int) -> list[int]:
    # Rows straight into the outbox: no send task is enqueued (tests run tasks inline).
    return [
        OutboxMessage.objects.create(
            channel="sms",
            recipient=f"+1415555{n:04d}",
            template="drill",
            language="en",
            body_text=f"Drill {n}",
            dedupe_key=f"drill:{n}",
        ).pk
        for n in range(count)
    ]


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    transports.outbox.clear()
    yield
    transports.outbox.clear()


def test_the_claim_is_one_conditional_update_that_exactly_one_worker_wins():
    [message_id] = queued_sms(1)
    with CaptureQueriesContext(connection) as queries:
        message_claim(message_id=message_id, now=timezone.now(), max_attempts=5)
    [claim] = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert "\"status\" = 'queued'" in claim  # the row's state is part of the WHERE
    OutboxMessage.objects.filter(pk=message_id).update(status="queued", attempts=0)

    wins = side_by_side(
        lambda _n: message_claim(message_id=message_id, now=timezone.now(), max_attempts=5)
    )
    assert sorted(wins) == [False] * (WORKERS - 1) + [True]


def test_workers_sending_the_same_messages_at_once_send_each_exactly_once():
    ids = queued_sms(40)

    def worker(n: int) -> int:
        mine = ids[:]
        random.Random(n).shuffle(mine)  # each worker meets the rows in its own order
        return sum(message_send(message_id=pk) for pk in mine)

    sent = side_by_side(worker)
    assert sum(sent) == len(ids)
    assert len(transports.outbox) == len(ids)
    assert Counter(sms.to for sms in transports.outbox).most_common(1)[0][1] == 1
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_digest_sweeps_at_the_same_moment_send_each_member_one_digest(city, staff):
    give_emails(staff)
    prefer(staff.agent, new_in_department=StaffPreference.Mode.DIGEST, digest_times="08:00")
    la = ZoneInfo("America/Los_Angeles")
    with time_machine.travel(datetime(2026, 1, 15, 7, 0, tzinfo=la), tick=False):
        for _ in range(3):
            sr, routed = routed_request(city)
            staff_alert(user=staff.agent, kind="new_request", event=routed, request=sr)
    now = datetime(2026, 1, 15, 8, 0, tzinfo=la)
    for _ in range(3):  # three rounds of overlapping sweeps
        side_by_side(lambda _n: staff_digests_send(now=now))
    digests = OutboxMessage.objects.filter(template="staff_digest", user=staff.agent)
    assert digests.count() == 1
    assert not OutboxMessage.objects.filter(user=staff.agent, digest=True, status="queued")


def test_survey_workers_handling_the_same_resolution_send_one_survey(city, staff):
    # Surveys go only to confirmed contacts (issue 10): Rosa confirmed hers long ago.
    contact_confirm(channel="email", address="rosa@example.com")
    sr, _routed = routed_request(city)
    request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    event = sr.events.filter(type=RequestEvent.Type.STATUS_CHANGED, to_value="resolved").latest(
        "id"
    )
    # The inline task runner already sent it on commit: start the race from before that.
    Survey.objects.all().delete()
    OutboxMessage.objects.filter(template="survey").delete()

    made = side_by_side(lambda _n: survey_send_for_event(event=event))
    assert sum(1 for survey in made if survey is not None) == 1
    assert Survey.objects.filter(request=sr).count() == 1
    assert OutboxMessage.objects.filter(template="survey", request=sr).count() == 1
