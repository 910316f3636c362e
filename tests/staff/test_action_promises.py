"""Issue 12: what staff are told the resident sees must be what the resident sees. Every action
on the request page is performed through the page's own form, its success message is checked,
then the public tracker is loaded: what the message (or the form's "Public" help) promised is
there, and nothing internal is."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from html import unescape

import pytest
from django.urls import reverse

from requests_app.services import request_hold, request_resolve
from staff.forms import ACTION_FORMS
from tests.requests_app.helpers import routed, with_fields

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    data: dict
    shown: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    setup: object = None  # (city, staff, sr) -> None: put the request where the action applies
    extra: dict = field(default_factory=dict)


def _held(city, staff, sr):
    request_hold(request=sr, actor=staff.agent, message="Send us a photo, please.")


def _resolved(city, staff, sr):
    request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)


def _overridden(city, staff, sr):
    with_fields(sr, priority_overridden=True)


CASES: dict[str, Case] = {
    "acknowledge": Case({}, shown=("Staff have reviewed your request",)),
    "assign": Case({"assignee": "crew", "team": "team"}, hidden=("Casey", "Potholes")),
    "priority": Case(
        {"priority": "high", "reason": "INTERNAL priority reason"},
        hidden=("INTERNAL priority reason",),
    ),
    "priority_automatic": Case({}, setup=_overridden, hidden=("priority score",)),
    "comment": Case(
        {"message": "We will fill it on Tuesday."}, shown=("Update from the city", "Tuesday")
    ),
    "note": Case({"message": "INTERNAL note text"}, hidden=("INTERNAL note text",)),
    "onsite": Case(
        {"public_message": "The crew marked it.", "internal_notes": "INTERNAL onsite notes"},
        shown=("A crew visited the site", "The crew marked it.", "In progress"),
        hidden=("INTERNAL onsite notes",),
    ),
    "hold": Case(
        {"message": "Which side of the street is it on?"},
        shown=("Waiting on resident", "Which side of the street is it on?"),
    ),
    "resume": Case({}, setup=_held, shown=("In progress",)),
    "resolve": Case(
        {"closure_reason": "repaired", "message": "Filled with hot asphalt."},
        # The reason's public wording and the staff's own words, both.
        shown=("Resolved", "The crew repaired it.", "Filled with hot asphalt."),
    ),
    "duplicate": Case({"original": "other"}, shown=("Closed as duplicate", "other")),
    "reopen": Case(
        {"reason": "The hole came back after the rain."},
        setup=_resolved,
        shown=("Reopened", "The hole came back after the rain.", "In queue"),
    ),
    "recategorise": Case({"category": "graffiti", "reason": ""}, shown=("Graffiti",)),
    "transfer": Case(
        {"department": "parks", "reason": "The tree is in a park."},
        shown=("Routed to Parks", "The tree is in a park."),
    ),
}


def test_every_action_on_the_request_page_is_checked_here():
    assert set(CASES) == set(ACTION_FORMS)


def _values(case: Case, city, staff, other) -> dict:
    named = {
        "crew": staff.crew.pk,
        "team": staff.potholes_team.pk,
        "repaired": city.repaired.pk,
        "other": other.tracking_number,
        "graffiti": city.graffiti.pk,
        "parks": city.parks.pk,
    }
    return {k: named.get(v, v) if isinstance(v, str) else v for k, v in case.data.items()}


@pytest.mark.parametrize("action", sorted(CASES))
def test_what_the_action_promises_is_on_the_public_tracker(client, city, staff, action):
    case = CASES[action]
    sr = routed(city)
    other = routed(city)
    if case.setup:
        case.setup(city, staff, sr)
    sr.refresh_from_db()
    client.force_login(staff.supervisor)
    data = {"version": sr.version, "draft_key": uuid.uuid4(), **_values(case, city, staff, other)}
    response = client.post(
        reverse("staff:action", args=[sr.tracking_number, action]), data, follow=True
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert str(ACTION_FORMS[action].success) in unescape(response.content.decode())

    client.logout()
    page = unescape(client.get(reverse("requests_app:tracker", args=[sr.tracking_number])).text)
    shown = [other.tracking_number if s == "other" else s for s in case.shown]
    for text in shown:
        assert text in page, text
    for text in case.hidden:
        assert text not in page, text


def test_the_closure_reason_is_in_the_readers_language_with_the_staff_words(client, city, staff):
    sr = routed(city)
    request_resolve(
        request=sr, actor=staff.agent, closure_reason=city.repaired, message="Bache rellenado."
    )
    client.cookies["django_language"] = "es"
    page = unescape(client.get(reverse("requests_app:tracker", args=[sr.tracking_number])).text)
    assert "El equipo lo reparó." in page
    assert "Bache rellenado." in page


def test_the_reasons_wording_alone_when_staff_write_nothing(client, city, staff):
    sr = routed(city)
    request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    page = unescape(client.get(reverse("requests_app:tracker", args=[sr.tracking_number])).text)
    assert page.count("The crew repaired it.") >= 1


def test_routings_own_explanation_stays_off_the_tracker(client, city):
    sr = routed(city)
    page = unescape(client.get(reverse("requests_app:tracker", args=[sr.tracking_number])).text)
    assert "Routed to Streets" in page
    assert "by rule" not in page
