"""Every address example the site shows finds something (issue 12: the help text's own example
found nothing). The examples are read from the rendered pages that have an address field (the
resident's report form and the operator's intake, in every language), for every city pack, with
that pack's address points and places loaded."""

from __future__ import annotations

import html
import re
import tomllib

import pytest
from django.conf import settings
from django.urls import reverse

from requests_app.selectors import address_search
from tests.requests_app.address_packs import PACKS, pack_points_load

pytestmark = pytest.mark.django_db

HELP = re.compile(r'<p class="help" id="id_address_helptext">(.*?)</p>', re.S)
QUOTED = re.compile(r"“([^”]+)”")
PACK_DIRS = sorted(p for p in PACKS.iterdir() if (p / "city.toml").exists())


def examples_shown(client, staff) -> dict[str, set[str]]:
    """{page and language: the examples its address help shows}."""
    shown: dict[str, set[str]] = {}
    client.force_login(staff.operator)
    for lang in ("en", "es"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        for name in ("requests_app:report", "staff:intake"):
            page = client.get(reverse(name)).content.decode()
            helps = HELP.findall(page)
            assert helps, f"{name} ({lang}) has no address help"
            shown[f"{name} ({lang})"] = {
                html.unescape(q) for text in helps for q in QUOTED.findall(text)
            }
    return shown


@pytest.mark.parametrize("pack", PACK_DIRS, ids=lambda p: p.name)
def test_every_address_example_shown_finds_a_point_of_its_city(client, staff, pack):
    with (pack / "city.toml").open("rb") as f:
        city = tomllib.load(f)
    examples = city.get("address_examples", {})
    assert set(examples) >= set(city["languages"]), "give examples in every language"
    settings.ADDRESS_EXAMPLES = examples  # restored by pytest-django's settings fixture below
    shown = examples_shown(client, staff)
    for where, found in shown.items():
        assert found, f"{where} shows no example"
    assert set().union(*shown.values()) == {e for lang in examples.values() for e in lang}

    pack_points_load(pack)
    for where, found in shown.items():
        for example in sorted(found):
            assert address_search(query=example), f"{where}: “{example}” finds nothing"


@pytest.fixture(autouse=True)
def _examples_restored():
    before = settings.ADDRESS_EXAMPLES
    yield
    settings.ADDRESS_EXAMPLES = before
