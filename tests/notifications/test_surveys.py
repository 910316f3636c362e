"""The closure survey: sent once per resolution to the reporter, answered once, a "not fixed"
within the window reopens the request on its timeline and tells the department, a late one is
only recorded; and the results that feed reporting."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.models import MessagingSettings, OutboxMessage, RequestSubscription, Survey
from notifications.selectors import survey_results
from notifications.surveys import Outcome, survey_answer, surveys_due_send
from notifications.surveys import on_event as survey_scheduled
from requests_app.models import RequestEvent, Status
from requests_app.services import Reporter, request_reopen, request_resolve
from tests.factories import ReporterFactory
from tests.notifications.staff_helpers import give_emails, routed_request

pytestmark = pytest.mark.django_db
ROSA = ReporterFactory()


def on_event(event) -> None:
    """The resolution's survey as it goes out since issue 12: scheduled by the event, then sent
    by the survey sweep once MessagingSettings.survey_delay_hours have passed (the delay itself:
    tests/notifications/test_survey_delay.py)."""
    survey_scheduled(event)
    delay = timedelta(hours=MessagingSettings.load().survey_delay_hours)
    surveys_due_send(now=event.created_at + delay)


def _resolve(sr, staff, city):
    request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    sr.refresh_from_db()
    return sr.events.filter(type=RequestEvent.Type.STATUS_CHANGED, to_value="resolved").latest("id")


def _resolved(city, staff, **kwargs):
    sr, _routed = routed_request(city, **kwargs)
    event = _resolve(sr, staff, city)
    return sr, event


def _survey_messages():
    return OutboxMessage.objects.filter(template="survey")


def _sent_survey(city, staff, **kwargs) -> Survey:
    sr, event = _resolved(city, staff, **kwargs)
    on_event(event)
    return Survey.objects.get(request=sr)


# --- Sending -----------------------------------------------------------------------------------


def test_a_resolved_request_sends_its_reporter_one_survey(city, staff):
    sr, event = _resolved(city, staff)
    on_event(event)
    on_event(event)  # re-delivered
    survey = Survey.objects.get(request=sr)
    message = _survey_messages().get()
    assert (message.channel, message.recipient, message.language) == (
        "email",
        "rosa@example.com",
        "en",
    )
    assert f"http://testserver/survey/{survey.token}/" in message.body_text
    assert survey.token in message.body_html
    assert len(survey.token) >= 43  # 256 bits


def test_a_reporter_who_chose_text_messages_gets_the_survey_by_sms(city, staff):
    reporter = ReporterFactory(contact_method="sms", language="es")
    sr, event = _resolved(city, staff, reporter=reporter)
    on_event(event)
    message = _survey_messages().get()
    assert (message.channel, message.recipient, message.language) == ("sms", "+14155550134", "es")
    assert Survey.objects.get(request=sr).language == "es"
    assert len(message.body_text) <= 160 * 2


def _reporter_subscription(sr, **fields) -> RequestSubscription:
    return RequestSubscription.objects.create(
        request=sr, role="reporter", token="t1", confirmed_at=timezone.now(), **fields
    )


def test_the_reporters_subscriptions_decide_where_it_goes(city, staff):
    sr, event = _resolved(city, staff)
    _reporter_subscription(sr, channel="sms", address="+14155550199", language="es")
    on_event(event)
    assert list(_survey_messages().values_list("channel", "recipient", "language")) == [
        ("sms", "+14155550199", "es")
    ]


def test_a_reporter_who_unsubscribed_gets_no_survey(city, staff):
    sr, event = _resolved(city, staff)
    _reporter_subscription(
        sr, channel="email", address="rosa@example.com", unsubscribed_at=timezone.now()
    )
    on_event(event)
    assert not Survey.objects.exists()
    assert not _survey_messages().exists()


@pytest.mark.parametrize(
    "reporter",
    [
        Reporter(anonymous=True),
        ReporterFactory(contact_method="none"),
    ],
)
def test_anonymous_reporters_and_those_who_asked_not_to_be_contacted_get_no_survey(
    city, staff, reporter
):
    _sr, event = _resolved(city, staff, reporter=reporter)
    on_event(event)
    assert not Survey.objects.exists()


def test_a_request_closed_without_being_resolved_gets_no_survey(city, staff):
    from tests.factories import ClosureReasonFactory

    referred = ClosureReasonFactory(code="referred", name="Referred", outcome="referred")
    sr, _routed = routed_request(city)
    request_resolve(request=sr, actor=staff.agent, closure_reason=referred)
    on_event(sr.events.latest("id"))
    assert not Survey.objects.exists()


def test_resolved_again_after_a_reopen_sends_a_new_survey(city, staff):
    sr, first = _resolved(city, staff)
    on_event(first)
    request_reopen(request=sr, actor=staff.agent, reason="Came back")
    sr.refresh_from_db()
    second = _resolve(sr, staff, city)
    on_event(second)
    on_event(first)  # an old delivery changes nothing
    assert Survey.objects.filter(request=sr).count() == 2
    assert _survey_messages().count() == 2


# --- The page ----------------------------------------------------------------------------------


def test_the_page_asks_two_questions_and_shows_nothing_private(client, city, staff):
    survey = _sent_survey(city, staff)
    response = client.get(reverse("notifications:survey", args=[survey.token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert survey.request.tracking_number in html
    assert "Pothole" in html
    assert "Is the problem fixed?" in html
    assert "Very satisfied" in html and "Very dissatisfied" in html
    assert html.count("<fieldset") >= 2
    for private in ("Rosa", "rosa@example.com", "4155550134", "Big hole by the bus stop"):
        assert private not in html


def test_the_page_opens_in_the_language_of_the_survey(client, city, staff):
    survey = _sent_survey(city, staff, reporter=ReporterFactory(language="es"))
    html = client.get(reverse("notifications:survey", args=[survey.token])).content.decode()
    assert '<html lang="es">' in html
    assert "Bache" in html


def test_an_unknown_link_is_not_found(client, city):
    assert client.get(reverse("notifications:survey", args=["nope"])).status_code == 404


def test_a_missing_answer_is_refused_with_the_input_kept(client, city, staff):
    survey = _sent_survey(city, staff)
    url = reverse("notifications:survey", args=[survey.token])
    response = client.post(url, {"fixed": "yes", "comment": "Quick work"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose how satisfied you are." in html
    assert "Quick work" in html
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_fixed_is_recorded_with_an_internal_note(client, city, staff):
    survey = _sent_survey(city, staff)
    url = reverse("notifications:survey", args=[survey.token])
    response = client.post(url, {"fixed": "yes", "satisfaction": "4"}, follow=True)
    assert "We have recorded your answers" in response.content.decode()
    survey.refresh_from_db()
    assert (survey.fixed, survey.satisfaction) == (True, 4)
    sr = survey.request
    sr.refresh_from_db()
    assert sr.status == Status.RESOLVED
    note = sr.events.get(type=RequestEvent.Type.NOTE)
    assert (note.public, note.actor_label) == (False, "Resident (survey)")
    assert note.message == "Survey: fixed=yes, satisfaction 4/5"


def test_not_fixed_within_the_window_reopens_and_tells_the_department(
    client, city, staff, django_capture_on_commit_callbacks
):
    give_emails(staff)
    survey = _sent_survey(city, staff)
    url = reverse("notifications:survey", args=[survey.token])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            url, {"fixed": "no", "satisfaction": "2", "comment": "Hole is still there"}
        )
    response = client.get(response["Location"])
    assert "We have reopened request" in response.content.decode()
    sr = survey.request
    sr.refresh_from_db()
    assert sr.status == Status.IN_QUEUE
    reopened = sr.events.get(type=RequestEvent.Type.STATUS_CHANGED, to_value=Status.REOPENED)
    assert reopened.public
    assert reopened.actor_label == "Resident (survey)"
    assert reopened.message == "The resident says it is not fixed: Hole is still there"
    # Shown on the public timeline.
    tracker = client.get(sr.get_absolute_url()).content.decode()
    assert "The resident says it is not fixed" in tracker
    # The department's supervisor is told at once (the resolver was not the assignee).
    told = OutboxMessage.objects.filter(template="staff_survey_not_fixed")
    assert list(told.values_list("user__username", "digest")) == [("sam", False)]
    assert told.get().event_id == reopened.pk


def test_not_fixed_also_tells_the_assignee(city, staff):
    from requests_app.services import request_assign

    give_emails(staff)
    sr, _routed = routed_request(city)
    request_assign(request=sr, actor=staff.supervisor, assignee=staff.agent)
    on_event(_resolve(sr, staff, city))
    survey = Survey.objects.get(request=sr)
    assert survey_answer(survey=survey, fixed=False, satisfaction=1) == Outcome.REOPENED
    told = OutboxMessage.objects.filter(template="staff_survey_not_fixed")
    assert sorted(told.values_list("user__username", flat=True)) == ["alex", "sam"]


def test_not_fixed_after_the_window_is_recorded_without_reopening(client, city, staff):
    MessagingSettings.objects.update_or_create(pk=1, defaults={"survey_reopen_days": 14})
    survey = _sent_survey(city, staff)
    url = reverse("notifications:survey", args=[survey.token])
    with time_machine.travel(survey.sent_at + timedelta(days=15), tick=False):
        response = client.post(url, {"fixed": "no", "satisfaction": "1"}, follow=True)
    html = response.content.decode()
    assert "too long ago to reopen" in html
    assert f'href="{reverse("requests_app:report")}"' in html
    sr = survey.request
    sr.refresh_from_db()
    assert sr.status == Status.RESOLVED
    assert not sr.events.filter(to_value=Status.REOPENED).exists()
    survey.refresh_from_db()
    assert (survey.fixed, survey.satisfaction) == (False, 1)


def test_a_survey_is_answered_once(client, city, staff):
    survey = _sent_survey(city, staff)
    url = reverse("notifications:survey", args=[survey.token])
    client.post(url, {"fixed": "yes", "satisfaction": "5"})
    response = client.post(url, {"fixed": "no", "satisfaction": "1", "comment": "Changed mind"})
    assert response.status_code == 200
    assert "already been answered" in response.content.decode()
    survey.refresh_from_db()
    assert (survey.fixed, survey.satisfaction, survey.comment) == (True, 5, "")
    assert survey.request.events.filter(type=RequestEvent.Type.NOTE).count() == 1
    assert survey_answer(survey=survey, fixed=False, satisfaction=1) == Outcome.ALREADY_ANSWERED


def test_an_answer_to_an_earlier_resolutions_survey_does_not_reopen(city, staff):
    sr, first = _resolved(city, staff)
    on_event(first)
    old = Survey.objects.get(request=sr)
    request_reopen(request=sr, actor=staff.agent, reason="Came back")
    sr.refresh_from_db()
    on_event(_resolve(sr, staff, city))
    assert survey_answer(survey=old, fixed=False, satisfaction=2) == Outcome.RECORDED
    sr.refresh_from_db()
    assert sr.status == Status.RESOLVED


# --- Results for reporting ---------------------------------------------------------------------


def test_survey_results_count_answers_fixed_share_and_mean_satisfaction(city, staff):
    answers = [(True, 5), (True, 4), (False, 1)]
    for fixed, satisfaction in answers:
        survey_answer(survey=_sent_survey(city, staff), fixed=fixed, satisfaction=satisfaction)
    _sent_survey(city, staff)  # sent, not answered
    parks = _sent_survey(city, staff, department=city.parks, category=city.graffiti, answers={})
    survey_answer(survey=parks, fixed=True, satisfaction=3)

    results = survey_results()
    assert (results["sent"], results["answered"], results["fixed"]) == (5, 4, 3)
    assert results["fixed_pct"] == 75.0
    assert results["mean_satisfaction"] == 3.25
    by_department = {row["department"]: row for row in results["by_department"]}
    assert (by_department["Streets"]["answered"], by_department["Streets"]["sent"]) == (3, 4)
    assert by_department["Streets"]["fixed_pct"] == 66.7
    assert by_department["Parks"]["mean_satisfaction"] == 3.0
    assert {row["category"] for row in results["by_category"]} == {"Pothole", "Graffiti"}

    streets_only = survey_results(department=city.streets)
    assert streets_only["answered"] == 3
    assert survey_results(since=timezone.now() + timedelta(days=1))["sent"] == 0
    assert survey_results(since=timezone.now() + timedelta(days=1))["fixed_pct"] is None
