"""Property-based fuzzing of every URL in the project: whatever is put in the path, the query
string or a form, by whoever, the answer is never a 500, and a POST that is refused saves nothing.

The URL patterns are read from the URLconf, so a new view is fuzzed without touching this file.
Path converters are filled with real objects of a seeded test city (a request, its private link,
a follower's and a survey's token, an outbox message) or with junk; every form field of every
form in the project and every query parameter a view reads gets junk or a valid value: NUL and
other control characters, right-to-left overrides, huge and negative numbers, dates in years 1
and 9999, very long strings. Anonymous visitors (and residents holding a private link), an agent
and a city admin walk the site; a superuser walks the Django admin.

Bounded: few examples each and a per-example deadline, the whole file well under a minute.
Runs derandomized (the same examples every time, so CI is steady); FUZZ_RANDOM=1 explores."""

from __future__ import annotations

import os
import random
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pytest
from django import forms
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from notifications.models import RequestSubscription, Survey
from notifications.outbox import outbox_queue
from requests_app.models import RequestEvent, ServiceRequest
from requests_app.services import request_route
from staff.forms import ACTION_FORMS
from tests.conftest import INSIDE
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "3")),
    deadline=timedelta(seconds=30),
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    database=None,
    # Shrinking re-walks the whole site per attempt: too slow here, and the assertion message
    # already names the request that failed.
    phases=[Phase.explicit, Phase.generate],
    report_multiple_bugs=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# --- What to send -------------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x07\x1b[31m\x7f",
    "\r\n\t",
    "\u202eevil.exe\u202c",
    "\u2066isolated\u2069 \u200f\u200e",
    "\ufeff\ufffd",
    "0",
    "-1",
    "99999999999999999999",
    "-99999999999999999999",
    "9" * 400,
    "1e309",
    "NaN",
    "inf",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2026-02-30",
    "x" * 5000,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "user:99999999999999999999",
    "team:1",
    "on",
    "😀" * 50,
]
JUNK = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def _form_classes(base: type) -> list[type]:
    found = []
    for sub in base.__subclasses__():
        if sub.__module__.split(".")[0] in ("requests_app", "notifications", "staff", "routing"):
            found.append(sub)
        found.extend(_form_classes(sub))
    return found


def form_field_names() -> list[str]:
    """Every field of every form in the project, and every query parameter the views read."""
    names = {n for cls in _form_classes(forms.BaseForm) for n in getattr(cls, "base_fields", {})}
    names |= {"q_size", "q_lane", "q_hazards", "q_noticed", "q_landmark", "q_more"}
    names |= {"q", "page", "lat", "lng", "added", "sent", "saved", "outcome", "to", "kind"}
    names |= {"ids", "photo_id", "remove_photo", "draft_key", "use_template", "tab", "target"}
    names |= {"username", "password", "language", "next", "token"}
    names |= {"From", "To", "Body", "NumMedia", "MessageSid", "sender", "recipient", "subject"}
    names |= {"body-plain", "body-html", "email", "body-mime", "Message-Id"}
    return sorted(names)


FIELDS = form_field_names()


