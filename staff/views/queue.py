"""The department queues: the back office's main screen, and bulk actions on its rows.

One view and one template serve the page and its fragments: the filter form swaps `#results`,
the 20-second poll swaps only the rows (`#queue-rows`), and a history restore gets the page."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url

from civic311.http import HtmxHttpRequest, see_other
from requests_app.configcache import config_snapshot, config_stamp_now
from requests_app.maps import map_config
from requests_app.models import Channel, Role
from requests_app.models import Priority as PriorityChoice
from requests_app.page_stencil import Stencil, mark
from requests_app.permissions import staff_required
from staff import selectors
from staff.detail_selectors import labelled_choices
from staff.forms_queue import (
    DUE_CHOICES,
    SORT_CHOICES,
    STATUS_CHOICES,
    BulkForm,
    QueueFilterForm,
)
from staff.services import BULK_STATUSES, request_bulk_apply
from staff.views import queue_cache
from staff.views.queue_rows import grouped_options_html, options_html, queue_rows_html

ROWS_TARGET = "queue-rows"


def _may_act(staff) -> bool:
    return staff.is_city_admin or staff.role in (Role.AGENT, Role.SUPERVISOR)


def _scope(request: HttpRequest, filters: selectors.QueueFilters) -> selectors.QueueScope:
    try:
        return selectors.queue_scope(staff=request.staff, filters=filters)
    except selectors.QueueAccessDenied:
        raise PermissionDenied from None


def _selected(request: HttpRequest) -> set[int]:
    """The ticked rows (`ids=<pk>:<version>` in the URL): they come back ticked."""
    selected = set()
    for raw in request.GET.getlist("ids"):
        pk = raw.partition(":")[0]
        if pk.isdigit():
            selected.add(int(pk))
    return selected


@dataclass(frozen=True)
class QueueRows:
    """What a load of the queue shows that its cache key decides (staff.views.queue_cache):
    the counters, the rows' HTML, the paging, the map's points."""

    key: tuple | None
    counters: selectors.QueueCounters
    rows_html: SafeString
    count: int
    page: int
    has_next: bool
    points: list[dict] | None


def _queue_rows(
    request: HttpRequest,
    scope: selectors.QueueScope,
    now: datetime,
    *,
    may_act: bool,
    selected: set[int],
    stamp: str | None = None,
) -> QueueRows:
    """The rows and counters from the process's cache, else read and rendered (and kept). The
    tally's stamp is read first (or `stamp`, the 304 check's read of it, is used), and a miss
    keys its entry by the stamp the counters read before the rows: never older than it says."""
    base = queue_cache.queue_key_base(
        scope=scope,
        user=request.user,
        now=now,
        rights=queue_cache.rows_rights(request.staff, scope, may_act=may_act),
        selected=selected,
    )
    if stamp is None:
        stamp = selectors.queue_stamp(scope=scope)
    cached = queue_cache.QUEUE_CACHE.get(base and (stamp, *base))
    if cached is not None:
        return cached
    # The counters are read before the rows (their stamp must not be newer than the rows: see
    # selectors.queue_counters), and keep the entry.
    counters = selectors.queue_counters(scope=scope, user=request.user, now=now, stamp=stamp)
    page = selectors.queue_page(scope=scope, staff=request.staff, now=now)
    points = None
    if scope.filters.view == "map":
        points = [
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
    # One string for the template: a loop over 50 rows cost more than the join.
    rows_html = mark_safe(  # noqa: S308 - each row escaped by queue_row_html
        "".join(
            f"{row}\n    " for row in queue_rows_html(page.rows, may_act=may_act, selected=selected)
        )
    )
    rows = QueueRows(
        key=base and (counters.stamp, *base),
        counters=counters,
        rows_html=rows_html,
        count=len(page.rows),
        page=page.page,
        has_next=page.has_next,
        points=points,
    )
    queue_cache.QUEUE_CACHE.put(rows.key, rows, len(rows_html) + 200 * len(points or ()))
    return rows


def _queue_context(
    request: HttpRequest,
    filters: selectors.QueueFilters,
    *,
    part: str,
    scope: selectors.QueueScope | None = None,
    rows: QueueRows | None = None,
    now: datetime | None = None,
    groups: list[selectors.AssigneeGroup] | None = None,
) -> dict:
    """Everything the queue template needs for `part` ("page", "results" or "rows"); the rows
    fragment skips the filter choices it does not show. `groups`: the people to assign to, when
    already read."""
    scope = scope or _scope(request, filters)
    f = scope.filters
    may_act = _may_act(request.staff)
    if rows is None:
        rows = _queue_rows(
            request, scope, now or timezone.now(), may_act=may_act, selected=_selected(request)
        )
    context = {
        "scope": scope,
        "filters": f,
        "page": rows,
        "row_count": rows.count,
        "counters": rows.counters,
        "may_act": may_act,
        "rows_html": rows.rows_html,
        "self_qs": f.querystring(page=f.page),
        "prev_qs": f.querystring(page=f.page - 1) if f.page > 1 else "",
        "next_qs": f.querystring(page=f.page + 1) if rows.has_next else "",
        "sort_links": _sort_links(f),
        "counter_links": _counter_links(f),
        "rows_target": ROWS_TARGET,
        # Reversed once here rather than by each {% url %} tag outside {% per_language %}.
        "queue_url": reverse("staff:queue"),
        "fragment": part != "page",
        "heading": _heading(scope),
        "caption": _caption(scope, f, rows),
    }
    if rows.points is not None:
        context["points"] = rows.points
    if part == "rows":
        return context
    # The selects' options are built in Python (staff.views.queue_rows): 150 options looped in
    # the template were a third of its time. Their HTML is kept too (_options).
    options = {}
    if may_act:
        if groups is None:
            groups = selectors.queue_assignee_groups(scope=scope)
        options["bulk_assign"] = _options(
            "bulk_assign", None, lambda: grouped_options_html(groups), _groups_key(groups)
        )
        options["bulk_priority"] = _options(
            "bulk_priority", None, lambda: options_html(PriorityChoice.choices)
        )
        options["bulk_status"] = _options(
            "bulk_status", None, lambda: options_html([(s.value, s.label) for s in BULK_STATUSES])
        )
        options["closure_reason"] = _options(
            "closure_reason",
            None,
            lambda: options_html(labelled_choices(selectors.queue_closure_reasons())),
        )
    context["options"] = options
    if part == "page":
        if groups is None:
            groups = selectors.queue_assignee_groups(scope=scope)
        options.update(
            {
                "status": _options(
                    "status", f.status, lambda: options_html(STATUS_CHOICES, f.status)
                ),
                "category": _options(
                    "category",
                    f.category,
                    lambda: options_html(
                        ((c.id, c.tr("name")) for c in selectors.queue_categories()), f.category
                    ),
                ),
                "area": _options(
                    "area",
                    f.area,
                    lambda: options_html(((a.id, a.name) for a in selectors.queue_areas()), f.area),
                ),
                "assignee": _options(
                    "assignee",
                    f.assignee,
                    lambda: grouped_options_html(groups, f.assignee),
                    _groups_key(groups),
                ),
                "priority": _options(
                    "priority", f.priority, lambda: options_html(PriorityChoice.choices, f.priority)
                ),
                "due": _options("due", f.due, lambda: options_html(DUE_CHOICES, f.due)),
                "channel": _options(
                    "channel", f.channel, lambda: options_html(Channel.choices, f.channel)
                ),
                "sort": _options("sort", f.sort, lambda: options_html(SORT_CHOICES, f.sort)),
            }
        )
        context.update(
            {
                "map_config": map_config() if f.view == "map" else None,
                "scope_links": _scope_links(scope),
                "clear_qs": selectors.QueueFilters(
                    scope=f.scope, department=f.department, view=f.view
                ).querystring(),
                "filters_active": (active := _panel_filters_active(f)),
                "filters_open": bool(active),
                "map_qs": f.querystring(view="map", page=f.page),
                "list_qs": f.querystring(view="list", page=f.page),
            }
        )
    return context


def _options(name: str, selected, build: Callable[[], SafeString], data: tuple = ()) -> SafeString:
    """A select's `<option>`s, built once per process for the same choices, language and
    selected value: the lists come from the per-process copies the config stamp guards, but for
    the people to assign to, read on each page and passed in `data`."""
    config = config_stamp_now()
    key = config and ("options", name, config, get_language() or "", selected, data)
    html = queue_cache.QUEUE_CACHE.get(key)
    if html is None:
        html = build()
        queue_cache.QUEUE_CACHE.put(key, html, len(html))
    return html


def _groups_key(groups: list[selectors.AssigneeGroup]) -> tuple:
    """What the people-and-teams options show beyond the config stamp: who is in each group
    (the department and team names are under the config stamp)."""
    return tuple((g.department.pk, tuple(g.people), tuple(t.pk for t in g.teams)) for g in groups)


# The filters in the folded panel (the search box stays outside it), and the sort.
PANEL_FILTERS = (
    "status",
    "category",
    "area",
    "assignee",
    "priority",
    "due",
    "channel",
    "created_from",
    "created_to",
    "sort",
)


def _panel_filters_active(f: selectors.QueueFilters) -> int:
    """How many of the panel's filters differ from the default queue: the panel opens when any
    does, and its summary says how many, so a narrowed list never hides why."""
    defaults = selectors.QueueFilters()
    return sum(getattr(f, name) != getattr(defaults, name) for name in PANEL_FILTERS)


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
    # The plain /staff/ (and its refresh) asks for the defaults: no form to build (its fields
    # are deep-copied, ~0.5 ms) nor validate.
    form = QueueFilterForm(request.GET) if request.GET else None
    filters = form.filters() if form else selectors.QueueFilters()
    template, part = _template(request)
    if part == "rows":
        return _poll(request, filters, template)
    filter_errors = form.shown_errors() if form else {}
    if part == "page" and not filter_errors:
        return _page(request, filters, template)
    context = _queue_context(request, filters, part=part)
    context["filter_errors"] = filter_errors
    if context["filter_errors"]:
        context["filters_open"] = True  # the dates are in the folded filter panel
    response = render(request, template, context)
    if part == "results":
        # The address bar gets the tidy URL, not the form's every empty field.
        push_url(response, reverse("staff:queue") + context["self_qs"].rstrip("?"))
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _page(request: HtmxHttpRequest, filters: selectors.QueueFilters, template: str) -> HttpResponse:
    """The whole page, kept per process and person (queue_cache.page_key) with the CSRF token
    left to fill: what a load of an unchanged queue costs is then the session, the stamps, the
    people to assign to and the token, not the template."""
    scope = _scope(request, filters)
    rows = _queue_rows(
        request,
        scope,
        timezone.now(),
        may_act=_may_act(request.staff),
        selected=_selected(request),
    )
    groups = selectors.queue_assignee_groups(scope=scope)
    # Messages waiting are shown (and so used up) by the page: that load renders afresh.
    key = None
    if not len(messages.get_messages(request)):
        key = queue_cache.page_key(request, rows_key=rows.key, people=_groups_key(groups))
    kept = queue_cache.PAGE_CACHE.get(key)
    if kept is None:
        context = _queue_context(
            request, filters, part="page", scope=scope, rows=rows, groups=groups
        )
        context["filter_errors"] = {}
        if key is None:
            response = render(request, template, context)
            patch_vary_headers(response, ["HX-Request", "HX-Target"])
            return response
        # Every {% csrf_token %} and {{ csrf_token }} takes the context's value: a slot.
        context["csrf_token"] = mark("csrf_token")
        kept = Stencil(render_to_string(template, context, request), ("csrf_token",))
        queue_cache.PAGE_CACHE.put(key, kept, sum(len(piece) for piece in kept.parts))
    response = HttpResponse(kept.fill({"csrf_token": get_token(request)}))
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
    response = stamp = None
    # Without an ETag to compare (the first poll) the answer is a render: skip the stamp.
    if request.headers.get("If-None-Match"):
        stamp = selectors.queue_stamp(scope=scope)
        etag = _poll_etag(request, stamp, now)
        response = get_conditional_response(request, etag=etag)
    if response is None:
        rows = _queue_rows(
            request,
            scope,
            now,
            may_act=_may_act(request.staff),
            selected=_selected(request),
            stamp=stamp,
        )
        # The counters' own stamp (read with them): never newer than the rows shown.
        etag = _poll_etag(request, rows.counters.stamp, now)
        # The fragment shows nothing the rows' key does not decide: kept whole beside them.
        body_key = rows.key and ("poll", *rows.key)
        body = queue_cache.QUEUE_CACHE.get(body_key)
        if body is None:
            context = _queue_context(request, filters, part="rows", scope=scope, rows=rows)
            response = render(request, template, context)
            queue_cache.QUEUE_CACHE.put(body_key, response.content, len(response.content))
        else:
            response = HttpResponse(body)
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
