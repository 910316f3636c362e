"""Drill (a): kill -9 a django-q2 cluster in the middle of sending 1,000 messages.

1. Queue 1,000 SMS in the outbox (file transport: one file per send, naming the outbox id).
2. Start `manage.py qcluster`; after ~300 sends, SIGKILL its whole process group (what the OOM
   killer or a lost container does).
3. Rows the dead workers held stay "sending" until their claim is STALE_CLAIM (10 min) old; the
   drill ages those claims by 11 minutes instead of waiting, then runs the retry sweep.
4. Start TWO clusters on the same queue (drill b with real processes); wait until nothing is
   left to send. Unacknowledged tasks of the dead cluster come back from the ORM broker.
5. PASS when every message was sent exactly once: 1,000 rows "sent", one file per outbox id.

Run: .venv/bin/python scripts/drills/worker_kill.py   (about a minute; loopback only)
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import _drill

NAME = "worker_kill"
TOTAL = 1000
KILL_AFTER = 300
WORK = Path("/tmp/civic311-drill") / NAME
SMS_DIR = WORK / "sms"
DEADLINE = 150  # seconds for the whole drill


def _sent_files() -> list[Path]:
    return list(SMS_DIR.glob("*.txt")) if SMS_DIR.exists() else []


def _start_cluster(env: dict, n: int) -> subprocess.Popen:
    log = (WORK / f"qcluster-{n}.log").open("w")
    return subprocess.Popen(
        [_drill.PY, "manage.py", "qcluster"],
        cwd=_drill.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the kill takes every worker with it
    )


def _kill(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def main() -> None:
    started = time.monotonic()
    shutil.rmtree(WORK, ignore_errors=True)
    SMS_DIR.mkdir(parents=True)
    _drill.ensure_database()
    env = _drill.drill_env(
        DJANGO_SETTINGS_MODULE="drill_settings",
        PYTHONPATH=f"{_drill.ROOT}{os.pathsep}{Path(__file__).resolve().parent}",
        SMS_TRANSPORT="file",
        SMS_FILE_PATH=str(SMS_DIR),
        Q_LOG_LEVEL="ERROR",
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone
    from django_q.models import OrmQ, Schedule, Task

    from notifications.models import OutboxMessage
    from notifications.outbox import outbox_queue
    from notifications.sending import outbox_retry_sweep

    # The drill database is the drill's own: start from an empty queue and no schedules.
    OutboxMessage.objects.filter(template="drill").delete()
    OrmQ.objects.all().delete()
    Schedule.objects.all().delete()
    Task.objects.all().delete()
    run = timezone.now().strftime("%Y%m%d%H%M%S")
    with transaction.atomic():
        for i in range(TOTAL):
            outbox_queue(
                channel="sms",
                recipient=f"+1415555{i:04d}",
                template="drill",
                language="en",
                body_text=f"Drill message {i}",
                dedupe_key=f"drill:{run}:{i}",
            )
    ids = set(OutboxMessage.objects.filter(template="drill").values_list("pk", flat=True))
    assert len(ids) == TOTAL and OrmQ.objects.count() == TOTAL, "queueing failed"

    first = _start_cluster(env, 1)
    while len(_sent_files()) < KILL_AFTER:
        if time.monotonic() - started > DEADLINE / 2:
            _kill(first, signal.SIGKILL)
            raise RuntimeError(f"only {len(_sent_files())} sends before the kill deadline")
        time.sleep(0.02)
    _kill(first, signal.SIGKILL)
    at_kill = len(_sent_files())
    in_flight = OutboxMessage.objects.filter(template="drill", status="sending").count()

    # What STALE_CLAIM (10 minutes) does in production, without waiting 10 minutes.
    aged = OutboxMessage.objects.filter(template="drill", status="sending").update(
        claimed_at=timezone.now() - timedelta(minutes=11)
    )
    outbox_retry_sweep()
    clusters = [_start_cluster(env, 2), _start_cluster(env, 3)]
    try:
        while OutboxMessage.objects.filter(
            template="drill", status__in=["queued", "sending"]
        ).exists():
            if time.monotonic() - started > DEADLINE:
                break
            time.sleep(0.5)
    finally:
        for proc in clusters:
            _kill(proc, signal.SIGTERM)

    per_id = Counter()
    for path in _sent_files():
        match = re.search(r"^Outbox-Id: (\d+)$", path.read_text(encoding="utf-8"), re.M)
        per_id[int(match.group(1)) if match else -1] += 1
    statuses = Counter(
        OutboxMessage.objects.filter(template="drill").values_list("status", flat=True)
    )
    duplicated = sorted(pk for pk, n in per_id.items() if n > 1)
    lost = sorted(ids - set(per_id))
    strangers = sorted(set(per_id) - ids)
    passed = not duplicated and not lost and not strangers and statuses == Counter({"sent": TOTAL})
    _drill.record(
        NAME,
        passed,
        f"{TOTAL} queued, cluster killed (-9) after {at_kill} sends with {in_flight} in flight "
        f"({aged} claims aged past STALE_CLAIM), restarted as 2 clusters: "
        f"{sum(per_id.values())} sends, {len(per_id.keys() & ids)} distinct, "
        f"{len(duplicated)} duplicated, {len(lost)} lost, rows {dict(statuses)}, "
        f"{time.monotonic() - started:.0f} s",
    )
    if not passed:
        raise SystemExit(1)


if __name__ == "__main__":
    _drill.main_guard(main)
