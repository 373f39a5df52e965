"""The row engine: every rule of rules/ on a normalised table, row by row, in Python.

It is the engine for the files clerks upload (a month of one 管理处 is a few hundred rows) and the
judge of the rows the bulk engine (bulk.py) flags, so both report the same Findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...forms.model import Form, FormField
from ... import messages as m
from ..validation.issues import Issue
from . import BY_CODE, CELL_RULES, ROW_RULES, BlankRow, DuplicateKey, Finding
from .types import TYPES


ERROR_LIMIT = 10000


def where(row: int | None, label: str | None) -> str:
    if row is None:
        return f"“{label}”列" if label else "文件"
    return f"第{row}行“{label}”列" if label else f"第{row}行"


@dataclass
class Plan:
    """The rules bound to one form: per column its (stage, rule) list, then the row rules."""

    form: Form

    def __post_init__(self):
        self.types = [TYPES[f.type] for f in self.form.fields]
        bound = [r for cls in CELL_RULES for r in cls.bind(self.form)]
        self.cells: list[tuple[list, list, list]] = []
        for f in self.form.fields:
            mine = [r for r in bound if r.field is f]
            self.cells.append(tuple([r for r in mine if r.stage == stage] for stage in ("blank", "type", "value")))
        self.row_rules = [r for cls in ROW_RULES for r in cls.bind(self.form)]
        self.ids = [f.id for f in self.form.fields]
        self.key = [self.ids.index(k) for k in self.form.primary_key]

    def row(self, cells: list[str], row: int) -> list[Finding]:
        """The findings of one row's cells and row rules (not the key: that needs the whole table)."""
        out = []
        values = []
        for f, text, kind, (blank, typed, checks) in zip(self.form.fields, cells, self.types, self.cells):
            if text == "":
                values.append(None)
                out += [_finding(r, row, f, text, r.test(text, None)) for r in blank]
                continue
            value = kind.parse(text)
            values.append(value)
            if value is None:
                out += [_finding(r, row, f, text, r.test(text, None)) for r in typed]
                continue
            for r in checks:
                params = r.test(text, value)
                if params is not None:
                    out.append(_finding(r, row, f, text, params))
        if self.row_rules:
            by_id = dict(zip(self.ids, values))
            texts = dict(zip(self.ids, cells))
            for r in self.row_rules:
                hit = r.test(by_id, texts)
                if hit is not None:
                    f, params = hit
                    out.append(_finding(r, row, f, texts[f.id], params))
        if all(t == "" for t in cells):
            out.append(Finding(BlankRow.code, row, None, None, {}))
        return out

    def key_of(self, cells: list[str]) -> tuple | None:
        """The typed key, None when every key cell is empty or invalid."""
        key = tuple(self.types[k].parse(cells[k]) if cells[k] != "" else None for k in self.key)
        return None if all(v is None for v in key) else key

    def duplicate(self, cells: list[str], row: int, other: int) -> Finding:
        labels = [self.form.fields[k].label for k in self.key]
        value = "、".join(cells[k] for k in self.key)
        return Finding(DuplicateKey.code, row, "、".join(labels), value, {"other": other, "key": "、".join(labels)})


def _finding(rule, row: int, f: FormField, text: str, params: dict) -> Finding:
    return Finding(rule.code, row, f.label, text if text != "" else None, params)


def check_rows(form: Form, rows: list[list[str]], row_numbers: list[int], limit: int,
               progress=None) -> tuple[list[Finding], int]:
    """(findings in row order, how many there were before the cap at limit)."""
    plan = Plan(form)
    found: list[Finding] = []
    seen: dict[tuple, int] = {}
    if progress is not None:
        progress.start(len(rows) + 1, "校验")
    for i, (cells, number) in enumerate(zip(rows, row_numbers)):
        if progress is not None and i % 500 == 0:
            progress.update(i + 1)
        found += plan.row(cells, number)
        if plan.key:
            key = plan.key_of(cells)
            if key is not None:
                if key in seen:
                    found.append(plan.duplicate(cells, number, seen[key]))
                seen[key] = number
        if len(found) >= limit:
            break
    if progress is not None:
        progress.update(len(rows) + 1)
        progress.finish()
    return found[:limit], len(found)


def issue(finding: Finding) -> Issue:
    """The Issue a clerk reads: the rule's Chinese message for this finding."""
    rule = BY_CODE[finding.code]
    label = finding.field if getattr(rule, "where_column", True) else None
    message = rule.render(where=where(finding.row, label), value=finding.value, **finding.params)
    return Issue(rule.kind, finding.row, finding.field, finding.value, message)


def report(findings, count: int, labels: list[str], label_issues: list[Issue] = ()) -> list[Issue]:
    """Issues in report order (row, then column), with the error-cap notice."""
    issues = list(label_issues) + [issue(f) for f in findings]
    if count >= ERROR_LIMIT:
        issues.append(Issue("too-many-errors", None, None, None, m.RecordTooManyErrors.render(limit=ERROR_LIMIT)))
    issues.sort(key=lambda i: (i.row or 0, labels.index(i.field) if i.field in labels else -1))
    return issues
