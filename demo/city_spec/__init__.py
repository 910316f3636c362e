"""The demo city's definition: departments, category groups, categories with their Open311
questions, closure reasons and the files its areas and addresses come from.

This package is the city, nothing else: what the history simulator needs on top (sample text,
how the SF sample maps to categories) lives in demo.history_data. It is written to the database by
one function, demo.seed.city_seed(), and is due to be replaced by the data pack under
data/cities/san-francisco/ loaded by `manage.py load_city`.

Pure data: no Django imports, so data scripts can use it too.
"""

from __future__ import annotations

from demo.city_spec import categories_1, categories_2
from demo.city_spec.shapes import (
    AreaImportSpec,
    CategorySpec,
    ChoiceSpec,
    ClosureReasonSpec,
    DepartmentSpec,
    GroupSpec,
    QuestionSpec,
)

__all__ = [
    "ADDRESSES_FILE",
    "AREA_IMPORTS",
    "CATEGORIES",
    "CLOSURE_REASONS",
    "DEPARTMENTS",
    "GROUPS",
    "SOURCE_NOTE",
    "AreaImportSpec",
    "CategorySpec",
    "ChoiceSpec",
    "ClosureReasonSpec",
    "DepartmentSpec",
    "GroupSpec",
    "QuestionSpec",
]

ADDRESSES_FILE = "addresses.csv"  # in demo.paths.CITY_DIR
SOURCE_NOTE = (
    "DataSF via sfbrigade/data-science-wg @ f1625aba8ac51ad90ec008f8ebc5ca1c42b304d7 "
    "(see data/demo_city/README.md)"
)


# --- Departments ----------------------------------------------------------------------------------
DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(
        "public-works-streets",
        "Public Works — Streets",
        "Obras Públicas — Calles",
        "streets@city.example",
    ),
    DepartmentSpec("sanitation", "Sanitation", "Saneamiento", "sanitation@city.example"),
    DepartmentSpec("parks", "Parks & Recreation", "Parques y Recreación", "parks@city.example"),
    DepartmentSpec("water", "Water & Sewer", "Agua y Alcantarillado", "water@city.example"),
    DepartmentSpec("urban-forestry", "Urban Forestry", "Arbolado Urbano", "trees@city.example"),
    DepartmentSpec(
        "police-non-emergency",
        "Police Non-Emergency",
        "Policía (no emergencias)",
        "police-nonemergency@city.example",
    ),
    DepartmentSpec(
        "code-enforcement", "Code Enforcement", "Inspección de Códigos", "code@city.example"
    ),
    DepartmentSpec("traffic", "Traffic & Signals", "Tráfico y Semáforos", "traffic@city.example"),
    DepartmentSpec(
        "street-lighting", "Street Lighting", "Alumbrado Público", "lighting@city.example"
    ),
    DepartmentSpec(
        "homeless-outreach",
        "Homeless Outreach",
        "Atención a Personas sin Hogar",
        "outreach@city.example",
    ),
)


# --- Category groups ------------------------------------------------------------------------------
GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec("streets", "Streets & sidewalks", "Calles y aceras", "🛣️", 10),
    GroupSpec("trash", "Trash & dumping", "Basura y desechos", "🗑️", 20),
    GroupSpec("parks", "Parks", "Parques", "🏞️", 30),
    GroupSpec("water", "Water & sewer", "Agua y alcantarillado", "💧", 40),
    GroupSpec("trees", "Trees & plants", "Árboles y plantas", "🌳", 50),
    GroupSpec("noise", "Noise", "Ruido", "🔊", 60),
    GroupSpec("code", "Code enforcement", "Inspección de códigos", "🏚️", 70),
    GroupSpec("lights", "Lights, signs & signals", "Luces, señales y semáforos", "🚦", 80),
    GroupSpec("vehicles", "Vehicles & parking", "Vehículos y estacionamiento", "🚗", 90),
    GroupSpec("welfare", "People & welfare", "Personas y bienestar", "🤝", 100),
)


# --- Closure reasons ------------------------------------------------------------------------------
CLOSURE_REASONS: tuple[ClosureReasonSpec, ...] = (
    ClosureReasonSpec(
        "repaired",
        "Repaired",
        "We repaired the problem. Thank you for reporting it.",
        "Reparamos el problema. Gracias por avisarnos.",
    ),
    ClosureReasonSpec(
        "completed",
        "Completed",
        "The work is done. Thank you for reporting it.",
        "El trabajo está hecho. Gracias por avisarnos.",
    ),
    ClosureReasonSpec(
        "no_problem_found",
        "No problem found",
        "We inspected and found no problem — please add a photo if it is still there.",
        "Lo revisamos y no encontramos ningún problema. Si sigue ahí, agregue una foto, por favor.",
    ),
    ClosureReasonSpec(
        "referred",
        "Referred",
        "Referred to another agency.",
        "Lo remitimos a otra agencia.",
    ),
    ClosureReasonSpec(
        "private_property",
        "Private property",
        "Private property — notice issued to the owner.",
        "Propiedad privada: se notificó al propietario.",
    ),
    ClosureReasonSpec(
        "duplicate",
        "Duplicate",
        "This problem was already reported; we are tracking it in the earlier request.",
        "Este problema ya se había reportado; le damos seguimiento en la solicitud anterior.",
    ),
    ClosureReasonSpec(
        "not_actionable",
        "Not actionable",
        "We could not act on this request: it lacked the details we need, or it is not"
        " something the city handles.",
        "No pudimos atender esta solicitud: faltaban datos o no es algo que atienda la ciudad.",
    ),
)


# --- Areas (files in CITY_DIR) ----------------------------------------------------------------
AREA_IMPORTS: tuple[AreaImportSpec, ...] = (
    AreaImportSpec("neighbourhoods.geojson", "boundary", "San Francisco", dissolve_all=True),
    AreaImportSpec(
        "neighbourhoods.geojson",
        "neighbourhood",
        "Analysis neighbourhoods",
        dissolve_by="nhood",
        code_field="nhood",
    ),
    AreaImportSpec(
        "wards.geojson",
        "ward",
        "Supervisor districts (approximate)",
        name_field="name",
        code_field="code",
    ),
)


# --- Categories (two modules only to keep each short) --------------------------------------------
CATEGORIES: tuple[CategorySpec, ...] = (*categories_1.CATEGORIES, *categories_2.CATEGORIES)
