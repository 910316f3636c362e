"""The Django admin's sign-in security: password rules, idle timeout, the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse
from django.utils import timezone

from requests_app.models import Asset
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db
ADMIN = reverse("admin:index")
AUDIT = reverse("admin:staff_auditlogentry_changelist")


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser(
        "boss", "boss@city.example", "the-right-passphrase"
    )


def test_a_new_admin_password_must_have_twelve_characters(client, boss):
    client.force_login(boss)
    response = client.post(
        reverse("admin:password_change"),
        {
            "old_password": "the-right-passphrase",
            "new_password1": "Tr0ub4dor&3",
            "new_password2": "Tr0ub4dor&3",
        },
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    boss.refresh_from_db()
    assert boss.check_password("the-right-passphrase")


def test_an_admin_session_ends_after_eight_idle_hours(client, boss):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(boss)
        assert client.get(ADMIN).status_code == 200
        clock.shift(timedelta(hours=7))
        assert client.get(ADMIN).status_code == 200  # activity keeps the session alive
        clock.shift(timedelta(hours=7, minutes=59))
        assert client.get(ADMIN).status_code == 200
        clock.shift(timedelta(hours=8, minutes=1))
        response = client.get(ADMIN)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_bulk_action_in_the_admin_is_in_the_audit_log(client, boss, staff):
    lamp = AssetFactory(name="Lamp on 5th")
    client.force_login(boss)
    client.post(
        reverse("admin:requests_app_asset_changelist"),
        {"action": "deactivate", "_selected_action": [lamp.pk]},
    )
    assert not Asset.objects.get(pk=lamp.pk).active
    entry = LogEntry.objects.get(object_id=str(lamp.pk), content_type__model="asset")
    assert entry.user == boss and entry.action_flag == CHANGE
    assert "Deactivate" in entry.get_change_message()

    client.force_login(staff.city_admin)
    page = client.get(AUDIT)
    assert page.status_code == 200
    html = page.content.decode()
    assert "boss" in html and str(lamp) in html and "Deactivate" in html


def test_the_audit_log_is_read_only(client, boss):
    client.force_login(boss)
    AssetFactory()
    entry = LogEntry.objects.log_actions(boss.pk, Asset.objects.all(), CHANGE, "x")[0]
    assert client.get(reverse("admin:staff_auditlogentry_add")).status_code == 403
    delete = reverse("admin:staff_auditlogentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_only_city_admins_see_the_audit_log(client, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(clerk)
    assert client.get(AUDIT).status_code == 403
