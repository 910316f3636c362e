"""Safe to put on the internet: a production process refuses to start with a secret an attacker
could know (and so forge reply-to addresses, sessions and password-reset links with), and the
deploy checklist comes back clean for a production-like configuration."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# The string the settings used to fall back to: public in the repository's history.
PUBLIC_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
STRONG = secrets.token_urlsafe(50)


def production_env(**overrides: str) -> dict[str, str]:
    """A production-like environment: DEBUG off, a strong secret, real hosts, HTTPS. Variables
    set to "" stay empty (the settings do not read .env over them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="civic311.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=STRONG,
        DJANGO_ALLOWED_HOSTS="311.example.gov",
        SITE_URL="https://311.example.gov",
        INBOUND_SECRET=secrets.token_urlsafe(32),
        DEV_MAILBOX="false",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("secret", "why"),
    [("", "missing"), (PUBLIC_KEY, "the old public default"), ("s3cr3t-but-short", "short")],
)
def test_production_refuses_to_start_with_a_guessable_secret_key(secret, why):
    result = manage("check", env=production_env(DJANGO_SECRET_KEY=secret))
    assert result.returncode != 0, why
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_a_key_of_one_repeated_character_is_refused():
    result = manage("check", env=production_env(DJANGO_SECRET_KEY="a" * 60))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_starts_with_a_strong_secret():
    result = manage("check", env=production_env())
    assert result.returncode == 0, result.stderr


def test_development_starts_without_a_secret():
    result = manage("check", env=production_env(DJANGO_DEBUG="true", DJANGO_SECRET_KEY=""))
    assert result.returncode == 0, result.stderr


def test_production_refuses_a_short_inbound_secret():
    result = manage("check", env=production_env(INBOUND_SECRET="token"))
    assert result.returncode != 0
    assert "INBOUND_SECRET" in result.stderr


def test_production_refuses_the_dev_mailbox_with_open_webhooks():
    """DEV_MAILBOX with no INBOUND_SECRET accepts unsigned inbound posts: anyone could add
    comments to requests as their reporters."""
    result = manage("check", env=production_env(DEV_MAILBOX="true", INBOUND_SECRET=""))
    assert result.returncode != 0
    assert "INBOUND_SECRET" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_stops_instead_of_serving_with_the_public_key():
    command = [
        str(VENV_BIN / "gunicorn"),
        "civic311.wsgi:application",
        "-b",
        f"127.0.0.1:{_free_port()}",
        "-w",
        "1",
    ]
    env = production_env(DJANGO_SECRET_KEY=PUBLIC_KEY)
    result = subprocess.run(  # noqa: S603 - our own gunicorn
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=45
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_the_worker_stops_instead_of_signing_with_the_public_key():
    result = manage("qcluster", env=production_env(DJANGO_SECRET_KEY=PUBLIC_KEY), timeout=45)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
