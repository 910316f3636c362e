"""The department queues: the back office's main screen, and bulk actions on its rows.

One view and one template serve the page and its fragments: the filter form swaps `#results`,
the 20-second poll swaps only the rows (`#queue-rows`), and a history restore gets the page."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url

from civic311.http import HtmxHttpRequest, see_other
from requests_app.configcache import config_snapshot
from requests_app.maps import map_config
from requests_app.models import Channel, Role
from requests_app.models import Priority as PriorityChoice
from requests_app.permissions import staff_required
from staff import selectors
from staff.forms_queue import (
    DUE_CHOICES,
    SORT_CHOICES,
    STATUS_CHOICES,
    BulkForm,
    QueueFilterForm,
)
from staff.services import BULK_STATUSES, request_bulk_apply
from staff.views.queue_rows import grouped_options_html, options_html, queue_rows_html

ROWS_TARGET = "queue-rows"


def _may_act(staff) -> bool:
    return staff.is_city_admin or staff.role in (Role.AGENT, Role.SUPERVISOR)


def _scope(request: HttpRequest, filters: selectors.QueueFilters) -> selectors.QueueScope:
    try:
        return selectors.queue_scope(staff=request.staff, filters=filters)
    except selectors.QueueAccessDenied:
        raise PermissionDenied from None


def _queue_context(
    request: HttpRequest,
    filters: selectors.QueueFilters,
    *,
    part: str,
    scope: selectors.QueueScope | None = None,
    counters: selectors.QueueCounters | None = None,
    now: datetime | None = None,
) -> dict:
    """Everything the queue template needs for `part` ("page", "results" or "rows"); the rows
    fragment skips the filter choices it does not show. The counters are read before the rows
    (their stamp must not be newer than the rows: see selectors.queue_counters)."""
    scope = scope or _scope(request, filters)
    now = now or timezone.now()
    f = scope.filters
    if counters is None:
        counters = selectors.queue_counters(scope=scope, user=request.user, now=now)
    page = selectors.queue_page(scope=scope, staff=request.staff, now=now)
    selected = set()
    for raw in request.GET.getlist("ids"):
        pk = raw.partition(":")[0]
        if pk.isdigit():
            selected.add(int(pk))
    may_act = _may_act(request.staff)
    context = {
        "scope": scope,
        "filters": f,
        "page": page,
        "rows": page.rows,
        "counters": counters,
        "selected": selected,
        "may_act": may_act,
        # One string for the template: a loop over 50 rows cost more than the join.
        "rows_html": mark_safe(  # noqa: S308 - each row escaped by queue_row_html
            "".join(
                f"{row}\n    "
                for row in queue_rows_html(page.rows, may_act=may_act, selected=selected)
            )
        ),
        "self_qs": f.querystring(page=f.page),
        "prev_qs": f.querystring(page=f.page - 1) if f.page > 1 else "",
        "next_qs": f.querystring(page=f.page + 1) if page.has_next else "",
        "sort_links": _sort_links(f),
        "counter_links": _counter_links(f),
        "rows_target": ROWS_TARGET,
        # Reversed once here rather than by each {% url %} tag outside {% per_language %}.
        "queue_url": reverse("staff:queue"),
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
    # The selects' options are built in Python (staff.views.queue_rows): 150 options looped in
    # the template were a third of its time.
    options = {}
    groups = None
    if may_act:
        groups = selectors.queue_assignee_groups(scope=scope)
        options["bulk_assign"] = grouped_options_html(groups)
        options["bulk_priority"] = options_html(PriorityChoice.choices)
        options["bulk_status"] = options_html([(s.value, s.label) for s in BULK_STATUSES])
        options["closure_reason"] = options_html(
            (r.pk, r.name) for r in selectors.queue_closure_reasons()
        )
    context["options"] = options
    if part == "page":
        categories = selectors.queue_categories()
        options.update(
            {
                "status": options_html(STATUS_CHOICES, f.status),
                "category": options_html(((c.id, c.tr("name")) for c in categories), f.category),
                "area": options_html(((a.id, a.name) for a in selectors.queue_areas()), f.area),
                "assignee": grouped_options_html(
                    groups or selectors.queue_assignee_groups(scope=scope), f.assignee
                ),
                "priority": options_html(PriorityChoice.choices, f.priority),
                "due": options_html(DUE_CHOICES, f.due),
                "channel": options_html(Channel.choices, f.channel),
                "sort": options_html(SORT_CHOICES, f.sort),
            }
        )
        context.update(
            {
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
        "response_overdue": base.querystring(due=s.DUE_RESPONSE_OVERDUE),
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


def _template(request: HtmxHttpRequest) -> tuple[str, str]:
    if not request.htmx or request.htmx.history_restore_request:
        return "staff/queue.html", "page"
    if request.htmx.target == ROWS_TARGET:
        return "staff/queue.html#poll", "rows"
    return "staff/queue.html#results", "results"


def _poll_etag(request: HttpRequest, stamp: str, now) -> str:
    """What the 20-second refresh shows depends on: the scope's requests (the tally's stamp
    changes with every committed write to them), the minute (ages, "overdue", "due today"),
    who asks (which rows they may tick), the language and the URL (filters, page, ticked rows).
    Names edited in the admin (a category, a team) show within the minute."""
    staff = request.staff
    parts = (
        stamp,
        now.strftime("%Y%m%d%H%M"),
        str(request.user.pk),
        staff.role,
        str(staff.is_city_admin),
        ",".join(str(pk) for pk in sorted(staff.department_ids())),
        get_language() or "",
        request.get_full_path(),
    )
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    return f'"{digest}"'


@require_GET
@staff_required
def queue(request: HtmxHttpRequest) -> HttpResponse:
    # The tabs and most of the selects' choices are kept per process: one read of the
    # config stamp for all of them (requests_app.configcache).
    with config_snapshot():
        return _queue(request)


def _queue(request: HtmxHttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    # The plain /staff/ (and its refresh) asks for the defaults: no form to validate (0.5 ms).
    filters = form.filters() if request.GET else selectors.QueueFilters()
    template, part = _template(request)
    if part == "rows":
        return _poll(request, filters, template)
    context = _queue_context(request, filters, part=part)
    context["filter_errors"] = form.shown_errors() if request.GET else {}
    if context["filter_errors"]:
        context["more_open"] = True  # the dates are under "More filters"
    response = render(request, template, context)
    if part == "results":
        # The address bar gets the tidy URL, not the form's every empty field.
        push_url(response, reverse("staff:queue") + context["self_qs"].rstrip("?"))
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _poll(request: HtmxHttpRequest, filters: selectors.QueueFilters, template: str) -> HttpResponse:
    """The refresh of the rows: "304 Not Modified" when nothing it shows has changed (the
    staff queue script sends back the ETag it last got), which costs the session, the scope
    and one sum over the tally instead of the rows, the counters and the rendering. The stamp
    is read before anything else, so a 304 never answers for a queue changed since."""
    scope = _scope(request, filters)
    now = timezone.now()
    response = None
    # Without an ETag to compare (the first poll) the answer is a render: skip the stamp.
    if request.headers.get("If-None-Match"):
        etag = _poll_etag(request, selectors.queue_stamp(scope=scope), now)
        response = get_conditional_response(request, etag=etag)
    if response is None:
        counters = selectors.queue_counters(scope=scope, user=request.user, now=now)
        # The counters' own stamp (read with them): never newer than the rows shown.
        etag = _poll_etag(request, counters.stamp, now)
        context = _queue_context(
            request, filters, part="rows", scope=scope, counters=counters, now=now
        )
        response = render(request, template, context)
    response["ETag"] = etag
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _next_filters(raw: str) -> selectors.QueueFilters:
    """The queue the bulk form came from, parsed like any queue URL (never a free URL)."""
    return QueueFilterForm(QueryDict(raw.lstrip("?"))).filters()


@require_POST
@staff_required
def bulk(request: HtmxHttpRequest) -> HttpResponse:
    if not _may_act(request.staff):
        raise PermissionDenied
    form = BulkForm(request.POST)
    filters = _next_filters(request.POST.get("next", ""))
    if form.is_valid():
        result = request_bulk_apply(
            staff=request.staff, data=form.cleaned_data, selected=form.selected
        )
        level = messages.SUCCESS if not result.skipped else messages.WARNING
        text = result.summary()
    else:
        level = messages.ERROR
        text = " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        with config_snapshot():
            context = _queue_context(request, filters, part="results")
        context["bulk_message"] = text
        context["bulk_level"] = messages.DEFAULT_TAGS[level]
        return render(request, "staff/queue.html#results", context)
    messages.add_message(request, level, text)
    return see_other(reverse("staff:queue") + filters.querystring(page=filters.page).rstrip("?"))
