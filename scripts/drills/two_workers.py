"""Drill (b): workers side by side never double-send: outbox sends (the conditional-UPDATE
claim), staff digests and closure surveys, each raced by four workers with real commits
(tests/drills/test_two_workers.py). worker_kill.py covers sends with two real qcluster processes.

Run: .venv/bin/python scripts/drills/two_workers.py   (about 20 s)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _drill

if __name__ == "__main__":
    _drill.main_guard(
        lambda: _drill.pytest_drill(
            "two_workers",
            "tests/drills/test_two_workers.py",
            "4 workers racing on sends, digests and surveys",
        )
    )
