"""SMS length: GSM-7 where possible, counted in segments the way carriers bill them, and texts
shortened to fit in two segments without ever cutting the tracking link."""

from __future__ import annotations

import pytest

from notifications.sms import is_gsm7, segments, sms_fit, sms_transliterate

LINK = "https://311.example.org/r/311-2026-000123"


@pytest.mark.parametrize(
    ("text", "gsm"),
    [
        ("Your report 311-ABC is in progress.", True),
        ("¿Qué pasó? El bache está reparado: ñ ü é ¡sí!", False),  # á and ó are not GSM-7
        ("¿Qué paso? ñ ü é ¡si! [ok] €5", True),
        ("Fixed 👍", False),
    ],
)
def test_it_knows_which_texts_are_gsm7(text, gsm):
    assert is_gsm7(text) is gsm


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters count double
        ("€" * 81, 2),
        ("a" * 152 + "€" + "a" * 152, 3),  # 306 septets, but an escape pair is never split
        ("á" * 70, 1),
        ("á" * 71, 2),
        ("á" * 134, 2),
        ("á" * 135, 3),
        ("👍" * 35, 1),  # two UTF-16 units each
        ("👍" * 36, 2),
    ],
)
def test_it_counts_segments_like_a_carrier(text, expected):
    assert segments(text) == expected


def test_spanish_accents_are_dropped_only_when_that_makes_the_text_gsm7():
    assert sms_transliterate("Su reporte está en camino… “gracias”") == (
        'Su reporte esta en camino... "gracias"'
    )
    # ñ, é, ü, ¿ and ¡ are GSM-7 already and stay.
    assert sms_transliterate("¿Añadió una foto? ¡Pingüino! Café") == (
        "¿Añadio una foto? ¡Pingüino! Café"
    )
    # Another script needs UCS-2 anyway: the text is kept exactly as written.
    assert sms_transliterate("Está en 東京") == "Está en 東京"


def test_a_short_text_keeps_its_words_and_gets_the_link():
    assert sms_fit("Your report was received.", link=LINK) == f"Your report was received. {LINK}"


def test_a_spanish_text_goes_out_as_gsm7_in_one_segment():
    fitted = sms_fit("Recibimos su reporte. Número de seguimiento: 311-2026-000123.", link=LINK)
    assert fitted == f"Recibimos su reporte. Numero de seguimiento: 311-2026-000123. {LINK}"
    assert is_gsm7(fitted) and segments(fitted) == 1


def test_a_long_text_is_cut_at_a_word_with_the_whole_link_kept():
    text = "The crew visited the site and " + "filled the pothole with fresh asphalt " * 20
    fitted = sms_fit(text, link=LINK)
    assert segments(fitted) == 2
    assert fitted.endswith(f"... {LINK}")
    assert fitted.startswith("The crew visited the site and filled")
    words = fitted.removesuffix(f"... {LINK}").split()
    assert words[-1] in {"filled", "the", "pothole", "with", "fresh", "asphalt"}


def test_a_text_that_must_stay_ucs2_is_cut_to_two_segments():
    fitted = sms_fit("Gracias 🙏 " + "el equipo reparó la farola de su calle " * 10, link=LINK)
    assert not is_gsm7(fitted)
    assert segments(fitted) <= 2
    assert fitted.endswith(f"… {LINK}")
    assert "🙏" in fitted


def test_one_segment_can_be_asked_for():
    fitted = sms_fit("word " * 100, link=LINK, max_segments=1)
    assert segments(fitted) == 1 and fitted.endswith(LINK)
