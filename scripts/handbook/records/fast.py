"""A vectorised twin of the Frictionless validation in validate.py, on DuckDB.

Why DuckDB rather than Arrow: one dependency both reads the CSV (multi-threaded, typed or
VARCHAR) and evaluates every check as SQL — TRY_CAST/strptime for types, RE2 for patterns,
IN lists for enums, window functions for duplicate keys — without Python row loops. Arrow
compute has no window functions and would need a second reader.

The engine works on a DuckDB table `t(i, xr, c0 … cN)`: i is the row's position in the
normalised table (Frictionless row number i + 2), xr the Excel row, c0… the normalised cells
as text ('' when empty). It reproduces Frictionless's errors in Frictionless's emission order
(key fields first, then the others, the blank-row rule, the primary key, then FormRules), caps
them at ERROR_LIMIT exactly like `limit_errors`, and turns them into Issues with the same
Translator. Cells whose meaning Python and SQL might read differently (non-ASCII digits,
exponents, underscores, very long numbers) raise Unsupported, and the caller uses Frictionless.
"""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

from frictionless import errors as ferrors

from ..forms.model import Form, FormField
from ..forms.schema import field_pattern
from .issues import Issue
from .validate import CLOSED, DONE_FIELDS, ERROR_LIMIT, TIME_ORDER, Translator, cn_id_problem, too_many

NUMERIC = "DECIMAL(38,18)"
OK = {
    "integer": "regexp_full_match({c}, '[+-]?[0-9]{{1,18}}')",
    "number": r"regexp_full_match({c}, '[+-]?([0-9]{{1,20}}(\.[0-9]{{0,18}})?|\.[0-9]{{1,18}})')",
    "date": "(regexp_full_match({c}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') AND {c} NOT LIKE '0000%'"
            " AND try_strptime({c}, '%Y-%m-%d') IS NOT NULL)",
    "datetime": "(regexp_full_match({c}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}} [0-9]{{2}}:[0-9]{{2}}')"
                " AND {c} NOT LIKE '0000%' AND try_strptime({c}, '%Y-%m-%d %H:%M') IS NOT NULL)",
    "time": "regexp_full_match({c}, '([01][0-9]|2[0-3]):[0-5][0-9]')",
    "boolean": "{c} IN ('是', '否')",
    "string": "TRUE",
}
VALUE = {"integer": "TRY_CAST({c} AS HUGEINT)", "number": f"TRY_CAST({{c}} AS {NUMERIC})",
         "date": "TRY_CAST({c} AS DATE)", "datetime": "try_strptime({c}, '%Y-%m-%d %H:%M')"}
# Strings Python's int()/Decimal() might still accept although OK above rejects them.
MAYBE_NUMBER = {"integer": r"regexp_full_match({c}, '[\p{{Nd}}+\-_]+')",
                "number": r"regexp_full_match({c}, '(?i)[\p{{Nd}}+\-._einftyas]+')"}
# Python's \d is any Unicode digit; so is RE2's \p{Nd}. A cell with a non-ASCII digit goes to Frictionless.
OTHER_DIGIT = r"(regexp_matches({c}, '[^\x00-\x7f]') AND regexp_matches(regexp_replace({c}, '[0-9]', '', 'g'), '\p{{Nd}}'))"
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


class Unsupported(Exception):
    """This form or file is outside what the fast engine is proven equal on: use Frictionless."""


def q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def re2(pattern: str) -> str:
    """A Python pattern as RE2 with the same meaning, or Unsupported."""
    if re.search(r"\\[^d.\-+*?()\[\]{}|^$/\\]|\(\?|\[\^?\]", pattern):
        raise Unsupported(f"pattern {pattern}")
    return pattern.replace(r"\d", r"\p{Nd}")


def limit_literal(f: FormField, value: float) -> str:
    if f.type == "integer":
        return str(int(value))
    text = format(Decimal(str(value)), "f")
    whole, _, frac = text.lstrip("-").partition(".")
    if len(whole) > 20 or len(frac) > 18:
        raise Unsupported("limit")
    return f"CAST({q(text)} AS {NUMERIC})"


