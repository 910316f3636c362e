"""Structured logs: one JSON line per request; a 403 or 404 is a line, not a traceback."""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import reverse

from civic311.logs import ClientErrorFilter, JsonFormatter


@pytest.fixture
def json_lines():
    """Everything logged during the test, formatted as LOG_FORMAT=json would print it, with the
    settings' own filters on django.request."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect(level=logging.INFO)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lines
    root.removeHandler(handler)
    root.setLevel(old_level)


def _records(lines: list[str]) -> list[dict]:
    return [json.loads(line) for line in lines]


def test_each_request_is_one_json_line_with_method_path_status_and_duration(client, json_lines):
    client.get(reverse("health"))
    requests = [r for r in _records(json_lines) if r["logger"] == "civic311.request"]
    assert len(requests) == 1
    line = requests[0]
    assert line["method"] == "GET"
    assert line["path"] == "/health/"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"
    assert line["time"].endswith("+00:00")


def test_a_private_link_token_never_reaches_the_request_log(client, db, json_lines):
    token = "f" * 64
    client.get(reverse("requests_app:private", args=[token]))
    [line] = [r for r in _records(json_lines) if r["logger"] == "civic311.request"]
    assert line["path"] == "/requests/private/<token>/"
    assert token not in line["message"]


def test_a_404_is_a_log_line_without_a_traceback(client, db, json_lines):
    response = client.get("/requests/9999-0000/")
    assert response.status_code == 404
    records = _records(json_lines)
    assert any(r.get("status") == 404 for r in records)
    assert not [r for r in records if "exc" in r]
    assert all("\n" not in line for line in json_lines)


def test_a_403_is_a_log_line_without_a_traceback(client, db, django_user_model, json_lines):
    # A signed-in resident (not staff) pokes at a staff action: PermissionDenied, which Django
    # logs with the exception attached.
    client.force_login(django_user_model.objects.create_user("resident", password="pw"))
    response = client.post(reverse("staff:duty"), {"on_duty": "0"})
    assert response.status_code == 403
    records = _records(json_lines)
    assert any(r.get("status_code") == 403 for r in records)
    assert any(r.get("status") == 403 for r in records)
    assert not [r for r in records if "exc" in r]


def test_the_client_error_filter_drops_the_exception_of_a_4xx_only():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        info = sys.exc_info()
    four = logging.makeLogRecord({"msg": "Not Found", "exc_info": info, "status_code": 404})
    five = logging.makeLogRecord({"msg": "Server Error", "exc_info": info, "status_code": 500})
    ClientErrorFilter().filter(four)
    ClientErrorFilter().filter(five)
    assert four.exc_info is None
    assert five.exc_info is info


def test_log_format_json_switches_the_console_to_json(monkeypatch):
    import importlib

    import civic311.settings as settings_module

    monkeypatch.setenv("LOG_FORMAT", "json")
    try:
        reloaded = importlib.reload(settings_module)
        assert reloaded.LOGGING["handlers"]["console"]["formatter"] == "json"
    finally:
        monkeypatch.delenv("LOG_FORMAT")
        importlib.reload(settings_module)
