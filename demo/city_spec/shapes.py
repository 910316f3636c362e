"""The shapes of the city definition, and small helpers for writing it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DepartmentSpec:
    slug: str
    name: str
    name_es: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class GroupSpec:
    slug: str
    name: str
    name_es: str
    icon: str
    order: int


@dataclass(frozen=True)
class ChoiceSpec:
    key: str
    name: str
    name_es: str


@dataclass(frozen=True)
class QuestionSpec:
    """One Open311 attribute. `variable=False` is an informational note that asks nothing."""

    code: str
    datatype: str  # string | number | datetime | text | singlevaluelist | multivaluelist
    prompt: str
    prompt_es: str
    help_text: str = ""
    help_text_es: str = ""
    required: bool = False
    variable: bool = True
    choices: tuple[ChoiceSpec, ...] = ()


@dataclass(frozen=True)
class CategorySpec:
    code: str
    group: str  # GroupSpec.slug
    department: str  # DepartmentSpec.slug
    name: str
    name_es: str
    description: str
    description_es: str
    keywords: str
    icon: str
    response_target_hours: int
    resolution_target_hours: int
    questions: tuple[QuestionSpec, ...] = ()
    notice: str = ""
    notice_es: str = ""
    online_submission_allowed: bool = True
    offline_message: str = ""
    offline_message_es: str = ""


@dataclass(frozen=True)
class ClosureReasonSpec:
    code: str
    name: str
    public_text: str
    public_text_es: str


@dataclass(frozen=True)
class AreaImportSpec:
    """Arguments for `manage.py import_areas` (file relative to CITY_DIR)."""

    file: str
    kind: str
    name: str
    name_field: str | None = None
    code_field: str | None = None
    dissolve_by: str | None = None
    dissolve_all: bool = False


def choice_list(*rows: tuple[str, str, str]) -> tuple[ChoiceSpec, ...]:
    return tuple(ChoiceSpec(*row) for row in rows)


def info_note(code: str, text: str, text_es: str) -> QuestionSpec:
    return QuestionSpec(code, "text", text, text_es, variable=False)


YES_NO = choice_list(("yes", "Yes", "Sí"), ("no", "No", "No"))
YES_NO_UNSURE = choice_list(
    ("yes", "Yes", "Sí"), ("no", "No", "No"), ("unsure", "Not sure", "No sé")
)
CALL_911 = info_note(
    "call-911",
    "If anyone is hurt or in danger, call 911 now.",
    "Si alguien está herido o en peligro, llame al 911 ahora.",
)
