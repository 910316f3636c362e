"""Staff workflow: every action on a request is a guarded change plus one event, in one
transaction. Actions taken from a page pass the version the user saw (`expected_version`); if
someone else changed the request since, ConflictError says who and when, and nothing is written.

Who may do what is checked by the views (StaffProfile.can_work_on); these functions enforce the
state machine and data rules whoever calls them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from requests_app.models import (
    CLOSED_STATUSES,
    Category,
    Channel,
    ClosureReason,
    Department,
    Photo,
    Priority,
    RequestEvent,
    ServiceRequest,
    Status,
    Supporter,
    Team,
)
from requests_app.services.due import request_due_times
from requests_app.services.events import (
    Actor,
    event_record,
    events_batched,
    request_save_batched,
)
from requests_app.services.held import request_is_held
from requests_app.when import when_time

ILLEGAL_TRANSITION = gettext_noop("A request that is “%(from)s” cannot become “%(to)s”.")
CONFLICT = gettext_noop(
    "This request was changed by %(who)s at %(time)s. Review the changes and try again."
)
NOT_OPEN = gettext_noop("This request is closed. Reopen it first.")
OVERRIDE_REASON_NEEDED = gettext_noop("Say why you are changing the priority.")
NOT_OVERRIDDEN = gettext_noop("The priority score already decides this request's priority.")


class TransitionError(Exception):
    """A status move the state machine does not allow."""


class WorkflowError(Exception):
    """An action that does not apply to the request as it is (shown to the user)."""


class ConflictError(Exception):
    """Someone else changed the request after the user loaded it."""

    def __init__(self, *, who: str, at: datetime) -> None:
        self.who, self.at = who, at
        super().__init__(_(CONFLICT) % {"who": who, "time": when_time(at)})


def _actor_name(actor: Actor) -> str:
    if actor is None:
        return "System"
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return full or actor.get_username()


def request_lock(*, request: ServiceRequest, expected_version: int | None) -> ServiceRequest:
    """Lock the row for this transaction and check nobody changed it since the user saw it."""
    locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    if expected_version is not None and locked.version != expected_version:
        last = locked.events.order_by("-created_at", "-id").first()
        raise ConflictError(
            who=last.actor_label if last else _("someone"),
            at=last.created_at if last else timezone.now(),
        )
    return locked


def _touch(request: ServiceRequest, *fields: str, staff_acted: bool = True) -> None:
    request.version += 1
    request.updated_at = timezone.now()
    update = {"version", "updated_at", *fields}
    if staff_acted and request.resident_replied_at is not None:
        request.resident_replied_at = None
        update.add("resident_replied_at")
    if staff_acted and request.acknowledged_at is None:
        # Any action by a person is the first response the response target counts.
        request.acknowledged_at = request.updated_at
        update.add("acknowledged_at")
    request.save(update_fields=sorted(update))


def _status_apply(
    request: ServiceRequest,
    *,
    to_status: str,
    actor: Actor,
    closure_reason: ClosureReason | None = None,
) -> tuple[str, datetime, list[str]]:
    """Move the status on the object in memory, unsaved: (the status before, when, the fields
    to save). Refuses moves the state machine forbids. Every status move goes through here
    (request_status_change, and request_route's two moves saved with the department)."""
    if not request.can_move_to(to_status):
        raise TransitionError(
            _(ILLEGAL_TRANSITION)
            % {"from": Status(request.status).label, "to": Status(to_status).label}
        )
    now = timezone.now()
    from_status = request.status
    request.status = to_status
    request.updated_at = now
    request.version += 1
    fields = ["status", "updated_at", "version"]
    if actor is not None and request.acknowledged_at is None:
        # A person moving it on is its first response.
        request.acknowledged_at = now
        fields.append("acknowledged_at")
    if to_status == Status.RESOLVED or to_status in (
        Status.CLOSED_DUPLICATE,
        Status.REFERRED,
        Status.NOT_ACTIONABLE,
    ):
        request.resolved_at = now
        request.closure_reason = closure_reason
        fields += ["resolved_at", "closure_reason"]
    if to_status != Status.RESOLVED and not request.is_open:
        request.closed_at = now
        fields.append("closed_at")
    if to_status == Status.WAITING_ON_RESIDENT:
        request.never_waited = False  # it now has a pause (services.held)
    if to_status == Status.REOPENED:
        request.resolved_at = request.closed_at = request.closure_reason = None
        fields += ["resolved_at", "closed_at", "closure_reason"]
    return from_status, now, fields


def request_status_change(
    *,
    request: ServiceRequest,
    to_status: str,
    actor: Actor = None,
    actor_label: str = "",
    message: str = "",
    public: bool = True,
    closure_reason: ClosureReason | None = None,
) -> RequestEvent:
    """The one place a request's status changes. Refuses moves the state machine forbids."""
    from_status, now, fields = _status_apply(
        request, to_status=to_status, actor=actor, closure_reason=closure_reason
    )
    with transaction.atomic():
        request.save(update_fields=sorted(set(fields)))
        data = {"closure_reason": closure_reason.code} if closure_reason else {}
        if closure_reason and not message:
            message = closure_reason.public_text
        event = event_record(
            request=request,
            type=RequestEvent.Type.STATUS_CHANGED,
            actor=actor,
            actor_label=actor_label,
            public=public,
            from_value=from_status,
            to_value=to_status,
            message=message,
            data=data,
            at=now,
        )
        if from_status == Status.WAITING_ON_RESIDENT and request.is_open:
            # The wait is over: the clock resumes and the targets move out by the paused time.
            request_due_recompute(request=request, actor=actor, reason="Clock resumed after a wait")
        return event


def request_route(
    *,
    request: ServiceRequest,
    department: Department,
    actor: Actor = None,
    reason: str = "",
    fields: Collection[str] = (),
) -> None:
    """Give the request to a department and put it in that department's queue. Its events
    (routed and the status moves) are written in one INSERT. ``fields``: others the caller
    changed on the row it holds (routing's score), saved in the same UPDATE."""
    held = request_is_held(request)
    # A held row is written in the caller's transaction, without a savepoint of its own.
    with transaction.atomic(savepoint=not held), events_batched():
        if not held:
            request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
        previous = request.department
        request.department = department
        request.routed_at = timezone.now()
        fields = {"department", "routed_at", *fields}
        moves = []
        if request.status != Status.WAITING_ON_RESIDENT:
            # Both moves saved with the department, in one UPDATE; each still has its event.
            for to_status in (Status.ROUTED, Status.IN_QUEUE):
                if request.can_move_to(to_status):
                    from_status, at, changed = _status_apply(
                        request, to_status=to_status, actor=actor
                    )
                    fields.update(changed)
                    moves.append((from_status, to_status, at))
        # Held: saved with the events, in one statement (events.request_save_batched).
        request_save_batched(request, fields)
        event_record(
            request=request,
            type=RequestEvent.Type.ROUTED,
            actor=actor,
            actor_label="Routing" if actor is None else "",
            public=True,
            from_value=previous.name if previous else "",
            to_value=department.name,
            message=reason or f"Routed to {department.name}",
            data={"department_id": department.id},
            # Before the moves' times: the timeline reads routed, then the moves.
            at=request.routed_at,
        )
        for from_status, to_status, at in moves:
            event_record(
                request=request,
                type=RequestEvent.Type.STATUS_CHANGED,
                actor=actor,
                actor_label="Routing",
                public=True,
                from_value=from_status,
                to_value=to_status,
                at=at,
            )
        if request.status == Status.WAITING_ON_RESIDENT:
            # Ending a wait moves the targets (request_status_change): one move at a time.
            for to_status in (Status.ROUTED, Status.IN_QUEUE):
                if request.can_move_to(to_status):
                    request_status_change(
                        request=request, to_status=to_status, actor=actor, actor_label="Routing"
                    )


def request_due_recompute(*, request: ServiceRequest, actor: Actor, reason: str) -> bool:
    """Recompute the target dates after a change that affects them (category, priority, a wait
    on the resident ending). Writes an internal event when they move; returns whether they did.
    Call inside the transaction that made the change, on the locked row."""
    moved, before = _due_times_refresh(request)
    if not moved:
        return False
    request.save(update_fields=["response_due_at", "expected_at"])
    _due_changed_event(request, actor=actor, reason=reason, before=before)
    return True


def _due_times_refresh(request: ServiceRequest) -> tuple[bool, datetime | None]:
    """Recompute the target dates on the request in memory, unsaved: (whether they moved, the
    resolution due time before)."""
    response_due, resolution_due = request_due_times(request=request)
    if (response_due, resolution_due) == (request.response_due_at, request.expected_at):
        return False, None
    before = request.expected_at
    request.response_due_at, request.expected_at = response_due, resolution_due
    return True, before


def _due_changed_event(
    request: ServiceRequest, *, actor: Actor, reason: str, before: datetime | None
) -> None:
    _staff_event(
        request,
        type=RequestEvent.Type.DUE_CHANGED,
        actor=actor,
        public=False,
        from_value=before.isoformat() if before else "",
        to_value=request.expected_at.isoformat(),
        message=reason,
        data={"response_due": request.response_due_at.isoformat()},
    )


# --- Staff actions -----------------------------------------------------------------------------


def _require_open(request: ServiceRequest) -> None:
    if request.status in CLOSED_STATUSES:
        raise WorkflowError(_(NOT_OPEN))


@contextmanager
def _locked(
    request: ServiceRequest, expected_version: int | None, *, must_be_open: bool = True
) -> Iterator[ServiceRequest]:
    """One staff action's transaction on the locked row: refused if someone changed it since the
    user saw it, or (most actions) if it is closed. A row the caller holds (request_lock_held)
    is used as it is, in the caller's transaction."""
    if expected_version is None and request_is_held(request):
        with transaction.atomic(savepoint=False):
            if must_be_open:
                _require_open(request)
            yield request
        return
    with transaction.atomic():
        sr = request_lock(request=request, expected_version=expected_version)
        if must_be_open:
            _require_open(sr)
        yield sr


def _staff_event(sr: ServiceRequest, *, type: str, actor: Actor, **fields) -> RequestEvent:
    """The event of a staff action, signed with the actor's name."""
    return event_record(
        request=sr, type=type, actor=actor, actor_label=_actor_name(actor), **fields
    )


def _staff_status_change(sr: ServiceRequest, *, to_status: str, actor: Actor, **fields) -> None:
    request_status_change(
        request=sr, to_status=to_status, actor=actor, actor_label=_actor_name(actor), **fields
    )


def request_acknowledge(
    *, request: ServiceRequest, actor: Actor, expected_version: int | None = None
) -> ServiceRequest:
    """Staff have looked at it: the first action counted by the response target."""
    with _locked(request, expected_version) as sr:
        if sr.acknowledged_at:
            raise WorkflowError(_("This request is already acknowledged."))
        sr.acknowledged_at = timezone.now()
        _touch(sr, "acknowledged_at")
        _staff_event(
            sr,
            type=RequestEvent.Type.ACKNOWLEDGED,
            actor=actor,
            public=True,
            message="A member of staff has reviewed your request.",
        )
        return sr


def request_assign(
    *,
    request: ServiceRequest,
    actor: Actor,
    assignee=None,
    team: Team | None = None,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Give the request to a person and/or team of its department (None clears). Internal."""
    with _locked(request, expected_version) as sr:
        if team is not None and team.department_id != sr.department_id:
            raise WorkflowError(_("That team belongs to another department."))
        before = ", ".join(
            x for x in (_actor_name(sr.assignee) if sr.assignee else "", str(sr.team or "")) if x
        )
        sr.assignee, sr.team = assignee, team
        # A person assigning is the first response (_touch); an automatic rule is not.
        _touch(sr, "assignee", "team", staff_acted=actor is not None)
        after = ", ".join(
            x for x in (_actor_name(assignee) if assignee else "", str(team or "")) if x
        )
        _staff_event(
            sr,
            type=RequestEvent.Type.ASSIGNED,
            actor=actor,
            public=False,
            from_value=before[:120],
            to_value=after[:120] or "unassigned",
            message=f"Assigned to {after}" if after else "Unassigned",
            data={
                "assignee_id": assignee.pk if assignee else None,
                "team_id": team.pk if team else None,
            },
        )
        return sr


def request_priority_change(
    *,
    request: ServiceRequest,
    actor: Actor,
    priority: str,
    reason: str = "",
    override: bool = False,
    data: dict | None = None,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Set the priority; the target dates follow it.

    ``override=True`` is a person deciding: the request is marked ``priority_overridden`` so the
    priority score (routing.scoring) no longer changes it, and a reason is required. Setting the
    same priority with an override still records it (the person fixes the priority as it is).
    ``data`` is stored on the event (scoring marks its own changes with it)."""
    if priority not in Priority.values:
        raise WorkflowError(_("Unknown priority."))
    if override and not reason.strip():
        raise WorkflowError(_(OVERRIDE_REASON_NEEDED))
    with _locked(request, expected_version) as sr:
        if sr.priority == priority and (not override or sr.priority_overridden):
            return sr
        before, sr.priority = sr.priority, priority
        fields = ["priority"]
        if override:
            sr.priority_overridden = True
            fields.append("priority_overridden")
        # The target dates follow the priority, written in the same UPDATE.
        due_moved, due_before = _due_times_refresh(sr) if before != priority else (False, None)
        if due_moved:
            fields += ["response_due_at", "expected_at"]
        # An automatic change (a rule, the score) is not staff answering the resident.
        _touch(sr, *fields, staff_acted=actor is not None)
        if due_moved:
            _due_changed_event(
                sr, actor=actor, reason=f"Priority {before} → {priority}", before=due_before
            )
        _staff_event(
            sr,
            type=RequestEvent.Type.PRIORITY_CHANGED,
            actor=actor,
            public=False,
            from_value=before,
            to_value=priority,
            message=reason.strip(),
            data={**(data or {}), **({"override": True} if override else {})},
        )
        return sr


def request_priority_override_clear(
    *, request: ServiceRequest, actor: Actor, expected_version: int | None = None
) -> ServiceRequest:
    """Let the priority score decide again after a person overrode the priority. The event this
    writes makes routing.scoring re-score the request and apply its band."""
    with _locked(request, expected_version) as sr:
        if not sr.priority_overridden:
            raise WorkflowError(_(NOT_OVERRIDDEN))
        sr.priority_overridden = False
        _touch(sr, "priority_overridden")
        _staff_event(
            sr,
            type=RequestEvent.Type.PRIORITY_CHANGED,
            actor=actor,
            public=False,
            from_value=sr.priority,
            to_value=sr.priority,
            message="The priority score decides the priority again.",
            data={"override_cleared": True},
        )
        return sr


def request_comment(
    *,
    request: ServiceRequest,
    actor: Actor,
    message: str,
    public: bool,
    expected_version: int | None = None,
) -> RequestEvent:
    """A public comment (the resident sees it, signed by the department) or an internal note."""
    message = message.strip()
    if not message:
        raise WorkflowError(_("Write something first."))
    with _locked(request, expected_version, must_be_open=False) as sr:
        _touch(sr, staff_acted=actor is not None)
        return _staff_event(
            sr,
            type=RequestEvent.Type.COMMENT if public else RequestEvent.Type.NOTE,
            actor=actor,
            public=public,
            message=message,
        )


def request_onsite_attempt(
    *,
    request: ServiceRequest,
    actor: Actor,
    public_message: str = "",
    internal_notes: str = "",
    photos: list[Photo] | None = None,
    expected_version: int | None = None,
) -> ServiceRequest:
    """A crew visited. The visit (and any public message and photos) is public; notes stay
    internal. A queued request becomes in progress."""
    with _locked(request, expected_version) as sr:
        photos = photos or []
        if photos:
            Photo.objects.filter(pk__in=[p.pk for p in photos]).update(
                request=sr, draft_key=None, source=Photo.Source.STAFF
            )
        _touch(sr, staff_acted=actor is not None)
        _staff_event(
            sr,
            type=RequestEvent.Type.ONSITE_ATTEMPT,
            actor=actor,
            public=True,
            message=public_message.strip(),
            data={"photos": [str(p.uuid) for p in photos]},
        )
        if internal_notes.strip():
            _staff_event(
                sr,
                type=RequestEvent.Type.NOTE,
                actor=actor,
                public=False,
                message=internal_notes.strip(),
                data={"onsite": True},
            )
        if sr.status in (Status.IN_QUEUE, Status.REOPENED, Status.WAITING_ON_RESIDENT):
            target = Status.IN_PROGRESS if sr.status != Status.REOPENED else Status.IN_QUEUE
            _staff_status_change(sr, to_status=target, actor=actor)
        return sr


def request_hold(
    *,
    request: ServiceRequest,
    actor: Actor,
    message: str,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Wait for the resident: the public message says what is needed."""
    if not message.strip():
        raise WorkflowError(_("Tell the resident what you need from them."))
    with _locked(request, expected_version, must_be_open=False) as sr:
        _staff_status_change(
            sr,
            to_status=Status.WAITING_ON_RESIDENT,
            actor=actor,
            message=message.strip(),
        )
        return sr


def request_resume(
    *, request: ServiceRequest, actor: Actor, expected_version: int | None = None
) -> ServiceRequest:
    with _locked(request, expected_version, must_be_open=False) as sr:
        if sr.status != Status.WAITING_ON_RESIDENT:
            raise WorkflowError(_("Only a request waiting on the resident can be resumed."))
        _staff_status_change(sr, to_status=Status.IN_PROGRESS, actor=actor)
        return sr


def request_resolve(
    *,
    request: ServiceRequest,
    actor: Actor,
    closure_reason: ClosureReason,
    message: str = "",
    expected_version: int | None = None,
) -> ServiceRequest:
    """Close the work with a reason whose public wording the resident sees. The reason's outcome
    decides the status (resolved, referred or not actionable)."""
    with _locked(request, expected_version) as sr:
        target = closure_reason.outcome or Status.RESOLVED
        if sr.status in (Status.ROUTED, Status.RECEIVED) and sr.can_move_to(Status.IN_QUEUE):
            _staff_status_change(sr, to_status=Status.IN_QUEUE, actor=actor)
        _staff_status_change(
            sr,
            to_status=target,
            actor=actor,
            closure_reason=closure_reason,
            message=message.strip() or closure_reason.public_text,
        )
        return sr


def request_mark_duplicate(
    *,
    request: ServiceRequest,
    actor: Actor,
    original: ServiceRequest,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Close as a duplicate of another open or closed request; its supporters count moves over."""
    if original.pk == request.pk:
        raise WorkflowError(_("A request cannot be a duplicate of itself."))
    with _locked(request, expected_version) as sr:
        if original.duplicate_of_id == sr.pk:
            raise WorkflowError(_("That request is already a duplicate of this one."))
        sr.duplicate_of = original
        _touch(sr, "duplicate_of", staff_acted=actor is not None)
        ServiceRequest.objects.filter(pk=original.pk).update(
            supporter_count=original.supporter_count + sr.supporter_count + 1
        )
        _staff_event(
            sr,
            type=RequestEvent.Type.DUPLICATE_MARKED,
            actor=actor,
            public=False,
            to_value=original.tracking_number,
            data={"original_id": original.pk},
        )
        _staff_status_change(
            sr,
            to_status=Status.CLOSED_DUPLICATE,
            actor=actor,
            message=f"This is the same problem as request {original.tracking_number}; "
            "follow that one for updates.",
        )
        return sr


def request_reopen(
    *,
    request: ServiceRequest,
    actor: Actor,
    reason: str,
    actor_label: str = "",
    expected_version: int | None = None,
) -> ServiceRequest:
    """Reopen a closed request and put it back in its queue. ``actor_label`` names who did it
    when no user did (e.g. "Resident (survey)")."""
    if not reason.strip():
        raise WorkflowError(_("Say why it is being reopened."))
    label = actor_label or _actor_name(actor)
    with _locked(request, expected_version, must_be_open=False) as sr:
        request_status_change(
            request=sr,
            to_status=Status.REOPENED,
            actor=actor,
            actor_label=label,
            message=reason.strip(),
        )
        if sr.duplicate_of_id:
            sr.duplicate_of = None
            sr.save(update_fields=["duplicate_of"])
        request_status_change(request=sr, to_status=Status.IN_QUEUE, actor=actor, actor_label=label)
        return sr


def request_recategorise(
    *,
    request: ServiceRequest,
    actor: Actor,
    category: Category,
    reason: str = "",
    expected_version: int | None = None,
) -> ServiceRequest:
    """Change the category; the target date is recalculated from the new category, and if its
    default department differs the request moves there."""
    with _locked(request, expected_version) as sr:
        if category.pk == sr.category_id:
            return sr
        before = sr.category
        sr.category = category
        _touch(sr, "category", staff_acted=actor is not None)
        request_due_recompute(
            request=sr, actor=actor, reason=f"Category {before.name} → {category.name}"
        )
        _staff_event(
            sr,
            type=RequestEvent.Type.CATEGORY_CHANGED,
            actor=actor,
            public=True,
            from_value=before.name,
            to_value=category.name,
            message=reason.strip(),
            data={"from_id": before.pk, "to_id": category.pk},
        )
        if category.default_department_id != sr.department_id:
            _move_department(
                sr,
                category.default_department,
                actor,
                f"Moved with the new category {category.name}",
            )
        return sr


def request_transfer(
    *,
    request: ServiceRequest,
    actor: Actor,
    department: Department,
    reason: str,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Send the request to another department's queue, with a reason."""
    if not reason.strip():
        raise WorkflowError(_("Say why it is being transferred."))
    with _locked(request, expected_version) as sr:
        if department.pk == sr.department_id:
            raise WorkflowError(_("It is already with that department."))
        _move_department(sr, department, actor, reason.strip(), public_reason=True)
        return sr


def request_reroute_apply(
    *, request: ServiceRequest, department: Department, reason: str
) -> ServiceRequest | None:
    """Move an open request to the department the routing rules now choose (after a change of
    category or a reopening), like a transfer by "Routing" whose reason is the rule's explanation.
    Returns the moved request, or None when it is closed or already there (nothing written)."""
    with _locked(request, None, must_be_open=False) as sr:
        if sr.status in CLOSED_STATUSES or sr.department_id == department.pk:
            return None
        _move_department(sr, department, None, reason, actor_label="Routing")
        return sr


def _move_department(
    sr: ServiceRequest,
    department: Department,
    actor: Actor,
    reason: str,
    actor_label: str = "",
    *,
    public_reason: bool = False,
) -> None:
    label = actor_label or _actor_name(actor)
    previous = sr.department
    sr.department, sr.assignee, sr.team = department, None, None
    sr.routed_at = timezone.now()
    # Routing moving it is not staff acting: a resident's unread reply stays flagged.
    _touch(sr, "department", "assignee", "team", "routed_at", staff_acted=actor is not None)
    event_record(
        request=sr,
        type=RequestEvent.Type.ROUTED,
        actor=actor,
        actor_label=label,
        public=True,
        from_value=previous.name if previous else "",
        to_value=department.name,
        message=reason,
        # public_reason: the tracker shows the reason (a staff transfer's; its form says so).
        data={
            "department_id": department.pk,
            "transfer": True,
            **({"public_reason": True} if public_reason else {}),
        },
    )
    if sr.status != Status.IN_QUEUE and sr.can_move_to(Status.ROUTED):
        request_status_change(request=sr, to_status=Status.ROUTED, actor=actor, actor_label=label)
    if sr.can_move_to(Status.IN_QUEUE) and sr.status == Status.ROUTED:
        request_status_change(request=sr, to_status=Status.IN_QUEUE, actor=actor, actor_label=label)


def request_supporter_add(
    *,
    request: ServiceRequest,
    actor: Actor,
    name: str = "",
    email: str = "",
    phone: str = "",
    channel: str = Channel.PHONE,
    language: str = "en",
) -> Supporter:
    """A caller reports a problem already on file: attach them instead of a new request."""
    with _locked(request, None, must_be_open=False) as sr:
        supporter = Supporter.objects.create(
            request=sr,
            name=name.strip(),
            email=email.strip(),
            phone=phone,
            channel=channel,
            language=language,
        )
        sr.supporter_count += 1
        _touch(sr, "supporter_count", staff_acted=False)
        _staff_event(
            sr,
            type=RequestEvent.Type.SUPPORTER_ADDED,
            actor=actor,
            public=True,
            message="Another resident reported this problem too.",
            data={"supporter_id": supporter.pk, "channel": channel},
        )
        return supporter


def staff_user_list(*, department: Department):
    """Staff who can be assigned work in a department."""
    return (
        get_user_model()
        .objects.filter(staff_profile__departments=department, is_active=True)
        .order_by("first_name", "username")
    )
