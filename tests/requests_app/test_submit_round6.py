"""The report POST's merged look-ups (docs/performance.md, "Round 6: submitting a report"): each
answers as the separate look-ups did, whatever the order things happen in."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

from requests_app.configcache import config_snapshot
from requests_app.models import AreaSet, BlockedContact, Category, IntakeAttempt, ServiceRequest
from requests_app.selectors import areas_at, boundary_contains, boundary_loaded
from requests_app.services import IntakeClient, Reporter, intake_blocked, intake_report_admit
from requests_app.services.intake import Submission, request_submit
from tests.conftest import INSIDE
from tests.requests_app.helpers import submit
from tests.requests_app.test_intake_limits import ATTACKER, limits, post, report

pytestmark = pytest.mark.django_db

HERE = Point(INSIDE[1], INSIDE[0], srid=4326)


def test_a_key_filed_after_the_intake_check_still_returns_its_request(city):
    """key_new: the form's intake check found the key new, and a double click filed it since:
    the unique constraint answers with the request it made, never a second one or an error."""
    key = uuid.uuid4()
    first = submit(city, idempotency_key=key)
    again, created = request_submit(
        submission=Submission(
            category=city.pothole,
            description="The same report, sent twice",
            location=HERE,
            answers={"size": 10, "lane": "traffic"},
            reporter=Reporter(),
            idempotency_key=key,
        ),
        key_new=True,
    )
    assert (again.pk, created) == (first.pk, False)
    assert ServiceRequest.objects.filter(idempotency_key=key).count() == 1


def test_a_filed_key_passes_uncounted_even_for_a_blocked_sender(city):
    key = uuid.uuid4()
    submit(city, idempotency_key=key)
    BlockedContact.objects.create(kind="email", value="victim@example.com")
    client = IntakeClient(address=ATTACKER)
    assert (
        intake_report_admit(client=client, email="victim@example.com", idempotency_key=key) is None
    )
    assert not IntakeAttempt.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value", "email", "phone", "address", "refused"),
    [
        ("email", "victim@example.com", "Victim@Example.com ", "", ATTACKER, True),
        ("email", "victim@example.com", "other@example.com", "", ATTACKER, False),
        ("phone", "+15551234567", "", "+15551234567", ATTACKER, True),
        ("phone", "+15551234567", "victim@example.com", "+15550000000", ATTACKER, False),
        ("network", "198.51.100.0/24", "", "", ATTACKER, True),
        ("network", "198.51.100.0/24", "", "", "203.0.113.9", False),
        ("network", "198.51.100.0/24", "", "", "not an address", False),
    ],
)
def test_the_block_list_in_one_query_refuses_what_it_did(
    kind, value, email, phone, address, refused
):
    BlockedContact.objects.create(kind=kind, value=value)
    BlockedContact.objects.create(kind="network", value="2001:db8::/32")
    client = IntakeClient(address=address)
    with CaptureQueriesContext(connection) as queries:
        assert intake_blocked(client=client, email=email, phone=phone) is refused
    # No email, no phone and no address to match: nothing to ask.
    assert len(queries) == (1 if email or phone or address != "not an address" else 0)


def test_no_email_phone_or_address_asks_the_block_list_nothing():
    BlockedContact.objects.create(kind="network", value="0.0.0.0/0")
    with CaptureQueriesContext(connection) as queries:
        assert intake_blocked(client=IntakeClient(address="")) is False
    assert len(queries) == 0


def test_each_limit_is_still_counted_on_its_own_window(client, city):
    """The counts share one query; an email's day still counts reports from other addresses
    and an address's hour does not count another address's reports."""
    limits(reports_per_address_per_hour=2, reports_per_contact_per_day=3)
    assert post(client, report(city), ip="203.0.113.1").status_code == 302
    assert post(client, report(city), ip="203.0.113.1").status_code == 302
    assert post(client, report(city), ip="203.0.113.1").status_code == 429
    assert post(client, report(city), ip="203.0.113.2").status_code == 302
    assert post(client, report(city), ip="203.0.113.3").status_code == 429
    assert post(client, report(city, email="else@example.com"), ip="203.0.113.3").status_code == 302
    assert ServiceRequest.objects.count() == 4


def test_a_points_areas_are_read_once_per_snapshot_and_every_time_outside(city):
    boundary_loaded()  # the per-process copy of the flag, loaded for this stamp
    with CaptureQueriesContext(connection) as queries, config_snapshot():
        found = areas_at(point=HERE)
        assert boundary_contains(point=HERE, with_areas=True)
        assert areas_at(point=Point(INSIDE[1], INSIDE[0], srid=4326)) is found
    # The stamp (for the boundary flag) and the areas.
    assert len(queries) == 2
    assert AreaSet.Kind.NEIGHBOURHOOD in found
    with CaptureQueriesContext(connection) as queries:
        areas_at(point=HERE)
        areas_at(point=HERE)
    assert len(queries) == 2


def test_a_point_outside_is_refused_by_the_areas_check_too(city):
    outside = Point(0, 0, srid=4326)
    with config_snapshot():
        assert boundary_contains(point=outside, with_areas=True) is False
        assert boundary_contains(point=outside) is False


def test_the_form_checks_a_category_other_than_the_one_it_was_given(client, city):
    """The category the view hands the form costs no query; any other value is still looked
    up and an inactive one refused."""
    Category.objects.filter(pk=city.graffiti.pk).update(active=False)
    response = post(client, report(city, category=city.graffiti.pk))
    assert response.status_code == 422
    assert not ServiceRequest.objects.exists()


def test_the_request_insert_skips_no_save_hook():
    """_insert_with_tracking_number inserts without Model.save(): that is only right while a
    new request has no save() override and no save signal receivers to run."""
    assert ServiceRequest.save is Model.save
    for signal in (pre_save, post_save):
        assert not any(signal._live_receivers(ServiceRequest))
