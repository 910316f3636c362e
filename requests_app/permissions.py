"""Who may see and do what in the back office (the staff pages and the staff-only messaging
pages). Every staff view goes through these."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse

from requests_app.models import Role, ServiceRequest, StaffProfile
from requests_app.prepared import prepared


def staff_profile(user) -> StaffProfile | None:
    """The user's staff profile; superusers without one act as city admins."""
    if not user.is_authenticated or not user.is_active:
        return None
    profile = getattr(user, "staff_profile", None)
    if profile is None and user.is_superuser:
        profile = StaffProfile(user=user, role=Role.CITY_ADMIN)
    return profile


_USER_SQL: str | None = None


def _user_sql() -> str:
    """The user row, its staff profile and the profile's departments in one statement. Written
    out once from the models' own columns, so a field added to either model is read too."""
    global _USER_SQL
    if _USER_SQL is None:
        user, profile = get_user_model()._meta, StaffProfile._meta
        through = StaffProfile.departments.through._meta
        src = StaffProfile.departments.field.m2m_column_name()
        dst = StaffProfile.departments.field.m2m_reverse_name()
        link, pk = StaffProfile.user.field.column, user.pk.column
        departments = f'SELECT d."{dst}" FROM "{through.db_table}" d WHERE d."{src}" = p."id"'  # noqa: S608
        columns = ", ".join(
            [f'u."{f.column}"' for f in user.concrete_fields]
            + [f'p."{f.column}"' for f in profile.concrete_fields]
            + [f"ARRAY({departments})"]
        )
        tables = f'"{user.db_table}" u LEFT JOIN "{profile.db_table}" p ON p."{link}" = u."{pk}"'
        # Identifiers from the models' metadata only; the one value is a parameter.
        _USER_SQL = f'SELECT {columns} FROM {tables} WHERE u."{pk}" = %s'  # noqa: S608
    return _USER_SQL


def staff_user_get(*, pk) -> object | None:
    """The signed-in user for this request, with `staff_profile` and its department ids
    already attached: one query where the session's user, the profile and the departments took
    three on every staff page and queue poll (about 1.5 ms of ORM work). Nothing is kept between
    requests, so a deactivated user, a changed role or a removed department shows on the next
    page."""
    User = get_user_model()
    user_fields = User._meta.concrete_fields
    profile_fields = StaffProfile._meta.concrete_fields
    try:
        pk = User._meta.pk.to_python(pk)
    except Exception:  # a session from another user model: nobody
        return None
    with connection.cursor() as cursor:
        # Prepared once per database session (requests_app.prepared): a primary-key look-up
        # whose planning cost PostgreSQL more than running it, on every signed-in request.
        prepared(cursor, [(_user_sql(), None, [pk])])
        row = cursor.fetchone()
    if row is None:
        return None
    n, m = len(user_fields), len(profile_fields)
    user = User.from_db(connection.alias, [f.attname for f in user_fields], row[:n])
    profile = None
    if row[n] is not None:  # the profile's id: a LEFT JOIN without a profile gives NULLs
        profile = StaffProfile.from_db(
            connection.alias, [f.attname for f in profile_fields], row[n : n + m]
        )
        profile._department_ids = set(row[n + m])
        StaffProfile.user.field.set_cached_value(profile, user)
    StaffProfile.user.field.remote_field.set_cached_value(user, profile)
    return user


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
