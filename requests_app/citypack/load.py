"""Writing a pack to the database: upserts by code that count what changed, and the load log."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass
class LoadLog:
    """What a load did (or, in a dry run, would do): per kind of row, how many were created,
    updated or unchanged, plus free lines (areas read, addresses skipped...)."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    lines: list[str] = field(default_factory=list)
    out: Callable[[str], None] | None = None

    def say(self, line: str) -> None:
        self.lines.append(line)
        if self.out is not None:
            self.out(line)

    def count(self, label: str, outcome: str, n: int = 1) -> None:
        self.counts[label][outcome] += n

    def changed(self) -> int:
        return sum(c["created"] + c["updated"] for c in self.counts.values())

    def summary(self) -> list[str]:
        out = []
        for label, c in self.counts.items():
            parts = [f"{c[k]} {k}" for k in ("created", "updated", "unchanged") if c[k]]
            out.append(f"  {label}: {', '.join(parts) or 'none'}")
        return out


def row_upsert(
    model: type[models.Model],
    *,
    lookup: dict[str, Any],
    values: dict[str, Any],
    log: LoadLog,
    label: str,
) -> models.Model:
    """Create the row found by `lookup`, or update the fields of `values` that differ; counts
    created/updated/unchanged under `label`. Never deletes."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save()
        log.count(label, "created")
        return obj
    changed = []
    for name, value in values.items():
        if isinstance(value, models.Model) or (value is None and _is_fk(model, name)):
            current = getattr(obj, f"{name}_id")
            wanted = value.pk if value is not None else None
        else:
            current, wanted = getattr(obj, name), value
        if current != wanted:
            setattr(obj, name, value)
            changed.append(name)
    if changed:
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save(update_fields=changed)
        log.count(label, "updated")
        # Name what an edited pack changes, so a dry run can be read before --commit.
        key = ", ".join(str(v.pk if isinstance(v, models.Model) else v) for v in lookup.values())
        log.say(f"{label} {key}: {', '.join(changed)} updated")
    else:
        log.count(label, "unchanged")
    return obj


def _is_fk(model: type[models.Model], name: str) -> bool:
    try:
        return model._meta.get_field(name).is_relation
    except Exception:
        return False
