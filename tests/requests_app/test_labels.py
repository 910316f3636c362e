"""The request's status label (cached per language) says what Django's get_FOO_display says."""

from __future__ import annotations

from django.utils import translation

from requests_app.models import ServiceRequest, Status


def test_the_status_label_is_djangos_in_each_language():
    for lang in ("en", "es"):
        with translation.override(lang):
            for value, label in Status.choices:
                assert ServiceRequest(status=value).get_status_display() == str(label)
    with translation.override("es"):
        assert ServiceRequest(status=Status.RESOLVED).get_status_display() == "Resuelta"
    with translation.override("en"):
        assert ServiceRequest(status=Status.RESOLVED).get_status_display() == "Resolved"


def test_a_value_that_is_not_a_status_shows_as_itself():
    assert ServiceRequest(status="legacy_state").get_status_display() == "legacy_state"