class Plan:
    """The SQL and the meaning of each error code for one form."""

    def __init__(self, form: Form):
        self.form = form
        self.col = {f.label: f"c{j}" for j, f in enumerate(form.fields)}
        self.codes: list[tuple] = []           # code → (kind, label, note)
        for f in form.fields:
            if f.type != "string" and (f.pattern or f.format):
                raise Unsupported("pattern on a non-string column")

    def code(self, kind: str, label: str | None, note: str = "") -> int:
        self.codes.append((kind, label, note))
        return len(self.codes) - 1

    def ok(self, f: FormField) -> str:
        return OK[f.type].format(c=self.col[f.label])

    def value(self, f: FormField) -> str:
        c = self.col[f.label]
        return f"CASE WHEN {c} <> '' AND {self.ok(f)} THEN {VALUE.get(f.type, '{c}').format(c=c)} END"

    def cell_errors(self, f: FormField) -> list[str]:
        c = self.col[f.label]
        required = self.code("constraint-error", f.label, 'constraint "required"')
        out = [f"CASE WHEN {c} = '' AND {str(f.required).upper()} THEN {required} END"]
        if f.type != "string":
            out.append(f"CASE WHEN {c} <> '' AND NOT {self.ok(f)} THEN {self.code('type-error', f.label)} END")
        checks = []
        if f.type == "string":
            pattern = field_pattern(f)
            if pattern:
                checks.append(("pattern", f"NOT regexp_full_match({c}, {q(re2(pattern))})"))
            if f.enum:
                checks.append(("enum", f"{c} NOT IN ({', '.join(q(e) for e in f.enum)})"))
        else:
            value = VALUE.get(f.type, "{c}").format(c=c)
            if f.min is not None:
                checks.append(("minimum", f"{value} < {limit_literal(f, f.min)}"))
            if f.max is not None:
                checks.append(("maximum", f"{value} > {limit_literal(f, f.max)}"))
        for kind, cond in checks:
            code = self.code("constraint-error", f.label, 'constraint "%s"' % kind)
            out.append(f"CASE WHEN {c} <> '' AND {self.ok(f)} AND {cond} THEN {code} END")
        return out

    def exotic(self) -> str:
        parts = ["FALSE"]
        for f in self.form.fields:
            c = self.col[f.label]
            if f.type in MAYBE_NUMBER:
                parts.append(f"(NOT {self.ok(f)} AND {MAYBE_NUMBER[f.type].format(c=c)})")
            if f.type != "string" or f.pattern or f.format:
                parts.append(OTHER_DIGIT.format(c=c))
        return " OR ".join(parts)

    def rules(self) -> list[str]:
        """FormRules (validate.py) as SQL, in its order."""
        form, out = self.form, []
        for f in form.fields:
            if f.format == "cn-id":
                c = self.col[f.label]
                total = " + ".join(f"{w} * CAST(substr({c}, {k + 1}, 1) AS INTEGER)" for k, w in enumerate(ID_WEIGHTS))
                birth = f"substr({c}, 7, 4) || '-' || substr({c}, 11, 2) || '-' || substr({c}, 13, 2)"
                bad = (f"(substr({c}, 7, 4) = '0000' OR try_strptime({birth}, '%Y-%m-%d') IS NULL"
                       f" OR substr('10X98765432', (({total}) % 11) + 1, 1) <> substr({c}, 18, 1))")
                out.append(f"CASE WHEN regexp_full_match({c}, '[0-9]{{17}}[0-9X]') AND {bad} THEN {self.code('cn-id', f.label)} END")
        for f in form.fields:
            if f.format == "mobile" and f.pattern:
                c = self.col[f.label]
                out.append(f"CASE WHEN {c} <> '' AND NOT regexp_full_match({c}, '1[3-9][0-9]{{9}}') THEN {self.code('mobile', f.label)} END")
        for a, b in TIME_ORDER:
            fa, fb = form.field(a), form.field(b)
            if fa is None or fb is None or fa.type not in ("date", "datetime") or fb.type not in ("date", "datetime"):
                continue
            if fa.type != fb.type:
                if fa.type == "date":
                    raise Unsupported("date compared with datetime")
                continue
            out.append(f"CASE WHEN ({self.value(fa)}) < ({self.value(fb)}) THEN "
                       f"{self.code('row-constraint', None, f'order|{fa.label}|{fb.label}')} END")
        status = form.field("status")
        done = next((form.field(d) for d in DONE_FIELDS if form.field(d) is not None), None)
        if status is not None and done is not None and CLOSED <= set(status.enum or []):
            s, when = self.col[status.label], f"({self.value(done)})"
            for state in ("已完成", "已取消") if done.id == "completed_at" else ("已完成",):
                out.append(f"CASE WHEN {s} = {q(state)} AND {when} IS NULL THEN "
                           f"{self.code('row-constraint', None, f'needs-time|{state}|{done.label}')} END")
            out.append(f"CASE WHEN {s} <> '' AND {s} NOT IN ('已完成', '已取消') AND {when} IS NOT NULL THEN "
                       f"{self.code('row-constraint', None, 'needs-status|')} END")
        return out

    def sql(self) -> str:
        form = self.form
        keys = [form.field(k) for k in form.primary_key]
        key_ids = {k.id for k in keys}
        first = keys + [f for f in form.fields if f.id not in key_ids]
        cells = [e for f in first for e in self.cell_errors(f)]
        blank = self.code("blank-row", None)
        all_blank = " AND ".join(f"{c} = ''" for c in self.col.values())
        key_values = [f"({self.value(k)})" for k in keys]
        none = " AND ".join(f"{v} IS NULL" for v in key_values)
        pk_none = self.code("primary-key", None, 'cells composing the primary keys are all "None"')
        pk_dup = self.code("primary-key", None, "dup")
        rules = self.rules()
        return f"""
        WITH k AS (
          SELECT *, {none} AS pk_none,
                 lag(i) OVER (PARTITION BY {', '.join(key_values)} ORDER BY i) AS pk_prev,
                 lag(xr) OVER (PARTITION BY {', '.join(key_values)} ORDER BY i) AS pk_prev_xr
          FROM t
        ), e AS (
          SELECT *, list_concat(
                   CASE WHEN {all_blank} THEN [{blank}] ELSE list_filter([{', '.join(cells)}], lambda x: x IS NOT NULL) END,
                   CASE WHEN pk_none THEN [{pk_none}] WHEN pk_prev IS NOT NULL THEN [{pk_dup}] ELSE [] END,
                   list_filter([{', '.join(rules) or 'NULL'}]::INTEGER[], lambda x: x IS NOT NULL)) AS errs,
                 ({self.exotic()}) AS exotic
          FROM k
        )
        SELECT i, xr, pk_prev, pk_prev_xr, errs, exotic, {', '.join(self.col.values())}
        FROM e WHERE len(errs) > 0 OR exotic ORDER BY i LIMIT {ERROR_LIMIT}
        """


