"""Reports read from the replica when there is one; every other read and every write, and every
migration, use the primary."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from civic311.db_router import ReplicaRouter
from requests_app.models import ServiceRequest

router = ReplicaRouter()


class ReportsModel:
    """Stands in for a model of the (future) reports app: only its app label matters."""

    class _meta:
        app_label = "reports"


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": {"ENGINE": "x", "NAME": "replica"}}


def test_reports_read_from_the_replica_when_there_is_one(with_replica):
    assert router.db_for_read(ReportsModel) == "replica"


def test_reports_read_from_the_primary_without_a_replica(settings):
    assert "replica" not in settings.DATABASES
    assert router.db_for_read(ReportsModel) is None  # Django's default: the primary


def test_requests_and_users_are_read_from_the_primary_even_with_a_replica(with_replica):
    # A resident or staff member must read what they just wrote: never the lagging copy.
    assert router.db_for_read(ServiceRequest) is None
    assert router.db_for_read(get_user_model()) is None


def test_every_write_goes_to_the_primary(with_replica):
    assert router.db_for_write(ReportsModel) == "default"
    assert router.db_for_write(ServiceRequest) == "default"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "reports") is True
    assert router.allow_migrate("replica", "reports") is False
    assert router.allow_migrate("replica", "requests_app") is False


def test_the_router_is_installed(settings):
    assert settings.DATABASE_ROUTERS == ["civic311.db_router.ReplicaRouter"]


def test_the_replica_comes_from_the_environment(monkeypatch):
    import importlib

    import civic311.settings as settings_module

    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgis://reader:pw@replica.internal:5432/civic311")
    try:
        reloaded = importlib.reload(settings_module)
        replica = reloaded.DATABASES["replica"]
        assert replica["HOST"] == "replica.internal"
        assert replica["USER"] == "reader"
        assert replica["TEST"] == {"MIRROR": "default"}
    finally:
        monkeypatch.delenv("DATABASE_REPLICA_URL")
        importlib.reload(settings_module)
