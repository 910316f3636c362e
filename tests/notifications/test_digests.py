"""Staff digests: one email at each chosen city-local time (daylight-saving days included) with
everything that waited, sent exactly once however many sweeps run, and nothing when nothing
waited."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django_q.models import Schedule

from notifications.models import OutboxMessage, StaffPreference
from notifications.staff_alerts import staff_alert, staff_digests_send
from requests_app.models import RequestEvent
from requests_app.services import request_assign
from tests.notifications.staff_helpers import give_emails, prefer, routed_request

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
Mode = StaffPreference.Mode


def _local(*args) -> datetime:
    return datetime(*args, tzinfo=LA)


def _queue_items(city, staff, *, at: datetime, count: int = 1) -> list:
    """`count` requests routed to Streets and assigned to Alex at `at`; Alex takes both kinds
    of alert in his 08:00 digest."""
    give_emails(staff)
    prefer(
        staff.agent,
        new_in_department=Mode.DIGEST,
        assigned_to_me=Mode.DIGEST,
        digest_times="08:00",
    )
    requests = []
    with time_machine.travel(at, tick=False):
        for _ in range(count):
            sr, routed = routed_request(city)
            staff_alert(user=staff.agent, kind="new_request", event=routed, request=sr)
            request_assign(request=sr, actor=staff.supervisor, assignee=staff.agent)
            assigned = sr.events.filter(type=RequestEvent.Type.ASSIGNED).latest("id")
            staff_alert(user=staff.agent, kind="assigned_to_me", event=assigned, request=sr)
            requests.append(sr)
    return requests


def _digests():
    return OutboxMessage.objects.filter(template="staff_digest")


def test_the_digest_goes_out_at_the_chosen_local_time_with_every_item_in_one_email(
    city, staff, django_capture_on_commit_callbacks
):
    requests = _queue_items(city, staff, at=_local(2026, 1, 15, 7, 0), count=2)
    assert staff_digests_send(now=_local(2026, 1, 15, 7, 59)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_digests_send(now=_local(2026, 1, 15, 8, 0)) == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["alex@city.example"]
    assert "4 updates" in email.subject
    for sr in requests:
        assert sr.tracking_number in email.body
        assert f"http://testserver/staff/requests/{sr.tracking_number}/" in email.body
    assert "New in your department (2)" in email.body
    assert "Assigned to you (2)" in email.body
    assert "Pothole" in email.body and "1 Market St" in email.body
    digest = _digests().get()
    items = OutboxMessage.objects.filter(user=staff.agent, digest=True)
    assert {(i.status, i.last_error) for i in items} == {
        ("suppressed", f"Delivered in digest #{digest.pk}.")
    }


def test_on_the_spring_forward_day_eight_oclock_is_eight_oclock_daylight_time(city, staff):
    # 2026-03-08: clocks go from 02:00 PST to 03:00 PDT. 08:00 PDT is 15:00 UTC (16:00 the day
    # before).
    _queue_items(city, staff, at=_local(2026, 3, 7, 20, 0))
    assert staff_digests_send(now=datetime(2026, 3, 8, 14, 59, tzinfo=UTC)) == 0
    assert staff_digests_send(now=datetime(2026, 3, 8, 15, 0, tzinfo=UTC)) == 1


def test_on_the_fall_back_day_eight_oclock_is_eight_oclock_standard_time(city, staff):
    # 2026-11-01: clocks go from 02:00 PDT back to 01:00 PST. 08:00 PST is 16:00 UTC.
    _queue_items(city, staff, at=_local(2026, 10, 31, 20, 0))
    assert staff_digests_send(now=datetime(2026, 11, 1, 15, 30, tzinfo=UTC)) == 0
    assert staff_digests_send(now=datetime(2026, 11, 1, 16, 0, tzinfo=UTC)) == 1


def test_a_second_sweep_sends_nothing_more(city, staff):
    _queue_items(city, staff, at=_local(2026, 1, 15, 7, 0))
    assert staff_digests_send(now=_local(2026, 1, 15, 8, 1)) == 1
    assert staff_digests_send(now=_local(2026, 1, 15, 8, 1)) == 0
    assert staff_digests_send(now=_local(2026, 1, 15, 8, 6)) == 0
    assert _digests().count() == 1


def test_items_that_arrive_after_a_digest_wait_for_the_next_time(city, staff):
    _queue_items(city, staff, at=_local(2026, 1, 15, 7, 0))
    assert staff_digests_send(now=_local(2026, 1, 15, 8, 0)) == 1
    _queue_items(city, staff, at=_local(2026, 1, 15, 9, 0))
    assert staff_digests_send(now=_local(2026, 1, 15, 17, 0)) == 0
    assert staff_digests_send(now=_local(2026, 1, 16, 8, 0)) == 1
    assert _digests().count() == 2


def test_several_times_a_day_each_send_their_own_digest(city, staff):
    _queue_items(city, staff, at=_local(2026, 1, 15, 7, 0))
    StaffPreference.objects.filter(user=staff.agent).update(digest_times="08:00,13:30")
    assert staff_digests_send(now=_local(2026, 1, 15, 8, 0)) == 1
    _queue_items(city, staff, at=_local(2026, 1, 15, 12, 0))
    StaffPreference.objects.filter(user=staff.agent).update(digest_times="08:00,13:30")
    assert staff_digests_send(now=_local(2026, 1, 15, 13, 29)) == 0
    assert staff_digests_send(now=_local(2026, 1, 15, 13, 30)) == 1


def test_nothing_is_sent_when_nothing_waited(city, staff):
    give_emails(staff)
    prefer(staff.agent, digest_times="08:00")
    assert staff_digests_send(now=_local(2026, 1, 15, 8, 0)) == 0
    assert OutboxMessage.objects.count() == 0


def test_the_sweep_is_scheduled_every_five_minutes():
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    schedule = Schedule.objects.get(name="staff-digests")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "notifications.tasks.staff_digests_send",
        Schedule.MINUTES,
        5,
    )


# --- Concurrency: real transactions in two threads -------------------------------------------


def _in_thread(target) -> threading.Thread:
    def run() -> None:
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_send_one_digest(city, staff):
    _queue_items(city, staff, at=_local(2026, 1, 15, 7, 0), count=2)
    now = _local(2026, 1, 15, 8, 0)
    barrier = threading.Barrier(2)
    results: list[int] = []

    def sweep() -> None:
        barrier.wait()
        results.append(staff_digests_send(now=now))

    threads = [_in_thread(sweep) for _ in range(2)]
    for thread in threads:
        thread.join(timeout=30)
    # With real commits the workers also alerted Alex's colleagues: everyone gets one digest.
    per_user = list(_digests().values_list("user__username", flat=True))
    assert sorted(per_user) == sorted(set(per_user))
    assert "alex" in per_user
    assert sum(results) == len(per_user)
    assert not OutboxMessage.objects.filter(digest=True, status="queued").exists()


@pytest.mark.django_db(transaction=True)
def test_a_sweep_skips_a_member_another_sweep_is_working_on(city, staff):
    from django.db import transaction

    _queue_items(city, staff, at=_local(2026, 1, 15, 7, 0))
    now = _local(2026, 1, 15, 8, 0)
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with transaction.atomic():
            StaffPreference.objects.select_for_update().get(user=staff.agent)
            locked.set()
            release.wait(timeout=30)

    holder = _in_thread(hold_the_lock)
    assert locked.wait(timeout=30)
    try:
        staff_digests_send(now=now)  # skips Alex rather than waiting for him
        assert not _digests().filter(user=staff.agent).exists()
    finally:
        release.set()
        holder.join(timeout=30)
    assert staff_digests_send(now=now) == 1
    assert _digests().filter(user=staff.agent).count() == 1
