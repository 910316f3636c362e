"""Staff: roles, each member's profile (the access rules about one request) and teams. Kept out
of requests_app.models to keep it readable; re-exported by it, so Django and callers find them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The requests these rules judge are requests_app.models.ServiceRequest rows; that module imports
# this one, so they are typed as models here (no import cycle, not even for type checkers).
AnyRequest = models.Model


class Role(models.TextChoices):
    OPERATOR = "operator", _("Call-centre operator")
    AGENT = "agent", _("Department agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    CITY_ADMIN = "city_admin", _("City admin")


class StaffProfile(models.Model):
    """A staff member's role and departments. Access rules about one request live here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.AGENT)
    departments = models.ManyToManyField(
        "requests_app.Department", blank=True, related_name="staff"
    )
    on_duty = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def is_city_admin(self) -> bool:
        return self.role == Role.CITY_ADMIN or self.user.is_superuser

    def department_ids(self) -> set[int]:
        if not hasattr(self, "_department_ids"):
            # A superuser without a saved profile acts as a city admin with no departments.
            self._department_ids = (
                set(self.departments.values_list("id", flat=True)) if self.pk else set()
            )
        return self._department_ids

    def can_work_on(self, request: AnyRequest) -> bool:
        """Internal notes, the resident's contact details and every action on a request are for
        members of its department (agents and supervisors) and city admins."""
        if self.is_city_admin:
            return True
        if self.role not in (Role.AGENT, Role.SUPERVISOR):
            return False
        return request.department_id in self.department_ids()

    def can_see_contact(self, request: AnyRequest) -> bool:
        # Operators see the contact details of requests they took themselves.
        if self.role == Role.OPERATOR and request.channel in ("phone", "walk_in", "email"):
            # RequestEvent.Type.CREATED, by value: requests_app.models imports this module.
            return request.events.filter(type="created", actor_id=self.user_id).exists()
        return self.can_work_on(request)

    def can_see_all_departments(self) -> bool:
        return self.is_city_admin or self.role == Role.OPERATOR


class Team(models.Model):
    class Strategy(models.TextChoices):
        MANUAL = "manual", _("Manual (a person assigns)")
        ROUND_ROBIN = "round_robin", _("Round-robin")
        LEAST_OPEN = "least_open", _("Least open work")
        BY_ZONE = "by_zone", _("By zone (the crew that owns the area)")

    department = models.ForeignKey(
        "requests_app.Department", on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField(max_length=120)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    assignment_strategy = models.CharField(
        max_length=20,
        choices=Strategy.choices,
        default=Strategy.MANUAL,
        help_text="How a request given to this team picks a person. Only on-duty staff are picked.",
    )
    # Round-robin's pointer: the member picked last (advanced under a row lock).
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["department__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="team_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.department.name}: {self.name}"
