"""The worker's follow-up of a new report reads with statements written once per process (round 5
of issue 11): each read here gives what the ORM's read it replaced gives, field by field, and
the merged statements answer what the separate queries answered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from notifications.models import ContactPreference, OutboxMessage, RequestSubscription
from notifications.models import StaffPreference as Preference
from notifications.outbox import outbox_checks, outbox_checks_ask, rows_insert_new
from notifications.rendering import message_render
from notifications.resident import message_context
from notifications.staff_alerts import (
    _department_staff,
    department_members_read,
    staff_alert_context,
)
from notifications.subscriptions import reporter_subscriptions_read
from requests_app.configcache import config_cached, config_snapshot
from requests_app.models import RequestEvent, Role, ServiceRequest, Status
from requests_app.tasks import _event_load, event_dispatch
from routing.models import EscalationFired, EscalationPolicy, EscalationStep, SensitivePlace
from routing.services import _received_lock, _received_lock_rows
from tests.conftest import make_staff
from tests.factories import ReporterFactory
from tests.requests_app.helpers import submit
from tests.routing.test_scoring import metres_north

pytestmark = pytest.mark.django_db


def fields_of(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


# --- The task's event, with the config stamp --------------------------------------------------


def test_the_task_reads_its_event_as_the_orm_does_and_the_stamp_with_it(city):
    sr = submit(city)
    event = sr.events.get()
    with CaptureQueriesContext(connection) as queries, config_snapshot():
        loaded = _event_load(event.pk)
        # The stamp came with the event: the copies ask for no query of their own.
        config_cached("test.followup", lambda: 1)
    assert len(queries) == 1
    assert fields_of(loaded) == fields_of(RequestEvent.objects.get(pk=event.pk))
    assert loaded._state.adding is False and loaded._state.db == "default"
    assert _event_load(event.pk + 1000) is None


# --- Routing's lock ---------------------------------------------------------------------------


@pytest.mark.parametrize("scoring", [True, False])
def test_routing_s_lock_reads_what_the_orm_s_read_gives(city, scoring):
    # A place in range: the lock's sensitive-place subquery has something to find.
    near = {"location": metres_north(80), "radius_m": 200, "points": 10}
    SensitivePlace.objects.create(kind="hospital", name="General", **near)
    sr = submit(city)
    policy = EscalationPolicy.objects.create(name="City")
    step = EscalationStep.objects.create(
        policy=policy, name="Warn", trigger="target_percent", value=75
    )
    EscalationFired.objects.create(request=sr, step=step, occurrence="x")
    other = submit(city, category=city.graffiti)
    for request in (sr, other):
        with transaction.atomic():
            mine = _received_lock(request_id=request.pk, scoring=scoring)
            orm = (
                _received_lock_rows(scoring=scoring)
                .filter(pk=request.pk, status=Status.RECEIVED)
                .first()
            )
        assert fields_of(mine) == fields_of(orm)
        assert fields_of(mine.category) == fields_of(orm.category)
        assert fields_of(mine.category.default_department) == fields_of(
            orm.category.default_department
        )
        for name in ("floor", "near_place", "fired_steps") if scoring else ("fired_steps",):
            assert getattr(mine, name) == getattr(orm, name), name
        assert not scoring or "General" in mine.near_place
    with transaction.atomic():
        assert _received_lock(request_id=sr.pk, scoring=scoring).fired_steps == [f"{step.pk}|x"]


def test_routing_s_lock_finds_nothing_once_the_request_is_routed(city):
    sr = submit(city)
    ServiceRequest.objects.filter(pk=sr.pk).update(status=Status.IN_QUEUE)
    with transaction.atomic():
        assert _received_lock(request_id=sr.pk, scoring=True) is None


# --- The department's members for the new-request alerts ---------------------------------------


def test_the_department_s_members_are_read_as_the_orm_reads_them(city, staff, django_user_model):
    for user in (staff.agent, staff.crew, staff.supervisor):
        user.email = f"{user.username}@city.example"
        user.save()
    Preference.objects.create(
        user=staff.agent, language="es", new_in_department=Preference.Mode.IMMEDIATE
    )
    ContactPreference.objects.create(channel="email", address=staff.crew.email, opted_out=True)
    gone = make_staff(django_user_model, "gil", Role.AGENT, [city.streets])
    gone.is_active = False
    gone.save()
    both = make_staff(django_user_model, "bo", Role.SUPERVISOR, [city.streets, city.parks])
    for exclude in (None, staff.supervisor.pk):
        mine = department_members_read(department_id=city.streets.pk, exclude=exclude)
        orm = _department_staff(department_id=city.streets.pk, roles=(Role.AGENT, Role.SUPERVISOR))
        if exclude:
            orm = orm.exclude(pk=exclude)
        orm = list(orm.select_related("notification_preference"))
        assert [u.pk for u in mine] == [u.pk for u in orm]
        assert both.pk in [u.pk for u in mine] and gone.pk not in [u.pk for u in mine]
        for user, expected in zip(mine, orm, strict=True):
            assert fields_of(user) == fields_of(expected)
            pref = getattr(user, "notification_preference", None)
            want = getattr(expected, "notification_preference", None)
            assert (fields_of(pref) if pref else None) == (fields_of(want) if want else None)
            assert user.email_opted_out == (user.pk == staff.crew.pk)
    assert department_members_read(department_id=city.parks.pk)[0].pk in (
        staff.parks_agent.pk,
        both.pk,
    )


# --- The reporter's subscription, the request's subscriptions and the receipt's checks ----------


def ask_for(event, *, sent: bool = True, pairs=None):
    def ask(channel, address):
        return outbox_checks_ask(
            dedupe_key=f"event:{event.pk}:{channel}:{address}",
            channel=channel,
            address=address,
            sent_template="received",
            sent_since=timezone.now() - timedelta(days=1) if sent else None,
            confirmed_pairs=pairs if pairs is not None else [(channel, address)],
        )

    return ask


def test_the_day_s_receipts_are_counted_from_an_index_not_the_whole_outbox(city):
    # The outbox grows by a receipt per report: at 300,000 rows the count read the whole table
    # (235 ms a follow-up, docs/performance.md, round 7). The test city's outbox is too small
    # for the planner to prefer any index, so sequential scans are priced out to ask whether
    # one answers this count at all.
    event = submit(city).events.get()
    ask = ask_for(event, pairs=[])("email", "resident@example.com")
    count = next(c for c in ask.columns if "COUNT(*)" in c)
    values = ask.params[-5:]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT " + count, values)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "outbox_recipient_sent" in plan, plan


def test_the_reporter_s_subscription_is_made_once_and_read_with_the_others(city):
    sr = submit(city)
    event = sr.events.get()
    RequestSubscription.objects.create(
        request=sr, role="follower", channel="email", address="f@example.com", token="t-1"
    )
    with CaptureQueriesContext(connection) as queries:
        known, checked = reporter_subscriptions_read(request=sr, ask=ask_for(event))
    assert len(queries) == 1
    assert [(s.role, s.address) for s in known] == [
        ("follower", "f@example.com"),
        ("reporter", "rosa@example.com"),
    ]
    made = RequestSubscription.objects.get(request=sr, role="reporter")
    assert fields_of(known[1]) == fields_of(made)
    assert made.confirmed_at is not None and made.language == sr.language
    # Again (a re-delivered event): nothing new, the same rows.
    again, _checked = reporter_subscriptions_read(request=sr)
    assert [fields_of(s) for s in again] == [fields_of(s) for s in known]
    assert RequestSubscription.objects.filter(request=sr).count() == 2
    assert set(checked) == {("email", "rosa@example.com")}


def test_the_checks_asked_with_the_subscriptions_answer_as_asked_alone(city):
    sr = submit(city)
    event = sr.events.get()
    address = "rosa@example.com"

    def both(**kwargs):
        ask = ask_for(event, **kwargs)
        _known, checked = reporter_subscriptions_read(request=sr, ask=ask)
        assert outbox_checks(ask("email", address)) == checked[("email", address)]
        return checked[("email", address)]

    first = both()
    assert (first.queued, first.opted_out, first.sent, first.confirmed) == (False, False, 0, False)
    assert both(sent=False, pairs=[]).sent is None
    OutboxMessage.objects.create(
        request=sr,
        channel="email",
        recipient=address,
        template="received",
        language="en",
        body_text="x",
        dedupe_key=f"event:{event.pk}:email:{address}",
    )
    ContactPreference.objects.create(channel="email", address=address, opted_out=True)
    later = both()
    assert (later.queued, later.opted_out, later.sent) == (True, True, 1)
    assert later == outbox_checks(ask_for(event)("email", address))


def test_an_anonymous_report_makes_no_subscription_and_asks_nothing(city):
    sr = submit(city, reporter=ReporterFactory(anonymous=True, email="", phone=""))
    known, checked = reporter_subscriptions_read(request=sr, ask=ask_for(sr.events.get()))
    assert known == [] and checked == {}
    assert not RequestSubscription.objects.filter(request=sr).exists()


# --- Inserts that skip a row held already -------------------------------------------------------


def test_rows_inserted_with_the_statement_kept_per_process_are_the_rows_given(city):
    sr = submit(city)
    event = sr.events.get()

    def message(n: int) -> OutboxMessage:
        return OutboxMessage(
            request=sr,
            event=event,
            channel="email",
            recipient=f"r{n}@example.com",
            template="received",
            language="es",
            subject="Asunto",
            body_text="Texto ñ",
            body_html="<p>x</p>",
            digest=bool(n % 2),
            dedupe_key=f"k-{n}",
            status=OutboxMessage.Status.SUPPRESSED,
            last_error="Recipient opted out of this channel.",
        )

    first = [message(1), message(2)]
    assert rows_insert_new(first, key="dedupe_key") == first
    for row in first:
        assert row.pk and row._state.adding is False
        assert fields_of(row) == fields_of(OutboxMessage.objects.get(pk=row.pk))
    # One held already, one new: only the new one is inserted (and returned, with its id).
    again = [message(2), message(3)]
    assert rows_insert_new(again, key="dedupe_key") == [again[1]]
    assert again[0].pk is None
    assert OutboxMessage.objects.filter(request=sr).count() == 3


# --- What a resident and the staff receive ------------------------------------------------------


def test_the_follow_up_queues_the_receipt_and_alerts_their_templates_render(city, staff):
    """The whole follow-up, then each message rendered again from scratch for its recipient:
    same subject, text and HTML, language, status (the contact's confirmation, asked with the
    subscriptions, still says "confirm this address")."""
    for user in (staff.agent, staff.supervisor):
        user.email = f"{user.username}@city.example"
        user.save()
    Preference.objects.create(user=staff.agent, language="es")
    sr = submit(
        city, reporter=ReporterFactory(email="Victima@Example.com", phone="", language="es")
    )
    event_dispatch(sr.events.get(type=RequestEvent.Type.CREATED).pk)
    sr = ServiceRequest.objects.get(pk=sr.pk)
    receipt = OutboxMessage.objects.get(request=sr, template="received")
    subscription = RequestSubscription.objects.get(request=sr)
    assert (receipt.recipient, receipt.language, receipt.status) == (
        "victima@example.com",
        "es",
        OutboxMessage.Status.QUEUED,
    )
    with translation.override("es"):
        context = message_context(
            request=sr,
            event=sr.events.get(type="created"),
            subscription=subscription,
            kind="received",
        )
    assert context["confirm_needed"] is True
    again = message_render(kind="received", channel="email", language="es", context=context)
    assert (receipt.subject, receipt.body_text, receipt.body_html) == (
        again.subject,
        again.text,
        again.html,
    )
    alerts = OutboxMessage.objects.filter(request=sr, template="staff_new_request")
    assert {(m.recipient, m.language) for m in alerts} == {
        ("alex@city.example", "es"),
        ("sam@city.example", "en"),
    }
    routed = sr.events.get(type=RequestEvent.Type.ROUTED)
    for alert in alerts:
        with translation.override(alert.language):
            again = message_render(
                kind="staff_new_request",
                channel="email",
                language=alert.language,
                context=staff_alert_context(request=sr, event=routed),
            )
        assert (alert.subject, alert.body_text, alert.body_html) == (
            again.subject,
            again.text,
            again.html,
        )
