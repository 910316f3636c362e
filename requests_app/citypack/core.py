"""The core's sections of a city pack: the city itself, departments, category groups, categories
with their questions, closure reasons, and the geography files (areas, addresses, assets)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.gis.gdal import GDALException, SpatialReference

from requests_app.citypack.load import LoadLog, row_upsert
from requests_app.citypack.pack import (
    CITY_FILE,
    CODE_PATTERN,
    MODEL_LANGUAGES,
    TRANSLATED,
    CityPack,
    duplicates,
    translated_fields,
    translations,
    translations_check,
)
from requests_app.citypack.places import places_load, places_validate
from requests_app.importers import ImportFileError
from requests_app.importers.addresses import (
    addresses_drop_existing,
    addresses_read,
    addresses_save,
)
from requests_app.importers.areas import area_set_save, areas_read
from requests_app.importers.assets import (
    asset_type_clean,
    assets_existing,
    assets_read,
    assets_save,
)
from requests_app.importers.geo import boundary_prepared, layer_open
from requests_app.models import (
    AreaSet,
    Category,
    CategoryGroup,
    ClosureReason,
    Department,
    Question,
    QuestionChoice,
)

DEPARTMENTS = "departments.toml"
GROUPS = "groups.toml"
CATEGORIES = "categories.toml"
CLOSURE_REASONS = "closure-reasons.toml"
GEOGRAPHY = "geography.toml"

LIST_TYPES = ("singlevaluelist", "multivaluelist")
DATATYPES = [d for d in Question.Datatype.values]
OUTCOMES = ["resolved", "referred", "not_actionable"]


def _codes(entry: dict) -> dict:
    """A file of tables keyed by code."""
    return {
        "type": "object",
        "propertyNames": {"pattern": CODE_PATTERN},
        "additionalProperties": entry,
    }


def _table(required: list[str], properties: dict) -> dict:
    return {
        "type": "object",
        "required": required,
        "additionalProperties": False,
        "properties": properties,
    }


TEXT = {"type": "string"}
HOURS = {"type": "integer", "minimum": 0}

SCHEMAS: dict[str, dict] = {
    CITY_FILE: _table(
        ["name", "time_zone", "languages", "map"],
        {
            "name": {"type": "string", "minLength": 1},
            "time_zone": TEXT,
            "phone": TEXT,
            "emergency_phone": TEXT,
            "phone_region": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "languages": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "uniqueItems": True,
            },
            "map": _table(
                ["center", "zoom"],
                {
                    "center": {
                        "type": "array",
                        "items": {"type": "number"},
                        "minItems": 2,
                        "maxItems": 2,
                    },
                    "zoom": {"type": "integer", "minimum": 1, "maximum": 20},
                },
            ),
            "address_examples": {
                "type": "object",
                "propertyNames": {"pattern": "^[a-z]{2,3}(-[A-Za-z]{2,4})?$"},
                "additionalProperties": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1, "maxLength": 80},
                    "maxItems": 5,
                },
            },
        },
    ),
    DEPARTMENTS: _codes(
        _table(
            ["name"],
            {"name": TRANSLATED, "email": TEXT, "phone": TEXT, "active": {"type": "boolean"}},
        )
    ),
    GROUPS: _codes(
        _table(
            ["name"], {"name": TRANSLATED, "icon": TEXT, "order": {"type": "integer", "minimum": 0}}
        )
    ),
    CATEGORIES: _codes(
        _table(
            ["group", "department", "name", "description"],
            {
                "group": TEXT,
                "department": TEXT,
                "name": TRANSLATED,
                "description": TRANSLATED,
                # Synonyms: keywords.en / keywords.es, or one string in the first language.
                "keywords": TRANSLATED,
                "icon": {"type": "string", "maxLength": 8},
                "asset_type": {"type": "string", "pattern": CODE_PATTERN},
                "base_severity": {"type": "integer", "minimum": 0, "maximum": 100},
                "response_target_hours": HOURS,
                "resolution_target_hours": HOURS,
                "notice": TRANSLATED,
                "online": {"type": "boolean"},
                "offline_message": TRANSLATED,
                "active": {"type": "boolean"},
                "questions": {
                    "type": "array",
                    "items": _table(
                        ["code"],
                        {
                            "code": {"type": "string", "pattern": CODE_PATTERN},
                            "datatype": {"enum": DATATYPES},
                            "prompt": TRANSLATED,
                            "help": TRANSLATED,
                            "note": TRANSLATED,
                            "required": {"type": "boolean"},
                            "choices": {
                                "type": "array",
                                "items": _table(
                                    ["key", "name"],
                                    {
                                        "key": {"type": "string", "pattern": CODE_PATTERN},
                                        "name": TRANSLATED,
                                    },
                                ),
                            },
                        },
                    ),
                },
            },
        )
    ),
    CLOSURE_REASONS: _codes(
        _table(
            ["name", "public_text"],
            {
                "name": TRANSLATED,
                "public_text": TRANSLATED,
                "outcome": {"enum": OUTCOMES},
                "active": {"type": "boolean"},
            },
        )
    ),
    GEOGRAPHY: _table(
        [],
        {
            "areas": _codes(
                _table(
                    ["file", "kind", "name"],
                    {
                        "file": TEXT,
                        "kind": {"enum": list(AreaSet.Kind.values)},
                        "name": {"type": "string", "minLength": 1, "maxLength": 120},
                        "srid": {"type": "integer", "minimum": 1},
                        "name_field": TEXT,
                        "code_field": TEXT,
                        "dissolve_by": TEXT,
                        "dissolve_all": {"type": "boolean"},
                        "source": TEXT,
                        "licence": TEXT,
                    },
                )
            ),
            "addresses": _codes(
                _table(
                    ["file"],
                    {
                        "file": TEXT,
                        "srid": {"type": "integer", "minimum": 1},
                        "source": TEXT,
                        "licence": TEXT,
                    },
                )
            ),
            "assets": _codes(
                _table(
                    ["file", "type"],
                    {
                        "file": TEXT,
                        "type": {"type": "string", "pattern": CODE_PATTERN},
                        "id_field": TEXT,
                        "name_field": TEXT,
                        "department": TEXT,
                        "srid": {"type": "integer", "minimum": 1},
                        "source": TEXT,
                        "licence": TEXT,
                    },
                )
            ),
        },
    ),
}
DEFINITION_FILES = (CITY_FILE, DEPARTMENTS, GROUPS, CATEGORIES, CLOSURE_REASONS)


# --- validation -----------------------------------------------------------------------------------
def definitions_validate(pack: CityPack) -> None:
    """Semantic checks the schemas cannot express: references between files, translations,
    question shapes."""
    _city_validate(pack)
    for code, dept in pack.table(DEPARTMENTS).items():
        translations_check(pack, DEPARTMENTS, f"{code}.name", dept.get("name"), max_length=120)
    for code, group in pack.table(GROUPS).items():
        translations_check(pack, GROUPS, f"{code}.name", group.get("name"), max_length=80)
    departments, groups = pack.table(DEPARTMENTS), pack.table(GROUPS)
    for code, cat in pack.table(CATEGORIES).items():
        _category_validate(pack, code, cat, departments=departments, groups=groups)
    for code, reason in pack.table(CLOSURE_REASONS).items():
        # A plain name is one label for every language (packs written before names had
        # translations); a table must have each of the city's languages.
        if isinstance(reason.get("name"), dict):
            translations_check(
                pack, CLOSURE_REASONS, f"{code}.name", reason.get("name"), max_length=120
            )
        translations_check(
            pack, CLOSURE_REASONS, f"{code}.public_text", reason.get("public_text"), max_length=300
        )


def _city_validate(pack: CityPack) -> None:
    city = pack.city
    zone = city.get("time_zone")
    if isinstance(zone, str):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            pack.problem(
                CITY_FILE,
                "time_zone",
                f"{zone!r} is not a time zone.",
                "Use an IANA name such as America/Los_Angeles or America/Denver.",
            )
    langs = city.get("languages")
    if isinstance(langs, list):
        for lang in langs:
            if lang not in MODEL_LANGUAGES:
                pack.problem(
                    CITY_FILE,
                    "languages",
                    f"Language {lang!r} cannot be stored yet: the models hold "
                    f"{', '.join(MODEL_LANGUAGES)}.",
                    f"Use languages from {', '.join(MODEL_LANGUAGES)}.",
                )
        if "en" not in langs:
            pack.problem(
                CITY_FILE,
                "languages",
                "English (en) is missing: it is the base text of every name.",
                'Add "en" to languages.',
            )


def _category_validate(
    pack: CityPack, code: str, cat: dict, *, departments: dict, groups: dict
) -> None:
    f = CATEGORIES
    if "group" in cat and cat["group"] not in groups:
        pack.problem(
            f,
            f"{code}.group",
            f"Unknown group {cat['group']!r}.",
            f"Use a group from groups.toml ({', '.join(groups) or 'none yet'}) or add it there.",
        )
    if "department" in cat and cat["department"] not in departments:
        pack.problem(
            f,
            f"{code}.department",
            f"Unknown department {cat['department']!r}.",
            f"Use a department from departments.toml ({', '.join(departments) or 'none yet'}) "
            "or add it there.",
        )
    translations_check(pack, f, f"{code}.name", cat.get("name"), max_length=120)
    translations_check(pack, f, f"{code}.description", cat.get("description"), max_length=240)
    translations_check(pack, f, f"{code}.notice", cat.get("notice"))
    translations_check(pack, f, f"{code}.offline_message", cat.get("offline_message"))
    _keywords_validate(pack, code, cat.get("keywords"))
    if cat.get("online") is False and not cat.get("offline_message"):
        pack.problem(
            f,
            f"{code}.online",
            "Not reportable online, but no offline_message tells residents what to do instead.",
            f'Add offline_message.en = "..." (e.g. "Call 911 now") to [{code}].',
        )
    questions = cat.get("questions") or []
    for code_dup in duplicates([q.get("code", "") for q in questions if isinstance(q, dict)]):
        pack.problem(
            f,
            f"{code}.questions",
            f"Question code {code_dup!r} appears twice in {code}.",
            "Give each question of a category its own code.",
        )
    for i, q in enumerate(questions):
        if isinstance(q, dict):
            _question_validate(pack, f"{code}.questions[{i}]", q)


def _keywords_validate(pack: CityPack, code: str, value: object) -> None:
    """Synonyms are optional in every language, but each must be a language of the city and
    fit the column."""
    field = Category._meta.get_field("keywords")
    for lang, text in translations(value, pack).items():
        if lang not in pack.languages:
            pack.problem(
                CATEGORIES,
                f"{code}.keywords.{lang}",
                f"keywords has a {lang} text but {lang} is not one of the city's languages.",
                f"Remove it, or add {lang!r} to languages in city.toml.",
            )
        elif len(text) > field.max_length:
            pack.problem(
                CATEGORIES,
                f"{code}.keywords.{lang}",
                f"keywords.{lang} is {len(text)} characters; at most {field.max_length} fit.",
                "Keep the words people really type; plurals and accents need no listing.",
            )


def _question_validate(pack: CityPack, key: str, q: dict) -> None:
    f = CATEGORIES
    if "note" in q:
        extra = [k for k in ("datatype", "prompt", "choices", "required", "help") if k in q]
        if extra:
            pack.problem(
                f,
                f"{key}.{extra[0]}",
                f"An informational note asks nothing, so it takes no {', '.join(extra)}.",
                "Remove them, or replace note with datatype and prompt to ask a question.",
            )
        translations_check(pack, f, f"{key}.note", q.get("note"), max_length=300)
        return
    for needed in ("datatype", "prompt"):
        if needed not in q:
            pack.problem(
                f,
                key,
                f"Question {q.get('code', '?')!r} has no {needed}.",
                f"Add {needed} = ..., or write note.en = ... for a note that asks nothing.",
            )
    datatype = q.get("datatype")
    if q.get("choices") and datatype in DATATYPES and datatype not in LIST_TYPES:
        pack.problem(
            f,
            f"{key}.choices",
            f"A choice list on a {datatype} question: residents would never see it.",
            'Use datatype = "singlevaluelist" or "multivaluelist", or remove choices.',
        )
    if datatype in LIST_TYPES and not q.get("choices"):
        pack.problem(
            f,
            f"{key}.datatype",
            f"A {datatype} question without choices.",
            'Add choices = [ { key = "...", name = { en = "..." } }, ... ].',
        )
    translations_check(pack, f, f"{key}.prompt", q.get("prompt"), max_length=300)
    translations_check(pack, f, f"{key}.help", q.get("help"), max_length=300)
    choices = [c for c in q.get("choices") or [] if isinstance(c, dict)]
    for dup in duplicates([c.get("key", "") for c in choices]):
        pack.problem(
            f,
            f"{key}.choices",
            f"Choice key {dup!r} appears twice.",
            "Give each choice its own key.",
        )
    for j, c in enumerate(choices):
        translations_check(pack, f, f"{key}.choices[{j}].name", c.get("name"), max_length=200)


def geography_validate(pack: CityPack) -> None:
    places_validate(pack)
    geo = pack.table(GEOGRAPHY)
    for code, entry in (geo.get("areas") or {}).items():
        key = f"areas.{code}"
        naming = [k for k in ("name_field", "dissolve_by", "dissolve_all") if entry.get(k)]
        if len(naming) > 1:
            pack.problem(
                GEOGRAPHY,
                f"{key}.{naming[1]}",
                f"{' and '.join(naming)} cannot be used together.",
                "Keep one way of naming the areas.",
            )
        if "srid" not in entry:
            pack.problem(
                GEOGRAPHY,
                key,
                f"The area file {entry.get('file', '?')} has no coordinate system (srid).",
                "Add srid = 4326 if its coordinates are longitude/latitude, or the EPSG code of "
                "its projection (e.g. srid = 2227 for California zone 3, US feet).",
            )
        _file_validate(pack, key, entry)
    for code, entry in (geo.get("addresses") or {}).items():
        _file_validate(pack, f"addresses.{code}", entry)
    departments = pack.table(DEPARTMENTS)
    for code, entry in (geo.get("assets") or {}).items():
        dept = entry.get("department")
        if dept and dept not in departments and not Department.objects.filter(slug=dept).exists():
            pack.problem(
                GEOGRAPHY,
                f"assets.{code}.department",
                f"Unknown department {dept!r}.",
                "Use a department from departments.toml.",
            )
        _file_validate(pack, f"assets.{code}", entry)


def _file_validate(pack: CityPack, key: str, entry: dict) -> None:
    file = entry.get("file")
    if not isinstance(file, str):
        return
    path = pack.path / file
    if not path.exists():
        pack.problem(
            GEOGRAPHY,
            f"{key}.file",
            f"File {file} is not in the pack.",
            f"Put {file} in {pack.path} or correct the name.",
        )
        return
    srid = entry.get("srid")
    if isinstance(srid, int):
        try:
            SpatialReference(srid)
        except (GDALException, TypeError):
            pack.problem(
                GEOGRAPHY,
                f"{key}.srid",
                f"srid {srid} is not a coordinate system GDAL knows.",
                "Use an EPSG code, e.g. 4326 (longitude/latitude) or 2227.",
            )
            return
    if srid == 4326 and path.suffix.lower() != ".csv":
        try:
            xmin, ymin, xmax, ymax = layer_open(path).extent.tuple
        except (ImportFileError, GDALException) as exc:
            pack.problem(GEOGRAPHY, f"{key}.file", str(exc), "Check the file opens in QGIS.")
            return
        if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
            pack.problem(
                GEOGRAPHY,
                f"{key}.srid",
                f"{file} says srid = 4326 but its coordinates (x {xmin:.0f}..{xmax:.0f}, "
                f"y {ymin:.0f}..{ymax:.0f}) cannot be degrees.",
                "Set srid to the file's projection (e.g. 2227 for California zone 3, US feet).",
            )


# --- loading --------------------------------------------------------------------------------------
def definitions_load(pack: CityPack, log: LoadLog) -> None:
    """Departments, groups, categories with questions and choices, closure reasons: created or
    updated by code, in the files' order. Nothing missing from the pack is deleted."""
    departments = {
        code: row_upsert(
            Department,
            lookup={"slug": code},
            values={
                **translated_fields(d["name"], pack, "name"),
                "email": d.get("email", ""),
                "phone": d.get("phone", ""),
                "active": d.get("active", True),
            },
            log=log,
            label="departments",
        )
        for code, d in pack.table(DEPARTMENTS).items()
    }
    groups = {
        code: row_upsert(
            CategoryGroup,
            lookup={"slug": code},
            values={
                **translated_fields(g["name"], pack, "name"),
                "icon": g.get("icon", ""),
                "order": g.get("order", 0),
            },
            log=log,
            label="category groups",
        )
        for code, g in pack.table(GROUPS).items()
    }
    for order, (code, c) in enumerate(pack.table(CATEGORIES).items()):
        values = {
            "group": groups[c["group"]],
            "default_department": departments[c["department"]],
            **translated_fields(c["name"], pack, "name"),
            **translated_fields(c["description"], pack, "description"),
            **translated_fields(c.get("keywords"), pack, "keywords"),
            "icon": c.get("icon", ""),
            **translated_fields(c.get("notice"), pack, "notice"),
            "online_submission_allowed": c.get("online", True),
            **translated_fields(c.get("offline_message"), pack, "offline_message"),
            "active": c.get("active", True),
            "order": order,
        }
        for optional in ("response_target_hours", "resolution_target_hours", "base_severity"):
            if optional in c:
                values[optional] = c[optional]
        if "asset_type" in c:
            values["asset_type"] = c["asset_type"]
        category = row_upsert(
            Category, lookup={"code": code}, values=values, log=log, label="categories"
        )
        for q_order, q in enumerate(c.get("questions") or []):
            _question_load(pack, category, q, q_order, log)
    for code, r in pack.table(CLOSURE_REASONS).items():
        row_upsert(
            ClosureReason,
            lookup={"code": code},
            values={
                **translated_fields(r["name"], pack, "name"),
                **translated_fields(r["public_text"], pack, "public_text"),
                "outcome": r.get("outcome", "resolved"),
                "active": r.get("active", True),
            },
            log=log,
            label="closure reasons",
        )


