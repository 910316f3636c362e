"""The category search: what a resident typed (on the report form or in a text message) → the
categories it means, best first. One matcher for every channel.

Residents type plurals ("potholes"), Spanish ("baches", "farola fundida"), no accents
("arbol caido"), misspellings ("grafitti", "streelight") and several words in any order. Each
category carries two weighted text search vectors that PostgreSQL generates on every write
(`Category.search_en` / `search_es`: name A, synonyms B, description C, stemmed with accents
removed; migration 0007), so nothing has to be kept in step by hand.

1. The query is cut into at most MAX_WORDS plain words (lower case, accents dropped, letters and
   digits only: nothing the user types reaches SQL as syntax, it is passed as an array).
2. In one statement, each word that is not a stop word in English or Spanish scores each active
   category by where it is found, in either language: in the name (NAME), in a synonym
   (SYNONYM), in the description (DESCRIPTION). A word in no name or synonym may be a
   misspelling: its trigram word similarity to the category's names or synonyms (pg_trgm),
   when at least FUZZY_MIN, scores a little less than the exact find.
3. A word's score is divided by the square root of the number of categories it finds (a word
   that finds many tells them apart less); a category's score is the sum over the words; the
   best first, ties in the picker's order. The same statement reads the config stamp, so a
   search costs the page one query in all.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from requests_app.configcache import STAMP_TABLE
from requests_app.models import SEARCH_CONFIGS, Category
from requests_app.reference import (
    FRAGMENTS_MAX,
    Reference,
    reference,
    reference_at,
    reference_held,
)

MAX_QUERY_CHARS = 400
MAX_WORDS = 12
MIN_WORD = 2
NAME, SYNONYM, DESCRIPTION = 3.0, 2.0, 0.5
# Below this trigram word similarity two words are different words ("hole" is 0.6 of
# "pothole", "grafitti" 0.7 of "graffiti", "light" 0.5 of "flight").
FUZZY_MIN = 0.6
# A misspelt name counts for less than a synonym spelt right.
FUZZY_NAME, FUZZY_SYNONYM = 1.8, 1.2
# Words found everywhere say nothing about which problem it is.
_NOISE = frozenset({"problem", "problema", "please", "favor", "report", "reportar"})
# PostgreSQL's stop words that say what is wrong: "tree down", "light out", "sin luz".
_KEEP = frozenset({"down", "out", "off", "over", "under", "sin", "against"})

_SQL = f"""
WITH words AS MATERIALIZED (
    SELECT word,
           to_tsquery('{SEARCH_CONFIGS["en"]}', word || tail || 'A') AS en_a,
           to_tsquery('{SEARCH_CONFIGS["en"]}', word || tail || 'B') AS en_b,
           to_tsquery('{SEARCH_CONFIGS["en"]}', word || tail || 'C') AS en_c,
           to_tsquery('{SEARCH_CONFIGS["es"]}', word || tail || 'A') AS es_a,
           to_tsquery('{SEARCH_CONFIGS["es"]}', word || tail || 'B') AS es_b,
           to_tsquery('{SEARCH_CONFIGS["es"]}', word || tail || 'C') AS es_c
    -- The word being typed ("pot") as a prefix ("pot:*A"), the others whole ("pot:A").
    FROM unnest(%(words)s::text[], %(tails)s::text[]) AS t(word, tail)
    -- A stop word in either language ("the", "de", "my") finds nothing, unless it names
    -- the problem ("tree down", "light out").
    WHERE word = ANY(%(keep)s::text[])
       OR (numnode(plainto_tsquery('english', word)) > 0
           AND numnode(plainto_tsquery('spanish', word)) > 0)
),
categories AS MATERIALIZED (
    SELECT id, search_en, search_es,
           lower(unaccent(name || ' ' || name_es)) AS names,
           lower(unaccent(keywords || ' ' || keywords_es)) AS synonyms
    FROM requests_app_category
    WHERE active
),
exact AS MATERIALIZED (
    SELECT c.id, w.word,
           CASE
               WHEN c.search_en @@ w.en_a OR c.search_es @@ w.es_a THEN %(name)s
               WHEN c.search_en @@ w.en_b OR c.search_es @@ w.es_b THEN %(synonym)s
               WHEN c.search_en @@ w.en_c OR c.search_es @@ w.es_c THEN %(description)s
               ELSE 0
           END AS score
    FROM categories c CROSS JOIN words w
),
-- Only a word no name or synonym knows may be misspelt (and trigrams cost more than the
-- lexemes: a sentence's correctly spelt words skip them).
unknown AS (
    SELECT word FROM words WHERE length(word) > 3
    EXCEPT
    SELECT word FROM exact WHERE score >= %(synonym)s
),
fuzzy AS (
    SELECT c.id, u.word,
           greatest(
               CASE WHEN s.names >= %(fuzzy_min)s THEN %(fuzzy_name)s * s.names ELSE 0 END,
               CASE WHEN s.synonyms >= %(fuzzy_min)s THEN %(fuzzy_synonym)s * s.synonyms ELSE 0 END
           ) AS score
    FROM categories c CROSS JOIN unknown u
    CROSS JOIN LATERAL (
        SELECT word_similarity(u.word, c.names) AS names,
               word_similarity(u.word, c.synonyms) AS synonyms
    ) s
),
scores AS (
    SELECT id, word, max(score) AS score
    FROM (SELECT * FROM exact UNION ALL SELECT * FROM fuzzy) found
    WHERE score > 0
    GROUP BY id, word
),
weighed AS (
    -- A word that finds many categories ("street", "calle") tells them apart less than one
    -- that finds a few ("bache"): divided by the square root of how many it finds.
    SELECT id, score / sqrt(count(*) OVER (PARTITION BY word)) AS score FROM scores
)
SELECT NULL::bigint AS category_id, NULL::float AS score,
       (SELECT value FROM {STAMP_TABLE} WHERE id = 1) AS stamp
UNION ALL
SELECT id, sum(score)::float, NULL FROM weighed GROUP BY id
"""  # noqa: S608 - table and configuration names are constants; the words are a parameter


@dataclass(frozen=True)
class CategoryMatch:
    category: Category
    score: float


@dataclass(frozen=True)
class CategorySearch:
    """The snapshot the search was read with, the plain words searched for, and the matches
    (kept on the snapshot and shared: not to be changed)."""

    ref: Reference
    words: tuple[str, ...]
    matches: list[CategoryMatch]


def search_words(query: str, *, ignore: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The words of a query as the search sees them: lower case without accents, letters and
    digits only, at least MIN_WORD long, not numbers, each once, the first MAX_WORDS."""
    decomposed = unicodedata.normalize("NFKD", (query or "")[:MAX_QUERY_CHARS])
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    words: list[str] = []
    for word in re.findall(r"[a-z0-9]+", plain):
        if len(word) < MIN_WORD or word.isdigit() or word in _NOISE or word in ignore:
            continue
        if word not in words:
            words.append(word[:40])
    return tuple(words[:MAX_WORDS])


def category_search(
    *, query: str, prefix_last: bool = False, ignore: frozenset[str] = frozenset()
) -> CategorySearch:
    """The active categories matching `query`, best first (see the module's docstring), with
    the reference snapshot current as of the same statement. `prefix_last`: the last word is
    still being typed (the report form searches as the resident types). `ignore`: words the
    caller knows say nothing (the text-message conversation's street words)."""
    words = search_words(query, ignore=ignore)
    if not words:
        return CategorySearch(ref=reference(), words=words, matches=[])
    # Kept per snapshot: what residents type repeats ("pot", "bache"), and then the page's
    # one query is the stamp's alone. Not kept yet: one statement reads both.
    key = (words, prefix_last)
    held = reference_held()
    if held is not None and key in held.searches:
        ref = reference()
        if ref is held:
            return CategorySearch(ref=ref, words=words, matches=held.searches[key])
    params = {
        "words": list(words),
        "tails": [":" for _ in words[:-1]] + [":*" if prefix_last else ":"],
        "keep": list(_KEEP),
        "name": NAME,
        "synonym": SYNONYM,
        "description": DESCRIPTION,
        "fuzzy_min": FUZZY_MIN,
        "fuzzy_name": FUZZY_NAME,
        "fuzzy_synonym": FUZZY_SYNONYM,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        rows = cursor.fetchall()
    stamp = next((row[2] for row in rows if row[0] is None), None)
    ref = reference_at(stamp)
    position = {c.pk: i for i, c in enumerate(ref.active_categories)}
    matches = [
        CategoryMatch(category=ref.categories[pk], score=round(score, 3))
        for pk, score, _stamp in rows
        # A category written after the snapshot was read waits for the next one.
        if pk is not None and pk in position
    ]
    matches.sort(key=lambda m: (-m.score, position[m.category.pk]))
    if ref.version is not None and len(ref.searches) < FRAGMENTS_MAX:
        ref.searches[key] = matches
    return CategorySearch(ref=ref, words=words, matches=matches)


# --- How well it finds what people mean ---------------------------------------------------------

PHRASINGS_FILE = "search-phrasings.toml"
TOP = 3


@dataclass(frozen=True)
class PhrasingScore:
    """One language's share of written phrasings whose category came up in the top TOP."""

    language: str
    found: int
    total: int
    misses: list[tuple[str, list[str], list[str]]]  # (query, expected codes, top codes)

    @property
    def share(self) -> float:
        return self.found / self.total if self.total else 0.0


def phrasings_score(*, pack: Path) -> list[PhrasingScore]:
    """Run every phrasing of the city pack's search-phrasings.toml (if it has one) through the
    search as the report form does, per language. Categories the database does not have count
    as misses: run it against the city the phrasings were written for."""
    path = pack / PHRASINGS_FILE
    if not path.exists():
        return []
    with path.open("rb") as f:
        phrasings = tomllib.load(f)
    scores = []
    for language, cases in phrasings.items():
        found, misses = 0, []
        for case in cases:
            top = [
                m.category.code
                for m in category_search(query=case["q"], prefix_last=True).matches[:TOP]
            ]
            if set(case["expect"]) & set(top):
                found += 1
            else:
                misses.append((case["q"], case["expect"], top))
        scores.append(PhrasingScore(language, found, len(cases), misses))
    return scores
