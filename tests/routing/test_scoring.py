"""The priority score: each part and its cap, the bands, keywords as whole words, places within
their radius, disabled settings, idempotence, how a routing rule's priority and a person's
override limit the band, the events that re-score, and the bounded hourly refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.gis.geos import Point

from requests_app.models import Priority, RequestEvent, ServiceRequest
from requests_app.services import (
    request_mark_duplicate,
    request_priority_change,
    request_priority_override_clear,
    request_route,
    request_supporter_add,
)
from routing.models import (
    RoutingRule,
    ScoreKeyword,
    ScoringSettings,
    SensitivePlace,
    SlaTarget,
)
from routing.scoring import (
    on_event,
    priority_floor,
    priority_floor_annotate,
    request_score,
    score_band,
    score_compute,
    score_explain,
    scores_backfill,
    scores_refresh,
    sensitive_place_annotate,
)
from routing.services import request_route_by_rules
from tests.conftest import INSIDE
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

HERE = Point(INSIDE[1], INSIDE[0], srid=4326)
FILED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def metres_north(m: float) -> Point:
    # One degree of latitude is about 111.2 km.
    return Point(INSIDE[1], INSIDE[0] + m / 111_195, srid=4326)


def weights(**values) -> ScoringSettings:
    row, _ = ScoringSettings.objects.get_or_create(pk=1)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


def filed(city, *, at: datetime = FILED, **kwargs) -> ServiceRequest:
    kwargs.setdefault("channel", "phone")  # gas leaks are reported by phone
    with time_machine.travel(at, tick=False):
        sr = submit(city, **kwargs)
        request_route(request=sr, department=city.streets)
    sr.refresh_from_db()
    return sr


def parts(result) -> list[tuple[str, int]]:
    return [(p["label"], p["points"]) for p in result.parts]


def last_event(sr, type_: str) -> RequestEvent | None:
    return sr.events.filter(type=type_).order_by("-created_at", "-id").first()


@pytest.fixture(autouse=True)
def frozen():
    """An hour after FILED unless a test travels elsewhere: age points stay predictable."""
    with time_machine.travel(FILED + timedelta(hours=1), tick=False):
        yield


@pytest.fixture
def gas(city):
    city.gas_leak.base_severity = 40
    city.gas_leak.save()
    return city.gas_leak


# --- Parts ---------------------------------------------------------------------------------------


def test_the_category_base_severity_starts_the_score(city, gas):
    sr = filed(city, category=gas, description="Smell near the corner")
    result = score_compute(request=sr, now=FILED)
    assert parts(result) == [("Category Gas leak base severity", 40)]
    assert result.total == 40


def test_keywords_count_once_as_whole_words_in_any_case_and_phrases_match_across_spaces(city):
    ScoreKeyword.objects.create(word="injured", points=25)
    ScoreKeyword.objects.create(word="gas", points=20)
    ScoreKeyword.objects.create(word="exposed wires", points=15)
    ScoreKeyword.objects.create(word="school", points=0)
    sr = filed(
        city,
        description="A child was INJURED, another injured too. Gaskets everywhere; "
        "exposed\n  wires by the school.",
    )
    result = score_compute(request=sr, now=FILED)
    assert parts(result) == [("Keyword “exposed wires”", 15), ("Keyword “injured”", 25)]
    assert result.total == 40


def test_a_keyword_inside_another_word_does_not_count(city):
    ScoreKeyword.objects.create(word="gas", points=20)
    sr = filed(city, description="Vegas-style signs and gasoline stations")
    assert score_compute(request=sr, now=FILED).parts == []


def test_a_sensitive_place_within_its_radius_counts_and_only_the_best_one(city):
    SensitivePlace.objects.create(
        kind="school",
        name="Lincoln Elementary",
        location=metres_north(100),
        radius_m=150,
        points=15,
    )
    SensitivePlace.objects.create(
        kind="hospital", name="General", location=metres_north(50), radius_m=150, points=10
    )
    SensitivePlace.objects.create(
        kind="school", name="Far High", location=metres_north(400), radius_m=150, points=30
    )
    sr = filed(city, location=HERE)
    result = score_compute(request=sr, now=FILED)
    assert parts(result) == [("Within 150 m of Lincoln Elementary (school)", 15)]


def test_a_place_just_outside_its_radius_does_not_count(city):
    SensitivePlace.objects.create(
        kind="school", name="Lincoln Elementary", location=metres_north(170), radius_m=150
    )
    sr = filed(city, location=HERE)
    assert score_compute(request=sr, now=FILED).parts == []


def test_other_residents_reporting_it_add_points_up_to_the_cap(city):
    weights(supporter_points=5, supporter_cap=25)
    sr = filed(city)
    ServiceRequest.objects.filter(pk=sr.pk).update(supporter_count=3)
    sr.refresh_from_db()
    assert parts(score_compute(request=sr, now=FILED)) == [("3 other residents reported it", 15)]
    ServiceRequest.objects.filter(pk=sr.pk).update(supporter_count=9)
    sr.refresh_from_db()
    assert parts(score_compute(request=sr, now=FILED)) == [("9 other residents reported it", 25)]


def test_age_adds_points_per_whole_day_up_to_the_cap(city):
    weights(age_points_per_day=1, age_cap=20)
    sr = filed(city)
    assert score_compute(request=sr, now=FILED + timedelta(hours=23)).parts == []
    six_days = score_compute(request=sr, now=FILED + timedelta(days=6, hours=5))
    assert parts(six_days) == [("Open 6 days", 6)]
    late = score_compute(request=sr, now=FILED + timedelta(days=45))
    assert parts(late) == [("Open 20 days or more", 20)]


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "low"), (14, "low"), (15, "normal"), (49, "normal"), (50, "high"), (80, "urgent")],
)
def test_the_total_maps_to_a_band(total, band):
    bands = ScoringSettings(urgent_at=80, high_at=50, normal_at=15)
    assert score_band(total=total, settings=bands) == band


def test_out_of_the_box_a_score_of_zero_is_normal_not_low():
    assert score_band(total=0, settings=ScoringSettings()) == "normal"


# --- Writing the score ---------------------------------------------------------------------------


def test_scoring_stores_the_parts_explains_them_and_sets_the_priority_band(city, gas):
    ScoreKeyword.objects.create(word="gas", points=25)
    SensitivePlace.objects.create(
        kind="school", name="Lincoln Elementary", location=metres_north(60), radius_m=150, points=10
    )
    SlaTarget.objects.create(
        category=gas, priority="high", clock="24x7", response_hours=1, resolution_hours=4
    )
    sr = filed(city, category=gas, description="Strong gas smell", location=HERE)
    due_before = sr.expected_at

    with time_machine.travel(FILED + timedelta(hours=1), tick=False):
        assert request_score(request_id=sr.pk, reason="created") is True

    sr.refresh_from_db()
    assert sr.score == 75
    assert [p["label"] for p in sr.score_parts] == [
        "Category Gas leak base severity",
        "Keyword “gas”",
        "Within 150 m of Lincoln Elementary (school)",
    ]
    assert sr.priority == Priority.HIGH
    scored = last_event(sr, RequestEvent.Type.SCORED)
    assert not scored.public
    assert scored.message == (
        "Score 75: category base 40, keyword 'gas' +25, near Lincoln Elementary +10 → High"
    )
    changed = last_event(sr, RequestEvent.Type.PRIORITY_CHANGED)
    assert changed.message == "Priority score 75 → High"
    assert changed.actor is None and changed.to_value == "high"
    assert due_before == FILED + timedelta(hours=72)
    assert sr.expected_at == FILED + timedelta(hours=4)  # the due dates follow the new priority
    assert sr.events.filter(type=RequestEvent.Type.DUE_CHANGED).exists()


def test_scoring_the_same_request_twice_writes_nothing_new(city, gas):
    sr = filed(city, category=gas)
    with time_machine.travel(FILED + timedelta(hours=1), tick=False):
        request_score(request_id=sr.pk, reason="created")
        count = sr.events.count()
        assert request_score(request_id=sr.pk, reason="created") is False
    assert sr.events.count() == count


def test_a_low_score_lowers_the_default_priority(city):
    weights(normal_at=15)
    sr = filed(city, description="Small crack")
    with time_machine.travel(FILED, tick=False):
        request_score(request_id=sr.pk, reason="created")
    sr.refresh_from_db()
    assert sr.score == 0 and sr.priority == Priority.LOW


def test_disabled_scoring_writes_nothing(city, gas):
    weights(enabled=False)
    sr = filed(city, category=gas)
    count = sr.events.count()
    assert request_score(request_id=sr.pk, reason="created") is False
    sr.refresh_from_db()
    assert sr.score is None and sr.priority == Priority.NORMAL
    assert sr.events.count() == count


def test_a_closed_request_is_not_scored(city, staff, gas):
    from requests_app.services import request_resolve

    sr = filed(city, category=gas)
    request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    assert request_score(request_id=sr.pk, reason="created") is False
    sr.refresh_from_db()
    assert sr.score is None


def test_the_band_never_lowers_a_priority_a_routing_rule_set(city):
    RoutingRule.objects.create(name="Hurt", keywords="injured", priority="urgent")
    with time_machine.travel(FILED, tick=False):
        sr = submit(city, description="A cyclist was injured")
        request_route_by_rules(request_id=sr.pk)
        request_score(request_id=sr.pk, reason="created")
    sr.refresh_from_db()
    assert sr.score == 0
    assert sr.priority == Priority.URGENT
    assert sr.events.filter(type=RequestEvent.Type.PRIORITY_CHANGED).count() == 1


def test_the_band_raises_a_priority_a_routing_rule_set_lower(city, gas):
    RoutingRule.objects.create(name="Gas is high", priority="high")
    weights(urgent_at=40)
    with time_machine.travel(FILED, tick=False):
        sr = submit(city, category=gas, channel="phone")
        request_route_by_rules(request_id=sr.pk)
        request_score(request_id=sr.pk, reason="created")
    sr.refresh_from_db()
    assert sr.priority == Priority.URGENT


def test_a_persons_override_keeps_the_priority_while_the_score_still_updates(city, staff, gas):
    sr = filed(city, category=gas)
    request_priority_change(
        request=sr,
        actor=staff.agent,
        priority="low",
        reason="Already fixed by the utility",
        override=True,
    )
    ServiceRequest.objects.filter(pk=sr.pk).update(supporter_count=2)
    request_score(request_id=sr.pk, reason="supporter_added")
    sr.refresh_from_db()
    assert sr.score == 50 and sr.priority == Priority.LOW and sr.priority_overridden


def test_an_override_needs_a_reason(city, staff):
    from requests_app.services import WorkflowError

    sr = filed(city)
    with pytest.raises(WorkflowError, match=r"Say why you are changing the priority\."):
        request_priority_change(request=sr, actor=staff.agent, priority="high", override=True)


def test_letting_the_score_decide_again_applies_the_band(city, staff, gas):
    sr = filed(city, category=gas)
    request_priority_change(
        request=sr, actor=staff.agent, priority="low", reason="Utility on it", override=True
    )
    event = request_priority_override_clear(request=sr, actor=staff.agent).events.order_by("-id")[0]
    assert event.data == {"override_cleared": True}

    on_event(event)

    sr.refresh_from_db()
    assert not sr.priority_overridden
    assert sr.score == 40 and sr.priority == Priority.NORMAL


# --- Events that re-score ------------------------------------------------------------------------


def test_a_new_request_is_scored_after_routing(city, gas, django_capture_on_commit_callbacks):
    ScoreKeyword.objects.create(word="smell", points=15)
    with django_capture_on_commit_callbacks(execute=True):
        sr = submit(city, category=gas, description="Rotten egg smell", channel="phone")
    sr.refresh_from_db()
    assert sr.department == city.streets
    assert sr.score == 55 and sr.priority == Priority.HIGH


def test_another_resident_reporting_it_raises_the_score(city, staff, gas):
    sr = filed(city, category=gas)
    request_score(request_id=sr.pk, reason="created")
    request_supporter_add(request=sr, actor=staff.operator, name="Caller")
    on_event(last_event(sr, RequestEvent.Type.SUPPORTER_ADDED))
    sr.refresh_from_db()
    assert sr.score == 45
    assert ("1 other resident reported it", 5) in [
        (p["label"], p["points"]) for p in sr.score_parts
    ]


def test_marking_a_duplicate_re_scores_the_original(city, staff, gas):
    original, copy = filed(city, category=gas), filed(city, category=gas)
    request_score(request_id=original.pk, reason="created")
    request_mark_duplicate(request=copy, actor=staff.agent, original=original)
    on_event(last_event(copy, RequestEvent.Type.DUPLICATE_MARKED))
    original.refresh_from_db()
    assert original.score == 45


def test_a_category_change_re_scores(city, staff, gas):
    from requests_app.services import request_recategorise

    sr = filed(city)
    request_score(request_id=sr.pk, reason="created")
    request_recategorise(request=sr, actor=staff.agent, category=gas)
    on_event(last_event(sr, RequestEvent.Type.CATEGORY_CHANGED))
    sr.refresh_from_db()
    assert sr.score == 40


# --- Refresh -------------------------------------------------------------------------------------


def test_refresh_re_scores_only_requests_whose_age_points_changed(city, staff):
    weights(age_points_per_day=1, age_cap=20)
    young = filed(city, at=FILED)
    capped = filed(city, at=FILED - timedelta(days=40))
    overridden = filed(city, at=FILED)
    for sr in (young, capped, overridden):
        with time_machine.travel(FILED + timedelta(hours=1), tick=False):
            request_score(request_id=sr.pk, reason="created")
    request_priority_change(
        request=overridden, actor=staff.agent, priority="high", reason="VIP", override=True
    )

    assert scores_refresh(now=FILED + timedelta(hours=2)) == 0
    with time_machine.travel(FILED + timedelta(days=3, hours=1), tick=False):
        assert scores_refresh() == 1
        assert scores_refresh() == 0

    young.refresh_from_db()
    assert young.score == 3
    assert last_event(young, RequestEvent.Type.SCORED).data["trigger"] == "age"
    overridden.refresh_from_db()
    assert overridden.score == 0  # left to its next event


def test_refresh_does_a_bounded_amount_of_work_per_run(city):
    weights(age_points_per_day=1, age_cap=20)
    requests = [filed(city, at=FILED + timedelta(minutes=i)) for i in range(3)]
    for sr in requests:
        with time_machine.travel(FILED + timedelta(hours=1), tick=False):
            request_score(request_id=sr.pk, reason="created")
    later = FILED + timedelta(days=2, hours=1)
    assert scores_refresh(now=later, limit=2) == 2
    assert scores_refresh(now=later, limit=2) == 1
    assert scores_refresh(now=later, limit=2) == 0


def test_refresh_does_nothing_when_scoring_is_off(city):
    weights(enabled=False)
    filed(city)
    assert scores_refresh(now=FILED + timedelta(days=3)) == 0


# --- Explaining ----------------------------------------------------------------------------------


def test_the_explanation_names_the_override_and_its_reason(city, staff, gas):
    sr = filed(city, category=gas)
    request_score(request_id=sr.pk, reason="created")
    request_priority_change(
        request=sr, actor=staff.agent, priority="urgent", reason="Near a hospital", override=True
    )
    sr.refresh_from_db()
    explained = score_explain(request=sr)
    assert explained.total == 40
    assert explained.parts == [("Category Gas leak base severity", 40)]
    assert explained.bands == [("Urgent", 80), ("High", 50), ("Normal", 0)]
    assert explained.overridden
    assert (explained.override_by, explained.override_reason) == ("Alex", "Near a hospital")


def test_the_backfill_scores_only_open_never_scored_requests_in_batches(city, gas, staff):
    from requests_app.services import request_resolve

    imported = [filed(city, category=gas) for _ in range(3)]
    closed = filed(city, category=gas)
    request_resolve(request=closed, actor=staff.agent, closure_reason=city.repaired)
    # As if loaded by an import: no score at all.
    ServiceRequest.objects.update(score=None, score_parts=[])
    count, after = scores_backfill(batch=2)
    assert (count, after) == (2, imported[1].pk)
    assert scores_backfill(after_id=after, batch=2) == (1, None)
    for sr in imported:
        sr.refresh_from_db()
        assert sr.score == 40 and sr.priority == Priority.NORMAL
    closed.refresh_from_db()
    assert closed.score is None


# --- Scored by routing, in its transaction (round 3) ---------------------------------------------


def test_routing_a_new_request_with_its_score_never_lowers_the_priority_its_rule_set(city):
    RoutingRule.objects.create(name="Hurt", keywords="injured", priority="urgent")
    with time_machine.travel(FILED, tick=False):
        sr = submit(city, description="A cyclist was injured")
        assert request_route_by_rules(request_id=sr.pk, score=True) is True
    sr.refresh_from_db()
    assert sr.score == 0 and sr.priority == Priority.URGENT
    assert sr.events.filter(type=RequestEvent.Type.PRIORITY_CHANGED).count() == 1
    assert sr.events.filter(type=RequestEvent.Type.SCORED).count() == 1


def test_routing_a_new_request_with_its_score_raises_a_priority_its_rule_set_lower(city, gas):
    RoutingRule.objects.create(name="Gas is high", priority="high")
    weights(urgent_at=40)
    with time_machine.travel(FILED, tick=False):
        sr = submit(city, category=gas, channel="phone")
        assert request_route_by_rules(request_id=sr.pk, score=True) is True
    sr.refresh_from_db()
    assert sr.priority == Priority.URGENT
    # The rule's change, then the score's, in the order written.
    assert list(
        sr.events.filter(type=RequestEvent.Type.PRIORITY_CHANGED)
        .order_by("id")
        .values_list("to_value", flat=True)
    ) == [Priority.HIGH, Priority.URGENT]


def test_the_floor_read_with_the_lock_is_the_floor_read_alone(city, staff):
    """The written-out floor (priority_floor_annotate) agrees with priority_floor: the last
    automatic change that is not the score's, nor an override or its clearing."""
    sr = filed(city)

    def both() -> tuple[str | None, str | None]:
        annotated = priority_floor_annotate(ServiceRequest.objects.filter(pk=sr.pk)).get()
        return annotated.floor, priority_floor(request_id=sr.pk)

    assert both() == (None, None)
    changes = [
        (None, Priority.HIGH, {"rule_id": 1}),  # a rule: the floor
        (None, Priority.URGENT, {"scoring": True}),  # the score: never a floor
        (staff.agent, Priority.LOW, {"override": True}),  # a person: not a floor
        (None, Priority.NORMAL, {"override_cleared": True}),
    ]
    for at, (actor, to_value, data) in enumerate(changes):
        RequestEvent.objects.create(
            request=sr,
            type=RequestEvent.Type.PRIORITY_CHANGED,
            actor=actor,
            to_value=to_value,
            data=data,
            created_at=FILED + timedelta(minutes=at + 1),
        )
        assert both() == (Priority.HIGH, Priority.HIGH)
    RequestEvent.objects.create(
        request=sr,
        type=RequestEvent.Type.PRIORITY_CHANGED,
        to_value=Priority.LOW,
        data={"step_id": 3},
        created_at=FILED + timedelta(hours=1),
    )
    assert both() == (Priority.LOW, Priority.LOW)


