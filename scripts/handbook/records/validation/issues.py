"""One problem found in a clerk's file, shaped like the `--json` output."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Issue:
    type: str                # the Frictionless error type (type-error, constraint-error, …) or a custom check's
    row: int | None          # spreadsheet row as the clerk sees it (header = 1); None for the whole file
    field: str | None        # column label
    value: str | None
    message: str             # Chinese, says how to fix it

    def as_dict(self) -> dict:
        return asdict(self)