def _question_load(pack: CityPack, category: Category, q: dict, order: int, log: LoadLog) -> None:
    note = "note" in q
    values = {
        "datatype": Question.Datatype.TEXT if note else q["datatype"],
        "variable": not note,
        **translated_fields(q["note"] if note else q["prompt"], pack, "prompt"),
        **translated_fields(q.get("help"), pack, "help_text"),
        "required": bool(q.get("required", False)),
        "order": order,
    }
    question = row_upsert(
        Question,
        lookup={"category": category, "code": q["code"]},
        values=values,
        log=log,
        label="questions",
    )
    for c_order, choice in enumerate(q.get("choices") or []):
        row_upsert(
            QuestionChoice,
            lookup={"question": question, "key": choice["key"]},
            values={**translated_fields(choice["name"], pack, "name"), "order": c_order},
            log=log,
            label="question choices",
        )


def _provenance(entry: dict, default: str, limit: int) -> str:
    source = entry.get("source") or default
    if entry.get("licence"):
        source = f"{source} (licence: {entry['licence']})"
    return source[:limit]


def geography_load(
    pack: CityPack, log: LoadLog, *, areas: bool = True, addresses: bool = True
) -> None:
    """Areas (boundary first, so points can be checked against it), then addresses and assets,
    through the importers library."""
    geo = pack.table(GEOGRAPHY)
    entries = sorted(
        (geo.get("areas") or {}).items(),
        key=lambda item: item[1]["kind"] != AreaSet.Kind.BOUNDARY,
    )
    for code, entry in entries if areas else []:
        kind, name = entry["kind"], entry["name"]
        if AreaSet.objects.filter(kind=kind, active=True, name=name).exists():
            log.say(f'Areas {code}: the active {kind} set is "{name}" already; kept.')
            log.count("area sets", "unchanged")
            continue
        path = pack.path / entry["file"]
        read = areas_read(
            path,
            set_name=name,
            name_field=entry.get("name_field"),
            code_field=entry.get("code_field"),
            dissolve_by=entry.get("dissolve_by"),
            dissolve_all=entry.get("dissolve_all", False),
            srid=entry.get("srid"),
        )
        box = ", ".join(f"{v:.5f}" for v in read.extent or ())
        log.say(
            f"Areas {code}: {len(read.areas)} {kind} areas from {path.name} ({read.srs_note}); "
            f"WGS84 box (W, S, E, N) {box}."
        )
        area_set_save(
            kind=kind,
            name=name,
            source=_provenance(entry, path.name, 300),
            areas=read.areas,
            activate=True,
        )
        log.count("area sets", "created")
    for code, entry in (geo.get("addresses") or {}).items() if addresses else []:
        path = pack.path / entry["file"]
        read = addresses_read(path, boundary=boundary_prepared(), srid=entry.get("srid"))
        addresses_drop_existing(read)
        added = addresses_save(read.drafts, source=_provenance(entry, path.name, 120))
        skipped = sum(read.skipped.values())
        log.say(
            f"Addresses {code}: {read.rows} rows from {path.name} ({read.srs_note}); "
            f"{added} new, {skipped} skipped."
        )
        log.count("address points", "created", added)
    if addresses:
        places_load(pack, log)
    for code, entry in (geo.get("assets") or {}).items() if addresses else []:
        path = pack.path / entry["file"]
        asset_type = asset_type_clean(entry["type"])
        department = None
        if entry.get("department"):
            department = Department.objects.get(slug=entry["department"])
        read = assets_read(
            path,
            id_field=entry.get("id_field"),
            name_field=entry.get("name_field"),
            boundary=boundary_prepared(),
            srid=entry.get("srid"),
        )
        existing = assets_existing(asset_type=asset_type, drafts=read.drafts)
        assets_save(
            read.drafts,
            asset_type=asset_type,
            department=department,
            source=_provenance(entry, path.name, 120),
        )
        log.say(f"Assets {code}: {len(read.drafts)} {asset_type} from {Path(path).name}.")
        log.count("assets", "created", len(read.drafts) - len(existing))
        log.count("assets", "updated", len(existing))
