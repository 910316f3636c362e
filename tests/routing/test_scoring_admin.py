"""Admins set the score's weights (one settings row), keywords, sensitive places and each
category's base severity in Django admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from routing.models import ScoreKeyword, ScoringSettings, SensitivePlace
from tests.routing.test_scoring import metres_north

pytestmark = pytest.mark.django_db

SETTINGS = {
    "enabled": "on",
    "supporter_points": 5,
    "supporter_cap": 25,
    "age_points_per_day": 1,
    "age_cap": 20,
    "urgent_at": 80,
    "high_at": 50,
    "normal_at": 15,
}


def test_the_settings_list_opens_the_one_row_which_cannot_be_added_again_or_deleted(
    superuser_client,
):
    response = superuser_client.get(reverse("admin:routing_scoringsettings_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:routing_scoringsettings_change", args=[1])
    assert ScoringSettings.objects.count() == 1
    assert superuser_client.get(response["Location"]).status_code == 200
    assert superuser_client.get(reverse("admin:routing_scoringsettings_add")).status_code == 403
    delete = reverse("admin:routing_scoringsettings_delete", args=[1])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert ScoringSettings.objects.count() == 1


def test_the_bands_must_go_down_from_urgent_to_normal(superuser_client):
    change = reverse("admin:routing_scoringsettings_change", args=[1])
    ScoringSettings.objects.get_or_create(pk=1)
    response = superuser_client.post(change, {**SETTINGS, "high_at": 90})
    assert response.status_code == 200
    assert "The bands must go down: Urgent above High above Normal." in response.text
    assert ScoringSettings.objects.get(pk=1).high_at == 50

    assert superuser_client.post(change, {**SETTINGS, "urgent_at": 70}).status_code == 302
    assert ScoringSettings.objects.get(pk=1).urgent_at == 70


def test_keywords_and_places_are_listed_filtered_and_searched(superuser_client):
    ScoreKeyword.objects.create(word="exposed wires", points=20)
    SensitivePlace.objects.create(
        kind="school", name="Lincoln Elementary", location=metres_north(0)
    )
    SensitivePlace.objects.create(kind="hospital", name="General", location=metres_north(500))
    keywords = superuser_client.get(
        reverse("admin:routing_scorekeyword_changelist"), {"q": "wires"}
    )
    assert "exposed wires" in keywords.text
    places = reverse("admin:routing_sensitiveplace_changelist")
    schools = superuser_client.get(places, {"kind": "school"}).text
    assert "Lincoln Elementary" in schools and "General" not in schools
    assert "General" in superuser_client.get(places, {"q": "gener"}).text
    place = SensitivePlace.objects.get(name="General")
    change = reverse("admin:routing_sensitiveplace_change", args=[place.pk])
    assert superuser_client.get(change).status_code == 200


def test_a_category_has_a_base_severity_field(superuser_client, city):
    page = superuser_client.get(
        reverse("admin:requests_app_category_change", args=[city.pothole.pk])
    )
    assert 'name="base_severity"' in page.text
