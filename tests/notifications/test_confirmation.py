"""The confirmation email: queued once per event and recipient, sent once even if run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.resident import confirmation_queue
from notifications.sending import message_send
from requests_app.models import RequestEvent
from requests_app.services import Reporter
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


def _created_event(city, **kwargs):
    sr = submit(city, **kwargs)
    return sr, sr.events.get(type=RequestEvent.Type.CREATED)


def test_the_same_event_never_emails_the_same_person_twice(city):
    _sr, event = _created_event(city)
    assert confirmation_queue(event_id=event.id) is not None
    assert confirmation_queue(event_id=event.id) is None
    assert OutboxMessage.objects.count() == 1


def test_sending_twice_sends_once(city):
    _sr, event = _created_event(city)
    message = confirmation_queue(event_id=event.id)
    assert message_send(message_id=message.id) is True
    assert message_send(message_id=message.id) is False
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_crashed_worker_is_taken_again_later(city):
    _sr, event = _created_event(city)
    message = confirmation_queue(event_id=event.id)
    # A worker claimed it and died before recording the outcome.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, claimed_at=timezone.now()
    )
    assert message_send(message_id=message.id) is False  # still fresh: someone may be sending
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - timedelta(hours=1)
    )
    assert message_send(message_id=message.id) is True
    assert len(mail.outbox) == 1


def test_the_email_has_text_and_html_and_the_private_link(city):
    sr, event = _created_event(city)
    message = confirmation_queue(event_id=event.id)
    message_send(message_id=message.id)
    email = mail.outbox[0]
    assert sr.tracking_number in email.body
    assert sr.private_token in email.body
    assert email.alternatives[0].mimetype == "text/html"


def test_anonymous_reporters_get_no_email(city):
    _sr, event = _created_event(city, reporter=Reporter(anonymous=True))
    assert confirmation_queue(event_id=event.id) is None


def test_a_failed_send_is_recorded_and_retried(city, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    _sr, event = _created_event(city)
    message = confirmation_queue(event_id=event.id)
    # The failure is recorded on the row (django-q2 would swallow a raised error anyway).
    assert message_send(message_id=message.id) is False
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED and message.attempts == 1
    assert message.last_error
    assert message.next_attempt_at > timezone.now()
