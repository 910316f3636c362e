"""The category search (issue 12): residents find the category they mean by what they type, in
English or Spanish, with plurals, misspellings, no accents and words in any order; the report
form's picker shows the best first; odd input never breaks it."""

from __future__ import annotations

import shutil

import pytest
from django.urls import reverse

from requests_app.category_search import (
    PHRASINGS_FILE,
    category_search,
    phrasings_score,
    search_words,
)
from requests_app.citypack import citypack_load, citypack_validate
from requests_app.models import Category
from tests.factories import CategoryFactory
from tests.requests_app.test_citypack import SF, TOWN, edit

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def sf():
    citypack_load(SF, commit=True, areas=False, addresses=False)


def top(query: str, n: int = 3) -> list[str]:
    return [m.category.code for m in category_search(query=query, prefix_last=True).matches[:n]]


def first(query: str) -> str | None:
    codes = top(query, 1)
    return codes[0] if codes else None


def test_the_written_phrasings_find_their_category_in_the_top_three_in_each_language(sf):
    scores = {s.language: s for s in phrasings_score(pack=SF)}
    assert set(scores) == {"en", "es"}
    for language, score in scores.items():
        assert score.total >= 100, language
        assert score.share >= 0.95, (language, score.misses)


def test_the_issues_words_find_the_right_category_first(sf):
    assert first("potholes") == "pothole"
    assert first("streetlights") == "streetlight-out"
    assert first("baches") == "pothole"
    # A word in a name beats the same word among another category's synonyms.
    assert first("leaks") == "water-leak"
    assert first("farola fundida") == "streetlight-out"
    assert first("grafiti") == "graffiti"


def test_missing_accents_misspellings_and_word_order_do_not_matter(sf):
    assert first("arbol caido") == first("árbol caído") == "tree-down"
    assert first("pothol") == "pothole"
    assert first("grafitti") == "graffiti"
    assert first("streelight") == "streetlight-out"
    assert first("down tree") == first("tree down") == "tree-down"
    assert first("leak water") == "water-leak"


def test_a_word_being_typed_finds_what_it_begins(sf):
    assert first("pot") == "pothole"
    assert first("semaf") == "traffic-signal-out"


def test_a_name_outranks_a_synonym_which_outranks_a_description(city):
    in_description = CategoryFactory(
        code="a-desc", name="Alpha", description="Mentions a kiosk in passing."
    )
    in_synonyms = CategoryFactory(code="b-syn", name="Bravo", keywords="kiosk, booth")
    in_name = CategoryFactory(code="c-name", name="Broken kiosk")
    codes = [m.category.code for m in category_search(query="kiosks").matches]
    assert codes == [in_name.code, in_synonyms.code, in_description.code]


def test_spanish_synonyms_typed_in_the_admin_are_found_on_the_next_search(superuser_client, city):
    kiosk = CategoryFactory(code="kiosk", name="Damaged kiosk", name_es="Quiosco dañado")
    assert category_search(query="socavones").matches == []
    data = {
        **{f: getattr(kiosk, f) for f in ("code", "name", "name_es", "description")},
        **{f: getattr(kiosk, f) for f in ("description_es", "icon", "order", "asset_type")},
        "group": kiosk.group_id,
        "default_department": kiosk.default_department_id,
        "active": "on",
        "online_submission_allowed": "on",
        "response_target_hours": 24,
        "resolution_target_hours": 72,
        "base_severity": 0,
        "keywords": "booth",
        "keywords_es": "socavón, caseta",
        "questions-TOTAL_FORMS": 0,
        "questions-INITIAL_FORMS": 0,
        # The category page edits its SLA targets inline too (issue 12).
        "sla_targets-TOTAL_FORMS": 0,
        "sla_targets-INITIAL_FORMS": 0,
    }
    url = reverse("admin:requests_app_category_change", args=[kiosk.pk])
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [m.category.code for m in category_search(query="socavones").matches] == ["kiosk"]
    assert [m.category.code for m in category_search(query="booths").matches] == ["kiosk"]


