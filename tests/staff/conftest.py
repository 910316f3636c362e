"""Staff of the test city: who works where, with which role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from requests_app.models import Role, StaffProfile, Team


@dataclass
class Staff:
    agent: object  # Streets agent
    crew: object  # Streets field crew member (agent role, in the Potholes team)
    supervisor: object  # Streets supervisor
    parks_agent: object  # works for Parks only
    operator: object  # call centre
    city_admin: object
    potholes_team: object


def make_staff(django_user_model, username: str, role: str, departments=(), **extra):
    user = django_user_model.objects.create_user(
        username, password="pw-" + username, first_name=username.title(), **extra
    )
    profile = StaffProfile.objects.create(user=user, role=role)
    profile.departments.set(departments)
    return user


@pytest.fixture
def staff(city, django_user_model) -> Staff:
    agent = make_staff(django_user_model, "alex", Role.AGENT, [city.streets])
    crew = make_staff(django_user_model, "casey", Role.AGENT, [city.streets])
    supervisor = make_staff(django_user_model, "sam", Role.SUPERVISOR, [city.streets])
    parks_agent = make_staff(django_user_model, "pat", Role.AGENT, [city.parks])
    operator = make_staff(django_user_model, "olive", Role.OPERATOR)
    city_admin = make_staff(django_user_model, "ada", Role.CITY_ADMIN, is_staff=True)
    team = Team.objects.create(department=city.streets, name="Potholes")
    team.members.set([crew])
    return Staff(agent, crew, supervisor, parks_agent, operator, city_admin, team)
