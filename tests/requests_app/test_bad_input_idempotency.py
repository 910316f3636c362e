"""A double submit that races past the first idempotency check still lands on the confirmation
of the one request it made, never on "Service request with this Idempotency key already
exists."."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from requests_app.models import ServiceRequest
from tests.requests_app.helpers import submit
from tests.requests_app.test_report_view import URL, form_data

pytestmark = pytest.mark.django_db


def race(monkeypatch) -> list[bool]:
    """From now on, the next submission's early look-up of its key finds nothing, as if the
    other submission committed just after it."""
    real = ServiceRequest.objects.filter
    missed: list[bool] = []

    def filter_(*args, **kwargs):
        if "idempotency_key" in kwargs and not missed:
            missed.append(True)
            return ServiceRequest.objects.none()
        return real(*args, **kwargs)

    monkeypatch.setattr(ServiceRequest.objects, "filter", filter_)
    return missed


def test_a_racing_double_submit_shows_the_first_requests_confirmation(client, city, monkeypatch):
    key = uuid.uuid4()
    first = submit(city, idempotency_key=key)
    missed = race(monkeypatch)
    response = client.post(URL, form_data(city, idempotency_key=str(key)))
    assert missed  # the early look-up really was skipped
    assert response.status_code == 302
    assert response["Location"] == reverse("requests_app:confirmation", args=[first.private_token])
    assert ServiceRequest.objects.count() == 1
