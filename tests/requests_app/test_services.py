"""Intake and status services: every change is an event in the same transaction."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from requests_app.models import Photo, RequestEvent, ServiceRequest, Status
from requests_app.services import TransitionError, request_status_change
from routing.services import request_route_default
from tests.conftest import OUTSIDE
from tests.requests_app.helpers import routed, submit

pytestmark = pytest.mark.django_db


def test_submit_writes_the_request_and_its_created_event(city):
    sr = submit(city)
    event = sr.events.get()
    assert event.type == RequestEvent.Type.CREATED
    assert event.public and event.to_value == Status.RECEIVED
    assert event.actor_label == "Resident"
    assert sr.expected_at is not None
    assert (sr.expected_at - sr.created_at).total_seconds() == 72 * 3600


def test_submit_with_the_same_key_returns_the_first_request(city):
    key = uuid.uuid4()
    first = submit(city, idempotency_key=key)
    second = submit(city, idempotency_key=key)
    assert first.pk == second.pk
    assert ServiceRequest.objects.count() == 1


def test_submit_refuses_a_point_outside_the_service_area(city):
    with pytest.raises(ValidationError) as exc:
        submit(city, location=Point(OUTSIDE[1], OUTSIDE[0], srid=4326))
    assert "outside" in str(exc.value)
    assert ServiceRequest.objects.count() == 0


def test_submit_refuses_a_category_that_is_not_reportable_online(city):
    with pytest.raises(ValidationError):
        submit(city, category=city.gas_leak)
    assert ServiceRequest.objects.count() == 0


def test_a_failure_inside_the_submission_rolls_everything_back(city):
    staged = Photo.objects.create(image="x.jpg", thumbnail="x_t.jpg", draft_key=uuid.uuid4())
    with (
        mock.patch(
            "requests_app.services.intake.event_record", side_effect=IntegrityError("event failed")
        ),
        pytest.raises(IntegrityError),
    ):
        submit(city, photos=[staged])
    assert ServiceRequest.objects.count() == 0
    staged.refresh_from_db()
    assert staged.request_id is None


def test_tracking_numbers_grow_a_digit_when_a_month_is_crowded(city):
    with mock.patch("requests_app.services.intake.secrets.randbelow", side_effect=[0, 0, 0, 0, 1]):
        first = submit(city)
        second = submit(city)
    assert first.tracking_number.endswith("-1000")
    assert second.tracking_number.endswith("-10001")


def test_anonymous_reporters_leave_no_contact_details(city):
    from requests_app.services import Reporter

    sr = submit(city, reporter=Reporter(name="Someone", email="a@example.com", anonymous=True))
    assert sr.anonymous and sr.reporter_name == "" and sr.reporter_email == ""


def test_routing_puts_the_request_in_its_department_queue_once(city):
    sr = submit(city)
    assert request_route_default(request_id=sr.pk) is True
    assert request_route_default(request_id=sr.pk) is False  # a re-delivered task does nothing
    sr.refresh_from_db()
    assert sr.status == Status.IN_QUEUE and sr.department == city.streets
    types = list(sr.events.values_list("type", "to_value"))
    assert types == [
        ("created", "received"),
        ("routed", "Streets"),
        ("status_changed", "routed"),
        ("status_changed", "in_queue"),
    ]


def test_an_illegal_transition_is_refused_and_writes_nothing(city):
    sr = submit(city)
    with pytest.raises(TransitionError, match="cannot become"):
        request_status_change(request=sr, to_status=Status.CLOSED)
    sr.refresh_from_db()
    assert sr.status == Status.RECEIVED
    assert sr.events.count() == 1


def test_resolving_records_the_closure_reason_in_words(city):
    sr = routed(city)
    event = request_status_change(
        request=sr, to_status=Status.RESOLVED, closure_reason=city.repaired
    )
    sr.refresh_from_db()
    assert sr.status == Status.RESOLVED and sr.resolved_at and sr.closure_reason == city.repaired
    assert event.message == "The crew repaired it."
    assert event.data == {"closure_reason": "repaired"}


def test_reopening_clears_the_outcome(city):
    sr = routed(city)
    request_status_change(request=sr, to_status=Status.RESOLVED, closure_reason=city.repaired)
    request_status_change(request=sr, to_status=Status.REOPENED, message="Still there")
    sr.refresh_from_db()
    assert sr.status == Status.REOPENED and sr.resolved_at is None and sr.closure_reason is None
