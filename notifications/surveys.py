"""The closure survey: after a request is resolved its reporter gets a link to two questions
(is it fixed? how satisfied, 1-5?) and an optional comment.

It goes out MessagingSettings.survey_delay_hours after the resolution (issue 12: not the same
minute as "resolved"): the resolution leaves a SurveyDue row, and the survey sweep (every minute,
setup_schedules) sends the due ones, once each, unless the request was reopened in between.

"Not fixed" within MessagingSettings.survey_reopen_days reopens the request (on its timeline,
as "Resident (survey)") and tells the department; later it is only recorded. Every answer also
writes an internal note on the request, so staff see it on the timeline."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import MessagingSettings, RequestSubscription, Survey, SurveyDue
from notifications.outbox import outbox_queue, rows_insert_new
from notifications.rendering import absolute_url, message_render
from notifications.staff_alerts import staff_alert, staff_recipients_for_survey
from notifications.subscriptions import reporter_contact_unconfirmed
from requests_app.models import ContactMethod, RequestEvent, ServiceRequest, Status
from requests_app.services import event_record, request_lock, request_reopen

SURVEY_ACTOR = "Resident (survey)"
NOT_FIXED_REASON = "The resident says it is not fixed: {comment}"
NOT_FIXED_REASON_NO_COMMENT = "The resident says it is not fixed."


class Outcome(StrEnum):
    RECORDED = "recorded"  # thanks; nothing else to do
    REOPENED = "reopened"  # not fixed, within the window: reopened
    TOO_LATE = "too_late"  # not fixed, after the window: recorded, file a new report
    ALREADY_ANSWERED = "already_answered"


@dataclass(frozen=True)
class SurveyTarget:
    channel: str
    address: str
    language: str
    subscription: RequestSubscription | None = None


def survey_targets(*, request: ServiceRequest) -> list[SurveyTarget]:
    """Where the reporter hears from us, leaving out contacts nobody has confirmed (they get the
    receipt and nothing more, a survey included)."""
    return [
        target
        for target in _survey_contacts(request=request)
        if not reporter_contact_unconfirmed(
            request=request, channel=target.channel, address=target.address
        )
    ]


def _survey_contacts(*, request: ServiceRequest) -> list[SurveyTarget]:
    """Their reporter subscriptions when there are any (an unsubscribed one means no survey on
    that channel); else the contact details on the request itself, as the reporter asked to be
    contacted."""
    subscriptions = list(
        RequestSubscription.objects.filter(
            request=request, role=RequestSubscription.Role.REPORTER
        ).order_by("pk")
    )
    if subscriptions:
        return [
            SurveyTarget(s.channel, s.address, s.language or request.language, s)
            for s in subscriptions
            if s.active
        ]
    if request.anonymous or request.contact_method == ContactMethod.NONE:
        return []
    if request.contact_method == ContactMethod.SMS and request.reporter_phone:
        return [SurveyTarget("sms", request.reporter_phone.as_e164, request.language)]
    if request.reporter_email:
        return [SurveyTarget("email", request.reporter_email.lower(), request.language)]
    return []


def survey_send_for_event(*, event: RequestEvent) -> Survey | None:
    """Create the survey for one resolution and queue its message on each reporter channel.

    Once per resolution: the survey's sent_at is the resolution event's time, and the request
    row is locked while checking, so a re-delivered event finds its survey and does nothing (a
    request resolved again after a reopen gets a new survey). Returns the new survey or None."""
    with transaction.atomic():
        request = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("category")
            .filter(pk=event.request_id)
            .first()
        )
        if request is None or request.status not in (Status.RESOLVED, Status.CLOSED):
            return None
        if Survey.objects.filter(request=request, sent_at=event.created_at).exists():
            return None
        if _reopened_since(event):
            # Reopened (and perhaps resolved again: that resolution has its own survey).
            return None
        targets = survey_targets(request=request)
        if not targets:
            return None
        survey = Survey.objects.create(
            request=request,
            token=secrets.token_urlsafe(32),
            language=targets[0].language,
            sent_at=event.created_at,
        )
        survey_url = absolute_url(reverse("notifications:survey", args=[survey.token]))
        for target in targets:
            with translation.override(target.language):
                rendered = message_render(
                    kind="survey",
                    channel=target.channel,
                    language=target.language,
                    context={
                        "tracking_number": request.tracking_number,
                        "category_name": request.category.tr("name"),
                        "survey_url": survey_url,
                        "city_name": settings.CITY_NAME,
                    },
                )
            outbox_queue(
                channel=target.channel,
                recipient=target.address,
                template="survey",
                language=target.language,
                **rendered.outbox_fields(),
                request=request,
                event=event,
                subscription=target.subscription,
                # Not the event's plain key: the resident's "resolved" update for the same
                # event and channel is a separate message.
                dedupe_key=f"event:{event.pk}:survey:{target.channel}:{target.address.lower()}",
            )
        return survey


def _reopened_since(event: RequestEvent) -> bool:
    return RequestEvent.objects.filter(
        request_id=event.request_id,
        type=RequestEvent.Type.STATUS_CHANGED,
        to_value=Status.REOPENED,
        id__gt=event.id,
    ).exists()


def survey_schedule(*, event: RequestEvent) -> SurveyDue | None:
    """After a resolution: its survey, due survey_delay_hours later (sent at once with no
    delay). Idempotent: one row per resolution event, a re-delivery adds nothing."""
    delay = MessagingSettings.load().survey_delay_hours
    if not delay:
        survey_send_for_event(event=event)
        return None
    due = SurveyDue(
        event=event,
        request_id=event.request_id,
        due_at=event.created_at + timedelta(hours=delay),
    )
    made = rows_insert_new([due], key="event")
    return made[0] if made else None


def survey_due_send(*, due_id: int, now: datetime | None = None) -> SurveyDue.Outcome | None:
    """Send one due survey, once: the row is claimed with a conditional UPDATE in the
    transaction that sends it (a crash undoes both; a second worker finds it claimed and does
    nothing). Returns what happened, or None when it was not this call's to send."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = SurveyDue.objects.filter(pk=due_id, done_at__isnull=True, due_at__lte=now).update(
            done_at=now
        )
        if not claimed:
            return None
        due = SurveyDue.objects.select_related("event").get(pk=due_id)
        if _reopened_since(due.event):
            outcome = SurveyDue.Outcome.REOPENED
        elif survey_send_for_event(event=due.event) is not None:
            outcome = SurveyDue.Outcome.SENT
        else:
            outcome = SurveyDue.Outcome.NOBODY
        SurveyDue.objects.filter(pk=due_id).update(outcome=outcome)
        return outcome