class RowsView:
    """What Translator needs from a Table, for the few rows that have errors."""

    def __init__(self, form: Form, total: int):
        self.form = form
        self.labels = [f.label for f in form.fields]
        self.rows: dict[int, list[str]] = {}
        self.row_numbers = _Numbers(total)


class _Numbers(dict):
    def __init__(self, total: int):
        super().__init__()
        self.total = total

    def __len__(self):
        return self.total


def check(con, form: Form, total: int, label_issues: list[Issue] = ()) -> list[Issue]:
    """Validate table t (see module doc). Raises Unsupported when Frictionless must decide."""
    plan = Plan(form)
    result = con.execute(plan.sql())
    view = RowsView(form, total)
    found = []
    while batch := result.fetchmany(2048):
        for i, xr, prev, prev_xr, errs, exotic, *cells in batch:
            if exotic:
                raise Unsupported("cell")
            view.rows[i] = cells
            view.row_numbers[i] = xr
            if prev is not None:
                view.row_numbers[prev] = prev_xr
            found += [(i, prev, code) for code in errs]
        if len(found) >= ERROR_LIMIT:
            break
    found = found[:ERROR_LIMIT]
    translator = Translator(view)
    issues = list(label_issues)
    for i, prev, code in found:
        kind, label, note = plan.codes[code]
        e = SimpleNamespace(type=kind, row_number=i + 2, field_name=label, note=note, cell=None)
        if kind == "cn-id":
            e.note = cn_id_problem(view.rows[i][view.labels.index(label)])
        elif kind == "primary-key" and note == "dup":
            e.note = f"the same as in the row at position {prev + 2}"
        elif kind == "blank-row":
            e.title, e.note = ferrors.BlankRowError.title, ""
        elif note == "needs-status|":
            status = view.rows[i][view.labels.index(form.field("status").label)]
            done = next(form.field(d) for d in DONE_FIELDS if form.field(d) is not None)
            e.note = f"needs-status|{status}|{done.label}"
        issue = translator.issue(e)
        if issue is not None:
            issues.append(issue)
    return too_many(issues, len(found), view.labels)


def load(con, table) -> None:
    """A normalised Python Table (XLSX, other encodings, odd CSV) as DuckDB table t."""
    import csv
    import tempfile
    from pathlib import Path

    names = [f"c{j}" for j in range(len(table.labels))]
    with tempfile.TemporaryDirectory(prefix="handbook-fast-") as tmp:
        path = Path(tmp) / "t.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            for i, (xr, row) in enumerate(zip(table.row_numbers, table.rows)):
                writer.writerow([i, xr, *row])
        spec = "{'i': 'BIGINT', 'xr': 'BIGINT', " + ", ".join(f"'{c}': 'VARCHAR'" for c in names) + "}"
        cells = ", ".join(f"coalesce({c}, '') AS {c}" for c in names)
        con.execute(f"CREATE TEMP TABLE t AS SELECT i, xr, {cells} "
                    f"FROM read_csv({q(str(path))}, header = false, auto_detect = false, columns = {spec}, "
                    f"quote = '\"', escape = '\"', parallel = false)")


def validate_table(table) -> list[Issue]:
    import duckdb

    con = duckdb.connect()
    try:
        load(con, table)
        return check(con, table.form, len(table.rows), table.issues)
    except duckdb.Error as exc:
        raise Unsupported(str(exc)) from exc
    finally:
        con.close()
