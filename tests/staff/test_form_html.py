"""The action forms' widgets are written in Python (staff/form_html.py) instead of Django's
widget templates: each must be what Django writes, to the byte. Django's own rendering is
called on the same bound field (forms.BoundField.as_widget) and compared, for every field of
every action form: unbound, bound with values (including markup, quotes and a chosen option)
and bound with errors, in English and Spanish."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from requests_app.models import ResponseTemplate
from staff import detail_selectors as selectors
from staff.form_html import FastBoundField
from staff.forms import ACTION_FORMS
from tests.requests_app.helpers import routed

pytestmark = pytest.mark.django_db


def widgets(form) -> list[tuple[str, str, str]]:
    rows = []
    for bf in form:
        assert isinstance(bf, FastBoundField)
        rows.append((bf.name, str(bf), forms.BoundField.as_widget(bf)))
    return rows


@pytest.fixture
def sr(city, staff):
    ResponseTemplate.objects.create(
        name='Crew <"scheduled">', category=city.pothole, body="A crew & <b>soon</b>."
    )
    ResponseTemplate.objects.create(name="Patched", closure_reason=city.repaired, body="Done.")
    return selectors.request_get_for_staff(tracking_number=routed(city).tracking_number)


@pytest.mark.parametrize("language", ["en", "es"])
def test_unbound_widgets_are_what_django_writes(sr, language):
    with translation.override(language):
        for name in ACTION_FORMS:
            for field, fast, django in widgets(ACTION_FORMS[name](service_request=sr)):
                assert fast == django, (name, field)


@pytest.mark.parametrize("language", ["en", "es"])
def test_bound_widgets_with_values_and_errors_are_what_django_writes(sr, staff, city, language):
    values = {
        "version": "7",
        "message": 'He said "fix <it>" & left\n  soon ',
        "reason": "<script>x</script>",
        "priority": "high",
        "assignee": str(staff.agent.pk),
        "team": str(staff.potholes_team.pk),
        "closure_reason": str(city.repaired.pk),
        "template": str(ResponseTemplate.objects.get(name="Patched").pk),
        "original": "2612-1 & <b>",
        "public_message": "",
        "internal_notes": "Vendor 'A'",
        "draft_key": "not a uuid",
    }
    with translation.override(language):
        for data in (values, {}, {"priority": "nonsense", "assignee": "999999"}):
            for name in ACTION_FORMS:
                form = ACTION_FORMS[name](data, service_request=sr)
                form.is_valid()
                form.mark_errors()
                for field, fast, django in widgets(form):
                    assert fast == django, (name, field, data)


def test_a_chosen_option_is_selected(sr, city):
    form = ACTION_FORMS["resolve"]({"closure_reason": str(city.repaired.pk)}, service_request=sr)
    assert f'<option value="{city.repaired.pk}" selected>' in str(form["closure_reason"])
