"""Issue 12: the closure survey goes out MessagingSettings.survey_delay_hours after the
resolution, not the same minute; never if the request is reopened in between; once only."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django_q.models import Schedule

from notifications import tasks
from notifications.models import MessagingSettings, OutboxMessage, Survey, SurveyDue
from notifications.surveys import on_event, survey_due_send, surveys_due_send
from requests_app.models import RequestEvent
from requests_app.services import request_reopen, request_resolve
from tests.notifications.staff_helpers import routed_request

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


def _resolve(city, staff, sr):
    request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    sr.refresh_from_db()
    event = sr.events.filter(type=RequestEvent.Type.STATUS_CHANGED, to_value="resolved")
    return event.latest("id")


def _surveys():
    return OutboxMessage.objects.filter(template="survey")


def test_the_delay_is_a_day_unless_an_admin_changes_it():
    assert MessagingSettings.load().survey_delay_hours == 24


def test_no_survey_before_the_delay_has_passed(city, staff):
    sr, _ = routed_request(city)
    event = _resolve(city, staff, sr)
    on_event(event)
    assert surveys_due_send(now=event.created_at + 24 * HOUR - timedelta(minutes=1)) == 0
    assert not Survey.objects.exists() and not _surveys().exists()


def test_the_survey_goes_out_once_the_delay_has_passed(city, staff):
    sr, _ = routed_request(city)
    event = _resolve(city, staff, sr)
    on_event(event)
    assert surveys_due_send(now=event.created_at + 24 * HOUR) == 1
    message = _surveys().get()
    assert message.recipient == "rosa@example.com"
    assert SurveyDue.objects.get().outcome == SurveyDue.Outcome.SENT


def test_an_admin_set_delay_is_used(city, staff):
    MessagingSettings.objects.update_or_create(pk=1, defaults={"survey_delay_hours": 3})
    sr, _ = routed_request(city)
    event = _resolve(city, staff, sr)
    on_event(event)
    assert surveys_due_send(now=event.created_at + 2 * HOUR) == 0
    assert surveys_due_send(now=event.created_at + 3 * HOUR) == 1


def test_no_delay_sends_it_with_the_resolution(city, staff):
    MessagingSettings.objects.update_or_create(pk=1, defaults={"survey_delay_hours": 0})
    sr, _ = routed_request(city)
    on_event(_resolve(city, staff, sr))
    assert _surveys().count() == 1
    assert not SurveyDue.objects.exists()


def test_reopened_before_the_delay_no_survey_goes_out(city, staff):
    sr, _ = routed_request(city)
    event = _resolve(city, staff, sr)
    on_event(event)
    request_reopen(request=sr, actor=staff.agent, reason="Still there")
    assert surveys_due_send(now=event.created_at + 48 * HOUR) == 0
    assert not Survey.objects.exists() and not _surveys().exists()
    assert SurveyDue.objects.get().outcome == SurveyDue.Outcome.REOPENED


def test_reopened_and_resolved_again_only_the_last_resolution_is_surveyed(city, staff):
    sr, _ = routed_request(city)
    first = _resolve(city, staff, sr)
    on_event(first)
    request_reopen(request=sr, actor=staff.agent, reason="Still there")
    sr.refresh_from_db()
    second = _resolve(city, staff, sr)
    on_event(second)
    surveys_due_send(now=second.created_at + 24 * HOUR)
    assert list(Survey.objects.values_list("sent_at", flat=True)) == [second.created_at]
    assert _surveys().count() == 1


def test_sent_once_however_often_the_event_and_the_sweep_run(city, staff):
    sr, _ = routed_request(city)
    event = _resolve(city, staff, sr)
    on_event(event)
    on_event(event)  # re-delivered
    later = event.created_at + 25 * HOUR
    assert surveys_due_send(now=later) == 1
    assert surveys_due_send(now=later) == 0
    assert survey_due_send(due_id=SurveyDue.objects.get().pk, now=later) is None
    assert SurveyDue.objects.count() == 1
    assert Survey.objects.count() == 1 and _surveys().count() == 1


def test_end_to_end_through_the_worker(city, staff, django_capture_on_commit_callbacks):
    # The resolution's event goes through the dispatch task (django-q2 in sync mode, as every
    # test runs it), the handler schedules the survey; the scheduled task sends it a day later.
    sr, _ = routed_request(city)
    with django_capture_on_commit_callbacks(execute=True):
        request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    due = SurveyDue.objects.get(request=sr)
    assert not _surveys().exists()
    with time_machine.travel(due.due_at - timedelta(minutes=5), tick=False):
        assert tasks.surveys_send() == 0
    with time_machine.travel(due.due_at + timedelta(minutes=1), tick=False):
        assert tasks.surveys_send() == 1
    assert _surveys().count() == 1


def test_setup_schedules_runs_the_survey_sweep_every_minute():
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    schedule = Schedule.objects.get(name="survey-sweep")
    assert schedule.func == "notifications.tasks.surveys_send"
    assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, 1)
