"""Sending outbox rows: claimed once, retried with backoff, given up on when it is hopeless,
never sent to someone who opted out, and neither lost nor sent twice when a worker dies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications import transports
from notifications.models import (
    ContactPreference,
    MessagingSettings,
    OptOutLog,
    OutboxMessage,
    RequestSubscription,
)
from notifications.sending import (
    CRASHED_LAST_ATTEMPT,
    OPTED_OUT,
    RESEND_NOT_FAILED,
    RESEND_OPTED_OUT,
    STALE_CLAIM,
    UNSUBSCRIBED,
    ResendError,
    message_resend,
    message_send,
    outbox_retry_sweep,
)
from notifications.transports import LocmemSmsTransport, PermanentSendError, TransientSendError
from tests.notifications.helpers import message_queue
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PHONE = "+14155550134"


@pytest.fixture(autouse=True)
def sms_outbox():
    transports.outbox.clear()
    yield transports.outbox
    transports.outbox.clear()


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def queue_sms(key: str = "one", **kwargs) -> OutboxMessage:
    return message_queue(
        channel="sms",
        recipient=kwargs.pop("recipient", PHONE),
        body_text="We got your report. Track it: http://testserver/r/1",
        dedupe_key=f"test:{key}",
        **kwargs,
    )


def fail_with(monkeypatch, *errors: BaseException) -> list[int]:
    """Make the locmem SMS transport raise these errors in turn, then deliver."""
    calls: list[int] = []
    real_send = LocmemSmsTransport.send

    def send(self, message):
        calls.append(message.pk)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return real_send(self, message)

    monkeypatch.setattr(LocmemSmsTransport, "send", send)
    return calls


def row(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


def test_running_the_send_twice_sends_once(sms_outbox):
    message = queue_sms()
    assert message_send(message_id=message.pk) is True
    assert message_send(message_id=message.pk) is False
    assert len(sms_outbox) == 1
    sent = row(message)
    assert sent.status == OutboxMessage.Status.SENT
    assert sent.provider_message_id == "locmem-1"
    assert sent.sent_at is not None and sent.attempts == 1


def test_an_email_row_goes_through_the_mailer():
    message = message_queue(subject="We got your report", dedupe_key="test:email")
    assert message_send(message_id=message.pk) is True
    assert mail.outbox[0].to == ["rosa@example.com"]
    assert row(message).provider_message_id == f"<outbox-{message.pk}@civic311.example>"


def test_a_transient_failure_waits_for_its_backoff_then_succeeds(clock, monkeypatch, sms_outbox):
    fail_with(monkeypatch, TransientSendError("Twilio 503"))
    message = queue_sms()
    assert message_send(message_id=message.pk) is False
    waiting = row(message)
    assert waiting.status == OutboxMessage.Status.QUEUED
    assert waiting.attempts == 1
    assert waiting.last_error == "Twilio 503"
    assert waiting.next_attempt_at == START + timedelta(minutes=1)

    assert message_send(message_id=message.pk) is False  # not due yet
    clock.shift(timedelta(minutes=1))
    assert message_send(message_id=message.pk) is True
    sent = row(message)
    assert sent.status == OutboxMessage.Status.SENT and sent.attempts == 2
    assert sent.last_error == ""
    assert len(sms_outbox) == 1


def test_backoff_grows_between_attempts(clock, monkeypatch):
    fail_with(monkeypatch, *[TransientSendError("busy")] * 3)
    message = queue_sms()
    waits = []
    for _ in range(3):
        message_send(message_id=message.pk)
        due = row(message).next_attempt_at
        waits.append(due - timezone.now())
        clock.move_to(due)
    assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30)]


def test_it_gives_up_after_the_admins_maximum_attempts(clock, monkeypatch, sms_outbox):
    MessagingSettings.objects.update_or_create(pk=1, defaults={"max_attempts": 3})
    calls = fail_with(monkeypatch, *[TransientSendError("Twilio 503")] * 10)
    message = queue_sms()
    for _ in range(3):
        message_send(message_id=message.pk)
        clock.shift(timedelta(hours=12))
    failed = row(message)
    assert failed.status == OutboxMessage.Status.FAILED
    assert failed.attempts == 3 and not failed.permanent_failure
    assert failed.last_error == "Twilio 503"
    assert message_send(message_id=message.pk) is False
    assert outbox_retry_sweep() == 0
    assert len(calls) == 3 and sms_outbox == []


def test_a_permanent_failure_stops_at_once_and_the_number_is_opted_out(
    city, monkeypatch, sms_outbox
):
    sr = submit(city)
    calls = fail_with(monkeypatch, PermanentSendError("Twilio 400 (code 21610)", opt_out=True))
    message = queue_sms(request=sr)
    assert message_send(message_id=message.pk) is False
    failed = row(message)
    assert failed.status == OutboxMessage.Status.FAILED
    assert failed.permanent_failure and failed.attempts == 1
    assert "21610" in failed.last_error
    assert ContactPreference.objects.get(channel="sms", address=PHONE).opted_out
    log = OptOutLog.objects.get()
    assert (log.action, log.source, log.request) == ("opt_out", "provider", sr)
    assert message_send(message_id=message.pk) is False
    assert len(calls) == 1

    # The next message to that number is suppressed when queued, never sent.
    later = queue_sms(key="two")
    assert later.status == OutboxMessage.Status.SUPPRESSED


def test_a_permanent_failure_that_is_not_about_the_address_records_no_opt_out(monkeypatch):
    fail_with(monkeypatch, PermanentSendError("Twilio 400 (code 21602): body required"))
    message = queue_sms()
    message_send(message_id=message.pk)
    assert row(message).permanent_failure
    assert not ContactPreference.objects.exists() and not OptOutLog.objects.exists()


def test_a_bug_in_a_transport_is_retried_like_a_transient_failure(monkeypatch):
    fail_with(monkeypatch, ValueError("unexpected"))
    message = queue_sms()
    assert message_send(message_id=message.pk) is False
    assert row(message).status == OutboxMessage.Status.QUEUED
    assert row(message).last_error == "unexpected"


def test_a_stop_that_arrives_after_queueing_suppresses_the_send(sms_outbox):
    message = queue_sms()
    ContactPreference.objects.create(channel="sms", address=PHONE, opted_out=True)
    assert message_send(message_id=message.pk) is False
    suppressed = row(message)
    assert suppressed.status == OutboxMessage.Status.SUPPRESSED
    assert suppressed.last_error == OPTED_OUT
    assert sms_outbox == []


def test_unsubscribing_from_the_request_after_queueing_suppresses_the_send(city, sms_outbox):
    sr = submit(city)
    subscription = RequestSubscription.objects.create(
        request=sr,
        role="reporter",
        channel="sms",
        address=PHONE,
        token="tok",
        confirmed_at=timezone.now(),
    )
    message = queue_sms(request=sr, subscription=subscription)
    subscription.unsubscribed_at = timezone.now()
    subscription.save()
    assert message_send(message_id=message.pk) is False
    assert row(message).status == OutboxMessage.Status.SUPPRESSED
    assert row(message).last_error == UNSUBSCRIBED
    assert sms_outbox == []


# --- Crash safety ------------------------------------------------------------------------------


def test_a_worker_killed_between_claim_and_record_neither_loses_nor_repeats_it(
    clock, monkeypatch, sms_outbox
):
    # The worker dies inside the provider call: nothing records the outcome.
    fail_with(monkeypatch, KeyboardInterrupt())
    message = queue_sms()
    with pytest.raises(KeyboardInterrupt):
        message_send(message_id=message.pk)
    assert row(message).status == OutboxMessage.Status.SENDING

    # Re-delivered at once (django-q2 re-delivers a dead worker's task): someone may still be
    # sending it, so nothing happens.
    assert message_send(message_id=message.pk) is False
    assert outbox_retry_sweep() == 0
    assert sms_outbox == []

    # Once the claim is stale, the sweep takes it again and it goes out exactly once.
    clock.shift(STALE_CLAIM + timedelta(seconds=1))
    assert outbox_retry_sweep() == 1
    assert row(message).status == OutboxMessage.Status.SENT
    assert outbox_retry_sweep() == 0
    assert message_send(message_id=message.pk) is False
    assert len(sms_outbox) == 1


def test_a_message_that_keeps_killing_its_worker_runs_out_of_attempts(clock, monkeypatch):
    MessagingSettings.objects.update_or_create(pk=1, defaults={"max_attempts": 2})
    fail_with(monkeypatch, SystemExit(), SystemExit())
    message = queue_sms()
    for _ in range(2):
        with pytest.raises(SystemExit):
            message_send(message_id=message.pk)
        clock.shift(STALE_CLAIM + timedelta(seconds=1))
    assert outbox_retry_sweep() == 0
    failed = row(message)
    assert failed.status == OutboxMessage.Status.FAILED
    assert failed.last_error == CRASHED_LAST_ATTEMPT


def test_a_worker_presumed_dead_does_not_overwrite_the_outcome_of_the_one_that_took_over(
    clock, monkeypatch, sms_outbox
):
    message = queue_sms()
    slow_worker_claim = START
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, claimed_at=slow_worker_claim, attempts=1
    )
    clock.shift(STALE_CLAIM + timedelta(seconds=1))
    assert message_send(message_id=message.pk) is True
    # The first worker wakes up and tries to record a failure against its old claim.
    from notifications.sending import _record

    assert _record(row(message), slow_worker_claim, status=OutboxMessage.Status.FAILED) is False
    assert row(message).status == OutboxMessage.Status.SENT


# --- The sweep ---------------------------------------------------------------------------------


def test_the_sweep_sends_only_rows_that_are_due(clock, sms_outbox):
    now = START
    names = ("backoff_over", "backoff_waiting", "just_queued", "task_lost", "held", "abandoned")
    names += ("sent", "digest_item")
    rows = {n: queue_sms(key=n, recipient=f"+1415555{i:04d}") for i, n in enumerate(names)}
    update = {
        "backoff_over": {"next_attempt_at": now - timedelta(seconds=1), "attempts": 1},
        "backoff_waiting": {"next_attempt_at": now + timedelta(minutes=4), "attempts": 1},
        "task_lost": {"created_at": now - timedelta(minutes=5)},
        "held": {"status": "sending", "claimed_at": now - timedelta(minutes=1), "attempts": 1},
        "abandoned": {"status": "sending", "claimed_at": now - STALE_CLAIM * 2, "attempts": 1},
        "sent": {"status": "sent", "sent_at": now, "attempts": 1},
        "digest_item": {"digest": True, "created_at": now - timedelta(hours=1)},
    }
    for name, fields in update.items():
        OutboxMessage.objects.filter(pk=rows[name].pk).update(**fields)

    assert outbox_retry_sweep() == 3
    sent = {name for name, m in rows.items() if row(m).status == OutboxMessage.Status.SENT}
    assert sent == {"backoff_over", "task_lost", "abandoned", "sent"}
    assert len(sms_outbox) == 3
    assert outbox_retry_sweep() == 0


def test_the_sweep_is_scheduled_every_minute():
    from django.core.management import call_command
    from django_q.models import Schedule

    call_command("setup_schedules")
    schedule = Schedule.objects.get(name="outbox-retry-sweep")
    assert schedule.func == "notifications.tasks.outbox_sweep"
    assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, 1)


# --- Resend ------------------------------------------------------------------------------------


def test_a_failed_message_can_be_resent_with_fresh_attempts(
    monkeypatch, staff, sms_outbox, django_capture_on_commit_callbacks
):
    fail_with(monkeypatch, PermanentSendError("Twilio 400 (code 21602)"))
    message = queue_sms()
    message_send(message_id=message.pk)
    with django_capture_on_commit_callbacks(execute=True):
        message_resend(message_id=message.pk, actor=staff.agent)
    resent = row(message)
    assert resent.status == OutboxMessage.Status.SENT
    assert resent.attempts == 1 and not resent.permanent_failure and resent.last_error == ""
    assert len(sms_outbox) == 1


@pytest.mark.parametrize("status", ["queued", "sending", "sent"])
def test_only_failed_or_suppressed_messages_can_be_resent(staff, status):
    message = queue_sms()
    OutboxMessage.objects.filter(pk=message.pk).update(status=status)
    with pytest.raises(ResendError, match=RESEND_NOT_FAILED):
        message_resend(message_id=message.pk, actor=staff.agent)
    assert row(message).status == status


def test_a_message_to_someone_who_opted_out_is_not_resent(staff):
    ContactPreference.objects.create(channel="sms", address=PHONE, opted_out=True)
    message = queue_sms()
    assert message.status == OutboxMessage.Status.SUPPRESSED
    with pytest.raises(ResendError, match=RESEND_OPTED_OUT):
        message_resend(message_id=message.pk, actor=staff.agent)

    # Opted back in: now it may be sent again.
    ContactPreference.objects.filter(address=PHONE).update(opted_out=False)
    assert message_resend(message_id=message.pk, actor=staff.agent).status == "queued"
