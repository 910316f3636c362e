"""`manage.py seed_demo`: the demo city, its offices, its logins and a year of requests.

1. The city (city_seed): departments, category groups, categories with their questions, closure
   reasons, then the areas and addresses when missing.
2. The offices (demo.office): business calendar, service-level targets, canned responses.
3. The logins (demo.accounts).
4. With reset, every request (and its events) deleted.
5. The requests, with their histories (demo.history).

Idempotent: definitions are created or updated by code/slug; areas and addresses are imported
only when missing; staff users only when missing. Requests are added on every run (unless
if_empty finds some).
"""

from __future__ import annotations

import random
import time
from typing import TextIO

from django.db import connection, transaction

from demo import city_spec
from demo.accounts import demo_users_ensure, logins_text
from demo.history import RequestWriter
from demo.office import office_seed
from demo.paths import CITY_DIR
from requests_app.management.commands.import_addresses import (
    addresses_read,
    addresses_save,
    boundary_prepared,
)
from requests_app.management.commands.import_areas import area_set_save, areas_read
from requests_app.models import (
    AddressPoint,
    AreaSet,
    Category,
    CategoryGroup,
    ClosureReason,
    Department,
    Question,
    QuestionChoice,
    ServiceRequest,
)

# Closure reasons that are not a resolution (every other one resolves the request).
CLOSURE_OUTCOMES = {"referred": "referred", "not_actionable": "not_actionable"}


def demo_seed(
    *, requests: int, if_empty: bool, seed: int | None, reset: bool, stdout: TextIO, verbosity: int
) -> None:
    """Steps in the module docstring."""
    if if_empty and ServiceRequest.objects.exists():
        stdout.write("Requests already exist; nothing to do (--if-empty).")
        stdout.write(logins_text())
        return
    started = time.monotonic()
    rng = random.Random(seed)
    city_seed(stdout=stdout)
    with transaction.atomic():
        office_seed()
    users = demo_users_ensure()
    if reset:
        with connection.cursor() as cursor:
            # CASCADE: events, photos and anything else hanging off a request.
            cursor.execute(f"TRUNCATE {ServiceRequest._meta.db_table} RESTART IDENTITY CASCADE")
        stdout.write("Deleted every request (--reset).")
    if requests > 0:
        writer = RequestWriter(
            rng=rng, actor_id=users.get("agent"), stdout=stdout, verbosity=verbosity
        )
        writer.run(requests)
    stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
    stdout.write(logins_text())


def city_seed(*, stdout: TextIO) -> None:
    """Write the city in demo.city_spec to the database: departments, category groups,
    categories with their questions and choices, closure reasons (created or updated by
    slug/code, in one transaction); then each area set from CITY_DIR unless an active set of its
    kind exists, and the address points unless some exist. The one place that writes the city:
    a city pack loader can replace it whole."""
    with transaction.atomic():
        _definitions_write(stdout=stdout)
    _areas_import(stdout=stdout)
    _addresses_import(stdout=stdout)


def _definitions_write(*, stdout: TextIO) -> None:
    departments = {
        d.slug: Department.objects.update_or_create(
            slug=d.slug,
            defaults={
                "name": d.name,
                "name_es": d.name_es,
                "email": d.email,
                "phone": d.phone,
                "active": True,
            },
        )[0]
        for d in city_spec.DEPARTMENTS
    }
    groups = {
        g.slug: CategoryGroup.objects.update_or_create(
            slug=g.slug,
            defaults={"name": g.name, "name_es": g.name_es, "icon": g.icon, "order": g.order},
        )[0]
        for g in city_spec.GROUPS
    }
    questions = 0
    for order, spec in enumerate(city_spec.CATEGORIES):
        category, _ = Category.objects.update_or_create(
            code=spec.code,
            defaults={
                "group": groups[spec.group],
                "default_department": departments[spec.department],
                "name": spec.name,
                "name_es": spec.name_es,
                "description": spec.description,
                "description_es": spec.description_es,
                "keywords": spec.keywords,
                "icon": spec.icon,
                "response_target_hours": spec.response_target_hours,
                "resolution_target_hours": spec.resolution_target_hours,
                "notice": spec.notice,
                "notice_es": spec.notice_es,
                "online_submission_allowed": spec.online_submission_allowed,
                "offline_message": spec.offline_message,
                "offline_message_es": spec.offline_message_es,
                "active": True,
                "order": order,
            },
        )
        for q_order, q in enumerate(spec.questions):
            question, _ = Question.objects.update_or_create(
                category=category,
                code=q.code,
                defaults={
                    "datatype": q.datatype,
                    "variable": q.variable,
                    "prompt": q.prompt,
                    "prompt_es": q.prompt_es,
                    "help_text": q.help_text,
                    "help_text_es": q.help_text_es,
                    "required": q.required,
                    "order": q_order,
                },
            )
            questions += 1
            for c_order, c in enumerate(q.choices):
                QuestionChoice.objects.update_or_create(
                    question=question,
                    key=c.key,
                    defaults={"name": c.name, "name_es": c.name_es, "order": c_order},
                )
    for r in city_spec.CLOSURE_REASONS:
        ClosureReason.objects.update_or_create(
            code=r.code,
            defaults={
                "name": r.name,
                "public_text": r.public_text,
                "public_text_es": r.public_text_es,
                "outcome": CLOSURE_OUTCOMES.get(r.code, "resolved"),
                "active": True,
            },
        )
    stdout.write(
        f"Definitions: {len(city_spec.DEPARTMENTS)} departments, {len(city_spec.GROUPS)} groups, "
        f"{len(city_spec.CATEGORIES)} categories ({questions} questions), "
        f"{len(city_spec.CLOSURE_REASONS)} closure reasons."
    )


def _areas_import(*, stdout: TextIO) -> None:
    for spec in city_spec.AREA_IMPORTS:
        if AreaSet.objects.filter(kind=spec.kind, active=True).exists():
            stdout.write(f"Areas: an active {spec.kind} set exists; kept.")
            continue
        read = areas_read(
            CITY_DIR / spec.file,
            set_name=spec.name,
            name_field=spec.name_field,
            code_field=spec.code_field,
            dissolve_by=spec.dissolve_by,
            dissolve_all=spec.dissolve_all,
        )
        area_set_save(
            kind=spec.kind,
            name=spec.name,
            source=city_spec.SOURCE_NOTE,
            areas=read.areas,
            activate=True,
        )
        stdout.write(f'Areas: imported {spec.kind} set "{spec.name}" ({len(read.areas)}).')


def _addresses_import(*, stdout: TextIO) -> None:
    if AddressPoint.objects.exists():
        stdout.write("Addresses: some exist; kept.")
        return
    read = addresses_read(CITY_DIR / city_spec.ADDRESSES_FILE, boundary=boundary_prepared())
    added = addresses_save(read.drafts, source=city_spec.SOURCE_NOTE[:120])
    stdout.write(f"Addresses: imported {added}.")
