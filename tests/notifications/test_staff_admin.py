"""Admin for staff notification settings, survey results and the messaging settings row."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import MessagingSettings, StaffPreference, Survey
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


def test_the_messaging_settings_row_is_added_once_and_never_deleted(admin_client):
    add = reverse("admin:notifications_messagingsettings_add")
    assert admin_client.get(add).status_code == 200
    settings_row = MessagingSettings.objects.create(pk=1)
    assert admin_client.get(add).status_code == 403
    delete = reverse("admin:notifications_messagingsettings_delete", args=[settings_row.pk])
    assert admin_client.get(delete).status_code == 403
    change = reverse("admin:notifications_messagingsettings_change", args=[settings_row.pk])
    admin_client.post(
        change,
        {
            "survey_reopen_days": 7,
            "survey_delay_hours": 24,
            "no_problem_reply_days": 14,
            "max_attempts": 5,
            "sms_intake_enabled": "on",
        },
    )
    settings_row.refresh_from_db()
    assert settings_row.survey_reopen_days == 7


def test_survey_results_are_read_only_and_filterable(admin_client, city):
    survey = Survey.objects.create(
        request=submit(city),
        token="secret-token",
        answered_at=timezone.now(),
        fixed=False,
        satisfaction=2,
    )
    changelist = reverse("admin:notifications_survey_changelist")
    response = admin_client.get(changelist, {"answered": "yes", "fixed__exact": "0"})
    assert response.status_code == 200
    assert survey.request.tracking_number in response.content.decode()
    assert admin_client.get(reverse("admin:notifications_survey_add")).status_code == 403
    change = admin_client.get(reverse("admin:notifications_survey_change", args=[survey.pk]))
    assert change.status_code == 200
    html = change.content.decode()
    assert 'name="_save"' not in html
    assert "secret-token" not in html  # the resident's link stays secret


def test_a_bad_digest_time_is_refused_in_admin_too(admin_client, staff):
    preference = StaffPreference.objects.create(user=staff.agent)
    url = reverse("admin:notifications_staffpreference_change", args=[preference.pk])
    data = {
        "user": staff.agent.pk,
        "new_in_department": "digest",
        "assigned_to_me": "immediate",
        "resident_replied": "immediate",
        "escalations": "immediate",
        "language": "en",
    }
    response = admin_client.post(url, {**data, "digest_times": "8 o'clock"})
    assert response.status_code == 200
    assert "is not a time" in response.content.decode()
    admin_client.post(url, {**data, "digest_times": "17:00 7:30"})
    preference.refresh_from_db()
    assert preference.digest_times == "07:30,17:00"


def test_messaging_settings_load_gives_the_one_row_and_makes_it_on_first_use():
    first = MessagingSettings.load()
    assert (first.pk, first.max_attempts) == (1, 5)
    MessagingSettings.objects.filter(pk=1).update(max_attempts=3)
    assert MessagingSettings.load().max_attempts == 3
    assert MessagingSettings.objects.count() == 1
