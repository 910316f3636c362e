"""Routing rules evaluated on a plain description of a request, so the live request and the admin
dry-run tester share one code path.

``rules_evaluate`` runs a fixed number of queries whatever the number of rules:
1. active rules with their departments and teams (one query) and their M2M conditions (three
   prefetch queries), kept per process until an admin edits them (requests_app.configcache);
2. the areas of all rules that contain the point (one query);
3. when no rule routes: the picked asset's owner department (loaded with the asset by the
   caller), else the category's default department (already joined on the category).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db.models import Prefetch
from django.utils import timezone

from requests_app.configcache import config_cached
from requests_app.models import (
    Area,
    Asset,
    Category,
    CategoryGroup,
    Department,
    Priority,
    Team,
)
from routing.models import RoutingRule, csv_values


@dataclass(frozen=True)
class RequestLike:
    """What routing looks at: the live request or the dry-run form."""

    category: Category
    point: Point | None
    description: str = ""
    answers: dict = field(default_factory=dict)
    channel: str = ""
    at: datetime | None = None
    # The asset the resident picked (with its department loaded), if any.
    asset: Asset | None = None


@dataclass(frozen=True)
class Fired:
    """One action decided by one rule, with the matched conditions in words."""

    rule: RoutingRule | None
    reasons: tuple[str, ...]

    @property
    def because(self) -> str:
        if self.rule is None:
            return ""
        parts = f" ({', '.join(self.reasons)})" if self.reasons else ""
        return f"by rule '{self.rule.name}'{parts}"


@dataclass
class RoutingDecision:
    department: Department
    department_by: Fired
    team: Team | None = None
    team_by: Fired | None = None
    priority: str = ""
    priority_by: Fired | None = None
    tag: str = ""
    tag_by: Fired | None = None
    matched: list[Fired] = field(default_factory=list)
    # Set when no rule routed and the department is the picked asset's owner.
    owner_of: Asset | None = None

    @property
    def department_explanation(self) -> str:
        if self.owner_of is not None:
            asset = self.owner_of
            return (
                f"Routed to {self.department.name} (owner of {asset.asset_type} {asset.asset_id})"
            )
        if self.department_by.rule is None:
            return (
                f"Routed to {self.department.name} (no rule matched; default for "
                f"{self.department_by.reasons[0]})"
            )
        return f"Routed to {self.department.name} {self.department_by.because}"

    @property
    def team_explanation(self) -> str:
        return f"Assigned to {self.team.name} {self.team_by.because}" if self.team_by else ""

    @property
    def priority_explanation(self) -> str:
        if not self.priority_by:
            return ""
        return f"Priority {Priority(self.priority).label} {self.priority_by.because}"

    @property
    def tag_explanation(self) -> str:
        return f"Tagged '{self.tag}' {self.tag_by.because}" if self.tag_by else ""

    def explanations(self) -> list[str]:
        lines = [
            self.department_explanation,
            self.team_explanation,
            self.priority_explanation,
            self.tag_explanation,
        ]
        return [line for line in lines if line]


def rules_active() -> list[RoutingRule]:
    """Active rules in order with everything matching needs; no query while nothing was edited
    (see configcache), else four."""
    return config_cached("routing.rules", rules_active_load)


def rules_active_load() -> list[RoutingRule]:
    return list(
        RoutingRule.objects.filter(active=True)
        .select_related("department", "team__department")
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.only("id", "name")),
            Prefetch("category_groups", queryset=CategoryGroup.objects.only("id", "name")),
            Prefetch("areas", queryset=Area.objects.only("id", "name")),
        )
        .order_by("order", "id")
    )


def _areas_containing(rules: list[RoutingRule], point: Point | None) -> set[int]:
    area_ids = {area.pk for rule in rules for area in rule.areas.all()}
    if point is None or not area_ids:
        return set()
    # The geometry decides, not the request's stored neighbourhood: custom zones have no FK.
    return set(
        Area.objects.filter(pk__in=area_ids, geom__intersects=point).values_list("pk", flat=True)
    )


def _in_window(rule: RoutingRule, at: datetime) -> tuple[bool, str]:
    local = timezone.localtime(at, ZoneInfo(settings.CITY_TIME_ZONE))
    reasons = []
    if rule.weekdays:
        if local.weekday() not in rule.weekdays:
            return False, ""
        reasons.append(f"day={local:%a}")
    if rule.time_start is not None and rule.time_end is not None:
        now, start, end = local.time(), rule.time_start, rule.time_end
        # start > end wraps past midnight (e.g. 22:00-06:00).
        inside = start <= now < end if start <= end else (now >= start or now < end)
        if not inside:
            return False, ""
        reasons.append(f"time={start:%H:%M}-{end:%H:%M}")
    return True, ", ".join(reasons)


def _answer_matches(answer: object, expected: str) -> bool:
    if isinstance(answer, list | tuple):
        return any(str(item).strip().lower() == expected for item in answer)
    return answer is not None and str(answer).strip().lower() == expected


def rule_match(
    rule: RoutingRule, request_like: RequestLike, containing: set[int]
) -> tuple[str, ...] | None:
    """The matched conditions in words, or None when a condition fails."""
    reasons: list[str] = []
    category = request_like.category
    categories = rule.categories.all()
    if categories:
        if category.pk not in {c.pk for c in categories}:
            return None
        reasons.append(f"category={category.name}")
    groups = rule.category_groups.all()
    if groups:
        group = next((g for g in groups if g.pk == category.group_id), None)
        if group is None:
            return None
        reasons.append(f"group={group.name}")
    areas = rule.areas.all()
    if areas:
        area = next((a for a in areas if a.pk in containing), None)
        if area is None:
            return None
        reasons.append(f"area={area.name}")
    keywords = csv_values(rule.keywords)
    if keywords:
        text = request_like.description.lower()
        word = next((k for k in keywords if re.search(rf"\b{re.escape(k.lower())}\b", text)), None)
        if word is None:
            return None
        reasons.append(f"keyword={word}")
    if rule.answer_code:
        answer = (request_like.answers or {}).get(rule.answer_code)
        expected = rule.answer_value.strip().lower()
        answered = answer not in (None, "", [])
        # No expected value means "any answer at all".
        if not (_answer_matches(answer, expected) if expected else answered):
            return None
        reasons.append(f"{rule.answer_code}={rule.answer_value or 'answered'}")
    asset_types = {value.lower() for value in csv_values(rule.asset_types)}
    if asset_types:
        asset = request_like.asset
        if asset is None or asset.asset_type.lower() not in asset_types:
            return None
        reasons.append(f"asset={asset.asset_type} {asset.asset_id}")
    channels = csv_values(rule.channels)
    if channels:
        if request_like.channel not in channels:
            return None
        reasons.append(f"channel={request_like.channel}")
    if rule.weekdays or rule.time_start is not None:
        inside, words = _in_window(rule, request_like.at or timezone.now())
        if not inside:
            return None
        reasons.append(words)
    return tuple(reasons)


def _asset_owner(asset: Asset | None) -> Department | None:
    if asset is None or asset.department_id is None or not asset.department.active:
        return None
    return asset.department


def rules_evaluate(*, request_like: RequestLike) -> RoutingDecision:
    """Where the request goes: for each action type the first matching rule with that action
    wins. With no rule routing it, the department is the picked asset's owner (an active one),
    else the category's default. A team is only taken from a rule whose team belongs to the
    department decided."""
    rules = rules_active()
    containing = _areas_containing(rules, request_like.point)
    matched: list[tuple[RoutingRule, Fired]] = []
    for rule in rules:
        reasons = rule_match(rule, request_like, containing)
        if reasons is not None:
            matched.append((rule, Fired(rule=rule, reasons=reasons)))

    routing = next(((r, f) for r, f in matched if r.department_id), None)
    category = request_like.category
    owner = _asset_owner(request_like.asset)
    if routing:
        decision = RoutingDecision(department=routing[0].department, department_by=routing[1])
    elif owner is not None:
        asset = request_like.asset
        decision = RoutingDecision(
            department=owner,
            department_by=Fired(rule=None, reasons=(f"{asset.asset_type} {asset.asset_id}",)),
            owner_of=asset,
        )
    else:
        decision = RoutingDecision(
            department=category.default_department,
            department_by=Fired(rule=None, reasons=(category.name,)),
        )
    decision.matched = [f for _, f in matched]
    for rule, fired in matched:
        if (
            decision.team is None
            and rule.team_id
            and rule.team.department_id == decision.department.pk
        ):
            decision.team, decision.team_by = rule.team, fired
        if not decision.priority and rule.priority:
            decision.priority, decision.priority_by = rule.priority, fired
        if not decision.tag and rule.tag:
            decision.tag, decision.tag_by = rule.tag, fired
    return decision
