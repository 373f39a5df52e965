"""Validate a clerk's file against its form; every problem in Chinese.

The file is read and normalised first (normalize.py), then validated against the form's Table
Schema plus three custom checks: the 身份证号 check digit (GB 11643), mobile numbers, and the
order of times and status that 3.19#4.6.2 B asks the 内勤 to check. Frictionless (reference.py)
is the reference engine; DuckDB (fast.py, fastfile.py) gives the same report for large files.
This module holds what both share: the Result, the Chinese translation of errors, the entry points.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import messages as m
from ..forms.model import Form, FormField
from ..forms.spreadsheets import field_hint
from .issues import Issue
from .normalize import Table, to_table
from .reading import NO_LIMITS, Limits, Unusable, read_table

ERROR_LIMIT = 10000
# `auto` sends files from this size on to the DuckDB engine (fast.py). Measured on the benchmark machine
# (complaint-log, whole `handbook validate` command, best of 3): 500 rows / 0.1 MB fast 0.45 s vs
# frictionless 0.53 s; 5,000 rows / 1 MB 0.46 s vs 1.08 s; 20,000 rows / 4 MB 0.49 s vs 2.90 s.
# The fast engine wins from 0.1 MB; below 64 KB (a few hundred rows) both answer at once, and the
# reference engine keeps the small files it has always handled.
FAST_THRESHOLD = 64 * 1024
ENGINES = ("auto", "frictionless", "fast")
TYPE_WORDS = {"date": "日期", "datetime": "日期时间", "time": "时间", "integer": "整数", "number": "数字",
              "boolean": "“是/否”", "string": "文字"}
TYPE_FIXES = {
    "date": "请写成 2026-11-05 这样的日期。",
    "datetime": "请写成 2026-11-05 14:30 这样的日期和时间（记录到分钟）。",
    "time": "请写成 14:30 这样的时间。",
    "integer": "请填整数，不带单位和文字。",
    "number": "请填数字，如 12.50，不带单位和文字。",
    "boolean": "请填“是”或“否”。",
    "string": "",
}
# (later, earlier): a row where both are filled must not have later < earlier (3.19#4.6.2 B).
TIME_ORDER = [
    ("completed_at", "received_at"), ("due_at", "received_at"), ("agreed_at", "received_at"),
    ("dispatched_at", "received_at"), ("returned_at", "lent_at"), ("due_back_at", "lent_at"),
    ("rectified_at", "issued_at"), ("arrived_at", "received_at"), ("delivered_at", "reminded_at"),
]
# Why a file is unusable → the Frictionless error type that says the same.
UNUSABLE_TYPES = {
    "file-missing": "scheme-error", "file-unreadable": "scheme-error", "empty-file": "source-error",
    "not-a-table": "format-error", "legacy-xls": "format-error", "corrupt-xlsx": "format-error",
    "encoding-error": "encoding-error", "wrong-form": "incorrect-label",
}
CLOSED = {"已完成", "已取消"}
DONE_FIELDS = ("completed_at", "returned_at", "rectified_at")
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def cn_id_problem(value: str) -> str | None:
    """None if the 18-digit id is well-formed (GB 11643), else what is wrong."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return None   # the schema pattern reports the shape
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "中的出生日期不存在"
    expected = ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS)) % 11]
    if value[17] != expected:
        return f"校验位不对（按前17位计算末位应为 {expected}）"
    return None


def cn_id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


# ---------------------------------------------------------------- result
@dataclass
class Result:
    form: Form
    rows: int = 0
    errors: list[Issue] = field(default_factory=list)
    normalized: list[dict] = field(default_factory=list)
    table: Table | None = None
    unusable: Unusable | None = None

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


def where(row: int | None, label: str | None) -> str:
    if row is None:
        return f"“{label}”列" if label else "文件"
    return f"第{row}行“{label}”列" if label else f"第{row}行"


