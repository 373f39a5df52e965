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
# strlen (bytes) = length (characters) exactly when the cell is ASCII. In a projection DuckDB evaluates both
# sides of AND/OR for every row; only CASE skips the rest, so the cheap test guards the regular expressions.
OTHER_DIGIT = (r"(CASE WHEN strlen({c}) = length({c}) THEN FALSE "
               r"ELSE regexp_matches(regexp_replace({c}, '[0-9]', '', 'g'), '\p{{Nd}}') END)")
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_YEAR = "[12][0-9]{3}"
# Dates every calendar has (29 February is left to the per-cell test), hours 00–23.
_DATE = (_YEAR + "-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)")
_TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]"
ONE_TEST = {"date": f"(?:{_DATE})", "datetime": f"(?:{_DATE} {_TIME})", "time": f"(?:{_TIME})",
              "boolean": "(?:是|否)", "integer": "-?[0-9]{1,18}", "number": "-?[0-9]{1,20}(?:[.][0-9]{1,18})?"}


class Unsupported(Exception):
    """This form or file is outside what the fast engine is proven equal on: use Frictionless."""


def q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def re2(pattern: str) -> str:
    """A Python pattern as RE2 with the same meaning, or Unsupported."""
    if re.search(r"\\[^d.\-+*?()\[\]{}|^$/\\]|\(\?(?!:)|\[\^?\]", pattern):      # (?: groups are fine
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
        self.rules = None
        for f in form.fields:
            if f.type != "string" and (f.pattern or f.format):
                raise Unsupported("pattern on a non-string column")

    def code(self, kind: str, label: str | None, note: str = "") -> int:
        if (kind, label, note) not in self.codes:
            self.codes.append((kind, label, note))
        return self.codes.index((kind, label, note))

    def ok(self, f: FormField) -> str:
        return OK[f.type].format(c=self.col[f.label])

    def value(self, f: FormField) -> str:
        c = self.col[f.label]
        return f"CASE WHEN {c} <> '' AND {self.ok(f)} THEN {VALUE.get(f.type, '{c}').format(c=c)} END"

    def clear_value(self, f: FormField) -> str:
        """value() for a cell known to pass clear()."""
        c = self.col[f.label]
        return f"CASE WHEN {c} <> '' THEN {VALUE.get(f.type, '{c}').format(c=c)} END"

    def clear(self, f: FormField, canonical: str | None) -> str:
        """SQL true only for a cell that is valid on its own, not exotic, and (with canonical, the caller's
        test that normalisation leaves it as it is) already normalised: one cheap test for the usual cell."""
        c = self.col[f.label]
        one = self.one_test(f)
        if one is not None:
            test = (f"{c} IN ({', '.join(q(e) for e in f.enum)})" if one == "IN"
                    else f"regexp_full_match({c}, {q(one)})")
            return f"(CASE WHEN {c} = '' THEN {str(not f.required).upper()} ELSE {test} END)"
        if f.type == "string":
            if canonical is None:
                return "FALSE"
            tests = []
            pattern = field_pattern(f)
            if pattern:     # ASCII digits only: a cell that passes is ASCII, so never exotic
                tests.append(f"regexp_full_match({c}, {q(re2(pattern).replace(chr(92) + 'p{Nd}', '[0-9]'))})")
            if f.enum:
                tests.append(f"{c} IN ({', '.join(q(e) for e in f.enum)})")
            if f.format and not pattern:       # a format one_test does not know: ASCII at least
                tests.append(f"regexp_full_match({c}, '[\\x21-\\x7e]*')")
        else:
            tests = [self.ok(f)]
            value = VALUE.get(f.type, "{c}").format(c=c)
            if f.min is not None:
                tests.append(f"{value} >= {limit_literal(f, f.min)}")
            if f.max is not None:
                tests.append(f"{value} <= {limit_literal(f, f.max)}")
        if canonical is not None:
            tests.append(canonical)
        # nested CASE: DuckDB evaluates both sides of AND in a projection
        body = "TRUE"
        for test in reversed(tests):
            body = f"CASE WHEN {test} THEN {body} ELSE FALSE END"
        return f"(CASE WHEN {c} = '' THEN {str(not f.required).upper()} ELSE {body} END)"

    def one_test(self, f: FormField) -> str | None:
        """An RE2 pattern (or enum list) that only clear() cells of f match, so that clear() is one test.

        Each matches ASCII only, or text without whitespace at either end: such cells are left as they are
        by normalize_cell, and only non-ASCII cells can be exotic. None: clear() runs its several tests."""
        if f.type == "string":
            if f.enum:
                if f.pattern or f.format or any(e != e.strip() or not e for e in f.enum):
                    return None
                return "IN"
            if f.pattern:
                if f.format or "1[3-9]" in f.pattern:      # phone numbers: normalize_cell may rewrite them
                    return None
                piece = re2(field_pattern(f)).replace("\\p{Nd}", "[0-9]")
                if not piece.isascii() or re.search(r"\\[^.\-+*?()\[\]{}|^$/\\]|\.(?<!\\\.)|\s|\[\^", piece):
                    return None
                try:
                    if re.fullmatch(piece, ""):
                        return None
                except re.error:
                    return None
                return f"(?:{piece})"
            if f.format:
                return {"mobile": "1[3-9][0-9]{9}", "cn-id": "[0-9]{17}[0-9X]",
                        "room": "[0-9]{1,3}-[0-9]{1,2}-[0-9]{3,4}"}.get(f.format)
            return None
        if f.min is not None or f.max is not None:
            return None
        return ONE_TEST.get(f.type)

    def all_clear(self, canonical) -> str:
        """Every cell clear, not all blank, a key: the row can only have FormRules errors or a duplicate key."""
        whens = [f"WHEN NOT {self.clear(f, canonical(f, self.col[f.label]))} THEN FALSE" for f in self.form.fields]
        keys = [self.form.field(k) for k in self.form.primary_key]
        if not any(f.required for f in self.form.fields):
            whens.append("WHEN " + " AND ".join(f"{c} = ''" for c in self.col.values()) + " THEN FALSE")
        if not any(k.required for k in keys):
            whens.append("WHEN " + " AND ".join(f"{self.col[k.label]} = ''" for k in keys) + " THEN FALSE")
        return "(CASE " + " ".join(whens) + " ELSE TRUE END)"

    def cell_checks(self, f: FormField) -> list[tuple[str, int]]:
        """(condition, error code) for one cell, in Frictionless's order for that cell."""
        c = self.col[f.label]
        out = [(f"{c} = '' AND {str(f.required).upper()}", self.code("constraint-error", f.label, 'constraint "required"'))]
        if f.type != "string":
            out.append((f"{c} <> '' AND NOT {self.ok(f)}", self.code('type-error', f.label)))
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
            out.append((f"{c} <> '' AND {self.ok(f)} AND {cond}", code))
        return out

    def exotic(self) -> str:
        parts = ["FALSE"]
        for f in self.form.fields:
            c = self.col[f.label]
            if f.type in MAYBE_NUMBER:
                parts.append(f"(CASE WHEN {self.ok(f)} THEN FALSE ELSE {MAYBE_NUMBER[f.type].format(c=c)} END)")
            if f.type != "string" or f.pattern or f.format:
                parts.append(OTHER_DIGIT.format(c=c))
        return " OR ".join(parts)

    def rule_checks(self) -> list[tuple[str, int]]:
        """FormRules (validate.py) as (condition, code), in its order, over the values() columns."""
        return [(cond(self.v), code) for cond, code in self.rules_raw()]

    def rules_raw(self) -> list[tuple]:
        """The rules as (condition given a field → typed value SQL, code)."""
        if self.rules is not None:
            return self.rules
        form, out = self.form, []
        for f in form.fields:
            if f.format == "cn-id":
                c = self.col[f.label]
                total = " + ".join(f"{w} * CAST(substr({c}, {k + 1}, 1) AS INTEGER)" for k, w in enumerate(ID_WEIGHTS))
                birth = f"substr({c}, 7, 4) || '-' || substr({c}, 11, 2) || '-' || substr({c}, 13, 2)"
                bad = (f"(substr({c}, 7, 4) = '0000' OR try_strptime({birth}, '%Y-%m-%d') IS NULL"
                       f" OR substr('10X98765432', (({total}) % 11) + 1, 1) <> substr({c}, 18, 1))")
                out.append((lambda v, c=c, bad=bad: f"CASE WHEN regexp_full_match({c}, '[0-9]{{17}}[0-9X]') THEN {bad} ELSE FALSE END",
                            self.code('cn-id', f.label)))
        for f in form.fields:
            if f.format == "mobile" and f.pattern:
                c = self.col[f.label]
                out.append((lambda v, c=c: f"{c} <> '' AND NOT regexp_full_match({c}, '1[3-9][0-9]{{9}}')", self.code('mobile', f.label)))
        for a, b in TIME_ORDER:
            fa, fb = form.field(a), form.field(b)
            if fa is None or fb is None or fa.type not in ("date", "datetime") or fb.type not in ("date", "datetime"):
                continue
            if fa.type != fb.type:
                if fa.type == "date":
                    raise Unsupported("date compared with datetime")
                continue
            out.append((lambda v, fa=fa, fb=fb: f"({v(fa)}) < ({v(fb)})",
                        self.code('row-constraint', None, f'order|{fa.label}|{fb.label}')))
        status = form.field("status")
        done = next((form.field(d) for d in DONE_FIELDS if form.field(d) is not None), None)
        if status is not None and done is not None and CLOSED <= set(status.enum or []):
            s = self.col[status.label]
            for state in ("已完成", "已取消") if done.id == "completed_at" else ("已完成",):
                out.append((lambda v, state=state: f"{s} = {q(state)} AND ({v(done)}) IS NULL",
                            self.code('row-constraint', None, f'needs-time|{state}|{done.label}')))
            out.append((lambda v: f"{s} <> '' AND {s} NOT IN ('已完成', '已取消') AND ({v(done)}) IS NOT NULL",
                        self.code('row-constraint', None, 'needs-status|')))
        self.rules = out
        return out

    def v(self, f: FormField) -> str:
        """The column values() gives f's typed value in."""
        return "v" + self.col[f.label][1:]

    def valued(self) -> list[FormField]:
        """The fields whose typed values the key and the FormRules compare."""
        seen: list[FormField] = [self.form.field(k) for k in self.form.primary_key]
        for cond, _ in self.rules_raw():
            cond(lambda f: seen.append(f) or "")
        return list({f.id: f for f in seen}.values())

    def values(self, clear: str | None = None) -> str:
        """Select-list v… over c0…cN: each typed value once per row (the rules would parse a time again in
        every rule that names it). Rows where the column clear is true need no validity test."""
        out = []
        for f in self.valued():
            value = f"CASE WHEN {clear} THEN {self.clear_value(f)} ELSE {self.value(f)} END" if clear else self.value(f)
            out.append(f"{value} AS {self.v(f)}")
        return ", ".join(out) or "NULL AS v_none"

    def columns(self, clear: str | None = None) -> str:
        """Select-list over c0…cN and values(): errs, h, exotic, key values k0….

        errs is NULL for a row without errors, else its codes in Frictionless's order with -1 where the
        duplicate-key error belongs (only known once every row is seen); h hashes the typed key (NULL when
        the key is empty) so that duplicates are found by grouping 8-byte hashes and confirmed on k0….
        clear names a boolean column (all_clear()): those rows skip every per-cell test.
        """
        form = self.form
        keys = [form.field(k) for k in form.primary_key]
        key_ids = {k.id for k in keys}
        first = keys + [f for f in form.fields if f.id not in key_ids]
        cells = [e for f in first for e in self.cell_checks(f)]
        rules = self.rule_checks()
        blank = self.code("blank-row", None)
        all_blank = " AND ".join(f"{c} = ''" for c in self.col.values())
        key_values = [self.v(k) for k in keys]
        none = " AND ".join(f"{v} IS NULL" for v in key_values)
        pk_none = self.code("primary-key", None, 'cells composing the primary keys are all "None"')
        self.pk_dup = self.code("primary-key", None, "dup")

        def codes(checks):
            items = ", ".join(f"CASE WHEN {c} THEN {code} END" for c, code in checks) or "NULL"
            return f"list_filter([{items}]::INTEGER[], lambda x: x IS NOT NULL)"
        # each condition once (the SQL is compiled for every file): [-1] alone means no error
        errs = (f"nullif(list_concat(CASE WHEN {all_blank} THEN [{blank}] ELSE {codes(cells)} END, "
                f"CASE WHEN {none} THEN [{pk_none}] ELSE [] END, [-1], {codes(rules)}), [-1])")
        h = f"CASE WHEN NOT ({none}) THEN hash({', '.join(key_values)}) END"
        exotic = f"({self.exotic()})"
        if clear:
            rules_bad = " OR ".join(f"({c})" for c, _ in rules) or "FALSE"
            errs = f"CASE WHEN {clear} THEN (CASE WHEN {rules_bad} THEN list_concat([-1], {codes(rules)}) END) ELSE {errs} END"
            exotic = f"CASE WHEN {clear} THEN FALSE ELSE {exotic} END"
        ks = ", ".join(f"{v} AS k{j}" for j, v in enumerate(key_values))
        return f"{errs} AS errs, {h} AS h, {exotic} AS exotic, {ks}"


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


