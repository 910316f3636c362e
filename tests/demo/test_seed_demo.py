"""The demo seed, run once for the module (it takes a few seconds) against the test database."""

from __future__ import annotations

import itertools
import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q

from requests_app import models
from requests_app.models import CLOSED_STATUSES, OPEN_STATUSES, TRANSITIONS
from routing.models import BusinessCalendar

REQUESTS = 200
DEMO_USERS = ("admin", "supervisor", "agent", "crew", "operator", "parks")
DEMO_TABLES = (
    BusinessCalendar,
    models.ServiceRequest,
    models.Area,
    models.AreaSet,
    models.AddressPoint,
    models.Question,
    models.Category,
    models.CategoryGroup,
    models.Department,
    models.ClosureReason,
)


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed committed data once, and remove it all afterwards so other modules start clean."""
    with django_db_blocker.unblock():
        output = seed(requests=REQUESTS, seed=7)
        yield output
        tables = ", ".join(m._meta.db_table for m in DEMO_TABLES)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        get_user_model().objects.filter(username__in=DEMO_USERS).delete()


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def status_events(request_id: int) -> list[models.RequestEvent]:
    return list(
        models.RequestEvent.objects.filter(
            request_id=request_id, type__in=["created", "status_changed"]
        ).order_by("created_at", "id")
    )


def test_it_creates_25_plus_categories_with_questions_in_english_and_spanish():
    categories = models.Category.objects.annotate(n=Count("questions"))
    assert categories.count() >= 25
    assert not categories.filter(n=0).exists()
    assert not categories.filter(Q(name_es="") | Q(description_es="")).exists()
    assert not models.Question.objects.filter(prompt_es="").exists()
    datatypes = set(models.Question.objects.values_list("datatype", flat=True))
    assert datatypes == {
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    }
    size = models.Question.objects.get(category__code="pothole", code="size")
    assert size.choices.get(key="large").name_es == "Más grande que una llanta"
    assert models.Question.objects.filter(variable=False, prompt__contains="call 911").exists()


def test_it_creates_departments_groups_with_icons_and_closure_reasons():
    assert models.Department.objects.count() >= 6
    assert not models.CategoryGroup.objects.filter(icon="").exists()
    assert set(models.ClosureReason.objects.values_list("code", flat=True)) >= {
        "repaired",
        "no_problem_found",
        "referred",
        "private_property",
        "duplicate",
        "not_actionable",
        "completed",
    }
    assert (
        models.Category.objects.get(code="pothole").default_department.name
        == "Public Works — Streets"
    )


def test_a_gas_leak_cannot_be_reported_online_and_says_what_to_do_instead():
    gas = models.Category.objects.get(code="gas-leak-live-wire")
    assert not gas.online_submission_allowed
    assert "911" in gas.offline_message
    assert "911" in gas.offline_message_es
    assert not models.ServiceRequest.objects.filter(category=gas).exists()


def test_it_imports_the_demo_areas_as_active_sets_and_the_addresses():
    assert models.Area.objects.filter(kind="neighbourhood", area_set__active=True).count() == 41
    assert models.Area.objects.filter(kind="ward", area_set__active=True).count() == 11
    assert models.Area.objects.filter(kind="boundary", area_set__active=True).count() == 1
    assert models.AddressPoint.objects.filter(kind="intersection").count() > 1000


def test_every_request_lies_inside_the_boundary_with_its_neighbourhood_and_ward():
    assert models.ServiceRequest.objects.count() == REQUESTS
    boundary = models.Area.objects.get(kind="boundary", area_set__active=True).geom
    outside = models.ServiceRequest.objects.exclude(location__intersects=boundary)
    assert not outside.exists()
    assert not models.ServiceRequest.objects.filter(
        Q(neighbourhood=None) | Q(ward=None) | Q(department=None)
    ).exists()
    one = models.ServiceRequest.objects.select_related("neighbourhood").first()
    assert one.neighbourhood.geom.intersects(one.location)


def test_every_request_has_a_created_event_and_its_status_is_its_last_status_event():
    for request in models.ServiceRequest.objects.all():
        events = status_events(request.id)
        assert events[0].type == "created"
        assert events[0].public
        assert events[0].to_value == "received"
        assert events[0].created_at == request.created_at
        assert events[-1].to_value == request.status, request.tracking_number


def test_status_moves_follow_the_transition_table():
    for request in models.ServiceRequest.objects.all():
        events = status_events(request.id)
        for before, after in itertools.pairwise(events):
            assert after.from_value == before.to_value
            assert after.to_value in TRANSITIONS[before.to_value], request.tracking_number
            assert after.created_at >= before.created_at


def test_routing_follows_the_tracker_conventions():
    request = models.ServiceRequest.objects.exclude(status="received").select_related("department")[
        0
    ]
    routed = models.RequestEvent.objects.get(request=request, type="routed")
    assert routed.public
    assert routed.actor_label == "Routing"
    assert routed.to_value == request.department.name
    assert routed.data == {"department_id": request.department_id}
    assert routed.message == f"Routed to {request.department.name}"
    assert request.routed_at == routed.created_at
    assert models.RequestEvent.objects.filter(
        request=request,
        type="status_changed",
        from_value="received",
        to_value="routed",
        created_at=routed.created_at,
    ).exists()


def test_closed_requests_have_a_closure_reason_and_open_ones_have_none():
    # As request_status_change records them: resolved_at when resolved (or closed early),
    # closed_at once the request has left the open states for good.
    closed = models.ServiceRequest.objects.filter(status__in=CLOSED_STATUSES)
    assert closed.exists()
    assert not closed.filter(Q(closure_reason=None) | Q(resolved_at=None)).exists()
    assert not closed.exclude(status="resolved").filter(closed_at=None).exists()
    assert not closed.filter(status="resolved").exclude(closed_at=None).exists()
    open_ = models.ServiceRequest.objects.filter(status__in=OPEN_STATUSES)
    assert open_.exists()
    assert not open_.exclude(closure_reason=None, resolved_at=None, closed_at=None).exists()
    resolved = models.ServiceRequest.objects.filter(status="resolved").first()
    last = status_events(resolved.id)[-1]
    assert last.data["closure_reason"] == resolved.closure_reason.code
    assert last.message == resolved.closure_reason.public_text


def test_internal_notes_are_never_public():
    assert models.RequestEvent.objects.filter(type="note").exists()
    assert not models.RequestEvent.objects.filter(type="note", public=True).exists()


def test_tracking_numbers_are_unique_and_shaped_yymm_nnnn():
    numbers = list(models.ServiceRequest.objects.values_list("tracking_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"\d{4}-[1-9]\d{3,}", n) for n in numbers)


def test_anonymous_reporters_leave_no_contact_details_and_others_use_example_addresses():
    anonymous = models.ServiceRequest.objects.filter(anonymous=True)
    assert 0.25 < anonymous.count() / REQUESTS < 0.55
    assert not anonymous.exclude(reporter_name="", reporter_email="", reporter_phone="").exists()
    emails = models.ServiceRequest.objects.exclude(reporter_email="").values_list(
        "reporter_email", flat=True
    )
    assert emails
    assert all(e.endswith("@example.com") for e in emails)


def test_it_prints_the_demo_logins_and_they_work(seeded):
    assert "Demo logins" in seeded
    for username in DEMO_USERS:
        assert username in seeded
        user = authenticate(username=username, password="demo-311-pass")
        assert user is not None
        assert user.staff_profile.role  # every demo login has a staff role
        assert user.is_staff == (username == "admin")  # only the city admin uses Django admin
    assert get_user_model().objects.get(username="admin").is_superuser
    agent = get_user_model().objects.get(username="agent").staff_profile
    assert agent.role == "agent"
    assert list(agent.departments.values_list("slug", flat=True)) == ["public-works-streets"]
    assert get_user_model().objects.get(username="operator").staff_profile.role == "operator"


def test_if_empty_seeds_an_empty_database_once():
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {models.ServiceRequest._meta.db_table} CASCADE")

    seed(if_empty=True, requests=30)
    output = seed(if_empty=True, requests=30)

    assert models.ServiceRequest.objects.count() == 30
    assert "nothing to do" in output
    assert "Demo logins" in output


def test_running_again_updates_definitions_without_duplicating_them():
    before = (
        models.Category.objects.count(),
        models.Question.objects.count(),
        models.Area.objects.count(),
    )
    models.Category.objects.filter(code="pothole").update(name="Renamed")

    output = seed(requests=0)

    assert (
        models.Category.objects.count(),
        models.Question.objects.count(),
        models.Area.objects.count(),
    ) == before
    assert models.Category.objects.get(code="pothole").name == "Pothole"
    assert 'the active neighbourhood set is "Analysis neighbourhoods" already; kept' in output
    assert models.ServiceRequest.objects.count() == REQUESTS


def test_reset_replaces_the_requests():
    seed(reset=True, requests=25)

    assert models.ServiceRequest.objects.count() == 25
    assert not models.RequestEvent.objects.exclude(
        request__in=models.ServiceRequest.objects.all()
    ).exists()


def test_it_sets_a_business_calendar_and_service_level_targets():
    from routing.models import SlaTarget

    calendar = BusinessCalendar.objects.get(name="City offices")
    assert calendar.working_hours.count() == 5
    assert calendar.holiday_country == "US"
    urgent = SlaTarget.objects.for_request(
        category_id=models.Category.objects.get(code="pothole").pk, priority="urgent"
    )
    assert urgent.clock == "24x7" and urgent.resolution_hours == 24


def test_acknowledged_at_is_the_first_event_by_staff():
    from demo.history import NOT_STAFF

    in_progress = models.ServiceRequest.objects.filter(status="in_progress")
    assert in_progress.exists() and not in_progress.filter(acknowledged_at__isnull=True).exists()
    for sr in models.ServiceRequest.objects.order_by("id")[:60]:
        first = sr.events.exclude(actor_label__in=NOT_STAFF).order_by("created_at", "id").first()
        assert sr.acknowledged_at == (first.created_at if first else None)