SWEEP_BATCH = 200


def surveys_due_send(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """The survey sweep: every survey whose delay has passed, oldest first. Returns how many
    this run sent. Overlapping runs are safe (survey_due_send claims each row)."""
    now = now or timezone.now()
    ids = list(
        SurveyDue.objects.filter(done_at__isnull=True, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(survey_due_send(due_id=pk, now=now) == SurveyDue.Outcome.SENT for pk in ids)


def on_event(event: RequestEvent) -> None:
    """A resolution schedules the survey (idempotent)."""
    if event.type == RequestEvent.Type.STATUS_CHANGED and event.to_value == Status.RESOLVED:
        survey_schedule(event=event)


def survey_reopen_deadline(*, survey: Survey) -> datetime:
    return survey.sent_at + timedelta(days=MessagingSettings.load().survey_reopen_days)


def survey_answer(
    *,
    survey: Survey,
    fixed: bool,
    satisfaction: int,
    comment: str = "",
    now: datetime | None = None,
) -> Outcome:
    """Record the one answer a survey takes, and act on it.

    1. Claim the survey with a conditional UPDATE (answered_at IS NULL): a second answer, or a
       double submit, changes nothing and says so.
    2. Write an internal note on the request with the answer (the timeline shows it to staff).
    3. "Not fixed", within the window, on a request still resolved or closed: reopen it (public
       timeline entry by "Resident (survey)") and back to the queue, then alert the department's
       supervisors and the assignee (kind survey_not_fixed).
    All in one transaction."""
    now = now or timezone.now()
    comment = comment.strip()
    if not 1 <= satisfaction <= 5:
        raise ValueError("satisfaction must be 1 to 5")
    with transaction.atomic():
        claimed = Survey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(
            answered_at=now, fixed=fixed, satisfaction=satisfaction, comment=comment
        )
        if not claimed:
            return Outcome.ALREADY_ANSWERED
        survey.refresh_from_db()
        request = request_lock(request=survey.request, expected_version=None)
        summary = f"Survey: fixed={'yes' if fixed else 'no'}, satisfaction {satisfaction}/5"
        event_record(
            request=request,
            type=RequestEvent.Type.NOTE,
            actor_label=SURVEY_ACTOR,
            public=False,
            message=f"{summary}\n{comment}" if comment else summary,
            data={
                "survey_id": survey.pk,
                "fixed": fixed,
                "satisfaction": satisfaction,
            },
            at=now,
        )
        if fixed:
            return Outcome.RECORDED
        if now > survey_reopen_deadline(survey=survey):
            return Outcome.TOO_LATE
        newer = Survey.objects.filter(request=request, sent_at__gt=survey.sent_at).exists()
        if newer or request.status not in (Status.RESOLVED, Status.CLOSED):
            # Already reopened, or this answer is about an earlier resolution: recorded only.
            return Outcome.RECORDED
        request_reopen(
            request=request,
            actor=None,
            actor_label=SURVEY_ACTOR,
            reason=(
                NOT_FIXED_REASON.format(comment=comment) if comment else NOT_FIXED_REASON_NO_COMMENT
            ),
        )
        reopened = request.events.filter(
            type=RequestEvent.Type.STATUS_CHANGED, to_value=Status.REOPENED
        ).latest("created_at", "id")
        fresh = ServiceRequest.objects.select_related(
            "category", "department", "assignee", "team"
        ).get(pk=request.pk)
        for user in staff_recipients_for_survey(request=fresh):
            staff_alert(user=user, kind="survey_not_fixed", event=reopened, request=fresh)
        return Outcome.REOPENED
