"""Back-office writes that span many requests. Each request still changes through one workflow
service call, with its own event."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from requests_app.models import Priority as PriorityChoice
from requests_app.models import ServiceRequest, StaffProfile, Status, Team
from requests_app.services import (
    ConflictError,
    TransitionError,
    WorkflowError,
    request_assign,
    request_comment,
    request_lock,
    request_priority_change,
    request_status_change,
)
from staff import selectors
from staff.forms_queue import BulkForm

NOT_IN_DEPARTMENT = gettext_noop("%(name)s does not work for this department")
ALREADY = gettext_noop("already %(value)s")
CLOSURE_REASON_NEEDED = gettext_noop("Choose a closure reason to close requests.")
HOLD_MESSAGE_NEEDED = gettext_noop("Tell the resident what you need from them (the comment box).")
# Statuses a bulk move may set; the rest need a dedicated action (duplicate, reopen, routing).
BULK_STATUSES = (
    Status.IN_QUEUE,
    Status.IN_PROGRESS,
    Status.WAITING_ON_RESIDENT,
    Status.RESOLVED,
    Status.CLOSED,
    Status.REFERRED,
    Status.NOT_ACTIONABLE,
)
CLOSING_STATUSES = frozenset({Status.RESOLVED, Status.REFERRED, Status.NOT_ACTIONABLE})


@dataclass
class BulkResult:
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # Ticked ids the user may not work on, or that do not exist: counted, never named, so the
    # message cannot tell anyone another department's tracking numbers (or which ids exist).
    refused: int = 0

    def summary(self) -> str:
        text = ngettext("%(n)d updated", "%(n)d updated", len(self.updated)) % {
            "n": len(self.updated)
        }
        if self.skipped:
            reasons = "; ".join(f"{tn} ({why})" for tn, why in self.skipped)
            text += ", " + ngettext(
                "%(n)d skipped: %(reasons)s", "%(n)d skipped: %(reasons)s", len(self.skipped)
            ) % {"n": len(self.skipped), "reasons": reasons}
        if self.refused:
            text += ", " + ngettext(
                "%(n)d not yours to change", "%(n)d not yours to change", self.refused
            ) % {"n": self.refused}
        return text + "."


class BulkApplier:
    """One bulk action, prepared once (the chosen person, team or closure reason) and applied
    to each request in turn. `apply` returns why a request was skipped, or "" once changed;
    the workflow services' refusals propagate as exceptions."""

    def __init__(self, *, actor, data: dict) -> None:
        self.actor, self.data, self.action = actor, data, data["action"]
        self.person = self.team = self.reason = None
        self.person_departments: set[int] = set()
        self.person_teams: set[int] = set()
        self.team_members: set[int] = set()
        if self.action == BulkForm.ASSIGN:
            kind, _sep, pk = data["assign_to"].partition(":")
            if kind == "user":
                self.person = selectors.staff_users_by_id(ids=[int(pk)]).get(int(pk))
            elif kind == "team":
                self.team = Team.objects.filter(pk=int(pk)).first()
            if self.person is not None:
                profile = getattr(self.person, "staff_profile", None)
                self.person_departments = profile.department_ids() if profile else set()
                self.person_teams = set(self.person.teams.values_list("pk", flat=True))
            if self.team is not None:
                self.team_members = set(self.team.members.values_list("pk", flat=True))
        if self.action == BulkForm.STATUS and data["status"] in CLOSING_STATUSES:
            reasons = selectors.closure_reason_list()
            self.reason = reasons.filter(pk=data.get("closure_reason")).first()

    def apply(self, sr: ServiceRequest, version: int | None) -> str:
        return getattr(self, f"_{self.action}")(sr, version)

    def _assign(self, sr: ServiceRequest, version: int | None) -> str:
        person, team = self.person, self.team
        refusal = self._assign_refusal(sr)
        if refusal:
            return refusal
        # A person keeps the row's team if they belong to it; a team keeps a member on it.
        request_assign(
            request=sr,
            actor=self.actor,
            assignee=person or (sr.assignee if sr.assignee_id in self.team_members else None),
            team=team or (sr.team if sr.team_id in self.person_teams else None),
            expected_version=version,
        )
        return ""

    def _assign_refusal(self, sr: ServiceRequest) -> str:
        person, team, value = self.person, self.team, self.data["assign_to"]
        if value != "none" and person is None and team is None:
            return _("nobody to assign to")
        if person is not None and sr.department_id not in self.person_departments:
            return _(NOT_IN_DEPARTMENT) % {"name": _name(person)}
        if team is not None and team.department_id != sr.department_id:
            return _("that team belongs to another department")
        if person is not None and sr.assignee_id == person.pk:
            return _(ALREADY) % {"value": _("assigned to %(name)s") % {"name": _name(person)}}
        if team is not None and sr.team_id == team.pk:
            return _(ALREADY) % {"value": _("with %(team)s") % {"team": team.name}}
        if value == "none" and sr.assignee_id is None and sr.team_id is None:
            return _(ALREADY) % {"value": _("unassigned")}
        return ""

    def _priority(self, sr: ServiceRequest, version: int | None) -> str:
        priority = self.data["priority"]
        if sr.priority == priority:
            return _(ALREADY) % {"value": PriorityChoice(priority).label}
        # A person chose it: like the page's priority action, it overrides the priority score.
        request_priority_change(
            request=sr,
            actor=self.actor,
            priority=priority,
            reason="Changed with a bulk action from the queue",
            override=True,
            expected_version=version,
        )
        return ""

    def _status(self, sr: ServiceRequest, version: int | None) -> str:
        to, message = self.data["status"], self.data.get("message", "")
        if to not in {s.value for s in BULK_STATUSES}:
            return _("that status cannot be set from the queue")
        if to in CLOSING_STATUSES and self.reason is None:
            return _(CLOSURE_REASON_NEEDED)
        if to == Status.WAITING_ON_RESIDENT and not message:
            return _(HOLD_MESSAGE_NEEDED)
        with transaction.atomic():
            locked = request_lock(request=sr, expected_version=version)
            request_status_change(
                request=locked,
                to_status=to,
                actor=self.actor,
                actor_label=_name(self.actor),
                message=message,
                closure_reason=self.reason if to in CLOSING_STATUSES else None,
            )
        return ""

    def _comment(self, sr: ServiceRequest, version: int | None) -> str:
        request_comment(
            request=sr,
            actor=self.actor,
            message=self.data["message"],
            public=True,
            expected_version=version,
        )
        return ""


