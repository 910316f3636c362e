"""One sign-in throttle for the staff and admin sign-in pages: it slows an attacker down
without locking the owner out (staff/sign_in_throttle.py)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from staff.sign_in_throttle import ADDRESS_LIMIT, PAIR_LIMIT

STAFF_LOGIN = reverse("staff:login")
ADMIN_LOGIN = reverse("admin:login")
THROTTLED = "Too many failed sign-in attempts."
ATTACKER = "10.6.6.6"
OWNER = "10.0.2.1"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # the old throttle lived in the cache: nothing may come from there
    yield
    cache.clear()


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser(
        "boss", "boss@city.example", "the-right-passphrase"
    )


def admin_sign_in(client, username: str, password: str, address: str = ATTACKER):
    return client.post(
        ADMIN_LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def staff_sign_in(client, username: str, password: str, address: str = ATTACKER):
    return client.post(
        STAFF_LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.django_db
def test_admin_login_refuses_the_right_password_after_too_many_wrong_ones(client, boss):
    for _ in range(PAIR_LIMIT):
        assert admin_sign_in(client, "boss", "guess").status_code == 200
    response = admin_sign_in(client, "boss", "the-right-passphrase")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_admin_throttle_message_is_in_spanish_too(client, boss):
    for _ in range(PAIR_LIMIT):
        admin_sign_in(client, "boss", "guess")
    response = client.post(
        ADMIN_LOGIN,
        {"username": "boss", "password": "guess"},
        REMOTE_ADDR=ATTACKER,
        headers={"Accept-Language": "es"},
    )
    assert response.status_code == 429
    assert "Demasiados intentos" in response.content.decode()


@pytest.mark.django_db
def test_the_owner_signs_in_from_another_address_while_an_attacker_is_throttled(client, boss):
    for _ in range(PAIR_LIMIT + 3):
        admin_sign_in(client, "boss", "guess")
        staff_sign_in(client, "boss", "guess")
    assert staff_sign_in(Client(), "boss", "the-right-passphrase", OWNER).status_code == 302
    assert admin_sign_in(Client(), "boss", "the-right-passphrase", OWNER).status_code == 302


@pytest.mark.django_db
def test_case_and_space_variants_of_a_username_count_as_one_user(client, boss):
    for variant in ("BOSS", "boss ", " Boss", "bOsS", "boss"):
        admin_sign_in(client, variant, "guess")
    assert admin_sign_in(client, "boss", "the-right-passphrase").status_code == 429


@pytest.mark.django_db
def test_the_staff_and_admin_pages_share_one_count(client, boss):
    for i in range(PAIR_LIMIT):
        (admin_sign_in if i % 2 else staff_sign_in)(client, "boss", "guess")
    assert staff_sign_in(client, "boss", "the-right-passphrase").status_code == 429
    assert admin_sign_in(client, "boss", "the-right-passphrase").status_code == 429


@pytest.mark.django_db
def test_the_wait_doubles_instead_of_locking_the_account(client, boss):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(PAIR_LIMIT):
            admin_sign_in(client, "boss", "guess")
        first_wait = int(admin_sign_in(client, "boss", "guess")["Retry-After"])
        assert 0 < first_wait <= 60
        clock.shift(timedelta(seconds=first_wait + 1))
        assert admin_sign_in(client, "boss", "guess").status_code == 200  # one more try
        second_wait = int(admin_sign_in(client, "boss", "guess")["Retry-After"])
        assert second_wait > first_wait
        clock.shift(timedelta(seconds=second_wait + 1))
        assert admin_sign_in(client, "boss", "the-right-passphrase").status_code == 302


@pytest.mark.django_db
def test_one_address_trying_many_usernames_waits(client, boss):
    for i in range(ADDRESS_LIMIT):
        admin_sign_in(client, f"user{i}", "guess")
    assert admin_sign_in(client, "boss", "the-right-passphrase").status_code == 429
    assert admin_sign_in(client, "boss", "the-right-passphrase", OWNER).status_code == 302


@pytest.mark.django_db
def test_the_password_reset_link_works_while_throttled_and_ends_the_wait(client, boss):
    for _ in range(PAIR_LIMIT):
        staff_sign_in(client, "boss", "guess", OWNER)
    assert staff_sign_in(client, "boss", "the-right-passphrase", OWNER).status_code == 429

    client.post(reverse("staff:password_reset"), {"email": "boss@city.example"}, REMOTE_ADDR=OWNER)
    link = re.search(r"http://testserver(/staff/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True, REMOTE_ADDR=OWNER)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-fresh-long-passphrase", "new_password2": "a-fresh-long-passphrase"},
        REMOTE_ADDR=OWNER,
    )
    assert done["Location"] == reverse("staff:password_reset_complete")
    assert staff_sign_in(client, "boss", "a-fresh-long-passphrase", OWNER).status_code == 302


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sign_in", [admin_sign_in, staff_sign_in], ids=["admin", "staff"])
def test_parallel_wrong_passwords_check_at_most_the_limit(django_user_model, sign_in):
    django_user_model.objects.create_superuser("boss", "boss@city.example", "the-right-passphrase")
    tries = 25
    start = threading.Barrier(tries)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            start.wait()
            status = sign_in(Client(), "boss", "guess").status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=attempt) for _ in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == tries
    checked = statuses.count(200)
    assert 1 <= checked <= PAIR_LIMIT
    assert statuses.count(429) == tries - checked
