"""Escalation emails to staff: one per person the escalation names, once, with what they need to
act (tracking number, category, place, due time in city time, a link to the staff page)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from notifications.handlers import on_event
from notifications.models import OutboxMessage
from notifications.sending import message_send
from notifications.staff_alerts import staff_alert_queue
from requests_app.models import RequestEvent
from requests_app.services import event_record
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 9 a.m. in San Francisco


def escalation(city, *, recipients, **data):
    with time_machine.travel(T0, tick=False):
        sr = submit(city, address="1 Market St")
    sr.department = city.streets
    sr.save(update_fields=["department"])
    event = event_record(
        request=sr,
        type=RequestEvent.Type.ESCALATED,
        actor_label="Escalation",
        message="75% of the time to resolve used — supervisors told",
        to_value="Warn",
        data={
            "step_name": "Warn",
            "trigger": "target_percent",
            "target": "resolution",
            "value": 75,
            "notify": "supervisors",
            "recipients": recipients,
            **data,
        },
    )
    return sr, event


def test_each_named_person_gets_one_email(city, staff):
    _sr, event = escalation(
        city, recipients=[{"user_id": staff.supervisor.pk}, {"user_id": staff.agent.pk}]
    )
    staff.supervisor.email, staff.agent.email = "sam@example.org", "alex@example.org"
    staff.supervisor.save()
    staff.agent.save()
    queued = staff_alert_queue(event_id=event.id)
    assert sorted(m.recipient for m in queued) == ["alex@example.org", "sam@example.org"]
    assert staff_alert_queue(event_id=event.id) == []  # a re-delivered event queues nothing
    assert OutboxMessage.objects.count() == 2


def test_the_email_says_what_happened_and_links_to_the_staff_page(city, staff):
    staff.supervisor.email = "sam@example.org"
    staff.supervisor.save()
    sr, event = escalation(city, recipients=[{"user_id": staff.supervisor.pk}])
    (message,) = staff_alert_queue(event_id=event.id)
    assert message_send(message_id=message.id) is True
    email = mail.outbox[0]
    assert email.to == ["sam@example.org"]
    assert sr.tracking_number in email.subject
    assert "75% of the time to resolve has been used." in email.body
    assert "Pothole" in email.body and "1 Market St" in email.body
    assert f"http://testserver/staff/requests/{sr.tracking_number}/" in email.body
    assert "supervisor of the request's department" in email.body
    # Resolution due 72 h after 9 a.m. city time: shown in the city's zone, not UTC (issue 12:
    # through requests_app.when, was Django's "March 5, 2026, 9 a.m.").
    assert "Thursday 5 March 2026, 09:00" in email.body
    assert email.alternatives[0].mimetype == "text/html"
    # Staff alerts carry nothing about the resident.
    assert "Rosa" not in email.body and "rosa@example.com" not in email.body


def test_a_breach_email_says_what_changed(city, staff):
    staff.supervisor.email = "sam@example.org"
    staff.supervisor.save()
    _sr, event = escalation(
        city,
        recipients=[{"user_id": staff.supervisor.pk}],
        value=100,
        priority="high",
        team_name="Supervisors",
    )
    (message,) = staff_alert_queue(event_id=event.id)
    assert "The target time to resolve has passed." in message.body_text
    assert "Priority raised to High." in message.body_text
    assert "Moved to the team Supervisors." in message.body_text


def test_a_department_without_a_head_is_told_at_its_address(city):
    _sr, event = escalation(
        city, recipients=[{"email": "streets@city.example"}], notify="department_head"
    )
    (message,) = staff_alert_queue(event_id=event.id)
    assert message.recipient == "streets@city.example" and message.language == "en"


def test_people_without_an_email_address_are_skipped(city, staff):
    _sr, event = escalation(city, recipients=[{"user_id": staff.agent.pk}])
    assert staff.agent.email == ""
    assert staff_alert_queue(event_id=event.id) == []


def test_the_handler_only_emails_staff_for_escalations(city, staff):
    staff.supervisor.email = "sam@example.org"
    staff.supervisor.save()
    sr, event = escalation(city, recipients=[{"user_id": staff.supervisor.pk}])
    note = event_record(request=sr, type=RequestEvent.Type.NOTE, message="hi")
    on_event(note.id)
    assert not OutboxMessage.objects.filter(template="staff_escalation").exists()
    on_event(event.id)
    assert OutboxMessage.objects.filter(template="staff_escalation").count() == 1


def test_an_admins_edit_of_the_escalation_template_is_what_gets_sent(admin_client, city, staff):
    response = admin_client.post(
        reverse("admin:notifications_messagetemplate_add"),
        {
            "kind": "staff_escalation",
            "channel": "email",
            "language": "en",
            "active": "on",
            "subject": "Edited: {{ tracking_number }} needs you",
            "body_text": "Edited by the admin. {% for line in lines %}{{ line }} {% endfor %}"
            "{{ staff_url }}",
            "body_html": "",
        },
    )
    assert response.status_code == 302
    staff.supervisor.email = "sam@example.org"
    staff.supervisor.save()
    sr, event = escalation(city, recipients=[{"user_id": staff.supervisor.pk}])
    (message,) = staff_alert_queue(event_id=event.id)
    assert message_send(message_id=message.id) is True
    (email,) = mail.outbox
    assert email.subject == f"Edited: {sr.tracking_number} needs you"
    assert email.body.startswith("Edited by the admin. 75% of the time to resolve has been used.")
    assert f"http://testserver/staff/requests/{sr.tracking_number}/" in email.body
