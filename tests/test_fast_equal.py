"""The bulk engine (DuckDB: records/fast.py, fastfile.py) returns exactly the row engine's report.

Hypothesis builds small forms from the forms' constraint vocabulary and CSV files mixing valid,
invalid and messy cells; both engines must give the same errors (type, row, field, value,
message), rows and normalisation notes, and each case asserts which engine really ran (the bulk
engine hands a file with line breaks inside cells to the Python reader). Every messy-input test of
test_records_validate.py is also run with both engines compared on each call.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import test_records_validate as trv
from handbook.forms.model import Form
from handbook.records.validation import validate as v
from handbook.records.rules.cells import cn_id_check_digit
from handbook.records.validation.validate import validate_file

ID17 = "11010119900307123"
CELLS = {
    "string": ["甲", "乙", "服务类", "工程类", "x", " 甲 ", "本月无", "'", '"q"', "a,b", "行\n换"],
    "integer": ["0", "1", "42", "99", "100", "-3", "+5", "05", "1.5", "abc", "１２", "1,234", "3件", "1_0", "1e3",
                "99999999999999999999"],
    "number": ["0", "12.50", "-0.5", ".5", "5.", "1e5", "abc", "12元", "1,234.5", "NaN", "inf", "１２.５", " 7 "],
    "date": ["2026-11-05", "2026/11/5", "2026年11月5日", "2026-02-30", "0000-01-01", "2026-11-05 00:00", "明天", "20261105"],
    "datetime": ["2026-11-05 09:30", "2026-11-05 9:30", "2026/11/05 09:30:00", "2026-11-05 09:30:15", "2026-11-05",
                 "2026-11-05 24:00", "2026-11-05T09:30", "2026年11月5日 9点30分", "昨天"],
    "time": ["09:30", "9:30", "9点30分", "24:00", "09:30:00", "0930", "x"],
    "boolean": ["是", "否", "是的", "对", "Y"],
    "mobile": ["13800138000", "138 0013 8000", "+8613800138000", "12800138000", "1380013800", "138-0013-8000"],
    "cn-id": [ID17 + cn_id_check_digit(ID17), ID17 + "0", ID17[:-1] + "x", "110101199002301234", "12345"],
    "room": ["3-2-1102", "3栋2单元1102室", "3—2—1102", "3-2", "A-1-101"],
    "pattern": ["202611-001", "202611-001-2", "202611-1", "2026-11-001", "２０２６１１-００１"],
    "phone": ["13800138000", "0551-62881234", "055162881234", "138 0013 8000", "+8613800138000", "12345", "0551 6288 1234"],
    "rate": ["100.0", "99.5", "9.9", "—", "100", "12.34", "１２.５", " 9.9", "9.9 "],
}
PATTERN = r"^\d{6}-\d{3}(-\d+)?$"
PATTERNS = {"pattern": PATTERN, "phone": r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$", "rate": r"^(100\.0|\d{1,2}\.\d|—)$"}


@st.composite
def fields(draw, i: int):
    kind = draw(st.sampled_from(["string", "string", "integer", "number", "date", "datetime", "time", "boolean",
                                 "mobile", "cn-id", "room", "pattern", "phone", "rate", "enum"]))
    out = {"id": f"f{i}", "label": f"栏{i}", "required": draw(st.booleans())}
    if kind in ("mobile", "cn-id", "room"):
        out["format"] = kind
        if kind == "mobile" and draw(st.booleans()):
            out["pattern"] = r"^1[3-9]\d{9}$"
    elif kind in PATTERNS:
        out["pattern"] = PATTERNS[kind]
    elif kind == "enum":
        out["enum"] = ["服务类", "工程类"]
    elif kind != "string":
        out["type"] = kind
    if kind in ("integer", "number"):
        if draw(st.booleans()):
            out["min"] = draw(st.sampled_from([0, 1, 0.5]))
        if draw(st.booleans()):
            out["max"] = draw(st.sampled_from([99, 100, 12.5]))
        if draw(st.booleans()):
            out["unit"] = "元" if kind == "number" else "件"
    return out, kind


@st.composite
def cases(draw):
    n = draw(st.integers(1, 5))
    specs = [draw(fields(i)) for i in range(n)]
    extra = []
    if draw(st.booleans()):       # the status / time-order rules
        extra = [({"id": "received_at", "label": "受理时间", "type": "datetime"}, "datetime"),
                 ({"id": "completed_at", "label": "完成时间", "type": "datetime", "after": "received_at"}, "datetime"),
                 ({"id": "status", "label": "状态", "enum": ["处理中", "已完成", "已取消"],
                   "closes_with": {"field": "completed_at"}}, "status")]
    specs += extra
    keys = draw(st.lists(st.sampled_from([s[0]["id"] for s in specs]), min_size=1, max_size=2, unique=True))
    form = Form.model_validate({"id": "gen-log", "number": "KF-9.9-09", "title": "生成表", "kind": "record",
                                "procedure": "3.19#4.2", "primary_key": keys, "fields": [s[0] for s in specs]})
    pool = dict(CELLS, enum=["服务类", "工程类", "其他", ""], status=["处理中", "已完成", "已取消", "别的"])
    values = st.tuples(*[st.sampled_from(pool[kind] + [""]) for _, kind in specs])
    rows = draw(st.lists(values, min_size=0, max_size=12))
    if rows and draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), ("",) * len(specs))      # a blank row inside
    if rows and draw(st.booleans()):
        rows.append(rows[0])                                                  # a duplicate key
    return form, [[s[0]["label"] for s in specs]] + [list(r) for r in rows]


def both(path: Path, form, others=(), expect: str | None = None):
    """Both engines on one file; expect: the engine the bulk run must have used ("fast", or "rows" when it
    rightly hands the file to the Python reader); None: either (the imported messy-input tests)."""
    ref = validate_file(path, form, others, engine="rows")
    got = validate_file(path, form, others, engine="fast")
    assert ref.engine in ("rows", None)
    if expect is not None and ref.unusable is None:
        assert got.engine == expect, f"the {expect} engine should have judged this file, not {got.engine}"
    assert ref.exit_code == got.exit_code
    assert [(e.type, e.row, e.field, e.value) for e in got.errors] == [(e.type, e.row, e.field, e.value) for e in ref.errors]
    assert [e.message for e in got.errors] == [e.message for e in ref.errors]
    assert got.rows == ref.rows and got.normalized == ref.normalized
    if ref.table is not None and ref.valid:
        assert v.canonical_csv(got.table) == v.canonical_csv(ref.table)
    return ref


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_generated_forms_and_tables_give_identical_reports(case):
    form, rows = case
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.csv"
        path.write_bytes(buf.getvalue().encode("utf-8"))
        # DuckDB reads every file here except one with a line break inside a cell
        broken_lines = any("\n" in c for r in rows for c in r)
        both(path, form, expect="rows" if broken_lines else "fast")


def test_every_record_form_on_sample_data(tmp_path, handbook):
    """Each of the 23 record forms, as `handbook sample` fills them (a year of one 管理处), plus the same
    files with every cell stripped of its last character: both engines give the same report."""
    from handbook.records.sample.generate import generate

    files = generate(handbook, tmp_path / "sample", months=12, sites=1, seed=3, end="2026-10")
    forms = {f["form"] for f in files}
    assert len(forms) == len(handbook.record_forms())
    picked = {}
    for f in files:           # the fullest month of each form
        size = Path(f["path"]).stat().st_size
        if size > picked.get(f["form"], (0, None))[0]:
            picked[f["form"]] = (size, Path(f["path"]))
    for form_id, (_, path) in sorted(picked.items()):
        form = handbook.form_by_id[form_id]
        # the DuckDB engine did not give up: both() saw it judge the (usable) file, i.e. validate_csv returned True
        # (calling validate_csv again here only ran DuckDB a second time on the same file)
        assert both(path, form, expect="fast").unusable is None, form_id
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
        broken = [rows[0]] + [[c[:-1] if k % 3 == 0 else c for k, c in enumerate(r)] for r in rows[1:]]
        bad = tmp_path / f"{form_id}-broken.csv"
        bad.write_bytes(trv.csv_bytes(broken))
        both(bad, form, expect="fast")


def test_error_cap_is_identical(tmp_path):
    rows = [trv.HEADER] + [[f"bad{i}", "x", "x", "x", "x", "x", "x", "x", "", "", "", "", "x"] for i in range(1500)]
    path = tmp_path / "many.csv"
    path.write_bytes(trv.csv_bytes(rows))
    ref = both(path, trv.FORM, expect="fast")
    assert any(e.type == "too-many-errors" for e in ref.errors)


@pytest.fixture(autouse=True)
def compare_engines(request, monkeypatch):
    """For the imported record tests: every validate_file call runs both engines and compares."""
    if request.node.module.__name__ != __name__ or not request.node.name.startswith("test_rec_"):
        yield
        return
    monkeypatch.setattr(trv, "validate_file", lambda path, form, others=(), progress=None: both(path, form, others))
    yield


# every messy-input test of the records tests, again, through both engines
for _name in dir(trv):
    if _name.startswith("test_") and _name not in ("test_cli_exit_codes_and_json", "test_progress_bar_on_large_files",
                                                     "test_the_sites_own_xlsx_template_filled_in_validates"):
        globals()["test_rec_" + _name[5:]] = getattr(trv, _name)


@pytest.mark.parametrize("ends", [["\n"] * 4, ["\r\n"] * 4, ["\n", "\r\n", "\n", "\n"], ["\r\n", "\n", "\r\n", "\r\n"],
                                  ["\r\n", "\r", "\r\n", "\r\n"], ["\n", "\n\n", "\n", "\n"], ["\r\n", "\r\n\r\n", "\r\n", ""]])
def test_line_endings_mixed_lone_or_doubled(tmp_path, ends):
    """LF, CRLF, a mix, a lone CR, a blank line, no final line end: the same report either way."""
    rows = [trv.HEADER, *trv.GOOD]
    text = "".join(trv.csv_bytes([r], newline="").decode("utf-8") + end for r, end in zip(rows, ends))
    path = tmp_path / "ends.csv"
    path.write_bytes(text.encode("utf-8"))
    both(path, trv.FORM)


def test_integer_limits_between_whole_numbers(tmp_path):
    """An integer column with min 0.5 / max 2.5 allows 1 and 2 only, in both engines (DuckDB once rounded
    the limit to 0 and let 0 through)."""
    form = Form.model_validate({"id": "gen-log", "number": "KF-9.9-09", "title": "生成表", "kind": "record",
                                "procedure": "3.19#4.2", "primary_key": ["n"],
                                "fields": [{"id": "n", "label": "次数", "type": "integer", "min": 0.5, "max": 2.5}]})
    path = tmp_path / "f.csv"
    path.write_text("次数\r\n0\r\n1\r\n2\r\n3\r\n", encoding="utf-8")
    ref = both(path, form, expect="fast")
    assert [(e.type, e.row, e.value) for e in ref.errors] == [("constraint-error", 2, "0"), ("constraint-error", 5, "3")]


def test_cells_that_look_settled_but_are_not(tmp_path):
    """The bulk engine takes an enum cell or an ASCII cell passing a plain pattern as already written the
    canonical way; every near miss must still be judged exactly as the row engine judges it."""
    form = Form.model_validate({"id": "gen-log", "number": "KF-9.9-09", "title": "生成表", "kind": "record",
                                "procedure": "3.19#4.2", "primary_key": ["no"],
                                "fields": [{"id": "no", "label": "编号", "required": True, "pattern": PATTERN},
                                           {"id": "room", "label": "房号", "format": "room"},
                                           {"id": "phone", "label": "手机", "format": "mobile"},
                                           {"id": "kind", "label": "类别", "enum": ["服务类", "工程类"]},
                                           {"id": "urgent", "label": "紧急", "type": "boolean"}]})
    rows = [["编号", "房号", "手机", "类别", "紧急"],
            ["202611-001", "3-2-1102", "13800138000", "服务类", "是"],         # settled: the shortcut
            ["٢٠٢٦١١-٠٠٢", "3-2-1102", "13800138000", "工程类", "否"],         # Arabic-Indic digits: \d, not ASCII
            ["２０２６１１-００３", "３-２-１１０２", "", "服务类", "是"],     # full-width digits pass \d: normalised
            ["202611-004", "3-2-1102", "+8613800138000", " 服务类 ", "是的"],   # +86, spaces, 是的: normalised
            ["202611-005", "3-2-1102", "1380013800", "其他", "对"]]            # wrong: the same errors in both
    path = tmp_path / "f.csv"
    path.write_text("\r\n".join(",".join(r) for r in rows) + "\r\n", encoding="utf-8")
    ref = both(path, form, expect="fast")
    assert {e.row for e in ref.errors} == {6}
    assert [(e.row, e.field) for e in ref.errors] == [(6, "手机"), (6, "类别"), (6, "紧急")]
    # rows 2 and 3 are kept as written (Arabic-Indic digits are digits to the pattern); rows 4 and 5 are tidied
    assert sorted((n["field"], tuple(n["rows"])) for n in ref.normalized) == sorted([
        ("手机", (5,)), ("房号", (4,)), ("类别", (5,)), ("紧急", (5,)), ("编号", (4,))])
