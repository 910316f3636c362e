"""A city admin signs in for the first time with two-factor required: password, then the setup
page (QR code or typed key), then the admin."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_city_admin_sets_up_two_factor_on_first_sign_in(
    page: Page, live_server, staff, assert_accessible
):
    page.goto(f"{live_server.url}/staff/login/?next=/admin/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("pw-ada")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator(".two-factor-qr svg")).to_be_visible()
    assert_accessible(page, "the two-factor setup page")

    device = TOTPDevice.objects.get(user=staff.city_admin, confirmed=False)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}"
    page.get_by_label("6-digit code").fill(code)
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(f"{live_server.url}/admin/")
    assert TOTPDevice.objects.filter(user=staff.city_admin, confirmed=True).exists()
