"""Reading a city pack: the TOML files, their JSON Schemas, line numbers, translations, and the
problems found, each with its file, key, line and a fix."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

CITY_FILE = "city.toml"
# The languages the models can hold: `name` is English, `name_es` Spanish (see Translated).
MODEL_LANGUAGES = ("en", "es")
CODE_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"

FIX_CODE = "Use lowercase letters, digits, '-' or '_' (a slug), e.g. pothole or street-lighting."


@dataclass(frozen=True)
class Problem:
    file: str
    key: str  # dotted path inside the file, e.g. "pothole.questions[0].datatype"
    message: str
    fix: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" [{self.key}]" if self.key else ""
        return f"{where}{key}: {self.message} Fix: {self.fix}"


@dataclass
class CityPack:
    """A pack's parsed files (by file name) and what every section needs to check and load it."""

    path: Path
    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def city(self) -> dict[str, Any]:
        return self.data.get(CITY_FILE, {})

    @property
    def languages(self) -> list[str]:
        langs = self.city.get("languages")
        return (
            [lang for lang in langs if isinstance(lang, str)] if isinstance(langs, list) else ["en"]
        )

    def table(self, file: str) -> dict[str, Any]:
        return self.data.get(file, {})

    def problem(self, file: str, key: str, message: str, fix: str) -> None:
        self.problems.append(Problem(file, key, message, fix, self.line_of(file, key)))

    def line_of(self, file: str, key: str) -> int | None:
        """Best-effort line of `key` (a dotted path such as "pothole.questions[1].choices") in
        `file`, found in the text since tomllib keeps no positions.

        1. Walk the path, growing a table name ("areas", "areas.wards"...); when a header
           [name] or the n-th [[name]] exists after the current position, move to it.
        2. Look for the rest of the path as a key (or dotted key) before the next header.
        3. Else give the line of the last header found."""
        text = self.texts.get(file)
        if text is None or not key:
            return None
        lines = text.splitlines()
        headers = [i for i, line in enumerate(lines) if line.lstrip().startswith("[")]
        parts = [p for p in re.split(r"\.(?![^\[]*\])", key) if p]
        start, found, table, consumed = 0, None, "", 0
        for depth, part in enumerate(parts):
            name, index = _split_index(part)
            table = f"{table}.{name}" if table else name
            header = re.compile(r"^\s*\[\[?\s*" + re.escape(table) + r"\s*\]\]?\s*(#.*)?$")
            hits = [i for i in headers if i >= start and header.match(lines[i])]
            if hits:
                pick = hits[index] if index is not None and index < len(hits) else hits[0]
                found, start, consumed = pick, pick + 1, depth + 1
        if consumed == len(parts):
            return found + 1 if found is not None else None
        end = next((i for i in headers if i >= start), len(lines))
        rest = re.sub(r"\[\d+\]", "", ".".join(parts[consumed:]))
        for candidate in (rest, rest.split(".")[0]):
            pattern = re.compile(r"^\s*" + re.escape(candidate) + r"\s*[.=]")
            for i in range(start, end):
                if pattern.match(lines[i]):
                    return i + 1
        return found + 1 if found is not None else None


def _split_index(part: str) -> tuple[str, int | None]:
    match = re.fullmatch(r"(.+?)\[(\d+)\]", part)
    return (match.group(1), int(match.group(2))) if match else (part, None)


def key_path(parts) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def toml_read(pack: CityPack, file: str, *, required: bool) -> dict[str, Any] | None:
    path = pack.path / file
    if not path.exists():
        if required:
            pack.problems.append(
                Problem(file, "", f"{file} is missing from {pack.path}.", f"Create {file}.")
            )
        return None
    text = path.read_text(encoding="utf-8")
    pack.texts[file] = text
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        duplicate = any(word in str(exc) for word in ("twice", "overwrite", "already"))
        fix = (
            "Each code (table name) and key may appear once in a file: rename or remove the "
            "second one."
            if duplicate
            else "Correct the TOML syntax (strings in double quotes, one key = value per line)."
        )
        message = "Duplicate code or key: " if duplicate else "Not valid TOML: "
        named = re.search(r"\(((?:'[^']*',?\s*)+)\)", str(exc))
        key = ".".join(re.findall(r"'([^']*)'", named.group(1))) if named else ""
        pack.problems.append(Problem(file, key, message + str(exc) + ".", fix, line))
        return None
    pack.data[file] = data
    return data


