"""What git says about the sources: the date each file last changed (shown on its page)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def last_changed_dates(folder: Path) -> dict[str, str]:
    """Last commit date of every file under folder, in one git call."""
    try:
        out = subprocess.run(
            ["git", "log", "--format=@%cs", "--name-only", "--", "."],
            cwd=folder, capture_output=True, text=True, timeout=30, check=True,
        ).stdout
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=folder,
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    dates: dict[str, str] = {}
    current = ""
    for line in out.splitlines():
        if line.startswith("@"):
            current = line[1:]
        elif line.strip():
            dates.setdefault(str((Path(top) / line.strip()).resolve()), current)
    return dates
