"""The demo's logins: who they are, their roles and departments, and the published password.
Demo only: the admin login is a superuser with this password."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from requests_app.models import Department, StaffProfile, Team

DEMO_PASSWORD = "demo-311-pass"  # noqa: S105 - published on purpose: demo logins
DEMO_USERS = (  # username, superuser?
    ("admin", True),
    ("supervisor", False),
    ("agent", False),
    ("crew", False),
    ("operator", False),
    ("parks", False),
)
# Role and departments of each demo login (department slugs from the city pack's
# departments.toml).
DEMO_ROLES = {
    "admin": ("city_admin", ()),
    "supervisor": ("supervisor", ("public-works-streets",)),
    "agent": ("agent", ("public-works-streets",)),
    "crew": ("agent", ("public-works-streets",)),
    "operator": ("operator", ()),
    "parks": ("agent", ("parks",)),
}
DEMO_ROLE_LABELS = {
    "admin": "city admin (Django admin too)",
    "supervisor": "supervisor, Public Works — Streets",
    "agent": "agent, Public Works — Streets",
    "crew": "field crew, Public Works — Streets (Pothole crew)",
    "operator": "call-centre operator",
    "parks": "agent, Parks & Recreation",
}


def demo_user_ensure(
    *, username: str, first_name: str, last_name: str = "", superuser: bool = False
) -> AbstractBaseUser:
    """The user with this name, created with the demo password when missing (an existing one
    keeps its password)."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        make = User.objects.create_superuser if superuser else User.objects.create_user
        user = make(
            username=username,
            email=f"{username}@example.com",
            password=DEMO_PASSWORD,
            # Only the city admin uses Django admin; the rest work in /staff/.
            is_staff=superuser,
            first_name=first_name,
            last_name=last_name,
        )
    return user


def demo_users_ensure() -> dict[str, int]:
    """The demo logins with their roles and departments, and the crew login in the Pothole crew;
    returns their ids by username."""
    User = get_user_model()
    ids = {}
    for username, superuser in DEMO_USERS:
        user = demo_user_ensure(
            username=username, first_name=username.capitalize(), superuser=superuser
        )
        if user.is_staff != superuser:
            User.objects.filter(pk=user.pk).update(is_staff=superuser)
        role, slugs = DEMO_ROLES[username]
        profile, _ = StaffProfile.objects.update_or_create(user=user, defaults={"role": role})
        profile.departments.set(Department.objects.filter(slug__in=slugs))
        ids[username] = user.pk
    streets = Department.objects.filter(slug="public-works-streets").first()
    if streets:
        team, _ = Team.objects.get_or_create(department=streets, name="Pothole crew")
        team.members.add(ids["crew"])
    return ids


def logins_text() -> str:
    lines = [
        "",
        "Demo logins " + "-" * 40,
        *(f"  {name:<12} {DEMO_PASSWORD}   {DEMO_ROLE_LABELS[name]}" for name, _su in DEMO_USERS),
        "  Staff back office: /staff/   Django admin: /admin/",
        "-" * 52,
    ]
    return "\n".join(lines)
