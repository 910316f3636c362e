from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from requests_app.models import Role, StaffProfile, Team
from tests.factories import (
    AddressPointFactory,
    AreaFactory,
    AreaSetFactory,
    CategoryFactory,
    CategoryGroupFactory,
    ChoiceFactory,
    ClosureReasonFactory,
    DepartmentFactory,
    QuestionFactory,
    square,
)

# Sync Playwright keeps an event loop in the main thread; live_server's DB work must be allowed.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in English: a request made in Spanish leaves the thread's language
    active after it, which would otherwise leak into the next test."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def queue_cache_empty():
    """The queue's rendered rows are kept per process by the tally's stamp (staff.views.
    queue_cache); a rolled-back test can leave the next one the same stamp for other rows."""
    from staff.views.queue_cache import queue_cache_clear

    queue_cache_clear()


# Inside the test city (a 0.1° square around this point) and well outside it.
INSIDE = (37.7600, -122.4400)
NEAR_MARKET = (37.7700, -122.4300)
OUTSIDE = (40.7128, -74.0060)


@dataclass
class City:
    streets: object
    parks: object
    pothole: object
    graffiti: object
    gas_leak: object
    boundary: object
    mission: object
    sunset: object
    address: object
    intersection: object
    repaired: object


@pytest.fixture
def city(db) -> City:
    """A small city: a square service area split into two neighbourhoods, two address points,
    a pothole category asking one question of every Open311 type, a graffiti category with no
    questions, and a gas-leak category that cannot be reported online."""
    streets = DepartmentFactory(name="Streets", name_es="Calles", slug="streets")
    parks = DepartmentFactory(name="Parks", name_es="Parques", slug="parks")
    roads = CategoryGroupFactory(
        name="Streets & sidewalks", name_es="Calles y aceras", slug="streets"
    )
    pothole = CategoryFactory(
        group=roads,
        code="pothole",
        name="Pothole",
        name_es="Bache",
        description="A hole in the road surface.",
        keywords="hole road asphalt",
        default_department=streets,
        notice="If a pothole has caused a crash, call 911.",
        notice_es="Si un bache causó un choque, llame al 911.",
    )
    QuestionFactory(
        category=pothole,
        code="size",
        datatype="number",
        prompt="How wide is it, in inches?",
        prompt_es="¿Qué ancho tiene, en pulgadas?",
        required=True,
        order=1,
    )
    lane = QuestionFactory(
        category=pothole,
        code="lane",
        datatype="singlevaluelist",
        prompt="Where is it?",
        prompt_es="¿Dónde está?",
        required=True,
        order=2,
    )
    ChoiceFactory(question=lane, key="traffic", name="In a traffic lane", name_es="En un carril")
    ChoiceFactory(question=lane, key="bike", name="In a bike lane", name_es="En un carril bici")
    hazards = QuestionFactory(
        category=pothole,
        code="hazards",
        datatype="multivaluelist",
        prompt="Any hazards?",
        prompt_es="¿Algún peligro?",
        order=3,
    )
    ChoiceFactory(question=hazards, key="water", name="Filled with water", name_es="Con agua")
    ChoiceFactory(question=hazards, key="deep", name="Deeper than 3 inches", name_es="Profundo")
    QuestionFactory(
        category=pothole,
        code="noticed",
        datatype="datetime",
        prompt="When did you notice it?",
        order=4,
    )
    QuestionFactory(
        category=pothole, code="landmark", datatype="string", prompt="Nearby landmark", order=5
    )
    QuestionFactory(
        category=pothole, code="more", datatype="text", prompt="Anything else?", order=6
    )
    QuestionFactory(
        category=pothole,
        code="note",
        datatype="string",
        variable=False,
        prompt="Crews fill most potholes within three days.",
        order=0,
    )
    graffiti = CategoryFactory(
        group=CategoryGroupFactory(name="Cleanliness", slug="clean"),
        code="graffiti",
        name="Graffiti",
        name_es="Grafiti",
        default_department=parks,
        description="Paint or tags on public property.",
    )
    gas_leak = CategoryFactory(
        group=roads,
        code="gas-leak",
        name="Gas leak",
        name_es="Fuga de gas",
        default_department=streets,
        online_submission_allowed=False,
        offline_message="Leave the area and call 911 now.",
        offline_message_es="Salga del área y llame al 911 ahora.",
    )
    boundary = AreaFactory(
        area_set=AreaSetFactory(kind="boundary"),
        name="Test City",
        geom=square(-122.44, 37.76, 0.05),
    )
    nset = AreaSetFactory(kind="neighbourhood", name="Neighbourhoods")
    mission = AreaFactory(area_set=nset, name="Mission", geom=square(-122.415, 37.76, 0.025))
    sunset = AreaFactory(area_set=nset, name="Sunset", geom=square(-122.465, 37.76, 0.025))
    from django.contrib.gis.geos import Point

    address = AddressPointFactory(
        label="1 Market St", location=Point(NEAR_MARKET[1], NEAR_MARKET[0], srid=4326)
    )
    intersection = AddressPointFactory(
        label="Valencia St & 16th St",
        kind="intersection",
        location=Point(-122.4220, 37.7650, srid=4326),
    )
    repaired = ClosureReasonFactory()
    return City(
        streets,
        parks,
        pothole,
        graffiti,
        gas_leak,
        boundary,
        mission,
        sunset,
        address,
        intersection,
        repaired,
    )


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


@pytest.fixture
def queued(city):
    """A pothole report in the Streets queue: routed, nobody on it yet."""
    from tests.requests_app.helpers import routed  # a local import: helpers imports this module

    return routed(city)


@pytest.fixture
def superuser_client(client, django_user_model):
    """A client signed in to the Django admin as a superuser ("cityadmin")."""
    user = django_user_model.objects.create_superuser("cityadmin", "a@example.com", "pw")
    client.force_login(user)
    return client
