"""Helpers for the tests of the import commands (addresses, areas, assets, places)."""

from __future__ import annotations

import re
from pathlib import Path


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def skipped_rows(output: str) -> dict[str, int]:
    """The reasons an import printed under "Skipped N rows:", with how many rows each."""
    lines = iter(output.splitlines())
    for line in lines:
        if line.startswith("Skipped "):
            break
    rows = {}
    for line in lines:
        match = re.fullmatch(r" +(\d+)  (.+)", line)
        if not match:
            break
        rows[match[2]] = int(match[1])
    return rows
