"""The admin reads as words in both languages (issue 12): every civic311 app and model has a
verbose name in English and Spanish, and the inputs Django puts in tables are named."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

CIVIC311_APPS = ["requests_app", "routing", "notifications", "staff", "reports", "demo"]


@pytest.mark.parametrize("label", CIVIC311_APPS)
def test_every_app_is_named_in_english_and_spanish(label):
    config = apps.get_app_config(label)
    english = str(config.verbose_name)
    # Given, not Django's default from the label ("Requests_App", shown as REQUESTS_APP).
    assert "verbose_name" in type(config).__dict__
    assert "_" not in english
    with translation.override("es"):
        assert str(config.verbose_name) != english


@pytest.mark.parametrize(
    "model",
    [m for label in CIVIC311_APPS for m in apps.get_app_config(label).get_models()],
    ids=lambda m: m._meta.label,
)
def test_every_model_is_named_in_english_and_spanish(model):
    opts = model._meta
    # Given, not made up from the class name ("escalation fired" / "escalation fireds").
    assert {"verbose_name", "verbose_name_plural"} <= set(opts.original_attrs)
    singular, plural = str(opts.verbose_name), str(opts.verbose_name_plural)
    with translation.override("es"):
        assert str(opts.verbose_name) != singular
        assert str(opts.verbose_name_plural) != plural


def test_the_admin_index_reads_in_spanish(superuser_client):
    html = superuser_client.get(reverse("admin:index"), headers={"accept-language": "es"}).text
    for words in [
        "Solicitudes de servicio y configuración de la ciudad",  # was "Requests_App"
        "Enrutamiento",
        "Políticas de escalamiento",
        "Pasos de escalamiento ejecutados",  # was "Escalation fireds"
        "Objetivos de nivel de servicio",  # was "Sla targets"
    ]:
        assert words in html


@pytest.mark.django_db
def test_an_escalation_policys_step_inputs_are_named(superuser_client):
    html = superuser_client.get(reverse("admin:routing_escalationpolicy_add")).text
    for name in ["name", "trigger", "target", "value", "notify", "raise_priority"]:
        tag = html.split(f'id="id_steps-0-{name}"')[0].rsplit("<", 1)[1]
        assert "aria-label=" in tag, name


@pytest.mark.django_db
def test_an_editable_lists_inputs_are_named(superuser_client, city):
    html = superuser_client.get(reverse("admin:requests_app_categorygroup_changelist")).text
    assert 'aria-label="Order"' in html
    assert 'name="form-0-order"' in html


@pytest.mark.django_db
def test_categories_without_an_asset_layer_are_a_named_filter(superuser_client, city):
    html = superuser_client.get(reverse("admin:requests_app_category_changelist")).text
    assert "No asset layer" in html
    assert '<a href="?asset_type=">' not in html
