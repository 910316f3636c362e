"""Issue 11: the blank operator intake page (what an operator opens for every call) is put
together from its stencil (staff/views/intake_layout.py) instead of rendering intake.html on the
staff layout each time. It must be what the template renders, byte for byte but for the CSRF
token (masked afresh each time) and the form's idempotency key (new on every page): here the
same page is fetched through the stencil and through the template for staff who see the header
differently, in English and Spanish, with and without the dev mailbox; and an admin's edit to
a category shows on the next blank page."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from requests_app.models import Category, StaffProfile
from staff.views import intake as intake_view

pytestmark = pytest.mark.django_db
URL = reverse("staff:intake")
TOKEN = re.compile(r"[A-Za-z0-9]{64}")
KEY = re.compile(r'name="idempotency_key" value="([0-9a-f-]{36})"')


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(KEY.findall(html)) == 1, "one idempotency key, a UUID"
    return KEY.sub("KEY", TOKEN.sub("TOKEN", html))


def _both(client, url: str, monkeypatch) -> tuple[str, str]:
    kept = _page(client, url)
    with monkeypatch.context() as m:
        m.setattr(intake_view, "intake_blank_page", lambda *args, **kwargs: None)
        rendered = _page(client, url)
    return kept, rendered


@pytest.mark.parametrize("dev_mailbox", [True, False])
def test_the_blank_page_is_what_the_template_renders(client, city, staff, monkeypatch, dev_mailbox):
    User = get_user_model()
    root = User.objects.create_superuser("root", "r@example.com", "pw")
    marked = User.objects.create_user(
        "mark", first_name='<b>Ma"rk</b>', last_name="&co", is_staff=True
    )
    StaffProfile.objects.create(user=marked, role=staff.operator.staff_profile.role)
    off = staff.crew.staff_profile
    off.on_duty = False
    off.save()
    users = (staff.operator, staff.agent, staff.supervisor, staff.city_admin, staff.crew, root)
    with (
        override_settings(DEV_MAILBOX=dev_mailbox),
        time_machine.travel(timezone.now(), tick=False),
    ):
        for language in ("en", "es"):
            client.cookies["django_language"] = language
            for user in (*users, marked):
                client.force_login(user)
                client.get(reverse("staff:queue"))  # a city admin's one-time message, shown
                for address in (URL, URL + "?next=<x>&a=1"):
                    kept, rendered = _both(client, address, monkeypatch)
                    assert kept == rendered, (language, user, address)
                    if user is marked:
                        assert "&lt;b&gt;Ma&quot;rk&lt;/b&gt; &amp;co" in kept


def test_each_blank_page_has_its_own_key_and_a_working_csrf_token(city, staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.operator)
    first, second = client.get(URL).content.decode(), client.get(URL).content.decode()
    assert KEY.search(first)[1] != KEY.search(second)[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', second)[1]
    response = client.post(
        URL,
        {
            "csrfmiddlewaretoken": token,
            "idempotency_key": KEY.search(second)[1],
            "action": "edit",
            "channel": "phone",
            "language": "en",
        },
    )
    assert response.status_code == 200  # not the CSRF failure page (403)
    assert 'name="idempotency_key"' in response.content.decode()


def test_an_admins_edit_to_a_category_shows_on_the_next_blank_page(client, city, staff):
    client.force_login(staff.operator)
    assert "Pothole" in client.get(URL).content.decode()
    Category.objects.filter(pk=city.pothole.pk).update(name="Hole in the road")
    html = client.get(URL).content.decode()
    assert "Hole in the road" in html and ">Pothole<" not in html


def test_a_page_with_a_message_waiting_shows_the_message(client, city, staff):
    client.force_login(staff.operator)
    client.get(URL)  # the stencil is kept
    # A message waiting in its cookie, as a view before a redirect leaves it.
    storage = CookieStorage(RequestFactory().get(URL))
    waiting = [Message(constants.SUCCESS, "Request 2612-1 created.")]
    client.cookies[storage.cookie_name] = storage._encode(waiting)
    assert "Request 2612-1 created." in client.get(URL).content.decode()
    assert "Request 2612-1 created." not in client.get(URL).content.decode()
