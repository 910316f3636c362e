"""Choice labels in the reader's language, looked up once per process and language."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language

_LABELS: dict[tuple[type[models.Choices], str | None], dict[str, str]] = {}


def choice_label(*, choices: type[models.Choices], value: str) -> str:
    """The label of value in the active language (the value itself when it is not a choice), as
    Model.get_FOO_display gives it. Django's version hashes every choice's lazy label on each
    call (~0.1 ms for the request statuses; a list page asks 20 times); the catalogues do not
    change while the process runs, so one dict per language is enough."""
    key = (choices, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {v: str(label) for v, label in choices.choices}
    return labels.get(value, value)


def tr_language() -> str:
    """The active language as Translated.tr reads its fields: "es" for "es-mx"."""
    return (get_language() or "en").split("-")[0]
