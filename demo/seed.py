"""`manage.py seed_demo`: the demo city, its offices, its logins and a year of requests.

1. The city (city_seed): the pack in data/cities/san-francisco, through load_city's library.
2. The offices (demo.office): canned responses.
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

from demo.accounts import demo_users_ensure, logins_text
from demo.history import RequestWriter
from demo.office import office_seed
from demo.paths import CITY_DIR
from requests_app.citypack import citypack_load
from requests_app.models import ServiceRequest


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
    """The demo city is a city pack like any other: load_city's library loads it (definitions,
    calendars and service levels, areas, addresses), idempotently by code."""
    report = citypack_load(CITY_DIR, commit=True, out=stdout.write)
    stdout.write(f"City pack {CITY_DIR.name}:")
    for line in report.log.summary():
        stdout.write(line)
