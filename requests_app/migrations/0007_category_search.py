"""The category search (requests_app.category_search): accent-blind English and Spanish text
search configurations, Spanish synonyms, and each category's search vectors as generated columns
that PostgreSQL keeps current on every write."""

import django.contrib.postgres.search
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

# The built-in stemmers with `unaccent` in front ("Árbol caído" and "arbol caido" give the same
# lexemes) and without their stop word lists: "down" in "Tree down" and "out" in "Streetlight out"
# are stop words to PostgreSQL but the point of those names. The search drops a query's stop
# words itself (requests_app.category_search).
TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"
CONFIGS = f"""
CREATE TEXT SEARCH DICTIONARY civic_english_stem (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH DICTIONARY civic_spanish_stem (TEMPLATE = snowball, Language = spanish);
CREATE TEXT SEARCH CONFIGURATION civic_en (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION civic_en
    ALTER MAPPING FOR {TOKENS} WITH unaccent, civic_english_stem;
CREATE TEXT SEARCH CONFIGURATION civic_es (COPY = pg_catalog.spanish);
ALTER TEXT SEARCH CONFIGURATION civic_es
    ALTER MAPPING FOR {TOKENS} WITH unaccent, civic_spanish_stem;
"""
DROP_CONFIGS = """
DROP TEXT SEARCH CONFIGURATION IF EXISTS civic_en;
DROP TEXT SEARCH CONFIGURATION IF EXISTS civic_es;
DROP TEXT SEARCH DICTIONARY IF EXISTS civic_english_stem;
DROP TEXT SEARCH DICTIONARY IF EXISTS civic_spanish_stem;
"""


def _search_field(language: str, config: str) -> migrations.AddField:
    # The expression as it was at this migration (requests_app.models.search_vector may change).
    from django.contrib.postgres.search import SearchVector

    suffix = "" if language == "en" else f"_{language}"
    fields = (("name", "A"), ("keywords", "B"), ("description", "C"))
    a, b, c = (SearchVector(f"{f}{suffix}", config=config, weight=w) for f, w in fields)
    return migrations.AddField(
        model_name="category",
        name=f"search_{language}",
        field=models.GeneratedField(
            db_persist=True,
            expression=a + b + c,
            output_field=django.contrib.postgres.search.SearchVectorField(),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0006_open_queue_order_indexes")]

    operations = [
        UnaccentExtension(),
        migrations.RunSQL(CONFIGS, reverse_sql=DROP_CONFIGS),
        migrations.AlterField(
            model_name="category",
            name="keywords",
            field=models.CharField(
                blank=True,
                help_text=(
                    "Synonyms in English: other words residents type for it, comma separated "
                    "(plurals, accents and small misspellings are matched without listing them)."
                ),
                max_length=1000,
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="keywords_es",
            field=models.CharField(
                blank=True,
                help_text="Synonyms in Spanish, comma separated (e.g. bache, hoyo, hueco).",
                max_length=1000,
            ),
        ),
        _search_field("en", "civic_en"),
        _search_field("es", "civic_es"),
    ]
