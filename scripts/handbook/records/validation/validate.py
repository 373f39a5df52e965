"""Validate a clerk's file against its form; every problem in Chinese.

The file is read and normalised first (normalize.py), then every rule of records/rules/ runs on it:
the row engine (rules/engine.py) for the files clerks upload, the DuckDB bulk engine (fast.py,
fastfile.py) for large CSV files. Both return the same Findings, rendered here into Issues.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ...forms.model import Form
from .issues import Issue
from .normalize import Table, to_table
from .reading import NO_LIMITS, Limits, Unusable, read_table
from ..rules.engine import ERROR_LIMIT, check_rows, report

# `auto` sends files from this size on to the DuckDB engine (fast.py): below it a file is a few
# hundred rows, which the row engine checks in milliseconds without starting DuckDB.
FAST_THRESHOLD = 256 * 1024
# "frictionless" is the engine's former name: Frictionless is now the test oracle (tests/oracle.py)
ENGINES = ("auto", "rows", "fast", "frictionless")
# Why a file is unusable → the `--json` error type that says the same.
UNUSABLE_TYPES = {
    "file-missing": "scheme-error", "file-unreadable": "scheme-error", "empty-file": "source-error",
    "not-a-table": "format-error", "legacy-xls": "format-error", "corrupt-xlsx": "format-error",
    "encoding-error": "encoding-error", "wrong-form": "incorrect-label",
}


@dataclass
class Result:
    form: Form
    rows: int = 0
    errors: list[Issue] = field(default_factory=list)
    normalized: list[dict] = field(default_factory=list)
    table: Table | None = None
    unusable: Unusable | None = None
    engine: str | None = None          # which engine judged the rows: "rows" or "fast"

    @property
    def valid(self) -> bool:
        return self.unusable is None and not self.errors

    @property
    def exit_code(self) -> int:
        return 2 if self.unusable is not None else (0 if self.valid else 1)

    def as_json(self) -> dict:
        out = {"valid": self.valid, "rows": self.rows, "errors": [e.as_dict() for e in self.errors],
               "normalized": self.normalized}
        if self.unusable is not None:
            code = self.unusable.error.code
            out["unusable"] = {"type": code, "message": self.unusable.message}
            out["errors"] = [Issue(UNUSABLE_TYPES.get(code, "source-error"), None, None, None, self.unusable.message).as_dict()]
        return out


def validate_table(table: Table, progress=None) -> list[Issue]:
    findings, count = check_rows(table.form, table.rows, table.row_numbers, ERROR_LIMIT, progress)
    return report(findings, count, table.labels, table.issues)


def pick_engine(path: Path, engine: str = "auto") -> str:
    if engine in ("rows", "fast"):
        return engine
    if engine == "frictionless":
        return "rows"
    try:
        return "fast" if Path(path).stat().st_size >= FAST_THRESHOLD else "rows"
    except OSError:
        return "rows"


def validate_file(path: Path, form: Form, others: list[Form] = (), progress=None, engine: str = "auto",
                  limits: Limits = NO_LIMITS) -> Result:
    """Read, normalise and validate one file. Never raises for bad input: unusable files come back as a Result.

    engine: "rows" (the row engine), "fast" (DuckDB, for big CSV files; same report) or "auto".
    limits: caps on rows, cells and sheet size (uploads); none by default.
    """
    result = Result(form=form)
    engine = pick_engine(path, engine)
    try:
        limits.check_csv(Path(path))
    except Unusable as exc:
        result.unusable = exc
        return result
    if engine == "fast":
        from .fastfile import validate_csv
        if validate_csv(Path(path), form, others, result):
            result.engine = "fast"
            return result
        result = Result(form=form)
    try:
        raw = read_table(Path(path), progress, limits)
        table = to_table(raw, form, others)
    except Unusable as exc:
        result.unusable = exc
        return result
    result.table = table
    result.rows = len(table.rows)
    result.normalized = table.normalized
    result.errors = validate_table(table, progress)
    result.engine = "rows"
    return result


def canonical_csv(table: Table) -> bytes:
    """The normalised table as stored: UTF-8, schema column order, CRLF, no blank rows."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(table.labels)
    writer.writerows(table.rows)
    return buf.getvalue().encode("utf-8")


__all__ = ["Result", "validate_file", "validate_table", "canonical_csv"]
