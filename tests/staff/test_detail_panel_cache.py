"""The request page's panel of unbound action forms is kept per process under a key made of
everything it shows (staff/views/detail_actions.actions_panel). A kept panel must be what the
forms write when built afresh, and any change to what it shows must show on the next load:
each staff action, a person joining the department, a new reply template, a renamed closure
reason (the config stamp)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from requests_app.models import ClosureReason, Priority, ResponseTemplate, Role
from requests_app.services import (
    request_acknowledge,
    request_assign,
    request_hold,
    request_priority_change,
    request_recategorise,
    request_reopen,
    request_resolve,
    request_resume,
    request_transfer,
)
from staff import detail_selectors as selectors
from staff.forms import ACTION_FORMS
from staff.views import detail_actions
from staff.views.detail_actions import actions_html, actions_panel
from tests.conftest import make_staff
from tests.requests_app.helpers import routed

pytestmark = pytest.mark.django_db
CSRF = "t0k3n&<>"
DRAFT = re.compile(r'(name="draft_key" value=")[^"]+')


def fresh(number: str):
    return selectors.request_get_for_staff(tracking_number=number)


def afresh(sr) -> str:
    """The panel as the forms write it, built anew."""
    forms = [ACTION_FORMS[n](service_request=sr) for n in selectors.actions_available(request=sr)]
    html = actions_html(
        forms, tracking_number=sr.tracking_number, csrf_token=CSRF, open_action="", max_photos=5
    )
    return DRAFT.sub(r"\1X", html)


def kept(sr) -> str:
    html = actions_panel(sr, selectors.actions_available(request=sr), csrf_token=CSRF)
    return DRAFT.sub(r"\1X", html)


@pytest.fixture(autouse=True)
def no_panels():
    detail_actions.panels_forget()
    yield
    detail_actions.panels_forget()


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_kept_panel_is_what_the_forms_write_after_every_action(city, staff, language):
    ResponseTemplate.objects.create(name="On <it>", category=city.pothole, body="A & b")
    ResponseTemplate.objects.create(name="Fixed", closure_reason=city.repaired, body="Done")
    number = routed(city).tracking_number
    other = routed(city)  # same department and category: its panel may be shared
    agent, supervisor = staff.agent, staff.supervisor
    steps = [
        lambda sr: None,
        lambda sr: request_acknowledge(request=sr, actor=agent),
        lambda sr: request_assign(request=sr, actor=supervisor, assignee=staff.crew),
        lambda sr: request_assign(
            request=sr, actor=supervisor, assignee=None, team=staff.potholes_team
        ),
        lambda sr: request_priority_change(
            request=sr, actor=supervisor, priority=Priority.URGENT, reason="Bus", override=True
        ),
        lambda sr: request_hold(request=sr, actor=agent, message="Which side?"),
        lambda sr: request_resume(request=sr, actor=agent),
        lambda sr: request_recategorise(
            request=sr, actor=agent, category=city.graffiti, reason="Paint"
        ),
        lambda sr: request_resolve(request=sr, actor=agent, closure_reason=city.repaired),
        lambda sr: request_reopen(request=sr, actor=agent, reason="Back"),
        lambda sr: request_transfer(
            request=sr,
            actor=agent,
            department=city.parks if sr.department_id != city.parks.pk else city.streets,
            reason="Elsewhere",
        ),
    ]
    with translation.override(language):
        for step in steps:
            step(fresh(number))
            sr = fresh(number)
            for _ in range(2):  # built, then kept
                assert kept(sr) == afresh(sr)
            assert f'name="version" value="{sr.version}"' in kept(sr)
            assert reverse("staff:detail", args=[number]) in kept(sr)
            # Another request whose panel has the same key gets its own number and version.
            assert kept(fresh(other.tracking_number)) == afresh(fresh(other.tracking_number))


def test_the_csrf_token_and_draft_key_are_each_pages_own(city, staff):
    sr = fresh(routed(city).tracking_number)
    names = selectors.actions_available(request=sr)
    one = actions_panel(sr, names, csrf_token="first")
    two = actions_panel(sr, names, csrf_token="second")
    assert 'value="first"' in one and 'value="first"' not in two and 'value="second"' in two
    keys = [re.search(r'name="draft_key" value="([^"]+)"', h).group(1) for h in (one, two)]
    assert keys[0] != keys[1]
    assert "\x00" not in one + two


def test_changes_outside_the_request_show_on_the_next_load(client, city, staff, django_user_model):
    sr = routed(city)
    client.force_login(staff.agent)
    page = reverse("staff:detail", args=[sr.tracking_number])
    assert client.get(page).status_code == 200
    # A person joins the department: the assign form lists them.
    make_staff(django_user_model, "newcomer", Role.AGENT, [city.streets])
    assert "Newcomer" in client.get(page).content.decode()
    # A new reply template for the category.
    ResponseTemplate.objects.create(name="Crew booked", category=city.pothole, body="Soon")
    assert "Crew booked" in client.get(page).content.decode()
    # A closure reason renamed in the admin (the config stamp changes).
    ClosureReason.objects.filter(pk=city.repaired.pk).update(name="Patched up")
    html = client.get(page).content.decode()
    assert "Patched up" in html
    # A staff action through the page itself.
    response = client.post(
        reverse("staff:action", args=[sr.tracking_number, "acknowledge"]),
        {"version": sr.version},
    )
    assert response.status_code == 303
    html = client.get(page).content.decode()
    sr.refresh_from_db()
    assert f'name="version" value="{sr.version}"' in html
    assert reverse("staff:action", args=[sr.tracking_number, "acknowledge"]) not in html
