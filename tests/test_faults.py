"""Faults a visitor may run into: the database goes away, the media disk fills. They get a clear,
translated answer, never a traceback, and nothing is half saved."""

from __future__ import annotations

import errno
import logging
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from requests_app.models import Photo, RequestEvent, ServiceRequest
from tests.images import upload
from tests.requests_app.test_report_view import form_data

UNAVAILABLE_EN = (
    "The service is briefly unavailable; nothing you sent was saved, please try again in a minute."
)
UNAVAILABLE_ES = "El servicio no está disponible por un momento"

# Pages that read the database on every view (a page that needs no query, such as the staff
# login form, keeps working during an outage; a login attempt does not, see below).
PAGES = [
    "/",
    "/report/",
    "/requests/",
    "/requests/2611-4827/",
    "/requests/find/?q=2611-4827",
]


@pytest.fixture
def database_down(settings):
    """Every new query fails as if PostgreSQL were stopped (the connection cannot be opened)."""
    settings.DEBUG = False  # the outage page is the production answer; DEBUG shows Django's own

    def refuse(self):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: refused')

    with (
        mock.patch.object(BaseDatabaseWrapper, "ensure_connection", refuse),
        mock.patch.object(BaseDatabaseWrapper, "_cursor", lambda self, name=None: refuse(self)),
    ):
        yield


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_503_with_the_outage_page_when_the_database_is_down(
    client, database_down, path
):
    response = client.get(path, follow=False)
    assert response.status_code == 503
    page = response.content.decode()
    assert UNAVAILABLE_EN in page
    assert "Traceback" not in page
    assert response["Retry-After"] == "60"


def test_the_outage_page_is_in_spanish_for_a_spanish_visitor(client, database_down):
    client.cookies["django_language"] = "es"
    response = client.get("/report/")
    assert response.status_code == 503
    assert UNAVAILABLE_ES in response.content.decode()


def test_the_outage_is_one_log_line_without_a_traceback(client, database_down, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/requests/")
    assert any("database unavailable" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info]


def test_a_submission_cut_by_the_outage_saves_nothing_and_says_so(client, city, settings):
    """PostgreSQL goes away after the request row is inserted and before its event: the
    transaction rolls back whole and the resident is told nothing was saved."""
    settings.DEBUG = False
    with mock.patch(
        "requests_app.services.intake.event_record",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.post(reverse("requests_app:report"), form_data(city))
    assert response.status_code == 503
    assert UNAVAILABLE_EN in response.content.decode()
    assert not ServiceRequest.objects.exists()
    assert not RequestEvent.objects.exists()


def test_a_staff_login_during_the_outage_gets_the_outage_page(client, database_down):
    response = client.post(reverse("staff:login"), {"username": "ana", "password": "x" * 12})
    assert response.status_code == 503
    assert UNAVAILABLE_EN in response.content.decode()


def test_an_outage_outside_the_view_gets_the_outage_page_too(database_down, caplog):
    """A signed-in visitor: the session is saved after the view (SESSION_SAVE_EVERY_REQUEST), so
    that query fails outside any view and reaches handler500."""
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a" * 32
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("staff:queue"))
    assert response.status_code == 503
    assert UNAVAILABLE_EN in response.content.decode()
    assert not [r for r in caplog.records if r.exc_info]


def test_the_site_answers_again_once_the_database_is_back(client, city, settings):
    settings.DEBUG = False
    refused = OperationalError("connection refused")
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=refused):
        assert client.get("/requests/").status_code == 503
    assert client.get("/requests/").status_code == 200


def test_the_database_settings_check_connections_before_reuse(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


# --- The media disk ----------------------------------------------------------------------------


class FullDisk(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def full_disk():
    storage = FullDisk()
    with (
        mock.patch.object(Photo._meta.get_field("image"), "storage", storage),
        mock.patch.object(Photo._meta.get_field("thumbnail"), "storage", storage),
    ):
        yield


def test_a_full_media_disk_fails_the_submission_whole_and_keeps_the_input(client, city, full_disk):
    data = form_data(city, description="Deep hole by the bus stop on Market")
    response = client.post(reverse("requests_app:report"), {**data, "photos": [upload("a.jpg")]})
    assert response.status_code == 422
    page = response.content.decode()
    assert "We couldn&#x27;t save your photo just now" in page
    assert "Deep hole by the bus stop on Market" in page
    assert "rosa@example.com" in page
    assert not ServiceRequest.objects.exists()
    assert not RequestEvent.objects.exists()
    assert not Photo.objects.exists()


def test_a_full_media_disk_while_staging_a_photo_says_so(client, city, full_disk):
    response = client.post(
        reverse("requests_app:photo_upload"),
        {"idempotency_key": form_data(city)["idempotency_key"], "photos": [upload("a.jpg")]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "We couldn&#x27;t save your photo just now" in response.content.decode()
    assert not Photo.objects.exists()