def walk_patterns(patterns=None, prefix: str = ""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from walk_patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


ROUTES = list(walk_patterns())
SITE_ROUTES = [r for r in ROUTES if not r.startswith("admin/")]
ADMIN_ROUTES = [r for r in ROUTES if r.startswith("admin/")]
# Signing out mid-walk would turn the rest of a staff walk anonymous: it goes last.
SITE_ROUTES.sort(key=lambda r: r.endswith("logout/"))
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


@dataclass
class Seeded:
    valid_path: dict[str, list[str]]
    valid_field: dict[str, list[str]]


@pytest.fixture
def seeded(city, staff) -> Seeded:
    sr = submit(city)
    request_route(request=sr, department=city.streets)
    sr.refresh_from_db()
    follower = RequestSubscription.objects.create(
        request=sr, role="follower", channel="email", address="n@example.com", token="f" * 43
    )
    survey = Survey.objects.create(request=sr, token="s" * 43)
    message = outbox_queue(
        channel="email",
        recipient="rosa@example.com",
        template="received",
        language="en",
        body_text="Hello",
        request=sr,
    )
    sr.refresh_from_db()
    return Seeded(
        valid_path={
            "tracking_number": [sr.tracking_number],
            "token": [sr.private_token, follower.token, survey.token],
            "message_id": [str(message.pk)],
            "action": sorted(ACTION_FORMS),
            "size": ["thumb", "full"],
            "photo_uuid": [str(uuid.uuid4())],
            "object_id": [str(sr.pk), str(city.pothole.pk)],
            "app_label": ["requests_app", "notifications", "routing"],
        },
        valid_field={
            "category": [str(city.pothole.pk), str(city.graffiti.pk)],
            "idempotency_key": [str(uuid.uuid4())],
            "draft_key": [str(uuid.uuid4())],
            "latitude": [str(INSIDE[0])],
            "longitude": [str(INSIDE[1])],
            "lat": [str(INSIDE[0])],
            "lng": [str(INSIDE[1])],
            "description": ["Deep pothole in the right lane."],
            "contact_method": ["none", "email"],
            "anonymous": ["on"],
            "language": ["en", "es"],
            "q_size": ["14"],
            "q_lane": ["traffic"],
            "q_noticed": ["2026-11-20T08:30"],
            "ids": [f"{sr.pk}:{sr.version}" if hasattr(sr, "version") else str(sr.pk)],
            "action": ["review", "submit", "assign", "comment", "status", "priority"],
            "token": ["test-inbound-secret"],
            "From": ["+14155550134"],
            "status": ["open", "closed", "new", "resolved"],
            "closure_reason": [str(city.repaired.pk)],
            "assign_to": [f"user:{staff.agent.pk}", "none"],
            "assignee": [f"user:{staff.agent.pk}"],
        },
    )


class Junk:
    """One example's values: a pool of junk drawn by Hypothesis, handed out by a generator it
    seeds (thousands of single draws per walk would exceed Hypothesis's data budget)."""

    def __init__(self, data) -> None:
        self.pool = data.draw(st.lists(JUNK, min_size=24, max_size=24), label="junk")
        self.rng = random.Random(data.draw(st.integers(0, 2**32), label="seed"))

    def value(self, choices: list[str]) -> str:
        if choices and self.rng.random() < 0.5:
            return self.rng.choice(choices)
        return self.rng.choice(self.pool)


def fill_route(junk: Junk, route: str, seeded: Seeded) -> str:
    def one(match: re.Match) -> str:
        name = match["name"] or match["rname"]
        return quote(junk.value(seeded.valid_path.get(name, [])), safe="") or "x"

    return "/" + PARAM.sub(one, route).lstrip("^").rstrip("$").replace("\\", "")


def field_values(junk: Junk, seeded: Seeded) -> dict[str, str]:
    return {name: junk.value(seeded.valid_field.get(name, [])) for name in FIELDS}


# Answers that are designed, not faults: the full health check says 503 when no worker has
# reported a heartbeat (none runs in the test suite), which is exactly its job.
DESIGNED_UNAVAILABLE = {"/health/full/"}


def no_server_error(response, path: str) -> bool:
    if response.status_code == 503 and path.split("?")[0] in DESIGNED_UNAVAILABLE:
        return True
    return response.status_code < 500


def counts() -> tuple[int, int]:
    return ServiceRequest.objects.count(), RequestEvent.objects.count()


def walk(data, client: Client, seeded: Seeded, routes: list[str], *, post: bool, user=None):
    """Every route once with junk; no 500, and a refused POST changes nothing."""
    junk = Junk(data)
    for route in routes:
        if user is not None:
            client.force_login(user)
        path = fill_route(junk, route, seeded)
        params = field_values(junk, seeded)
        response = client.get(path, params)
        assert no_server_error(response, path), f"GET {path} {params!r}"
        if not post:
            continue
        before = counts()
        response = client.post(path, field_values(junk, seeded))
        assert no_server_error(response, path), f"POST {path}"
        if response.status_code >= 400:
            assert counts() == before, f"POST {path} refused ({response.status_code}) but saved"


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("fuzz-admin", "f@example.com", "pw")


def quiet_client() -> Client:
    return Client(raise_request_exception=False)


@FUZZ
@given(data=st.data())
def test_anonymous_visitors_and_private_link_holders_never_get_a_500(seeded, data):
    walk(data, quiet_client(), seeded, SITE_ROUTES, post=True)


@FUZZ
@given(data=st.data())
def test_an_agent_never_gets_a_500(seeded, staff, data):
    walk(data, quiet_client(), seeded, SITE_ROUTES, post=True, user=staff.agent)


@FUZZ
@given(data=st.data())
def test_a_city_admin_never_gets_a_500(seeded, staff, data):
    walk(data, quiet_client(), seeded, SITE_ROUTES, post=True, user=staff.city_admin)


# One example walks every admin page with GETs and POSTs (~10 s alone, 38 s on a machine
# running other suites beside it); the assertion is "no 500", not a speed, so no deadline here.
@settings(FUZZ, max_examples=int(os.environ.get("FUZZ_ADMIN_EXAMPLES", "1")), deadline=None)
@given(data=st.data())
def test_the_django_admin_never_gives_a_500(seeded, superuser, data):
    walk(data, quiet_client(), seeded, ADMIN_ROUTES, post=True, user=superuser)


def test_invalid_utf8_in_the_query_string_is_not_a_500(seeded):
    client = quiet_client()
    for route in SITE_ROUTES:
        path = "/" + PARAM.sub("x", route)
        response = client.get(path, QUERY_STRING="q=%ff%fe%ed%a0%80&page=%c0%af")
        assert no_server_error(response, path), path
