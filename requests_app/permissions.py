"""Who may see and do what in the back office (the staff pages and the staff-only messaging
pages). Every staff view goes through these."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from requests_app.models import Role, ServiceRequest, StaffProfile


def staff_profile(user) -> StaffProfile | None:
    """The user's staff profile; superusers without one act as city admins."""
    if not user.is_authenticated or not user.is_active:
        return None
    profile = getattr(user, "staff_profile", None)
    if profile is None and user.is_superuser:
        profile = StaffProfile(user=user, role=Role.CITY_ADMIN)
    return profile


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged-in staff only: anonymous users go to the login page, others get 403.
    The view receives `request.staff` (the StaffProfile)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        profile = staff_profile(request.user)
        if profile is None:
            raise PermissionDenied
        request.staff = profile
        return view(request, *args, **kwargs)

    return wrapper


def request_for_work(
    request: HttpRequest, service_request: ServiceRequest | None
) -> ServiceRequest:
    """The request, if this staff member may act on it: 404 when it does not exist, 403 when it
    belongs to a department they do not work for."""
    if service_request is None:
        raise Http404
    if not request.staff.can_work_on(service_request):
        raise PermissionDenied
    return service_request