# ---------------------------------------------------------------- Frictionless errors → Chinese
class Translator:
    def __init__(self, table: Table):
        self.table = table
        self.form = table.form
        self.fields = table.form.by_label()
        self.key_labels = [table.form.field(k).label for k in table.form.primary_key]

    def excel_row(self, row_number: int | None) -> int | None:
        if row_number is None or row_number < 2 or row_number - 2 >= len(self.table.row_numbers):
            return None
        return self.table.row_numbers[row_number - 2]

    def raw(self, row_number: int, label: str) -> str:
        i = self.table.labels.index(label)
        return self.table.rows[row_number - 2][i]

    def issue(self, e) -> Issue | None:
        row = self.excel_row(getattr(e, "row_number", None))
        label = getattr(e, "field_name", None) or None
        f: FormField | None = self.fields.get(label) if label else None
        value = self.raw(e.row_number, label) if (f is not None and row is not None) else getattr(e, "cell", None)
        at = where(row, label)
        if e.type == "type-error":
            msg = m.RecordTypeError.template.format(where=at, value=value, type_label=TYPE_WORDS[f.type],
                                                    fix=TYPE_FIXES[f.type])
        elif e.type == "constraint-error":
            msg = self.constraint(e, f, at, value)
        elif e.type == "primary-key":
            return self.primary_key(e, row)
        elif e.type == "missing-cell":
            msg = m.RecordMissingCell.template.format(where=at)
        elif e.type == "extra-cell":
            msg = m.RecordExtraCell.template.format(row=row, value=value)
        elif e.type == "cn-id":
            msg = m.RecordCnId.template.format(where=at, value=value, reason=e.note)
        elif e.type == "mobile":
            msg = m.RecordMobile.template.format(where=at, value=value)
        elif e.type == "row-constraint":
            return self.row_rule(e, row)
        else:
            msg = f"{at}：{e.title}（{e.note}）"
        return Issue(e.type, row, label, value if value != "" else None, msg)

    def constraint(self, e, f: FormField, at: str, value) -> str:
        kind = re.search(r'constraint "(\w+)"', e.note or "")
        kind = kind.group(1) if kind else ""
        hint = field_hint(f)
        if kind == "required":
            return m.RecordRequired.template.format(where=at, fix=f"填写要求：{hint}。" if hint else "")
        if kind == "enum":
            return m.RecordEnum.template.format(where=at, value=value, choices="、".join(f.enum or []))
        if kind == "pattern":
            return m.RecordPattern.template.format(where=at, value=value, fix=("应为：" + hint + "。") if hint else "")
        if kind in ("minimum", "maximum"):
            limit = f.min if kind == "minimum" else f.max
            error = m.RecordMinimum if kind == "minimum" else m.RecordMaximum
            return error.template.format(where=at, value=value, limit=f"{limit:g}")
        return f"{at}的“{value}”不符合要求（{e.note}）。"

    def primary_key(self, e, row: int | None) -> Issue | None:
        values = [self.raw(e.row_number, label) for label in self.key_labels]
        if not any(values):
            return None   # the empty key is reported as a required cell
        match = re.search(r"position (\d+)", e.note or "")
        other = self.excel_row(int(match.group(1))) if match else "前面某"
        key = "、".join(self.key_labels)
        value = "、".join(values)
        return Issue("primary-key", row, key, value,
                     m.RecordDuplicateKey.template.format(where=where(row, key), value=value, other=other, key=key))

    def row_rule(self, e, row: int | None) -> Issue:
        kind, a, b = e.note.split("|")
        if kind == "order":
            value, other_value = self.raw(e.row_number, a), self.raw(e.row_number, b)
            msg = m.RecordOrder.template.format(where=where(row, a), value=value, other_field=b, other_value=other_value)
            return Issue("row-constraint", row, a, value, msg)
        if kind == "needs-time":
            msg = m.RecordStatusNeedsTime.template.format(where=where(row, None), status=a, time_field=b)
            return Issue("row-constraint", row, b, None, msg)
        value = self.raw(e.row_number, b)
        msg = m.RecordTimeNeedsStatus.template.format(where=where(row, None), time_field=b, value=value, status=a)
        return Issue("row-constraint", row, b, value, msg)


# ---------------------------------------------------------------- entry points
def validate_table(table: Table, progress=None, engine: str = "frictionless") -> list[Issue]:
    if engine == "fast":
        from . import fast
        try:
            return fast.validate_table(table)
        except fast.Unsupported:
            pass
    from .reference import validate_frictionless    # Frictionless is imported only when it is used
    return validate_frictionless(table, progress)


def too_many(issues: list[Issue], count: int, labels: list[str]) -> list[Issue]:
    """Add the error-cap notice and sort by row, then column: the report order of both engines."""
    if count >= ERROR_LIMIT:
        issues.append(Issue("too-many-errors", None, None, None, m.RecordTooManyErrors.template.format(limit=ERROR_LIMIT)))
    issues.sort(key=lambda i: (i.row or 0, labels.index(i.field) if i.field in labels else -1))
    return issues


def pick_engine(path: Path, engine: str = "auto") -> str:
    if engine != "auto":
        return engine
    try:
        return "fast" if Path(path).stat().st_size >= FAST_THRESHOLD else "frictionless"
    except OSError:
        return "frictionless"


def validate_file(path: Path, form: Form, others: list[Form] = (), progress=None, engine: str = "auto",
                  limits: Limits = NO_LIMITS) -> Result:
    """Read, normalise and validate one file. Never raises for bad input: unusable files come back as a Result.

    engine: "frictionless" (the reference), "fast" (DuckDB, fast.py; same report) or "auto" (fast from FAST_THRESHOLD).
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
    result.errors = validate_table(table, progress, engine)
    return result


def canonical_csv(table: Table) -> bytes:
    """The normalised table as stored: UTF-8, schema column order, CRLF, no blank rows."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(table.labels)
    writer.writerows(table.rows)
    return buf.getvalue().encode("utf-8")


__all__ = ["Result", "validate_file", "validate_table", "canonical_csv", "cn_id_problem", "cn_id_check_digit"]
