"""The department queues: the back office's main screen, and bulk actions on its rows.

One view and one template serve the page and its fragments: the filter form swaps `#results`,
the 20-second poll swaps only the rows (`#queue-rows`), and a history restore gets the page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url

from requests_app.models import Category, Channel, Role, ServiceRequest, Status, Team
from requests_app.models import Priority as PriorityChoice
from requests_app.selectors import neighbourhood_list
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
from requests_app.views import map_config
from staff import selectors
from staff.access import staff_required
from staff.forms_queue import (
    DUE_CHOICES,
    SORT_CHOICES,
    STATUS_CHOICES,
    BulkForm,
    QueueFilterForm,
)

NOT_YOUR_DEPARTMENT = gettext_noop("another department’s request")
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
ROWS_TARGET = "queue-rows"


def _may_act(staff) -> bool:
    return staff.is_city_admin or staff.role in (Role.AGENT, Role.SUPERVISOR)


def _queue_context(request: HttpRequest, filters: selectors.QueueFilters, *, part: str) -> dict:
    """Everything the queue template needs for `part` ("page", "results" or "rows"); the rows
    fragment skips the filter choices it does not show."""
    try:
        scope = selectors.queue_scope(staff=request.staff, filters=filters)
    except selectors.QueueAccessDenied:
        raise PermissionDenied from None
    now = timezone.now()
    f = scope.filters
    page = selectors.queue_page(scope=scope, staff=request.staff, now=now)
    selected = set()
    for raw in request.GET.getlist("ids"):
        pk = raw.partition(":")[0]
        if pk.isdigit():
            selected.add(int(pk))
    context = {
        "scope": scope,
        "filters": f,
        "page": page,
        "rows": page.rows,
        "counters": selectors.queue_counters(scope=scope, user=request.user, now=now),
        "selected": selected,
        "may_act": _may_act(request.staff),
        "self_qs": f.querystring(page=f.page),
        "prev_qs": f.querystring(page=f.page - 1) if f.page > 1 else "",
        "next_qs": f.querystring(page=f.page + 1) if page.has_next else "",
        "sort_links": _sort_links(f),
        "counter_links": _counter_links(f),
        "rows_target": ROWS_TARGET,
        "fragment": part != "page",
        "heading": _heading(scope),
        "caption": _caption(scope, f, page),
    }
    if f.view == "map":
        context["points"] = [
            {
                "lat": r.location.y,
                "lng": r.location.x,
                "tn": r.tracking_number,
                "label": r.category.tr("name"),
                "url": reverse("staff:detail", args=[r.tracking_number]),
                "overdue": r.overdue,
            }
            for r in page.rows
        ]
    if part == "rows":
        return context
    if context["may_act"]:
        context["assignee_groups"] = selectors.queue_assignee_groups(scope=scope)
        context["closure_reasons"] = list(selectors.closure_reason_list())
        context["bulk_statuses"] = [(s.value, s.label) for s in BULK_STATUSES]
    if part == "page":
        context.update(
            {
                "categories": Category.objects.filter(active=True).only("id", "name", "name_es"),
                "areas": neighbourhood_list(),
                "assignee_groups": context.get("assignee_groups")
                or selectors.queue_assignee_groups(scope=scope),
                "status_choices": STATUS_CHOICES,
                "priority_choices": PriorityChoice.choices,
                "channel_choices": Channel.choices,
                "sort_choices": SORT_CHOICES,
                "due_choices": DUE_CHOICES,
                "map_config": map_config() if f.view == "map" else None,
                "scope_links": _scope_links(scope),
                "clear_qs": selectors.QueueFilters(
                    scope=f.scope, department=f.department, view=f.view
                ).querystring(),
                "more_open": bool(
                    f.channel or f.created_from or f.created_to or f.sort != selectors.SORT_DUE
                ),
                "map_qs": f.querystring(view="map", page=f.page),
                "list_qs": f.querystring(view="list", page=f.page),
            }
        )
    return context


def _heading(scope: selectors.QueueScope) -> str:
    kind = scope.filters.scope
    if kind == selectors.SCOPE_MINE:
        return _("My requests")
    if kind == selectors.SCOPE_ALL:
        return _("All departments")
    if kind == selectors.SCOPE_UNASSIGNED:
        if scope.department:
            return _("Unassigned in %(department)s") % {"department": scope.department.tr("name")}
        return _("Unassigned")
    return _("%(department)s queue") % {"department": scope.department.tr("name")}


def _caption(scope: selectors.QueueScope, f: selectors.QueueFilters, page) -> str:
    sort = dict(SORT_CHOICES).get(f.sort, "")
    return _("%(queue)s, sorted by %(sort)s, page %(page)d") % {
        "queue": _heading(scope),
        "sort": str(sort).lower(),
        "page": page.page,
    }


def _counter_links(f: selectors.QueueFilters) -> dict[str, str]:
    """Each counter opens the queue narrowed to what it counts."""
    s = selectors
    base = s.QueueFilters(scope=f.scope, department=f.department, view=f.view)
    return {
        "new": base.querystring(status=s.STATUS_NEW),
        "unassigned": base.querystring(scope=s.SCOPE_UNASSIGNED),
        "due_today": base.querystring(due=s.DUE_TODAY),
        "overdue": base.querystring(due=s.DUE_OVERDUE),
    }


@dataclass
class SortLink:
    key: str
    qs: str
    aria_sort: str = ""  # "ascending"/"descending" on the column the list is sorted by


def _sort_links(f: selectors.QueueFilters) -> dict[str, SortLink]:
    """Column headers sort the list: SLA due ascending, priority urgent first (descending),
    age youngest first or oldest first (a second click flips it)."""
    s = selectors
    age_next = s.SORT_OLDEST if f.sort == s.SORT_NEWEST else s.SORT_NEWEST
    links = {
        "due": SortLink(s.SORT_DUE, f.querystring(sort=s.SORT_DUE)),
        "priority": SortLink(s.SORT_PRIORITY, f.querystring(sort=s.SORT_PRIORITY)),
        "age": SortLink(age_next, f.querystring(sort=age_next)),
    }
    if f.sort == s.SORT_DUE:
        links["due"].aria_sort = "ascending"
    elif f.sort == s.SORT_PRIORITY:
        links["priority"].aria_sort = "descending"
    elif f.sort == s.SORT_NEWEST:
        links["age"].aria_sort = "ascending"
    elif f.sort == s.SORT_OLDEST:
        links["age"].aria_sort = "descending"
    return links


@dataclass
class ScopeLink:
    label: str
    qs: str
    current: bool = False


def _scope_links(scope: selectors.QueueScope) -> list[ScopeLink]:
    s = selectors
    f = scope.filters
    base = s.QueueFilters(view=f.view)
    links = [
        ScopeLink(
            d.tr("name"),
            base.querystring(department=d.pk),
            f.scope == s.SCOPE_DEPARTMENT and f.department == d.pk,
        )
        for d in scope.tabs
    ]
    links.append(
        ScopeLink(_("My requests"), base.querystring(scope=s.SCOPE_MINE), f.scope == s.SCOPE_MINE)
    )
    links.append(
        ScopeLink(
            _("Unassigned"),
            base.querystring(scope=s.SCOPE_UNASSIGNED),
            f.scope == s.SCOPE_UNASSIGNED and f.department is None,
        )
    )
    if scope.can_see_all:
        links.append(
            ScopeLink(
                _("All departments"), base.querystring(scope=s.SCOPE_ALL), f.scope == s.SCOPE_ALL
            )
        )
    return links


def _template(request: HttpRequest) -> tuple[str, str]:
    if not request.htmx or request.htmx.history_restore_request:
        return "staff/queue.html", "page"
    if request.htmx.target == ROWS_TARGET:
        return "staff/queue.html#poll", "rows"
    return "staff/queue.html#results", "results"


@require_GET
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    filters = QueueFilterForm(request.GET).filters()
    template, part = _template(request)
    context = _queue_context(request, filters, part=part)
    response = render(request, template, context)
    if part == "results":
        # The address bar gets the tidy URL, not the form's every empty field.
        push_url(response, reverse("staff:queue") + context["self_qs"].rstrip("?"))
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


# --- Bulk actions ------------------------------------------------------------------------------


@dataclass
class BulkResult:
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        text = ngettext("%(n)d updated", "%(n)d updated", len(self.updated)) % {
            "n": len(self.updated)
        }
        if self.skipped:
            reasons = "; ".join(f"{tn} ({why})" for tn, why in self.skipped)
            text += ", " + ngettext(
                "%(n)d skipped: %(reasons)s", "%(n)d skipped: %(reasons)s", len(self.skipped)
            ) % {"n": len(self.skipped), "reasons": reasons}
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
        request_priority_change(
            request=sr, actor=self.actor, priority=priority, expected_version=version
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


def bulk_apply(*, request: HttpRequest, form: BulkForm) -> BulkResult:
    """Apply one action to each selected request the user may work on, one workflow call (and
    one event) per request. Rows of other departments, rows someone changed since the user saw
    them and moves the state machine refuses are skipped and reported; the rest go through."""
    applier = BulkApplier(actor=request.user, data=form.cleaned_data)
    found = ServiceRequest.objects.filter(pk__in=list(form.selected)).select_related(
        "assignee", "team"
    )
    by_pk = {sr.pk: sr for sr in found}
    result = BulkResult()
    for pk, version in form.selected.items():
        sr = by_pk.get(pk)
        if sr is None:
            continue
        if not request.staff.can_work_on(sr):
            result.skipped.append((sr.tracking_number, _(NOT_YOUR_DEPARTMENT)))
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


def _next_filters(raw: str) -> selectors.QueueFilters:
    """The queue the bulk form came from, parsed like any queue URL (never a free URL)."""
    return QueueFilterForm(QueryDict(raw.lstrip("?"))).filters()


@require_POST
@staff_required
def bulk(request: HttpRequest) -> HttpResponse:
    if not _may_act(request.staff):
        raise PermissionDenied
    form = BulkForm(request.POST)
    filters = _next_filters(request.POST.get("next", ""))
    if form.is_valid():
        result = bulk_apply(request=request, form=form)
        level = messages.SUCCESS if not result.skipped else messages.WARNING
        text = result.summary()
    else:
        level = messages.ERROR
        text = " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        context = _queue_context(request, filters, part="results")
        context["bulk_message"] = text
        context["bulk_level"] = messages.DEFAULT_TAGS[level]
        return render(request, "staff/queue.html#results", context)
    messages.add_message(request, level, text)
    response = HttpResponseRedirect(
        reverse("staff:queue") + filters.querystring(page=filters.page).rstrip("?")
    )
    response.status_code = 303
    return response
