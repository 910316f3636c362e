"""Drill (d): digests and escalations swept every 5 minutes through both daylight-saving nights
of America/Los_Angeles neither skip nor double-fire (tests/drills/test_dst.py, time-machine).

Run: .venv/bin/python scripts/drills/dst.py   (about 30 s)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _drill

if __name__ == "__main__":
    _drill.main_guard(
        lambda: _drill.pytest_drill(
            "dst",
            "tests/drills/test_dst.py",
            "spring-forward and fall-back nights, digests and escalations",
        )
    )