def duplicates(candidates: list[tuple[int, tuple]]) -> dict[int, int]:
    """{row: the previous row with the same key} from (row, typed key) of the rows whose key hash repeats."""
    last: dict[tuple, int] = {}
    out = {}
    for i, key in sorted(candidates, key=lambda c: c[0]):
        if key in last:
            out[i] = last[key]
        last[key] = i
    return out


def translate(plan: Plan, rows: dict[int, tuple], dups: dict[int, int], xr_of: dict[int, int], total: int,
              label_issues: list[Issue] = ()) -> list[Issue]:
    """Issues from rows {i: (xr, errs, cells)} (every row with errors or a duplicate key) and dups {i: prev}."""
    form = plan.form
    view = RowsView(form, total)
    found = []
    for i in sorted(rows):
        xr, errs, cells = rows[i]
        errs = list(errs) if errs is not None else [-1]
        if i not in dups and errs == [-1]:
            continue
        view.rows[i] = cells
        view.row_numbers[i] = xr
        if i in dups:
            view.row_numbers[dups[i]] = xr_of[dups[i]]
        at = errs.index(-1)
        for code in errs[:at] + ([plan.pk_dup] if i in dups else []) + errs[at + 1:]:
            found.append((i, dups.get(i), code))
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
            from frictionless import errors as ferrors
            e.title, e.note = ferrors.BlankRowError.title, ""
        elif note == "needs-status|":
            status = view.rows[i][view.labels.index(form.field("status").label)]
            done = next(form.field(d) for d in DONE_FIELDS if form.field(d) is not None)
            e.note = f"needs-status|{status}|{done.label}"
        issue = translator.issue(e)
        if issue is not None:
            issues.append(issue)
    return too_many(issues, len(found), view.labels)


