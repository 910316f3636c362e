"""Staff workflow services: each action is a guarded change plus one event; stale edits are
refused with who changed it and when; nothing half-written."""

from __future__ import annotations

import pytest

from requests_app import services
from requests_app.models import RequestEvent, ServiceRequest, Status
from tests.factories import ClosureReasonFactory
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(django_user_model):
    return django_user_model.objects.create_user("alex", first_name="Alex", last_name="Kim")


def _events(sr) -> list[str]:
    return list(sr.events.order_by("id").values_list("type", flat=True))


def test_acknowledge_records_the_first_action_once(queued, agent):
    sr = services.request_acknowledge(request=queued, actor=agent)
    assert sr.acknowledged_at is not None
    with pytest.raises(services.WorkflowError):
        services.request_acknowledge(request=sr, actor=agent)
    assert _events(sr).count("acknowledged") == 1


def test_assign_is_internal_and_names_the_assignee(queued, agent, django_user_model):
    crew = django_user_model.objects.create_user("casey")
    sr = services.request_assign(request=queued, actor=agent, assignee=crew)
    assert sr.assignee == crew
    event = sr.events.get(type=RequestEvent.Type.ASSIGNED)
    assert not event.public and event.to_value == "casey" and event.actor_label == "Alex Kim"


def test_a_stale_version_is_refused_with_who_and_when(queued, agent, django_user_model):
    seen = queued.version
    services.request_priority_change(
        request=queued, actor=agent, priority="high", expected_version=seen
    )
    other = django_user_model.objects.create_user("sam")
    with pytest.raises(services.ConflictError, match="changed by Alex Kim at"):
        services.request_comment(
            request=queued, actor=other, message="late", public=True, expected_version=seen
        )
    assert not RequestEvent.objects.filter(message="late").exists()


def test_priority_change_is_an_internal_event_with_the_reason(queued, agent):
    sr = services.request_priority_change(
        request=queued, actor=agent, priority="urgent", reason="School"
    )
    event = sr.events.get(type=RequestEvent.Type.PRIORITY_CHANGED)
    assert (event.from_value, event.to_value, event.message, event.public) == (
        "normal",
        "urgent",
        "School",
        False,
    )


def test_public_comment_and_internal_note(queued, agent):
    public = services.request_comment(
        request=queued, actor=agent, message="Crew booked", public=True
    )
    note = services.request_comment(request=queued, actor=agent, message="Vendor 44", public=False)
    assert public.public and public.type == RequestEvent.Type.COMMENT
    assert not note.public and note.type == RequestEvent.Type.NOTE
    with pytest.raises(services.WorkflowError):
        services.request_comment(request=queued, actor=agent, message="  ", public=True)


def test_onsite_attempt_moves_to_in_progress_and_keeps_notes_internal(queued, agent):
    sr = services.request_onsite_attempt(
        request=queued, actor=agent, public_message="Visited", internal_notes="Gate locked"
    )
    assert sr.status == Status.IN_PROGRESS
    onsite = sr.events.get(type=RequestEvent.Type.ONSITE_ATTEMPT)
    note = sr.events.get(type=RequestEvent.Type.NOTE)
    assert onsite.public and not note.public and note.message == "Gate locked"


def test_resume_only_applies_to_a_request_waiting_on_the_resident(queued, agent):
    with pytest.raises(services.WorkflowError):
        services.request_resume(request=queued, actor=agent)
    assert queued.events.filter(to_value="in_progress").count() == 0


def test_hold_and_resume(queued, agent):
    sr = services.request_hold(request=queued, actor=agent, message="Please send a photo")
    assert sr.status == Status.WAITING_ON_RESIDENT
    sr = services.request_resume(request=sr, actor=agent)
    assert sr.status == Status.IN_PROGRESS


def test_resolve_uses_the_reason_outcome(queued, agent):
    referred = ClosureReasonFactory(
        code="referred", name="Referred", public_text="Sent to the state.", outcome="referred"
    )
    sr = services.request_resolve(request=queued, actor=agent, closure_reason=referred)
    assert sr.status == Status.REFERRED and sr.closure_reason == referred
    with pytest.raises(services.WorkflowError):
        services.request_resolve(request=sr, actor=agent, closure_reason=referred)


def test_duplicate_links_and_counts_on_the_original(city, queued, agent):
    original = submit(city)
    sr = services.request_mark_duplicate(request=queued, actor=agent, original=original)
    assert sr.status == Status.CLOSED_DUPLICATE and sr.duplicate_of == original
    original.refresh_from_db()
    assert original.supporter_count == 1
    with pytest.raises(services.WorkflowError):
        services.request_mark_duplicate(request=original, actor=agent, original=original)


