"""The on-duty switch in the staff header: auto-assignment only picks staff on duty."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
DUTY = reverse("staff:duty")


def on_duty(user) -> bool:
    user.staff_profile.refresh_from_db()
    return user.staff_profile.on_duty


def test_the_queue_header_shows_the_switch(client, staff):
    client.force_login(staff.crew)
    page = client.get(reverse("staff:queue")).text
    assert f'action="{DUTY}"' in page
    assert "On duty" in page and "Go off duty" in page


def test_going_off_duty_returns_to_the_page_with_a_message(client, staff):
    client.force_login(staff.crew)
    queue = reverse("staff:queue") + "?scope=mine"
    response = client.post(DUTY, {"on_duty": "0", "next": queue})

    assert response.status_code == 303 and response["Location"] == queue
    assert on_duty(staff.crew) is False
    page = client.get(queue).text
    assert "You are off duty: no new work will be assigned to you automatically." in page
    assert "Go on duty" in page


def test_going_back_on_duty(client, staff):
    staff.crew.staff_profile.on_duty = False
    staff.crew.staff_profile.save()
    client.force_login(staff.crew)
    client.post(DUTY, {"on_duty": "1"})
    assert on_duty(staff.crew) is True


def test_posting_the_same_value_twice_does_not_flip_it_back(client, staff):
    client.force_login(staff.crew)
    client.post(DUTY, {"on_duty": "0"})
    client.post(DUTY, {"on_duty": "0"})
    assert on_duty(staff.crew) is False


def test_htmx_gets_the_switch_back_in_its_new_state(client, staff):
    client.force_login(staff.crew)
    response = client.post(
        DUTY, {"on_duty": "0", "next": "/staff/"}, headers={"HX-Request": "true"}
    )
    html = response.text
    assert response.status_code == 200 and "<html" not in html
    assert html.strip().startswith('<form id="duty-switch"')
    assert 'id="duty-button"' in html and "Go on duty" in html
    assert 'name="next" value="/staff/"' in html


def test_it_does_not_redirect_to_another_site(client, staff):
    client.force_login(staff.crew)
    response = client.post(DUTY, {"on_duty": "0", "next": "https://evil.example/"})
    assert response["Location"] == reverse("staff:queue")


def test_a_bad_value_changes_nothing(client, staff):
    client.force_login(staff.crew)
    response = client.post(DUTY, {"on_duty": "maybe"})
    assert response.status_code == 400 and on_duty(staff.crew) is True


def test_it_only_accepts_post(client, staff):
    client.force_login(staff.crew)
    assert client.get(DUTY).status_code == 405


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.post(DUTY, {"on_duty": "0"})
    assert response.status_code == 302 and reverse("staff:login") in response["Location"]


def test_non_staff_users_are_denied(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("resident", password="pw"))
    assert client.post(DUTY, {"on_duty": "0"}).status_code == 403


def test_a_superuser_without_a_staff_profile_has_no_switch(client, city, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(root)
    page = client.get(reverse("staff:intake"))
    assert page.status_code == 200 and f'action="{DUTY}"' not in page.text
    assert client.post(DUTY, {"on_duty": "0"}).status_code == 403
