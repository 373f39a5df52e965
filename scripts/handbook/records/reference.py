"""The reference engine: Frictionless validates the normalised table against the form's Table Schema
plus FormRules, the row checks a Table Schema cannot express. Imported only when used (Frictionless
takes a third of a second to import), so the DuckDB path of `handbook validate` never loads it."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import attrs
from frictionless import Check, Checklist, Dialect, Resource, Schema, errors, formats

from ..forms.model import Form
from ..forms.schema import table_schema
from .issues import Issue
from .normalize import Table
from .validate import CLOSED, DONE_FIELDS, ERROR_LIMIT, TIME_ORDER, Translator, canonical_csv, cn_id_problem, too_many


# ---------------------------------------------------------------- custom Frictionless errors and checks
class CnIdError(errors.CellError):
    type = "cn-id"
    title = "身份证号有误"
    description = "身份证号的出生日期或校验位不符合 GB 11643。"
    template = "身份证号有误：{note}"


class MobileError(errors.CellError):
    type = "mobile"
    title = "手机号有误"
    description = "不是11位手机号。"
    template = "手机号有误：{note}"


class TimeOrderError(errors.RowError):
    type = "row-constraint"
    title = "时间先后或状态不符"
    description = "时间先后不对，或状态与完成时间不符（3.19#4.6.2 B）。"
    template = "{note}"



@attrs.define(kw_only=True, repr=False)
class FormRules(Check):
    """Row checks the Table Schema cannot express."""

    type = "handbook-form-rules"
    Errors = [CnIdError, MobileError, TimeOrderError]
    form: Form = attrs.field(default=None)
    progress: object = attrs.field(default=None)
    cn_ids: list = attrs.field(factory=list)
    mobiles: list = attrs.field(factory=list)
    orders: list = attrs.field(factory=list)
    status: tuple | None = attrs.field(default=None)

    def __attrs_post_init__(self):
        form = self.form
        self.cn_ids = [f.label for f in form.fields if f.format == "cn-id"]
        self.mobiles = [f.label for f in form.fields if f.format == "mobile" and f.pattern]
        self.orders = [(form.field(a).label, form.field(b).label) for a, b in TIME_ORDER
                       if form.field(a) is not None and form.field(b) is not None]
        status = form.field("status")
        done = next((form.field(d) for d in DONE_FIELDS if form.field(d) is not None), None)
        if status is not None and done is not None and CLOSED <= set(status.enum or []):
            # 已取消 needs a time only where the completion column doubles as the cancel time
            self.status = (status.label, done.label, done.id == "completed_at")

    def validate_row(self, row):
        if self.progress is not None and row.row_number % 500 == 0:
            self.progress.update(row.row_number)
        for label in self.cn_ids:
            value = row[label]
            problem = cn_id_problem(str(value)) if value is not None else None
            if problem:
                yield CnIdError.from_row(row, note=problem, field_name=label)
        for label in self.mobiles:
            value = row[label]
            if value is not None and not re.fullmatch(r"1[3-9]\d{9}", str(value)):
                yield MobileError.from_row(row, note="不是11位手机号", field_name=label)
        for later, earlier in self.orders:
            a, b = row[later], row[earlier]
            if isinstance(a, dt.datetime | dt.date) and isinstance(b, type(a)) and a < b:
                yield TimeOrderError.from_row(row, note=f"order|{later}|{earlier}")
        if self.status is not None:
            status, done, cancel_needs_time = self.status
            state, when = row[status], row[done]
            if when is None and (state == "已完成" or (state == "已取消" and cancel_needs_time)):
                yield TimeOrderError.from_row(row, note=f"needs-time|{state}|{done}")
            elif state not in CLOSED and state is not None and when is not None:
                yield TimeOrderError.from_row(row, note=f"needs-status|{state}|{done}")


def validate_frictionless(table: Table, progress=None) -> list[Issue]:
    schema = Schema.from_descriptor(table_schema(table.form))
    if progress is not None:
        progress.start(len(table.rows) + 1, "校验")
    # Frictionless reads the normalised table from a file: inline data would be deep-copied into its report.
    with tempfile.TemporaryDirectory(prefix="handbook-validate-") as tmp:
        (Path(tmp) / "table.csv").write_bytes(canonical_csv(table))
        resource = Resource(path="table.csv", basepath=tmp, schema=schema, format="csv", encoding="utf-8",
                            dialect=Dialect(controls=[formats.CsvControl(delimiter=",")]))
        report = resource.validate(Checklist(checks=[FormRules(form=table.form, progress=progress)]),
                                   limit_errors=ERROR_LIMIT)
    if progress is not None:
        progress.finish()
    task = report.tasks[0]
    translator = Translator(table)
    issues = list(table.issues)
    for error in task.errors:
        issue = translator.issue(error)
        if issue is not None:
            issues.append(issue)
    return too_many(issues, len(task.errors), table.labels)
