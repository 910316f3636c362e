"""Staff alerts: each kind reaches the right people, as each person chose (immediately, in a
digest or not at all), in their language, never about their own action and never carrying the
resident's contact details."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import OutboxMessage, StaffPreference
from notifications.outbox import contact_preference_set
from notifications.staff_alerts import on_event, staff_alert
from requests_app.models import RequestEvent, Role
from requests_app.services import (
    request_assign,
    request_resident_comment,
    request_route,
    request_transfer,
)
from tests.conftest import make_staff
from tests.notifications.staff_helpers import (
    alerted_usernames,
    alerts,
    give_emails,
    prefer,
    routed_request,
)
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

Mode = StaffPreference.Mode


@pytest.fixture(autouse=True)
def _emails(staff):
    give_emails(staff)


def _latest(sr, type_):
    return sr.events.filter(type=type_).latest("id")


# --- New request in my department ----------------------------------------------------------------


def test_a_routed_request_reaches_every_agent_and_supervisor_of_its_department(city, staff):
    _sr, event = routed_request(city)
    on_event(event)
    # Not the Parks agent, the call-centre operator or the city admin.
    assert alerted_usernames("staff_new_request") == ["alex", "casey", "sam"]


def test_new_requests_go_to_the_digest_by_default_and_are_not_sent_yet(
    city, staff, django_capture_on_commit_callbacks
):
    _sr, event = routed_request(city)
    with django_capture_on_commit_callbacks(execute=True):
        on_event(event)
    assert all(row.digest and row.status == "queued" for row in alerts())
    assert mail.outbox == []


def test_someone_who_wants_new_requests_immediately_gets_an_email_now(
    city, staff, django_capture_on_commit_callbacks
):
    prefer(staff.agent, new_in_department=Mode.IMMEDIATE)
    sr, event = routed_request(city)
    with django_capture_on_commit_callbacks(execute=True):
        on_event(event)
    assert [m.to for m in mail.outbox] == [["alex@city.example"]]
    assert sr.tracking_number in mail.outbox[0].subject
    assert f"http://testserver/staff/requests/{sr.tracking_number}/" in mail.outbox[0].body


def test_someone_who_opted_out_of_email_gets_a_suppressed_alert_never_sent(
    city, staff, django_capture_on_commit_callbacks
):
    prefer(staff.agent, new_in_department=Mode.IMMEDIATE)
    prefer(staff.supervisor, new_in_department=Mode.IMMEDIATE)
    contact_preference_set(
        channel="email", address="ALEX@city.example", opted_out=True, source="staff"
    )
    _sr, event = routed_request(city)
    with django_capture_on_commit_callbacks(execute=True):
        on_event(event)
    rows = {row.user.username: row for row in alerts("staff_new_request")}
    assert rows["alex"].status == OutboxMessage.Status.SUPPRESSED
    assert rows["sam"].status != OutboxMessage.Status.SUPPRESSED
    assert [m.to for m in mail.outbox] == [["sam@city.example"]]


def test_a_departments_new_request_alerts_cost_the_same_queries_however_many_members(
    city, staff, django_user_model
):
    def queries_for_one_routed_request() -> int:
        _sr, event = routed_request(city)
        with CaptureQueriesContext(connection) as queries:
            on_event(event)
        return len(queries)

    queries_for_one_routed_request()  # the members' preferences are created on first use
    three = queries_for_one_routed_request()
    # The request, the config stamp (templates), the members with their preferences and whether
    # their address opted out (one read; was three), and one insert.
    assert three == 4
    for n in range(4):
        extra = make_staff(django_user_model, f"extra{n}", Role.AGENT, [city.streets])
        extra.email = f"extra{n}@city.example"
        extra.save(update_fields=["email"])
        prefer(extra)
    assert queries_for_one_routed_request() == three
    assert len(alerted_usernames("staff_new_request")) == 3 + 3 + 7


def test_someone_who_turned_new_requests_off_hears_nothing(city, staff):
    prefer(staff.agent, new_in_department=Mode.OFF)
    _sr, event = routed_request(city)
    on_event(event)
    assert "alex" not in alerted_usernames()


def test_a_transfer_tells_the_new_department(city, staff):
    sr, _event = routed_request(city)
    request_transfer(request=sr, actor=staff.agent, department=city.parks, reason="Park path")
    on_event(_latest(sr, RequestEvent.Type.ROUTED))
    assert alerted_usernames("staff_new_request") == ["pat"]


def test_whoever_routed_it_is_not_told_about_it(city, staff):
    sr = submit(city)
    request_route(request=sr, department=city.streets, actor=staff.supervisor)
    on_event(_latest(sr, RequestEvent.Type.ROUTED))
    assert "sam" not in alerted_usernames()


def test_a_redelivered_event_alerts_nobody_twice(city, staff):
    _sr, event = routed_request(city)
    on_event(event)
    on_event(event)
    assert len(alerted_usernames()) == 3


# --- Assigned to me ------------------------------------------------------------------------------


def test_the_assignee_is_told_immediately_by_default(
    city, staff, django_capture_on_commit_callbacks
):
    sr, _event = routed_request(city)
    request_assign(request=sr, actor=staff.supervisor, assignee=staff.agent)
    with django_capture_on_commit_callbacks(execute=True):
        on_event(_latest(sr, RequestEvent.Type.ASSIGNED))
    assert [m.to for m in mail.outbox] == [["alex@city.example"]]
    assert "Sam assigned request" in mail.outbox[0].body


def test_nobody_is_told_they_assigned_something_to_themselves(city, staff):
    sr, _event = routed_request(city)
    request_assign(request=sr, actor=staff.agent, assignee=staff.agent)
    on_event(_latest(sr, RequestEvent.Type.ASSIGNED))
    assert alerted_usernames() == []


def test_an_assignment_to_a_team_only_tells_no_one_personally(city, staff):
    sr, _event = routed_request(city)
    request_assign(request=sr, actor=staff.supervisor, team=staff.potholes_team)
    on_event(_latest(sr, RequestEvent.Type.ASSIGNED))
    assert alerted_usernames() == []


# --- The resident replied ------------------------------------------------------------------------


def test_a_reply_goes_to_the_assignee(city, staff):
    sr, _event = routed_request(city)
    request_assign(request=sr, actor=staff.supervisor, assignee=staff.agent, team=None)
    event = request_resident_comment(request=sr, message="It got bigger", photos=[])
    on_event(event)
    assert alerted_usernames("staff_resident_replied") == ["alex"]


def test_a_reply_on_a_team_request_goes_to_the_team(city, staff):
    sr, _event = routed_request(city)
    request_assign(request=sr, actor=staff.supervisor, team=staff.potholes_team)
    on_event(request_resident_comment(request=sr, message="Still there", photos=[]))
    assert alerted_usernames("staff_resident_replied") == ["casey"]


def test_a_reply_on_an_unassigned_request_goes_to_the_supervisors(city, staff):
    sr, _event = routed_request(city)
    on_event(request_resident_comment(request=sr, message="Still there", photos=[]))
    assert alerted_usernames("staff_resident_replied") == ["sam"]


# --- Escalations through staff_alert -------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "expected"),
    [(Mode.IMMEDIATE, (False, 1)), (Mode.DIGEST, (True, 0)), (Mode.OFF, None)],
)
def test_escalation_alerts_follow_the_preference(
    city, staff, mode, expected, django_capture_on_commit_callbacks
):
    prefer(staff.supervisor, escalations=mode)
    sr, event = routed_request(city)
    with django_capture_on_commit_callbacks(execute=True):
        row = staff_alert(user=staff.supervisor, kind="escalation", event=event, request=sr)
    if expected is None:
        assert row is None
        assert OutboxMessage.objects.filter(user=staff.supervisor).count() == 0
    else:
        assert (row.digest, len(mail.outbox)) == expected
        assert row.template == "staff_escalation"


def test_staff_alert_uses_the_callers_own_words_when_given(city, staff):
    sr, event = routed_request(city)
    row = staff_alert(
        user=staff.supervisor,
        kind="escalation",
        event=event,
        request=sr,
        subject="Overdue: step 2",
        body_text="Two days late.",
    )
    assert (row.subject, row.body_text) == ("Overdue: step 2", "Two days late.")


def test_someone_without_an_email_address_is_skipped(city, staff):
    staff.agent.email = ""
    staff.agent.save()
    _sr, event = routed_request(city)
    on_event(event)
    assert alerted_usernames() == ["casey", "sam"]


# --- Language and privacy ------------------------------------------------------------------------


def test_alerts_are_written_in_each_members_language(city, staff):
    prefer(staff.agent, language="es")
    sr, _event = routed_request(city)
    request_assign(request=sr, actor=staff.supervisor, assignee=staff.agent)
    on_event(_latest(sr, RequestEvent.Type.ASSIGNED))
    row = alerts("staff_assigned_to_me").get()
    assert row.language == "es"
    assert "Bache" in row.body_text  # the category's Spanish name


def test_staff_emails_never_carry_the_residents_contact_details(city, staff):
    prefer(staff.agent, new_in_department=Mode.IMMEDIATE)
    sr, event = routed_request(city)
    on_event(event)
    request_assign(request=sr, actor=staff.supervisor, assignee=staff.agent)
    on_event(_latest(sr, RequestEvent.Type.ASSIGNED))
    on_event(request_resident_comment(request=sr, message="Call me", photos=[]))
    staff_alert(user=staff.supervisor, kind="escalation", event=event, request=sr)
    rows = list(alerts())
    assert {r.template for r in rows} == {
        "staff_new_request",
        "staff_assigned_to_me",
        "staff_resident_replied",
        "staff_escalation",
    }
    for row in rows:
        everything = f"{row.subject}\n{row.body_text}\n{row.body_html}"
        for private in ("Rosa", "Martínez", "rosa@example.com", "4155550134", "555-0134"):
            assert private not in everything, (row.template, private)
