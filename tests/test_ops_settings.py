"""The operations settings read from the environment: media on S3 when a bucket is named."""

from __future__ import annotations

import importlib

import pytest
from django.utils.module_loading import import_string

import civic311.settings as settings_module


@pytest.fixture
def reload_settings(monkeypatch):
    def reload(**env: str):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(settings_module)

    yield reload
    monkeypatch.undo()
    importlib.reload(settings_module)


def test_media_stays_on_disk_without_a_bucket(reload_settings):
    settings = reload_settings()
    assert settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


def test_a_bucket_puts_media_on_s3_compatible_storage_privately(reload_settings):
    settings = reload_settings(
        MEDIA_S3_BUCKET="city-photos",
        MEDIA_S3_ENDPOINT_URL="http://minio.internal:9000",
        MEDIA_S3_ACCESS_KEY_ID="key",
        MEDIA_S3_SECRET_ACCESS_KEY="secret",
    )
    storage = settings.STORAGES["default"]
    options = storage["OPTIONS"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == "city-photos"
    assert options["endpoint_url"] == "http://minio.internal:9000"
    assert options["default_acl"] is None  # photos are never public objects
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    # The backend is installed and accepts these options (no network needed to build it).
    backend = import_string(storage["BACKEND"])(**options)
    assert backend.bucket_name == "city-photos"
