"""The signed-in user is read in one query (user, staff profile, departments) and the session
from the cache; nothing about the user is kept between requests, so every change an admin makes
applies on the next page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app.models import Role, StaffProfile
from requests_app.permissions import staff_profile, staff_user_get
from tests.requests_app.helpers import routed

pytestmark = pytest.mark.django_db
QUEUE = reverse("staff:queue")


def test_the_user_comes_with_the_profile_and_its_departments_in_one_query(city, staff):
    staff.supervisor.staff_profile.departments.add(city.parks)
    with CaptureQueriesContext(connection) as ctx:
        user = staff_user_get(pk=staff.supervisor.pk)
        profile = staff_profile(user)
        assert profile.role == Role.SUPERVISOR
        assert profile.department_ids() == {city.streets.pk, city.parks.pk}
        assert profile.user is user and user.get_username() == "sam"
    assert len(ctx.captured_queries) == 1


def test_a_user_without_a_profile_has_none_and_a_superuser_acts_as_city_admin(city, staff):
    plain = get_user_model().objects.create_user("nobody", password="pw")
    root = get_user_model().objects.create_superuser("root", "r@example.com", "pw")
    with CaptureQueriesContext(connection) as ctx:
        assert staff_profile(staff_user_get(pk=plain.pk)) is None
        assert staff_profile(staff_user_get(pk=root.pk)).is_city_admin
        assert staff_user_get(pk=10**9) is None
        assert staff_user_get(pk="not a number") is None
    assert len(ctx.captured_queries) == 3


def test_an_operator_has_no_departments(city, staff):
    assert staff_profile(staff_user_get(pk=staff.operator.pk)).department_ids() == set()


def test_a_staff_page_reads_the_session_from_the_cache(client, city, staff):
    client.force_login(staff.agent)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(QUEUE).status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"]]


def test_a_deactivated_user_is_signed_out_on_the_next_page(client, city, staff):
    client.force_login(staff.agent)
    assert client.get(QUEUE).status_code == 200
    get_user_model().objects.filter(pk=staff.agent.pk).update(is_active=False)
    response = client.get(QUEUE)
    assert response.status_code == 302 and reverse("staff:login") in response["Location"]


def test_a_removed_role_closes_the_staff_pages_on_the_next_page(client, city, staff):
    client.force_login(staff.agent)
    assert client.get(QUEUE).status_code == 200
    StaffProfile.objects.filter(user=staff.agent).delete()
    assert client.get(QUEUE).status_code == 403


def test_a_removed_department_applies_on_the_next_page(client, city, staff):
    sr = routed(city)
    detail = reverse("staff:detail", args=[sr.tracking_number])
    client.force_login(staff.agent)
    assert 'id="action-acknowledge"' in client.get(detail).content.decode()
    staff.agent.staff_profile.departments.remove(city.streets)
    page = client.get(detail).content.decode()
    assert 'id="action-acknowledge"' not in page
    assert "Only" in page and "can act on this request" in page


def test_a_changed_role_applies_on_the_next_page(client, city, staff):
    sr = routed(city, department=city.parks, category=city.graffiti, answers={})
    detail = reverse("staff:detail", args=[sr.tracking_number])
    client.force_login(staff.agent)
    assert 'id="action-acknowledge"' not in client.get(detail).content.decode()
    StaffProfile.objects.filter(user=staff.agent).update(role=Role.CITY_ADMIN)
    assert 'id="action-acknowledge"' in client.get(detail).content.decode()


def test_a_signed_out_session_is_gone_from_the_cache_too(client, city, staff):
    client.force_login(staff.agent)
    client.get(QUEUE)
    cookie = client.cookies["sessionid"].value
    client.post(reverse("staff:logout"))
    other = Client()
    other.cookies["sessionid"] = cookie
    assert other.get(QUEUE).status_code == 302