def test_reopen_needs_a_reason_and_returns_to_the_queue(city, queued, agent):
    sr = services.request_resolve(request=queued, actor=agent, closure_reason=city.repaired)
    with pytest.raises(services.WorkflowError):
        services.request_reopen(request=sr, actor=agent, reason="")
    sr = services.request_reopen(request=sr, actor=agent, reason="Still there")
    assert sr.status == Status.IN_QUEUE and sr.closure_reason is None


def test_recategorise_moves_department_and_recomputes_the_target(city, queued, agent):
    city.graffiti.resolution_target_hours = 24
    city.graffiti.save()
    sr = services.request_recategorise(
        request=queued, actor=agent, category=city.graffiti, reason="Tags"
    )
    assert sr.category == city.graffiti and sr.department == city.parks
    assert (sr.expected_at - sr.created_at).total_seconds() == 24 * 3600
    assert {"category_changed", "routed"} <= set(_events(sr))


def test_transfer_needs_a_reason_and_clears_the_assignee(city, queued, agent):
    services.request_assign(request=queued, actor=agent, assignee=agent)
    with pytest.raises(services.WorkflowError):
        services.request_transfer(request=queued, actor=agent, department=city.parks, reason="")
    sr = services.request_transfer(
        request=queued, actor=agent, department=city.parks, reason="Park land"
    )
    assert sr.department == city.parks and sr.assignee is None and sr.status == Status.IN_QUEUE
    routed = sr.events.filter(type=RequestEvent.Type.ROUTED).last()
    assert routed.message == "Park land" and routed.public


def test_closed_requests_refuse_work_until_reopened(city, queued, agent):
    sr = services.request_resolve(request=queued, actor=agent, closure_reason=city.repaired)
    for action in (
        lambda: services.request_priority_change(request=sr, actor=agent, priority="high"),
        lambda: services.request_assign(request=sr, actor=agent, assignee=agent),
        lambda: services.request_onsite_attempt(request=sr, actor=agent),
    ):
        with pytest.raises(services.WorkflowError):
            action()
    with pytest.raises(services.TransitionError):
        services.request_hold(request=sr, actor=agent, message="photo please")


def test_a_supporter_adds_to_the_count_without_a_new_request(queued, agent):
    services.request_supporter_add(request=queued, actor=agent, name="Caller", phone="+14155550100")
    queued.refresh_from_db()
    assert queued.supporter_count == 1 and ServiceRequest.objects.count() == 1
    event = queued.events.get(type=RequestEvent.Type.SUPPORTER_ADDED)
    assert event.public and "Caller" not in event.message


def test_staff_action_clears_the_resident_replied_badge(queued, agent):
    from django.utils import timezone

    ServiceRequest.objects.filter(pk=queued.pk).update(resident_replied_at=timezone.now())
    queued.refresh_from_db()
    sr = services.request_comment(
        request=queued, actor=agent, message="Thanks", public=True
    ).request
    sr.refresh_from_db()
    assert sr.resident_replied_at is None


def test_an_automatic_assignment_keeps_the_resident_replied_badge(queued, agent):
    from django.utils import timezone

    ServiceRequest.objects.filter(pk=queued.pk).update(resident_replied_at=timezone.now())
    queued.refresh_from_db()
    # A strategy or an escalation step assigning is not a person answering the resident.
    sr = services.request_assign(request=queued, actor=None, assignee=agent)
    sr.refresh_from_db()
    assert sr.resident_replied_at is not None
    sr = services.request_assign(request=sr, actor=agent, assignee=agent)
    sr.refresh_from_db()
    assert sr.resident_replied_at is None


def test_any_action_by_a_person_is_the_first_response(queued, agent):
    assert queued.acknowledged_at is None
    # The system writing is not a response.
    services.request_comment(request=queued, actor=None, message="Routing note", public=False)
    queued.refresh_from_db()
    assert queued.acknowledged_at is None
    # A person's public comment is.
    services.request_comment(request=queued, actor=agent, message="On our list.", public=True)
    queued.refresh_from_db()
    assert queued.acknowledged_at is not None


def test_a_person_moving_the_status_on_is_the_first_response(queued, agent):
    services.request_status_change(request=queued, to_status=Status.IN_PROGRESS, actor=agent)
    queued.refresh_from_db()
    assert queued.acknowledged_at is not None