def check(con, form: Form, total: int, label_issues: list[Issue] = ()) -> list[Issue]:
    """Validate table t(i, xr, c0…) (see module doc). Raises Unsupported when Frictionless must decide."""
    plan = Plan(form)
    names = list(plan.col.values())
    cols = plan.columns()
    nk = len(form.primary_key)
    con.execute(f"CREATE TEMP VIEW checked AS SELECT i, xr, [{', '.join(names)}] AS cells, {cols} "
                f"FROM (SELECT *, {plan.values()} FROM t)")
    if con.execute("SELECT count(*) FROM checked WHERE exotic").fetchone()[0]:
        raise Unsupported("cell")
    rows = {i: (xr, errs, cells) for i, xr, errs, cells in con.execute(
        f"SELECT i, xr, errs, cells FROM checked WHERE errs IS NOT NULL ORDER BY i LIMIT {ERROR_LIMIT}").fetchall()}
    hashes = [h for (h,) in con.execute("SELECT h FROM checked WHERE h IS NOT NULL GROUP BY h HAVING count(*) > 1").fetchall()]
    dups, xr_of = {}, {}
    if hashes:
        keys = ", ".join(f"k{j}" for j in range(nk))
        found = con.execute(f"SELECT i, xr, errs, cells, {keys} FROM checked WHERE h IN ({', '.join(map(str, hashes))})"
                            ).fetchall()
        dups = duplicates([(r[0], tuple(r[4:])) for r in found])
        for i, xr, errs, cells, *_ in found:
            xr_of[i] = xr
            if i in dups:
                rows[i] = (xr, errs, cells)
    return translate(plan, rows, dups, xr_of, total, label_issues)


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
