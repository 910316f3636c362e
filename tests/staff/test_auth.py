"""Staff sign-in, sign-out and password reset, and the throttle on failed sign-ins."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from staff.views.auth import MAX_ADDRESS_FAILURES, MAX_FAILURES

pytestmark = pytest.mark.django_db
LOGIN = reverse("staff:login")
LOCKED = "Too many failed sign-in attempts."


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def sign_in(client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_the_sign_in_page_labels_its_fields(client):
    page = client.get(LOGIN).content.decode()
    assert '<label for="id_username">' in page and '<label for="id_password">' in page
    assert 'autocomplete="current-password"' in page
    assert reverse("staff:password_reset") in page


def test_the_sign_in_page_speaks_spanish(client):
    page = client.get(LOGIN, headers={"Accept-Language": "es"}).content.decode()
    assert '<html lang="es">' in page and "Staff sign-in" not in page


def test_staff_sign_in_and_land_on_their_queue(client, staff):
    response = sign_in(client, "alex", "pw-alex")
    assert response.status_code == 302 and response["Location"] == reverse("staff:queue")
    assert client.get(reverse("staff:queue")).status_code == 200


def test_sign_in_returns_to_the_page_asked_for(client, staff):
    response = client.post(
        LOGIN, {"username": "alex", "password": "pw-alex", "next": "/staff/?scope=mine"}
    )
    assert response["Location"] == "/staff/?scope=mine"


def test_the_sign_in_form_carries_the_page_asked_for(client, staff):
    # It rendered name="" (LoginView puts no redirect_field_name in the context): after
    # signing in, people landed on the queue instead of the admin page they had asked for.
    page = client.get(LOGIN, {"next": "/admin/"}).content.decode()
    assert '<input type="hidden" name="next" value="/admin/">' in page


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(client, staff):
    response = sign_in(client, "alex", "nope")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, staff):
    for _ in range(MAX_FAILURES):
        assert sign_in(client, "alex", "wrong").status_code == 200
    response = sign_in(client, "alex", "pw-alex")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user from another address is not affected.
    other = sign_in(client, "sam", "pw-sam", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_failures_elsewhere_never_lock_the_owner_out_of_their_own_address(client, staff):
    # Issue 10: a lock on the username alone let anyone lock a colleague out. The throttle
    # counts (address, username) pairs, so the owner's own address still lets them in.
    for i in range(MAX_FAILURES):
        sign_in(client, "ALEX", "wrong", REMOTE_ADDR=f"10.0.1.{i}")
    sign_in(client, "alex", "wrong", REMOTE_ADDR="10.0.1.9")
    response = sign_in(client, "alex", "pw-alex", REMOTE_ADDR="10.0.2.1")
    assert response.status_code == 302


def test_a_few_typos_from_a_shared_call_centre_address_lock_nobody_else_out(client, staff):
    for name in ("a", "b", "c", "d", "e", "f"):
        sign_in(client, name, "wrong", REMOTE_ADDR="10.0.5.5")
    assert sign_in(client, "alex", "pw-alex", REMOTE_ADDR="10.0.5.5").status_code == 302


def test_one_address_trying_many_usernames_is_locked_out(client, staff):
    for i in range(MAX_ADDRESS_FAILURES):
        sign_in(client, f"user{i}", "wrong", REMOTE_ADDR="10.0.3.3")
    assert sign_in(client, "alex", "pw-alex", REMOTE_ADDR="10.0.3.3").status_code == 429
    assert sign_in(client, "alex", "pw-alex", REMOTE_ADDR="10.0.3.4").status_code == 302


def test_a_successful_sign_in_clears_the_usernames_failures(client, staff):
    for _ in range(MAX_FAILURES - 1):
        sign_in(client, "alex", "wrong", REMOTE_ADDR="10.0.4.1")
    assert sign_in(client, "alex", "pw-alex", REMOTE_ADDR="10.0.4.2").status_code == 302
    client.post(reverse("staff:logout"))
    sign_in(client, "alex", "wrong", REMOTE_ADDR="10.0.4.3")
    assert sign_in(client, "alex", "pw-alex", REMOTE_ADDR="10.0.4.4").status_code == 302


def test_sign_out_ends_the_session(client, staff):
    client.force_login(staff.agent)
    response = client.post(reverse("staff:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.get(reverse("staff:queue")).status_code == 302


def test_password_reset_emails_a_link_that_sets_a_new_password(client, staff):
    staff.agent.email = "alex@city.example"
    staff.agent.save()
    response = client.post(reverse("staff:password_reset"), {"email": "alex@city.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alex@city.example"]
    assert "staff password" in message.subject and "\n" not in message.subject
    link = re.search(r"http://testserver(/staff/reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"new_password1": "a-long-new-passphrase", "new_password2": "a-long-new-passphrase"},
    )
    assert done["Location"] == reverse("staff:password_reset_complete")
    assert sign_in(client, "alex", "a-long-new-passphrase").status_code == 302


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, staff):
    response = client.post(reverse("staff:password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("staff:password_reset_done")
    assert mail.outbox == []
