"""The small tables that change only when an admin edits them, held in each web process.

Categories (with their groups, questions and choices), departments, areas' names and closure
reasons are a few hundred rows that every resident page shows. Joining them to the request table
made PostgreSQL weigh many join orders for each page (7 ms of planning for a 0.4 ms query at 1M
requests); reading them on every page cost queries and time for rows that had not changed.

1. A database trigger on each of those tables sets `ReferenceVersion`'s one row to a new number
   on any write, in the writer's transaction (migration 0003): admin saves and bulk actions, city
   pack loads and raw SQL all count, and nobody can see the new number before the new rows.
2. `reference()` reads that number (one indexed single-row query) and returns this process's
   snapshot when it was loaded under the same number, else loads a new one (eight small queries).
   Every gunicorn worker checks on every page, so an edit shows on the next page load anywhere.
3. A snapshot is shared by every request of the process: callers read it and never change it
   (`category_groups_ranked` copies the groups it narrows down).
4. Rendered fragments that depend on nothing but the snapshot and the language (the category
   picker) are kept on the snapshot too, so they go when it goes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from requests_app.configcache import config_stamp_now
from requests_app.models import (
    Area,
    AreaSet,
    Category,
    CategoryGroup,
    ClosureReason,
    Department,
    Question,
    QuestionChoice,
    ServiceRequest,
)

# Rendered fragments one snapshot keeps (a few kB each).
FRAGMENTS_MAX = 2000


@dataclass
class Reference:
    version: int | None
    # Groups in display order, each with `matching`: its active categories in display order.
    groups: list[CategoryGroup]
    # Every category, active or not (a request keeps the category it was filed under), each with
    # its questions and their choices prefetched.
    categories: dict[int, Category]
    active_categories: list[Category]
    departments: dict[int, Department]
    # Neighbourhoods and wards of every set (a request keeps the area it was filed in): names
    # only, never the geometry.
    areas: dict[int, Area]
    neighbourhoods: list[Area]  # the active set's, by name
    closure_reasons: dict[int, ClosureReason]
    closure_reasons_by_code: dict[str, ClosureReason]
    fragments: dict[tuple, str] = field(default_factory=dict)
    # The category search's results by words (requests_app.category_search), as fragments.
    searches: dict[tuple, list] = field(default_factory=dict)

    def fragment(self, key: tuple, render: Callable[[], str]) -> str:
        """A rendered piece of page kept with this snapshot (key it by everything else it
        depends on, e.g. the language). Keys can come from what residents type (the category
        search's words), so at most FRAGMENTS_MAX are kept; past that they are rendered each
        time (the first ones kept are the pickers every page shows)."""
        html = self.fragments.get(key)
        if html is None:
            html = render()
            if len(self.fragments) < FRAGMENTS_MAX:
                self.fragments[key] = html
        return html


_snapshot: Reference | None = None


def reference_version() -> int | None:
    """The config stamp this snapshot is checked against, or None when there is no stamp row (a
    database flushed outside the migrations): then nothing is kept."""
    return config_stamp_now()


def _load(version: int | None) -> Reference:
    groups = list(CategoryGroup.objects.all())
    by_group = {g.id: g for g in groups}
    questions = Question.objects.prefetch_related(
        Prefetch("choices", queryset=QuestionChoice.objects.all())
    )
    # Not the search vectors: the search reads them in SQL (requests_app.category_search).
    categories = list(
        Category.objects.defer("search_en", "search_es").prefetch_related(
            Prefetch("questions", queryset=questions)
        )
    )
    departments = {d.id: d for d in Department.objects.all()}
    for group in groups:
        group.matching = []
    for category in categories:
        group = by_group[category.group_id]
        Category.group.field.set_cached_value(category, group)
        department = departments.get(category.default_department_id)
        if department is not None:
            Category.default_department.field.set_cached_value(category, department)
        if category.active:
            group.matching.append(category)
    areas = list(
        Area.objects.filter(kind__in=[AreaSet.Kind.NEIGHBOURHOOD, AreaSet.Kind.WARD]).only(
            "id", "kind", "name", "area_set"
        )
    )
    active_sets = set(
        AreaSet.objects.filter(active=True, kind=AreaSet.Kind.NEIGHBOURHOOD).values_list(
            "id", flat=True
        )
    )
    reasons = list(ClosureReason.objects.all())
    return Reference(
        version=version,
        groups=[g for g in groups if g.matching],
        categories={c.id: c for c in categories},
        active_categories=[c for c in categories if c.active],
        departments=departments,
        areas={a.id: a for a in areas},
        neighbourhoods=[a for a in areas if a.area_set_id in active_sets],
        closure_reasons={r.id: r for r in reasons},
        closure_reasons_by_code={r.code: r for r in reasons},
    )


def reference() -> Reference:
    """This process's snapshot of the reference tables, current as of this call."""
    return reference_at(reference_version())


def reference_at(version: int | None) -> Reference:
    """The snapshot for a config stamp the caller has just read itself, in a statement of its
    own (the tracker reads it with the request's row: a round trip less per page)."""
    global _snapshot
    snapshot = _snapshot
    if snapshot is not None and version is not None and snapshot.version == version:
        return snapshot
    snapshot = _load(version)
    if version is not None:
        _snapshot = snapshot
    return snapshot


def reference_held() -> Reference | None:
    """This process's snapshot as last loaded, unchecked (a caller that reads the stamp in a
    statement of its own when it has something kept on it)."""
    return _snapshot


def reference_forget() -> None:
    """Drop this process's snapshot (tests that stand for a second web process use it)."""
    global _snapshot
    _snapshot = None


def requests_attach(*, rows: list[ServiceRequest], ref: Reference) -> None:
    """Give each request its category, department, neighbourhood and closure reason from the
    snapshot, so reading them costs no query. One missing from the snapshot (written after it
    was read) is left to Django to load as usual."""
    links = (
        (ServiceRequest.category.field, "category_id", ref.categories),
        (ServiceRequest.department.field, "department_id", ref.departments),
        (ServiceRequest.neighbourhood.field, "neighbourhood_id", ref.areas),
        (ServiceRequest.closure_reason.field, "closure_reason_id", ref.closure_reasons),
    )
    for row in rows:
        for fk, attname, table in links:
            if attname not in row.__dict__:
                continue  # a column the query did not fetch
            value = row.__dict__[attname]
            if value is None:
                fk.set_cached_value(row, None)
            elif value in table:
                fk.set_cached_value(row, table[value])


def category_groups_ranked(*, ref: Reference, categories: list[Category]) -> list[CategoryGroup]:
    """The groups of `categories` (best first), each with `matching` narrowed to those of its
    categories in that order, the groups in the order of their best category: copies, the
    snapshot's own groups stay whole."""
    by_id = {g.id: g for g in ref.groups}
    found: dict[int, CategoryGroup] = {}
    for category in categories:
        group = found.get(category.group_id)
        if group is None:
            if category.group_id not in by_id:
                continue
            group = found[category.group_id] = copy.copy(by_id[category.group_id])
            group.matching = []
        group.matching.append(category)
    return list(found.values())
