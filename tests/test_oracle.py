"""Frictionless is the oracle of the row engine on everything a Table Schema can say.

The row engine (records/rules/) replaced Frictionless in the product; here Frictionless validates the
same normalised tables against the Table Schema the site publishes (forms/schema.py), and both must
find the same cells: type errors, constraint errors (required, enum, pattern, minimum, maximum) and
duplicate keys, row by row and column by column. The rules a schema cannot say (身份证号 check digit,
mobile numbers, time order, status) are outside the comparison; the few cells on which the two
deliberately differ are pinned in test_numbers_must_be_plain_decimals.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from frictionless import Checklist, Dialect, Resource, Schema, formats
from hypothesis import HealthCheck, given, settings

import test_fast_equal as tfe
from handbook.forms.schema import table_schema
from handbook.records.rules import BY_CODE
from handbook.records.validation.validate import canonical_csv, validate_file

SCHEMA_KINDS = {"type-error", "constraint-error", "primary-key"}
# Python's int()/Decimal() read these; a clerk's count or amount must be a plain decimal, so the row
# engine calls them type errors (Frictionless accepts them).
NOT_PLAIN = {"1_0", "1e3", "1e5", "99999999999999999999", "NaN", "inf"}


def oracle(table) -> set[tuple]:
    """(spreadsheet row, column label, error kind) of every schema error Frictionless finds."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "t.csv").write_bytes(canonical_csv(table))
        resource = Resource(path="t.csv", basepath=tmp, schema=Schema.from_descriptor(table_schema(table.form)),
                            format="csv", encoding="utf-8", dialect=Dialect(controls=[formats.CsvControl(delimiter=",")]))
        report = resource.validate(Checklist(), limit_errors=100000)
    out = set()
    key = "、".join(table.form.field(k).label for k in table.form.primary_key)
    for e in report.tasks[0].errors:
        if e.type not in SCHEMA_KINDS:
            continue
        row = table.row_numbers[e.row_number - 2]
        if e.type == "primary-key":
            if "None" in (e.note or ""):
                continue             # an empty key: reported as required cells by both
            out.add((row, key, "primary-key"))
        else:
            out.add((row, e.field_name, e.type))
    return out


def ours(result) -> set[tuple]:
    return {(e.row, e.field, e.type) for e in result.errors if e.type in SCHEMA_KINDS}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tfe.cases())
def test_row_engine_finds_what_frictionless_finds(case):
    form, rows = case
    rows = [rows[0]] + [r for r in rows[1:] if not NOT_PLAIN & set(r)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.csv"
        path.write_bytes(buf.getvalue().encode("utf-8"))
        result = validate_file(path, form, engine="rows")
        if result.table is None:
            return
        assert ours(result) == oracle(result.table)


def test_every_sample_form_agrees_with_frictionless(tmp_path, handbook):
    """The 23 record forms as `handbook sample` fills them, and broken copies: the same cells found."""
    from handbook.records.sample.generate import generate

    files = generate(handbook, tmp_path / "sample", months=2, sites=1, seed=5, end="2026-10")
    seen = set()
    for f in files:
        if f["form"] in seen:
            continue
        seen.add(f["form"])
        form = handbook.form_by_id[f["form"]]
        path = Path(f["path"])
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
        broken = [rows[0]] + [[c[:-1] if k % 3 == 0 else c for k, c in enumerate(r)] for r in rows[1:]]
        bad = tmp_path / f"{f['form']}-broken.csv"
        bad.write_bytes(tfe.trv.csv_bytes(broken))
        for p in (path, bad):
            result = validate_file(p, form, engine="rows")
            assert result.table is not None
            assert ours(result) == oracle(result.table), f["form"]
    assert len(seen) == len(handbook.record_forms())


@pytest.mark.parametrize("kind, cell", [("integer", "1_0"), ("integer", "99999999999999999999"),
                                        ("number", "1e3"), ("number", "1e5"), ("number", "NaN"), ("number", "inf")])
def test_numbers_must_be_plain_decimals(tmp_path, kind, cell):
    """Where the row engine and Frictionless part ways on purpose: 1e5, NaN, 1_0 are not amounts."""
    form = tfe.Form.model_validate({"id": "gen-log", "number": "KF-9.9-09", "title": "生成表", "kind": "record",
                                    "procedure": "3.19#4.2", "primary_key": ["no"],
                                    "fields": [{"id": "no", "label": "编号", "required": True},
                                               {"id": "n", "label": "金额", "type": kind}]})
    path = tmp_path / "n.csv"
    path.write_bytes(f"编号,金额\r\n1,{cell}\r\n".encode("utf-8"))
    result = validate_file(path, form, engine="rows")
    assert [(e.type, e.field) for e in result.errors] == [("type-error", "金额")]
    assert "不是有效的" + ("整数" if kind == "integer" else "数字") in result.errors[0].message


def test_every_rule_message_formats_with_what_its_test_returns():
    """Each rule's template names only parameters the engine gives it (where, value and the test's own)."""
    import string

    for code, rule in BY_CODE.items():
        names = {n for _, n, _, _ in string.Formatter().parse(rule.template) if n}
        assert names <= {"where", "value", "fix", "type_label", "choices", "limit", "reason", "other_field",
                         "other_value", "status", "time_field", "closed", "other", "key", "field"}, code
        assert rule.title and rule.kind
