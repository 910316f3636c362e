"""Fixtures shared by the messaging tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def admin_client(client, django_user_model):
    """A city admin (superuser) logged in to the admin."""
    user = django_user_model.objects.create_superuser("cityadmin", "a@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def rosa_has_confirmed_her_contact(request):
    """Rosa (the factory's reporter) followed a link from one of our messages long ago, so her
    email and phone hear about her reports. Since issue 10 an unconfirmed contact typed into the
    public form gets the receipt and nothing else: tests/requests_app/test_intake_limits.py."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker(
        "django_db"
    ):
        return
    request.getfixturevalue("db")
    from requests_app.services import contact_confirm

    contact_confirm(channel="email", address="rosa@example.com")
    contact_confirm(channel="sms", address="+14155550134")
