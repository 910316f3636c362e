"""The queue's tabs and most of its selects' choices (teams, categories, areas, closure reasons)
are kept per process until the config stamp changes (requests_app.configcache); the people to
assign to are read on each page. An edit anywhere must show on the next page, and a login or a
duty switch must not make every process reload its copies."""

from __future__ import annotations

import pytest
from django.urls import reverse

from requests_app.configcache import config_stamp
from requests_app.models import Category, ClosureReason, Department, Team
from requests_app.permissions import staff_profile
from tests.conftest import make_staff
from tests.requests_app.helpers import routed

pytestmark = pytest.mark.django_db
QUEUE = reverse("staff:queue")


def page(client) -> str:
    response = client.get(QUEUE)
    assert response.status_code == 200
    return response.content.decode()


def test_a_renamed_person_shows_on_the_next_page(client, city, staff, django_user_model):
    routed(city)
    client.force_login(staff.supervisor)
    assert ">Casey</option>" in page(client)
    django_user_model.objects.filter(pk=staff.crew.pk).update(first_name="Cass", last_name="Lee")
    html = page(client)
    assert ">Cass Lee</option>" in html and ">Casey</option>" not in html


def test_a_new_member_a_new_team_and_a_deactivated_person_show_on_the_next_page(
    client, city, staff, django_user_model
):
    routed(city)
    client.force_login(staff.supervisor)
    html = page(client)
    assert "Drew" not in html and "Night crew" not in html
    make_staff(django_user_model, "drew", "agent", [city.streets])
    Team.objects.create(department=city.streets, name="Night crew")
    html = page(client)
    assert f'value="user:{django_user_model.objects.get(username="drew").pk}"' in html
    assert "Night crew" in html
    django_user_model.objects.filter(username="drew").update(is_active=False)
    assert "Drew" not in page(client)
    # Leaving the department takes them out of its group.
    staff_profile(staff.crew).departments.remove(city.streets)
    assert f'value="user:{staff.crew.pk}"' not in page(client)


def test_edited_categories_departments_and_closure_reasons_show_on_the_next_page(
    client, city, staff
):
    routed(city)
    client.force_login(staff.supervisor)
    page(client)
    Category.objects.filter(pk=city.pothole.pk).update(name="Road hole")
    Department.objects.filter(pk=city.streets.pk).update(name="Roads")
    ClosureReason.objects.filter(pk=city.repaired.pk).update(name="Fixed for good")
    html = page(client)
    assert "Road hole" in html and "Roads" in html and "Fixed for good" in html


def test_signing_in_and_going_on_duty_leave_the_stamp_alone(client, city, staff):
    stamp = config_stamp()
    client.force_login(staff.agent)  # sets last_login
    profile = staff_profile(staff.agent)
    profile.on_duty = not profile.on_duty
    profile.save(update_fields=["on_duty"])
    assert config_stamp() == stamp
