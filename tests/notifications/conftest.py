"""Fixtures shared by the messaging tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def admin_client(client, django_user_model):
    """A city admin (superuser) logged in to the admin."""
    user = django_user_model.objects.create_superuser("cityadmin", "a@example.com", "pw")
    client.force_login(user)
    return client
