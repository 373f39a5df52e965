"""The bulk engine: the rules of records/rules/ as one DuckDB projection per row.

Each rule says itself in SQL (its sql() beside its Python test()); this module only assembles them.
DuckDB marks the rows that break some rule (a boolean, `bad`) and hashes each row's typed key; the
row engine (rules/engine.py) then judges just those rows — a few in a month's file, at most
ERROR_LIMIT — so both engines word every finding the same way by construction. What DuckDB must
get right on its own is which rows are clean; tests/test_fast_equal.py checks that against the row engine.
"""

from __future__ import annotations

from ...forms.model import Form, FormField
from ..rules import CELL_RULES, Finding
from ..rules.cells import Unsupported
from ..rules.engine import Plan as RowPlan
from ..rules.types import TYPES, q

__all__ = ["Plan", "Unsupported", "q", "duplicates"]


def _first(tests: list[str]) -> str:
    """SQL true when any test holds, evaluating them in turn (DuckDB evaluates every side of OR in a projection)."""
    if not tests:
        return "FALSE"
    return "(CASE " + " ".join(f"WHEN {t} THEN TRUE" for t in tests) + " ELSE FALSE END)"


class Plan:
    """The SQL of every rule for one form, over a row `c0 … cN` of normalised cells ('' when empty)."""

    def __init__(self, form: Form):
        self.form = form
        self.col = {f.label: f"c{j}" for j, f in enumerate(form.fields)}
        self.rows = RowPlan(form)
        self.cell_rules = [r for cls in CELL_RULES for r in cls.bind(form)]
        self.row_rules = self.rows.row_rules
        self.keys = [form.field(k) for k in form.primary_key]
        for f in form.fields:
            if f.type != "string" and (f.pattern or f.format):
                raise Unsupported("pattern on a non-string column")
        # every rule must say itself in SQL (a pattern RE2 cannot read raises Unsupported here, once)
        # a typed cell is converted once per row (values()), and its rules read that column
        typed = {f.id for f in self.valued()}
        self._cells = {f.id: [r.sql(self.c(f), self.v(f) if f.id in typed else self.inline(f))
                              for r in self.cell_rules if r.field is f]
                       for f in form.fields}
        self._rows = [r.sql(self.v, self.c) for r in self.row_rules]

    def c(self, f: FormField) -> str:
        return self.col[f.label]

    def v(self, f: FormField) -> str:
        """The column values() computes f's typed value in."""
        return "v" + self.col[f.label][1:]

    def inline(self, f: FormField) -> str:
        return f"({TYPES[f.type].sql_value(self.c(f))})"

    def cell_bad(self, f: FormField) -> str:
        return _first(self._cells[f.id])

    def valued(self) -> list[FormField]:
        """The fields whose typed values the key, the row rules and the type rules read, each computed once per row."""
        seen = self.keys + [f for r in self.row_rules for f in r.fields()] + [
            f for f in self.form.fields if f.type != "string"]
        return list({f.id: f for f in seen}.values())

    def values(self) -> str:
        return ", ".join(f"{self.inline(f)} AS {self.v(f)}" for f in self.valued()) or "NULL AS v_none"

    def all_clear(self, settled) -> str:
        """Every cell keeps its cell rules and is already normalised (settled(f, c): SQL, or None when the
        type's own test implies it), and some cell is filled: only row rules and the key are left to check."""
        whens = []
        for f in self.form.fields:
            c = self.c(f)
            tests = [self.cell_bad(f)]
            extra = settled(f, c)
            if extra is not None:
                tests.append(f"NOT ({extra})")
            whens.append(f"WHEN {c} <> '' AND {_first(tests)} THEN FALSE")
            if f.required:
                whens.append(f"WHEN {c} = '' THEN FALSE")
        whens.append("WHEN " + " AND ".join(f"{c} = ''" for c in self.col.values()) + " THEN FALSE")
        return "(CASE " + " ".join(whens) + " ELSE TRUE END)"

    def columns(self, clear: str | None = None) -> str:
        """Select-list over c0…cN and values(): bad, h and the key values k0….

        bad: the row breaks some rule (the row engine says which); h hashes the typed key (NULL when the
        key is empty) so duplicates are found by grouping 8-byte hashes and confirmed on k0…. Rows where
        the boolean column `clear` holds skip the cell rules."""
        all_blank = " AND ".join(f"{c} = ''" for c in self.col.values())
        cells = _first([all_blank] + [self.cell_bad(f) for f in self.form.fields])
        rows = _first([f"({s})" for s in self._rows])
        bad = f"({cells} OR {rows})" if self._rows else cells
        if clear:
            bad = f"CASE WHEN {clear} THEN {rows} ELSE {bad} END"
        key_values = [self.v(k) for k in self.keys]
        none = " AND ".join(f"{v} IS NULL" for v in key_values)
        h = f"CASE WHEN NOT ({none}) THEN hash({', '.join(key_values)}) END"
        ks = ", ".join(f"{v} AS k{j}" for j, v in enumerate(key_values))
        return f"{bad} AS bad, {h} AS h, {ks}"

    def findings(self, cells: list[str], row: int) -> list[Finding]:
        return self.rows.row(cells, row)


def duplicates(candidates: list[tuple[int, tuple]]) -> dict[int, int]:
    """{row: the previous row with the same key} from (row, typed key) of the rows whose key hash repeats."""
    last: dict[tuple, int] = {}
    out = {}
    for i, key in sorted(candidates, key=lambda c: c[0]):
        if key in last:
            out[i] = last[key]
        last[key] = i
    return out