def test_a_search_is_one_query_and_a_repeated_one_reads_only_the_stamp(
    city, django_assert_num_queries
):
    category_search(query="")  # the snapshot, as any page of a running process has it
    with django_assert_num_queries(1):
        found = category_search(query="asphalt")
    with django_assert_num_queries(1) as queries:
        again = category_search(query="ASPHALT!")
    assert "configstamp" in queries.captured_queries[0]["sql"]
    assert [m.category for m in found.matches] == [m.category for m in again.matches]
    assert [m.category.code for m in found.matches] == ["pothole"]
    # An edit makes a new snapshot: the next search reads the new words.
    Category.objects.filter(pk=city.graffiti.pk).update(keywords="asphalt art")
    found = category_search(query="asphalt").matches
    assert {m.category.code for m in found} == {"pothole", city.graffiti.code}


def test_the_picker_lists_the_best_match_first(client, sf):
    page = client.get(reverse("requests_app:report_categories"), {"q": "leaks"}, headers=HX)
    html = page.content.decode()
    assert html.index("Water leak") < html.index("Problem in a rental home")


def test_the_picker_says_so_when_nothing_matches(client, sf):
    page = client.get(reverse("requests_app:report_categories"), {"q": "zzzxqv"}, headers=HX)
    assert "No problem types match" in page.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "pot\x00hole",
        "\x00\x00\x00",
        "x" * 10_000,
        "bache " * 2_000,
        "!!! ??? ... ---",
        "'; DROP TABLE requests_app_category; --",
        "pothole:* & | ! ( ) <-> :A",
        "\u202e\u200b🕳️ 𝔭𝔬𝔱𝔥𝔬𝔩𝔢",
    ],
)
def test_odd_input_never_breaks_the_search(client, city, query):
    page = client.get(reverse("requests_app:report_categories"), {"q": query}, headers=HX)
    assert page.status_code == 200
    assert Category.objects.count() == 3
    assert len(search_words(query)) <= 12


def test_punctuation_alone_narrows_nothing(client, city):
    html = client.get(reverse("requests_app:report_categories"), {"q": "?!"}, headers=HX)
    assert "Pothole" in html.content.decode() and "Graffiti" in html.content.decode()


def test_the_phrasings_file_is_where_make_bench_reads_it():
    assert (SF / PHRASINGS_FILE).exists()


# --- Synonyms in the city pack -----------------------------------------------------------------


def test_the_city_packs_synonyms_load_per_language_and_a_plain_string_is_the_first_language(
    tmp_path,
):
    town = shutil.copytree(TOWN, tmp_path / "town")
    edit(
        town,
        "categories.toml",
        'keywords = "snow, plow, ice, nieve"',
        'keywords.en = "snow, plow, ice"\nkeywords.es = "nieve, hielo, quitanieves"',
    )
    citypack_load(town, commit=True, areas=False, addresses=False)
    pothole = Category.objects.get(code="pothole")
    assert (pothole.keywords, pothole.keywords_es) == ("hole, road, asphalt, bache", "")
    snow = Category.objects.get(keywords_es__contains="hielo")
    assert snow.keywords == "snow, plow, ice"
    assert [m.category for m in category_search(query="hielos").matches] == [snow]


def test_synonyms_in_a_language_the_city_does_not_speak_are_reported(tmp_path):
    town = shutil.copytree(TOWN, tmp_path / "town")
    edit(town, "categories.toml", 'keywords = "snow, plow, ice, nieve"', 'keywords.fr = "neige"')
    problems = citypack_validate(town)[1]
    assert [(p.file, p.key.split(".", 1)[1]) for p in problems] == [
        ("categories.toml", "keywords.fr")
    ]
    assert "not one of the city's languages" in problems[0].message
