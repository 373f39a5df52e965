"""What every command starts from: the project folder, and the handbook loaded and checked (or its problems on stderr)."""

from __future__ import annotations

import sys
from pathlib import Path

from .loader import load_handbook
from .messages import ProblemsFound


def root_of(args) -> Path:
    return Path(args.root).resolve()


def load_or_report(args):
    """The validated handbook, or None after printing every problem (exit code 1)."""
    root = root_of(args)
    try:
        return load_handbook(root)
    except ProblemsFound as exc:
        print(exc.report(root), file=sys.stderr)
        return None