def test_the_place_read_with_the_lock_is_the_place_score_compute_reads(city):
    """The written-out place (sensitive_place_annotate) picks what score_compute's own query
    picks: most points, then nearest, then first stored; zero-point places and places out of
    their radius never."""
    sr = filed(city, location=HERE)

    def both() -> tuple[list, list]:
        annotated = sensitive_place_annotate(ServiceRequest.objects.filter(pk=sr.pk)).get()
        fresh = ServiceRequest.objects.get(pk=sr.pk)
        return (
            score_compute(request=annotated, now=FILED).parts,
            score_compute(request=fresh, now=FILED).parts,
        )

    with_place, alone = both()
    assert with_place == alone == []
    places = [
        ("school", "Out of range", 170, 150, 40),
        ("school", "No points", 10, 150, 0),
        ("hospital", "Near, fewer points", 20, 150, 10),
        ("school", "Lincoln Elementary", 100, 150, 15),
        ("care home", "Same points, nearer", 60, 150, 15),
        ("clinic", "Same points, same place, stored later", 60, 150, 15),
        ("school", "Wide radius", 900, 1000, 15),
    ]
    seen = []
    for kind, name, metres, radius, points in places:
        SensitivePlace.objects.create(
            kind=kind, name=name, location=metres_north(metres), radius_m=radius, points=points
        )
        with_place, alone = both()
        assert with_place == alone
        seen.append(with_place)
    assert [(p["label"], p["points"]) for p in seen[-1]] == [
        ("Within 150 m of Same points, nearer (care home)", 15)
    ]
    assert seen[0] == [] and seen[1] == []