def request_bulk_apply(
    *, staff: StaffProfile, data: dict, selected: dict[int, int | None]
) -> BulkResult:
    """Apply one action to each selected request the user may work on, one workflow call (and
    one event) per request. Rows of other departments, rows someone changed since the user saw
    them and moves the state machine refuses are skipped and reported; the rest go through."""
    applier = BulkApplier(actor=staff.user, data=data)
    found = ServiceRequest.objects.filter(pk__in=list(selected)).select_related("assignee", "team")
    by_pk = {sr.pk: sr for sr in found}
    result = BulkResult()
    for pk, version in selected.items():
        sr = by_pk.get(pk)
        if sr is None or not staff.can_work_on(sr):
            result.refused += 1
            continue
        try:
            refusal = applier.apply(sr, version)
        except (TransitionError, WorkflowError, ConflictError) as error:
            refusal = str(error)
        if refusal:
            result.skipped.append((sr.tracking_number, refusal))
        else:
            result.updated.append(sr.tracking_number)
    return result


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def staff_duty_set(*, user, on_duty: bool) -> StaffProfile | None:
    """Mark a staff member on or off duty (auto-assignment only picks people on duty).
    Setting a value, not toggling, so a repeated POST changes nothing. Returns the profile, or
    None for a user without one (a superuser who is not a team member)."""
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    if profile.on_duty != on_duty:
        profile.on_duty = on_duty
        profile.save(update_fields=["on_duty"])
    return profile