def _line_from_message(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def schema_check(pack: CityPack, file: str, schema: dict) -> None:
    """Every JSON Schema violation in `file` as a problem with its key and a fix."""
    data = pack.data.get(file)
    if data is None:
        return
    validator = Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        for leaf in _leaves(error):
            key = key_path(leaf.absolute_path)
            message, fix = _explain(leaf, key)
            pack.problem(file, key, message, fix)


def _leaves(error: SchemaError) -> list[SchemaError]:
    """The specific errors under a oneOf/anyOf, not "is not valid under any given schema"."""
    if error.context:
        best = max(
            (c for c in error.context),
            key=lambda c: (len(c.absolute_path), c.validator != "type"),
        )
        return _leaves(best)
    return [error]


def _explain(error: SchemaError, key: str) -> tuple[str, str]:
    v = error.validator
    name = key.rsplit(".", 1)[-1] if key else "the file"
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        field_name = missing[0] if missing else "a key"
        return (f"{field_name!r} is missing.", f"Add {field_name} = ... to [{key or 'the file'}].")
    if v == "additionalProperties":
        allowed = sorted((error.schema.get("properties") or {}).keys())
        extra = re.findall(r"'([^']+)' (?:was|were) unexpected", error.message)
        extra = extra or re.findall(r"\('([^)]+)' (?:was|were) unexpected", error.message)
        return (
            f"Unknown key in [{key or 'the file'}]: {error.message}.",
            f"Remove it or correct its spelling; known keys: {', '.join(allowed)}.",
        )
    if v == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        return (f"{error.instance!r} is not allowed for {name}.", f"Use one of: {options}.")
    if v == "pattern" or v == "propertyNames":
        return (f"{error.instance!r} is not a valid code.", FIX_CODE)
    if v == "type":
        return (
            f"{name} should be {error.validator_value}, not {type(error.instance).__name__}.",
            f"Write {name} as a {error.validator_value}.",
        )
    if v in ("minimum", "maximum", "exclusiveMinimum"):
        return (f"{name} is out of range: {error.message}.", "Use a value in range.")
    if v in ("maxLength", "minLength"):
        return (f"{name} has the wrong length: {error.message}.", "Shorten or fill it in.")
    if v in ("minItems", "maxItems"):
        return (f"{name}: {error.message}.", "Give the expected number of items.")
    return (f"{name}: {error.message}.", "See docs/city-pack.md for this field.")


# --- translations ---------------------------------------------------------------------------------
# A human-facing text is a table of languages (name.en = "...", name.es = "..."); a plain string is
# taken as the city's first language.
TRANSLATED = {
    "oneOf": [
        {"type": "string"},
        {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z]{2,3}(-[A-Za-z]{2,4})?$"},
            "additionalProperties": {"type": "string"},
            "minProperties": 1,
        },
    ]
}


def translations(value: Any, pack: CityPack) -> dict[str, str]:
    if isinstance(value, str):
        return {pack.languages[0] if pack.languages else "en": value}
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if isinstance(v, str)}
    return {}


def translations_check(
    pack: CityPack, file: str, key: str, value: Any, *, max_length: int | None = None
) -> None:
    """Every language of the city present and non-blank, none unknown, none too long."""
    if value is None:
        return
    texts = translations(value, pack)
    for lang in pack.languages:
        if not texts.get(lang, "").strip():
            pack.problem(
                file,
                f"{key}.{lang}",
                f"Missing {lang} translation of {key}.",
                f'Add {key}.{lang} = "..." (city.toml lists {", ".join(pack.languages)}).',
            )
    for lang, text in texts.items():
        if lang not in pack.languages:
            pack.problem(
                file,
                f"{key}.{lang}",
                f"{key} has a {lang} text but {lang} is not one of the city's languages.",
                f"Remove it, or add {lang!r} to languages in city.toml.",
            )
        elif max_length and len(text) > max_length:
            pack.problem(
                file,
                f"{key}.{lang}",
                f"{key}.{lang} is {len(text)} characters; at most {max_length} fit.",
                "Shorten it.",
            )


def translated_fields(value: Any, pack: CityPack, field_name: str) -> dict[str, str]:
    """{"name": en text, "name_es": es text} as the Translated models store them."""
    texts = translations(value, pack) if value is not None else {}
    out = {field_name: texts.get("en", "")}
    out[f"{field_name}_es"] = texts.get("es", "")
    return out


def duplicates(values: list[str]) -> list[str]:
    return [v for v, n in Counter(values).items() if n > 1]
