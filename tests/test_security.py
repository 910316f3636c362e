"""Safe to put on the internet: a production process refuses to start with a secret an attacker
could know (and so forge reply-to addresses, sessions and password-reset links with), and the
deploy checklist comes back clean for a production-like configuration."""

from __future__ import annotations

import os
import secrets
import shutil
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


# --- The deploy checklist and the HTTPS defaults ------------------------------------------------

SHOW_HTTPS = (
    "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
    "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
)


def test_the_deploy_checklist_finds_nothing_in_a_production_configuration():
    env = production_env(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_production_is_https_only_by_default():
    result = manage("shell", "--no-imports", "-c", SHOW_HTTPS, env=production_env())
    assert result.stdout.split() == [
        "True",
        "31536000",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ], result.stderr


def test_a_plain_http_demo_turns_https_off_with_one_switch():
    """`make run` (scripts/run.sh) serves http://127.0.0.1:8000 with SECURE_HTTPS=false."""
    env = production_env(SECURE_HTTPS="false", DEV_MAILBOX="true")
    result = manage("shell", "--no-imports", "-c", SHOW_HTTPS, env=env)
    assert result.stdout.split() == ["False", "0", "False", "False", "None"], result.stderr


def test_run_sh_serves_plain_http_with_the_dev_mailbox():
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert "export SECURE_HTTPS=${SECURE_HTTPS:-false}" in script
    assert "export DEV_MAILBOX=${DEV_MAILBOX:-true}" in script


# --- docker-compose ------------------------------------------------------------------------------


def compose_config(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """`docker-compose config` on a copy of the file, away from this checkout's .env."""
    compose = shutil.which("docker-compose")
    if not compose:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    (tmp_path / "docker-compose.yml").write_text((ROOT / "docker-compose.yml").read_text())
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME")}
    return subprocess.run(  # noqa: S603 - the system's docker-compose
        [compose, "config"], cwd=tmp_path, env={**clean, **env}, capture_output=True, text=True
    )


def test_compose_will_not_run_without_a_secret_of_its_own(tmp_path):
    result = compose_config(tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_compose_names_its_hosts_and_keeps_the_dev_mailbox_off(tmp_path):
    result = compose_config(tmp_path, DJANGO_SECRET_KEY=STRONG)
    assert result.returncode == 0, result.stderr
    assert "DJANGO_ALLOWED_HOSTS: 127.0.0.1,localhost" in result.stdout
    hosts = [line for line in result.stdout.splitlines() if "DJANGO_ALLOWED_HOSTS" in line]
    assert hosts and all("*" not in line for line in hosts)
    assert 'DEV_MAILBOX: "false"' in result.stdout
    assert STRONG in result.stdout
