"""City packs: a city defined as a folder of TOML and GIS files, no Python.

    pack, problems = citypack_validate(path)        # every problem, with file, key, line, fix
    report = citypack_load(path, commit=True)       # validate all, then load in one transaction

Loading is by code and idempotent: a second run changes nothing, an edited pack updates what
changed, and nothing missing from the pack is deleted. Without `commit` the same load runs and is
rolled back, so a dry run reports exactly what would be created and updated.

The core knows its own sections (city, departments, groups, categories, closure reasons,
geography). Other apps add theirs from AppConfig.ready() -- routing adds calendars and service
levels -- with `citypack_section_register`, so the core never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from requests_app.citypack import core, places
from requests_app.citypack.load import LoadLog, row_upsert
from requests_app.citypack.pack import (
    TRANSLATED,
    CityPack,
    Problem,
    schema_check,
    toml_read,
    translated_fields,
    translations_check,
)
from requests_app.importers import ImportFileError

__all__ = [
    "TRANSLATED",
    "CityPack",
    "LoadLog",
    "PackInvalid",
    "Problem",
    "citypack_load",
    "citypack_section_register",
    "citypack_sections",
    "citypack_validate",
    "row_upsert",
    "translated_fields",
    "translations_check",
]

ERR_NOT_A_PACK = "{path} is not a folder."


class PackInvalid(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the city pack")


@dataclass(frozen=True)
class Section:
    """A part of a pack that one app validates and loads.

    files: {file name: JSON Schema}; a file not marked required may be absent.
    validate(pack): semantic checks after the schemas pass, reported with pack.problem(...).
    load(pack, log): create or update rows (inside the load's transaction)."""

    name: str
    files: dict[str, dict]
    validate: Callable[[CityPack], None]
    load: Callable[[CityPack, LoadLog], None]
    required: tuple[str, ...] = ()


_registered: dict[str, Section] = {}

_DEFINITIONS = Section(
    name="definitions",
    files={f: core.SCHEMAS[f] for f in core.DEFINITION_FILES},
    validate=core.definitions_validate,
    load=core.definitions_load,
    required=core.DEFINITION_FILES,
)
_GEOGRAPHY = Section(
    name="geography",
    files={core.GEOGRAPHY: core.SCHEMAS[core.GEOGRAPHY], places.PLACES: places.SCHEMA},
    validate=core.geography_validate,
    load=core.geography_load,
)


def citypack_section_register(
    name: str,
    *,
    files: dict[str, dict],
    validate: Callable[[CityPack], None],
    load: Callable[[CityPack, LoadLog], None],
    required: tuple[str, ...] = (),
) -> None:
    """Add (or replace, by name) a section. Sections load after the core's definitions (so they
    can refer to categories and departments) and before the geography files."""
    _registered[name] = Section(name, files, validate, load, required)


def citypack_sections() -> list[Section]:
    return [_DEFINITIONS, *_registered.values(), _GEOGRAPHY]


def citypack_validate(path: Path) -> tuple[CityPack, list[Problem]]:
    """Read and check the whole pack; returns it with every problem found (empty when valid).

    1. Parse every section's files (a syntax error or duplicate key is a problem with its line).
    2. Check each file against its JSON Schema (unknown keys, types, enums, codes).
    3. Run each section's semantic checks (references, translations, question shapes, files)."""
    pack = CityPack(path=Path(path))
    if not pack.path.is_dir():
        pack.problems.append(
            Problem(str(path), "", ERR_NOT_A_PACK.format(path=path), "Give the pack's folder.")
        )
        return pack, pack.problems
    sections = citypack_sections()
    for section in sections:
        for file, schema in section.files.items():
            if toml_read(pack, file, required=file in section.required) is not None:
                schema_check(pack, file, schema)
    if pack.problems:
        # Semantic checks assume well-formed files; report the shape problems first.
        return pack, pack.problems
    for section in sections:
        section.validate(pack)
    return pack, pack.problems


@dataclass
class LoadReport:
    committed: bool
    log: LoadLog
    problems: list[Problem] = field(default_factory=list)


def citypack_load(
    path: Path,
    *,
    commit: bool = False,
    areas: bool = True,
    addresses: bool = True,
    out: Callable[[str], None] | None = None,
) -> LoadReport:
    """Validate the pack, then load every section in one transaction (rolled back unless
    `commit`). `areas=False` / `addresses=False` skip the area sets / address and asset files.
    Raises PackInvalid with every problem when the pack does not validate, or when a file
    cannot be imported during the load."""
    pack, problems = citypack_validate(path)
    if problems:
        raise PackInvalid(problems)
    log = LoadLog(out=out)
    try:
        with transaction.atomic():
            for section in citypack_sections():
                if section is _GEOGRAPHY:
                    core.geography_load(pack, log, areas=areas, addresses=addresses)
                else:
                    section.load(pack, log)
            if not commit:
                transaction.set_rollback(True)
    except (ImportFileError, ValidationError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        raise PackInvalid(
            [Problem(section.name, "", message, "Correct the pack and load it again.")]
        ) from exc
    return LoadReport(committed=commit, log=log)
