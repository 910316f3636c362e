"""Send the reports' reads to a read replica when one is configured (DATABASE_REPLICA_URL).

Only reports read there: they are heavy, read-only and tolerate the replica's lag of a few
seconds. Everything else, and every write, uses the primary, so a resident or staff member
always reads what they just wrote. Migrations run on the primary only (the replica follows it).
"""

from __future__ import annotations

from django.conf import settings

REPLICA = "replica"
DEFAULT = "default"
REPLICA_APPS = frozenset({"reports"})


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if model._meta.app_label in REPLICA_APPS and REPLICA in settings.DATABASES:
            return REPLICA
        return None  # no opinion: the primary ("default"), or the instance's own database

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica is a copy of the primary: objects from either may be related.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        return db == DEFAULT
