"""Issue 11, round 8: the staff request page's layout is put together from its stencil
(staff/views/detail_layout.py) instead of rendering detail.html on staff/base.html on base.html
for every page. The page must be what the templates render, byte for byte (but the CSRF token,
masked afresh each time, and the site visit's draft key): here the same page is fetched through
the stencil and through the templates (detail_page switched off) for staff who see the header
differently (agent,
supervisor, operator, city admin with and without the dev mailbox, off duty, a superuser without
a profile, a name with markup), in English and Spanish, with markup in the address."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from requests_app.models import StaffProfile
from staff.views import detail as detail_view
from tests.requests_app.helpers import routed

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"[A-Za-z0-9]{64}")
# The site visit form's draft key is new on every page.
DRAFT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return DRAFT.sub("DRAFT", TOKEN.sub("TOKEN", response.content.decode()))


def _both(client, url: str, monkeypatch) -> tuple[str, str]:
    kept = _page(client, url)
    with monkeypatch.context() as m:
        m.setattr(detail_view, "detail_page", lambda *args, **kwargs: None)
        rendered = _page(client, url)
    return kept, rendered


@pytest.mark.parametrize("dev_mailbox", [True, False])
def test_the_page_is_what_the_templates_render(client, city, staff, monkeypatch, dev_mailbox):
    User = get_user_model()
    root = User.objects.create_superuser("root", "r@example.com", "pw")
    marked = User.objects.create_user(
        "mark", first_name='<b>Ma"rk</b>', last_name="&co", is_staff=True
    )
    StaffProfile.objects.create(user=marked, role=staff.agent.staff_profile.role).departments.set(
        [city.streets]
    )
    off = staff.crew.staff_profile
    off.on_duty = False
    off.save()
    sr = routed(city, address='12 <Main> St & "Co"')
    url = reverse("staff:detail", args=[sr.tracking_number])
    users = (
        staff.agent,
        staff.supervisor,
        staff.operator,
        staff.city_admin,
        staff.crew,
        root,
        marked,
    )
    with (
        override_settings(DEV_MAILBOX=dev_mailbox),
        time_machine.travel(timezone.now(), tick=False),
    ):
        for language in ("en", "es"):
            client.cookies["django_language"] = language
            for user in users:
                client.force_login(user)
                client.get(reverse("staff:queue"))  # a city admin's one-time message, shown
                for address in (url, url + "?next=<x>&a=1"):
                    kept, rendered = _both(client, address, monkeypatch)
                    assert kept == rendered, (language, user, address)
                    assert "\x00" not in kept


def test_a_category_renamed_in_the_admin_shows_escaped(client, city, staff, monkeypatch):
    sr = routed(city)
    url = reverse("staff:detail", args=[sr.tracking_number])
    client.force_login(staff.supervisor)
    city.pothole.name = "Pot <holes> & more"
    city.pothole.save()
    kept, rendered = _both(client, url, monkeypatch)
    assert kept == rendered
    assert "<title>" + f"{sr.tracking_number} · Pot &lt;holes&gt; &amp; more" in kept


def test_a_message_shows_on_the_next_page_and_only_there(client, city, staff):
    sr = routed(city)
    url = reverse("staff:detail", args=[sr.tracking_number])
    client.force_login(staff.agent)
    response = client.post(
        reverse("staff:action", args=[sr.tracking_number, "acknowledge"]), {"version": sr.version}
    )
    assert response.status_code == 303
    shown = "Acknowledged. The resident sees that staff have reviewed the request."
    assert shown in _page(client, url)
    assert shown not in _page(client, url)


def test_the_duty_switch_and_name_follow_the_user_at_once(client, city, staff):
    sr = routed(city)
    url = reverse("staff:detail", args=[sr.tracking_number])
    client.force_login(staff.agent)
    assert "Go off duty" in _page(client, url)
    profile = staff.agent.staff_profile
    profile.on_duty = False
    profile.save()
    assert "Go on duty" in _page(client, url)
    staff.agent.first_name, staff.agent.last_name = "Renamed", "Person"
    staff.agent.save()
    assert '<span class="who">Renamed Person</span>' in _page(client, url)
