"""Two-factor sign-in: optional for staff, required for city admins (staff/two_factor.py)."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
SETUP = reverse("staff:two_factor_setup")
VERIFY = reverse("staff:two_factor_verify")
ADMIN = reverse("admin:index")
QUEUE = reverse("staff:queue")


def code_for(device: TOTPDevice, shift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=shift):06d}"


def confirmed_device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_city_admin_without_a_device_cannot_reach_the_admin_or_staff_pages(client, staff):
    client.force_login(staff.city_admin)
    pages = (
        ADMIN,
        reverse("admin:requests_app_category_changelist"),
        QUEUE,
        reverse("notifications:staff_preferences"),
        reverse("notifications:dev_mailbox"),
    )
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(SETUP)


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_superuser_without_a_device_cannot_reach_the_admin(client, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "b@city.example", "pw")
    client.force_login(boss)
    assert client.get(ADMIN)["Location"].startswith(SETUP)


# django-otp makes a device wait after a wrong code (tested below); not what these tests are about.
@override_settings(TWO_FACTOR_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_a_city_admin_sets_up_an_app_from_the_qr_code_and_gets_in(client, staff):
    client.force_login(staff.city_admin)
    page = client.get(SETUP, {"next": ADMIN})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'autocomplete="one-time-code"' in html
    device = TOTPDevice.objects.get(user=staff.city_admin, confirmed=False)
    assert page.context["secret"] in device.config_url  # the key to type in, if no camera

    wrong = client.post(SETUP, {"code": "000000", "next": ADMIN})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert client.get(ADMIN).status_code == 302

    done = client.post(SETUP, {"code": code_for(device), "next": ADMIN})
    assert done.status_code == 302 and done["Location"] == ADMIN
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(ADMIN).status_code == 200
    assert "is on for your account" in client.get(SETUP).content.decode()


@override_settings(TWO_FACTOR_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_the_sign_in_asks_for_the_code_after_the_password(client, staff):
    device = confirmed_device_for(staff.city_admin)
    signed_in = client.post(reverse("staff:login"), {"username": "ada", "password": "pw-ada"})
    assert signed_in.status_code == 302
    asked = client.get(ADMIN)
    assert asked.status_code == 302 and asked["Location"].startswith(VERIFY)
    assert client.get(QUEUE)["Location"].startswith(VERIFY)

    assert client.post(VERIFY, {"code": "123456", "next": ADMIN}).status_code == 400
    ok = client.post(VERIFY, {"code": code_for(device), "next": ADMIN})
    assert ok.status_code == 302 and ok["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200
    assert client.get(QUEUE).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_guessing_codes_is_slowed_down(client, staff):
    device = confirmed_device_for(staff.agent)
    client.force_login(staff.agent)
    client.post(VERIFY, {"code": "000000"})
    # Right after a wrong code even the right one is refused: the device makes guessers wait.
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 400
    assert client.get(QUEUE)["Location"].startswith(VERIFY)


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_the_admin_login_page_also_leads_to_the_code(client, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "b@city.example", "a-long-pass-1")
    confirmed_device_for(boss)
    client.post(reverse("admin:login"), {"username": "boss", "password": "a-long-pass-1"})
    assert client.get(ADMIN)["Location"].startswith(VERIFY)


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_staff_who_chose_two_factor_must_give_their_code(client, staff):
    confirmed_device_for(staff.agent)
    client.force_login(staff.agent)
    assert client.get(QUEUE)["Location"].startswith(VERIFY)


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_other_staff_without_a_device_are_not_asked_but_may_opt_in(client, staff):
    client.force_login(staff.agent)
    queue = client.get(QUEUE)
    assert queue.status_code == 200
    assert f'href="{SETUP}"' in queue.content.decode()
    assert client.get(SETUP).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_the_next_page_must_be_on_this_site(client, staff):
    device = confirmed_device_for(staff.agent)
    client.force_login(staff.agent)
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/staff/"


@override_settings(TWO_FACTOR_REQUIRED=False)
def test_in_the_demo_a_city_admin_without_a_device_is_told_but_let_in(client, staff):
    client.force_login(staff.city_admin)
    response = client.get(ADMIN)
    assert response.status_code == 200
    assert "must use two-factor sign-in" in response.content.decode()


def test_the_two_factor_pages_need_a_signed_in_user(client):
    assert client.get(SETUP)["Location"].startswith(reverse("staff:login"))
    assert client.get(VERIFY)["Location"].startswith(reverse("staff:login"))


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_the_setup_page_speaks_spanish(client, staff):
    client.force_login(staff.city_admin)
    page = client.get(SETUP, headers={"Accept-Language": "es"}).content.decode()
    assert "Set up two-factor sign-in" not in page and "authenticator" not in page


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_device_removed_by_an_admin_stops_asking_for_its_code(client, staff):
    device = confirmed_device_for(staff.agent)
    client.force_login(staff.agent)
    device.delete()  # lost phone: a city admin removed it
    asked = client.get(QUEUE)
    assert asked["Location"].startswith(VERIFY)
    assert client.get(asked["Location"])["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200
