"""Spanish is a first-class language: the catalogue has no untranslated or doubtful entries."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parent.parent / "locale" / "es" / "LC_MESSAGES" / "django.po"


def _entries() -> list[str]:
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    return [
        b
        for b in blocks
        if "msgid" in b
        and not b.lstrip().startswith("#~")
        and 'msgid ""\nmsgstr ""\n"Project' not in b
    ]


def test_no_entry_is_left_empty_or_fuzzy():
    problems = []
    for block in _entries():
        if "#, fuzzy" in block or re.search(r'msgstr(\[\d\])? ""\s*$', block):
            problems.append(block.splitlines()[-2] if len(block.splitlines()) > 1 else block)
    assert problems == []


def test_the_compiled_catalogue_is_used():
    with translation.override("es"):
        assert translation.gettext("Report a problem") == "Reportar un problema"
        assert translation.gettext("Tracking number") != "Tracking number"
