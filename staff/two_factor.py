"""Two-factor sign-in (TOTP, django-otp) for staff: optional for everyone, required for city
admins (role city_admin, and superusers).

After the password, a user with a confirmed device must give a code before any /staff/ or
/admin/ page; a city admin without one is sent to set one up. With TWO_FACTOR_REQUIRED off
(the default when DEBUG or DEV_MAILBOX is on, i.e. `make run`'s demo) the city admin's missing
device is reported on each sign-in but not enforced, so the demo admin still gets in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_totp.models import TOTPDevice

from requests_app.models import Role
from requests_app.permissions import staff_profile

logger = logging.getLogger(__name__)

DEVICE_NAME = "Authenticator app"
SETUP_REMINDER = gettext_noop(
    "City admins must use two-factor sign-in. Set up an authenticator app now: "
    "outside the demo, admin pages stay closed until you do."
)
# Pages a signed-in user may reach before their second factor: signing in and out, password
# reset, the language switch and the two-factor pages themselves. Every other page is closed
# until then, public ones included: a staff session shows more than the public sees (staff
# photos, /staff/notifications/, the dev mailbox), whatever the URL's prefix.
EXEMPT = {
    "staff:login",
    "staff:logout",
    "staff:password_reset",
    "staff:password_reset_done",
    "staff:password_reset_confirm",
    "staff:password_reset_complete",
    "staff:two_factor_setup",
    "staff:two_factor_verify",
    "admin:login",
    "admin:logout",
    "set_language",
    "health",
}


def two_factor_required(user) -> bool:
    profile = staff_profile(user)
    return profile is not None and (user.is_superuser or profile.role == Role.CITY_ADMIN)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


# Whether the signed-in user has a confirmed device, noted in the session at sign-in (and when
# one is set up) so that staff pages do not pay a query for it on every request. A device added
# or removed by an admin takes effect at the user's next sign-in.
SESSION_HAS_DEVICE = "two_factor_has_device"


def has_device(request: HttpRequest) -> bool:
    has = request.session.get(SESSION_HAS_DEVICE)
    if has is None:  # a session from before two-factor existed
        has = request.session[SESSION_HAS_DEVICE] = confirmed_device(request.user) is not None
    return has


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        has = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        request.session[SESSION_HAS_DEVICE] = has


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being set up: one per user, reused until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm a device being set up with a code it shows (django-otp throttles bad codes)."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def qr_svg(uri: str) -> str:
    # Rendered here as inline SVG: no image service sees the secret.
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def two_factor_passed(request: HttpRequest) -> bool:
    """May this signed-in user past the second step? (The admin site asks this too.)"""
    user = request.user
    if user.is_verified():
        return True
    if has_device(request):
        return False
    return not (settings.TWO_FACTOR_REQUIRED and two_factor_required(user))


class TwoFactorMiddleware:
    """After OTPMiddleware: sends signed-in users who owe a code (or a device) to the code or
    setup page before any other page. `request.user.is_verified()` is True once a code was
    accepted this session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        redirect = self._redirect(request)
        return redirect or self.get_response(request)

    def _redirect(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        device = has_device(request)
        # Most staff owe nothing: say so before resolving the URL (a second resolve on every
        # page and queue poll). Both answers come from the session and the user already loaded.
        if not device and not two_factor_required(user):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name in EXEMPT:
            return None
        if device:
            return HttpResponseRedirect(
                with_next("staff:two_factor_verify", request.get_full_path())
            )
        if settings.TWO_FACTOR_REQUIRED:
            return HttpResponseRedirect(
                with_next("staff:two_factor_setup", request.get_full_path())
            )
        if not request.session.get("two_factor_reminded"):
            # Reported, not enforced (the demo): once per session, and in the log.
            request.session["two_factor_reminded"] = True
            messages.warning(request, _(SETUP_REMINDER))
            logger.warning("City admin %s has no two-factor device (not enforced)", user.pk)
        return None
