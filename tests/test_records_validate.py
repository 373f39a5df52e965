"""`handbook validate`: files as clerks really produce them, accepted or rejected with messages they can act on."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import ROOT
from handbook.cli import main
from handbook.forms.model import Form
from handbook.records.validation.progress import Progress
from handbook.records.rules.cells import cn_id_check_digit
from handbook.records.validation.validate import validate_file

# A test form with every kind of column (independent of the real forms, which may change).
FORM = Form.model_validate({
    "id": "test-log", "number": "KF-9.9-01", "title": "测试登记表", "kind": "record", "procedure": "3.19#4.2",
    "primary_key": ["no"],
    "fields": [
        {"id": "no", "label": "编号", "required": True, "pattern": r"^\d{6}-\d{3}(-\d+)?$"},
        {"id": "received_at", "label": "受理时间", "type": "datetime", "required": True},
        {"id": "category", "label": "类别", "required": True, "enum": ["服务类", "工程类"]},
        {"id": "count", "label": "件数", "type": "integer", "min": 0, "max": 99},
        {"id": "amount", "label": "金额", "type": "number", "unit": "元", "min": 0},
        {"id": "day", "label": "日期", "type": "date"},
        {"id": "at", "label": "时刻", "type": "time"},
        {"id": "urgent", "label": "紧急", "type": "boolean"},
        {"id": "room", "label": "房号", "format": "room", "personal": True},
        {"id": "phone", "label": "手机", "format": "mobile", "personal": True},
        {"id": "id_no", "label": "身份证号", "format": "cn-id", "personal": True},
        {"id": "completed_at", "label": "完成时间", "type": "datetime", "after": "received_at"},
        {"id": "status", "label": "状态", "required": True, "enum": ["处理中", "已完成", "已取消"],
         "closes_with": {"field": "completed_at"}},
    ],
})
OTHER = Form.model_validate({
    "id": "other-log", "number": "KF-9.9-02", "title": "另一张表", "kind": "record", "procedure": "3.19#4.2",
    "primary_key": ["code"],
    "fields": [{"id": "code", "label": "代码", "required": True}, {"id": "weight", "label": "重量", "required": True},
               {"id": "colour", "label": "颜色", "required": True}],
})
HEADER = ["编号", "受理时间", "类别", "件数", "金额", "日期", "时刻", "紧急", "房号", "手机", "身份证号", "完成时间", "状态"]
ID_OK = "11010119900307" + "123"
ID_OK += cn_id_check_digit(ID_OK)
GOOD = [
    ["202611-001", "2026-11-05 09:30", "服务类", "1", "12.50", "2026-11-05", "09:30", "是", "3-2-1102", "13800138000", ID_OK, "2026-11-05 10:00", "已完成"],
    ["202611-002", "2026-11-06 14:00", "工程类", "0", "0", "2026-11-06", "14:00", "否", "1-1-101", "", "", "", "处理中"],
]


def csv_bytes(rows, encoding="utf-8", newline="\r\n", delimiter=",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue().encode(encoding)


def check(tmp_path: Path, data: bytes, name="f.csv", form=FORM):
    path = tmp_path / name
    path.write_bytes(data)
    return validate_file(path, form, [FORM, OTHER])


def types(result) -> list[str]:
    return [e.type for e in result.errors]


# ---------------------------------------------------------------- what clerks' tools write
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_each_encoding_is_read(tmp_path, encoding):
    result = check(tmp_path, csv_bytes([HEADER] + GOOD, encoding, delimiter="\t" if encoding == "utf-16" else ","))
    assert result.valid, result.errors
    assert result.rows == 2 and result.table.rows[0][2] == "服务类"
    if encoding in ("gbk", "gb18030"):
        assert any("GBK/GB18030" in n["message"] for n in result.normalized)


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_any_line_ending(tmp_path, newline):
    assert check(tmp_path, csv_bytes([HEADER] + GOOD, newline=newline)).valid


def test_reordered_columns_blank_rows_and_header_spaces(tmp_path):
    order = list(reversed(range(len(HEADER))))
    header = [f" {HEADER[i]}　" if i == 0 else HEADER[i] for i in order]
    header[order.index(4)] = "金额（元）"
    rows = [header, [GOOD[0][i] for i in order], [""] * len(HEADER), [GOOD[1][i] for i in order]]
    result = check(tmp_path, csv_bytes(rows))
    assert result.valid, result.errors
    kinds = {n["kind"] for n in result.normalized}
    assert {"header", "column-order", "blank-rows"} <= kinds
    assert any("第3行" in n["message"] for n in result.normalized if n["kind"] == "blank-rows")
    assert result.table.rows[1][0] == "202611-002"


def test_row_numbers_are_the_ones_excel_shows_even_after_blank_rows(tmp_path):
    bad = list(GOOD[1])
    bad[2] = "维修类"
    result = check(tmp_path, csv_bytes([HEADER, GOOD[0], [""] * 13, ["", ""], bad]))
    assert [(e.row, e.field, e.value) for e in result.errors] == [(5, "类别", "维修类")]
    assert result.errors[0].message.startswith("第5行“类别”列的“维修类”不在可选范围内")


def test_title_row_above_the_header_is_skipped(tmp_path):
    result = check(tmp_path, csv_bytes([["测试登记表"] + [""] * 12, HEADER] + GOOD))
    assert result.valid and any(n["kind"] == "title-rows" for n in result.normalized)


def test_safe_normalisations_are_applied_and_listed(tmp_path):
    row = list(GOOD[0])
    row[0] = "２０２６１１-００１"
    row[1] = "2026年11月5日 9时30分"
    row[4] = "1,234.50元"
    row[5] = "2026/1/5"
    row[6] = "9：30"
    row[8] = "3栋2单元1102室"
    row[9] = "138-0013-8000"
    row[10] = ID_OK[:-1] + ID_OK[-1].lower() if ID_OK[-1] == "X" else ID_OK
    row2 = list(GOOD[1])
    row2[5] = "2026-1-5"
    row3 = list(GOOD[1])
    row3[0], row3[1] = "202611-003", "2026/11/6 14:05:00"
    result = check(tmp_path, csv_bytes([HEADER, row, row2, row3]))
    assert result.valid, result.errors
    first = result.table.rows[0]
    assert first[:2] == ["202611-001", "2026-11-05 09:30"]
    assert (first[4], first[5], first[6], first[8], first[9]) == ("1234.50", "2026-01-05", "09:30", "3-2-1102", "13800138000")
    assert result.table.rows[1][5] == "2026-01-05"
    assert result.table.rows[2][1] == "2026-11-06 14:05"
    kinds = {n["kind"] for n in result.normalized}
    assert {"full-width", "datetime", "date", "time", "number", "room", "phone"} <= kinds


def test_xlsx_with_real_dates_serials_and_booleans(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "填报"
    ws.append(HEADER)
    ws.append(["202611-001", dt.datetime(2026, 11, 5, 9, 30), "服务类", 1, 12.5, dt.date(2026, 11, 5), dt.time(9, 30),
               True, "3-2-1102", 13800138000, ID_OK, dt.datetime(2026, 11, 5, 9, 59, 59, 999000), "已完成"])
    ws.append(["202611-002", 46332.5, "工程类", 0, 0, 46332, None, False, "1-1-101", None, None, None, "处理中"])
    for _ in range(5):
        ws.append([None] * 13)          # formatted but empty template rows at the end
    buf = io.BytesIO()
    wb.save(buf)
    result = check(tmp_path, buf.getvalue(), "f.xlsx")
    assert result.valid, result.errors
    assert result.table.rows[0][1] == "2026-11-05 09:30" and result.table.rows[0][11] == "2026-11-05 10:00"
    assert result.table.rows[1][1] == "2026-11-06 12:00" and result.table.rows[1][5] == "2026-11-06"
    assert result.table.rows[0][7] == "是" and result.table.rows[0][9] == "13800138000"
    assert any(n["kind"] == "excel-serial" for n in result.normalized)
    assert not any(n["kind"] == "blank-rows" for n in result.normalized)


def test_the_sites_own_xlsx_template_filled_in_validates(tmp_path, handbook):
    from openpyxl import load_workbook

    from handbook.forms.spreadsheets import xlsx_template

    form = handbook.form_by_id["complaint-log"]
    wb = load_workbook(io.BytesIO(xlsx_template(form, "测试")))
    ws = wb["填报"]
    values = {"编号": "202611-001", "受理时间": dt.datetime(2026, 11, 5, 9, 0), "投诉渠道": "来电", "房号": "3-2-1102",
              "投诉内容": "噪音", "投诉类别": "服务类", "有效": "是", "重大": "否", "责任部门": "客服中心",
              "规定完成时间": dt.datetime(2026, 11, 6, 9, 0), "状态": "处理中", "受理人": "小陈"}
    for col, f in enumerate(form.fields, 1):
        if f.label in values:
            ws.cell(row=2, column=col, value=values[f.label])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    result = validate_file(path, form, handbook.record_forms())
    assert result.valid, result.errors
    assert result.rows == 1


# ---------------------------------------------------------------- each error type
def test_each_error_type_has_a_chinese_message_with_row_and_column(tmp_path):
    bad_id = ID_OK[:-1] + ("0" if ID_OK[-1] != "0" else "1")
    rows = [HEADER + ["备注列"],
            ["202611-001", "2026-11-05", "维修类", "-1", "abc", "2026-02-30", "25:00", "Y", "3-2", "12345", bad_id, "2026-11-04 09:00", "已完成", "多余"],
            ["202611-001", "2026-11-05 09:00", "服务类", "100", "1", "", "", "", "", "", "", "", "已完成", ""],
            ["", "2026-11-05 09:00", "服务类", "", "", "", "", "", "", "", "11010119900230123X", "2026-11-06 09:00", "处理中", ""]]
    result = check(tmp_path, csv_bytes(rows))
    assert not result.valid and result.exit_code == 1
    found = {(e.type, e.row, e.field) for e in result.errors}
    expected = {
        ("extra-label", None, None),                 # a filled column that is not in the form
        ("type-error", 2, "受理时间"), ("constraint-error", 2, "类别"), ("constraint-error", 2, "件数"),
        ("type-error", 2, "金额"), ("type-error", 2, "日期"), ("type-error", 2, "时刻"), ("type-error", 2, "紧急"),
        ("constraint-error", 2, "房号"), ("constraint-error", 2, "手机"), ("cn-id", 2, "身份证号"),
        ("primary-key", 3, "编号"), ("constraint-error", 3, "件数"), ("row-constraint", 3, "完成时间"),
        ("constraint-error", 4, "编号"), ("cn-id", 4, "身份证号"), ("row-constraint", 4, "完成时间"),
    }
    assert expected <= found, found - expected
    messages = {(e.type, e.row, e.field): e.message for e in result.errors}
    assert messages[("constraint-error", 2, "类别")] == "第2行“类别”列的“维修类”不在可选范围内。请从下拉列表中选择：服务类、工程类。"
    assert "请写成 2026-11-05 14:30" in messages[("type-error", 2, "受理时间")]
    assert "小于最小值 0" in messages[("constraint-error", 2, "件数")]
    assert "大于最大值 99" in messages[("constraint-error", 3, "件数")]
    assert "与第2行重复" in messages[("primary-key", 3, "编号")]
    assert "是必填栏目" in messages[("constraint-error", 4, "编号")]
    assert "校验位不对" in messages[("cn-id", 2, "身份证号")]
    assert "出生日期不存在" in messages[("cn-id", 4, "身份证号")]
    assert "“完成时间”是空的" in messages[("row-constraint", 3, "完成时间")]
    assert "但状态为“处理中”" in messages[("row-constraint", 4, "完成时间")]
    assert "“备注列”" in messages[("extra-label", None, None)]
    for e in result.errors:
        assert re.search(r"[\u4e00-\u9fff]", e.message) and "Traceback" not in e.message


def test_completion_before_receipt_is_reported(tmp_path):
    row = list(GOOD[0])
    row[11] = "2026-11-05 08:00"
    result = check(tmp_path, csv_bytes([HEADER, row]))
    assert [(e.type, e.field) for e in result.errors] == [("row-constraint", "完成时间")]
    assert "早于“受理时间”（2026-11-05 09:30）" in result.errors[0].message


def test_missing_and_duplicate_columns(tmp_path):
    header = [h for h in HEADER if h not in ("类别", "金额")] + ["编号"]
    rows = [header] + [[r[HEADER.index(h)] for h in header[:-1]] + ["202611-009"] for r in GOOD]
    result = check(tmp_path, csv_bytes(rows))
    kinds = {(e.type, e.field) for e in result.errors}
    assert ("missing-label", "类别") in kinds and ("duplicate-label", "编号") in kinds
    assert ("missing-label", "金额") not in kinds          # optional: read as blank, and said so
    assert any(n["kind"] == "missing-optional-column" and n["field"] == "金额" for n in result.normalized)


def test_cells_beyond_the_last_column(tmp_path):
    rows = [HEADER, GOOD[0] + ["", "意外内容"]]
    result = check(tmp_path, csv_bytes(rows))
    assert [(e.type, e.row, e.value) for e in result.errors] == [("extra-cell", 2, "意外内容")]


def test_header_only_file_is_a_valid_zero_report(tmp_path):
    result = check(tmp_path, csv_bytes([HEADER]))
    assert result.valid and result.rows == 0
    result = check(tmp_path, csv_bytes([HEADER, ["本月无"] + [""] * 12]))
    assert result.valid and result.rows == 0 and any(n["kind"] == "zero-report" for n in result.normalized)


# ---------------------------------------------------------------- unusable files (exit 2)
def _truncated_xlsx() -> bytes:
    wb = Workbook()
    wb.active.append(HEADER)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()[:400]


def _zip_without_workbook() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "不是表格")
    return buf.getvalue()


@pytest.mark.parametrize("name,data,code", [
    ("empty.csv", b"", "empty-file"),
    ("blank.csv", b"\r\n , ,\r\n\r\n", "empty-file"),
    ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not-a-table"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy-xls"),
    ("cut.xlsx", _truncated_xlsx(), "corrupt-xlsx"),
    ("zip.xlsx", _zip_without_workbook(), "corrupt-xlsx"),
    ("text.xlsx", "编号,受理时间\n".encode(), "corrupt-xlsx"),
    ("garbled.csv", b"\xff\xff\x80\x80\xfe", "encoding-error"),
    ("other.csv", "代码,重量,颜色\r\nA,1,红\r\n".encode(), "wrong-form"),
], ids=lambda v: v if isinstance(v, str) else "data")  # not the bytes: an xlsx's hold the second it was made,
                                                      # and pytest-xdist's two workers must collect the same ids
def test_unusable_files(tmp_path, name, data, code):
    result = check(tmp_path, data, name)
    assert result.exit_code == 2 and result.unusable.error.code == code
    assert re.search(r"[\u4e00-\u9fff]", result.unusable.message)


def test_headers_of_another_form_name_that_form(tmp_path):
    result = check(tmp_path, "代码,重量,颜色\r\nA,1,红\r\n".encode())
    assert "这个文件的表头与“另一张表”相符，请检查是否选错了表单。" in result.unusable.message
    assert "--form" not in result.unusable.message          # clerks read this on the upload page too


def test_missing_file_is_unusable(tmp_path):
    result = validate_file(tmp_path / "nope.csv", FORM)
    assert result.exit_code == 2 and "找不到文件" in result.unusable.message


# ---------------------------------------------------------------- the command
def _complaint_csv(tmp_path: Path, handbook, bad: bool = False) -> Path:
    form = handbook.form_by_id["complaint-log"]
    values = {"编号": "202611-001", "受理时间": "2026/11/5 9:00", "投诉渠道": "来电", "房号": "3-2-1102",
              "投诉内容": "噪音", "投诉类别": "其它" if bad else "服务类", "有效": "是", "重大": "否",
              "责任部门": "客服中心", "规定完成时间": "2026-11-06 09:00", "状态": "处理中", "受理人": "小陈"}
    path = tmp_path / "投诉.csv"
    path.write_bytes(csv_bytes([[f.label for f in form.fields], [values.get(f.label, "") for f in form.fields]], "gbk"))
    return path


def test_cli_exit_codes_and_json(tmp_path, handbook, capsys):
    good = _complaint_csv(tmp_path, handbook)
    assert main(["--root", str(ROOT), "validate", str(good), "--form", "complaint-log"]) == 0
    out = capsys.readouterr().out
    assert "校验通过：投诉处理记录表，共 1 行记录" in out and "2026/11/5 9:00" in out

    bad = _complaint_csv(tmp_path, handbook, bad=True)
    assert main(["--root", str(ROOT), "validate", str(bad), "--form", "complaint-log", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is False and data["rows"] == 1
    assert data["errors"] == [{"type": "constraint-error", "row": 2, "field": "投诉类别", "value": "其它",
                               "message": "第2行“投诉类别”列的“其它”不在可选范围内。请从下拉列表中选择：服务类、工程类、收费类、安全类、环境类、其他类。"}]
    assert {"kind", "message"} <= set(data["normalized"][0])

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["--root", str(ROOT), "validate", str(empty), "--form", "complaint-log", "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is False and data["errors"][0]["type"] == "source-error"
    assert data["unusable"]["type"] == "empty-file" and "文件是空的" in data["errors"][0]["message"]

    assert main(["--root", str(ROOT), "validate", str(good), "--form", "no-such-form"]) == 2
    assert "没有编号为“no-such-form”的记录表" in capsys.readouterr().err
    assert main(["--root", str(ROOT), "validate", str(good), "--form", "repair-log"]) == 2
    err = capsys.readouterr().err
    assert "与“投诉处理记录表”相符，请检查是否选错了表单。" in err and "--form" not in err and "Traceback" not in err


def test_progress_bar_on_large_files(tmp_path):
    rows = [HEADER] + [[f"202611-{i:03d}-{j}", "2026-11-05 09:30", "服务类", "1", "1", "", "", "", "", "", "", "", "处理中"]
                       for i in range(1, 51) for j in range(1, 21)]
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(rows))
    stream = io.StringIO()
    result = validate_file(path, FORM, [FORM], Progress(stream=stream, force=True, min_rows=500))
    assert result.valid and result.rows == 1000
    assert "校验" in stream.getvalue() and "1001/1001 行" in stream.getvalue()
    quiet = io.StringIO()
    validate_file(path, FORM, [FORM], Progress(stream=quiet, force=True, min_rows=5000))
    assert quiet.getvalue() == ""


def test_a_cell_with_a_line_break_does_not_shift_row_numbers(tmp_path):
    first = list(GOOD[0])
    first[2] = "服务类"
    second = list(GOOD[1])
    second[2] = "维修类"
    rows = [HEADER, first, second]
    data = csv_bytes(rows).replace("13800138000".encode(), '"138001\n38000"'.encode())
    result = check(tmp_path, data)
    assert {(e.row, e.field) for e in result.errors} >= {(3, "类别")}
    assert all(e.row in (2, 3) for e in result.errors)


def test_repair_arrival_after_dispatch_and_before_completion(tmp_path, handbook):
    """The check added by declaration alone (forms/repair-log.yaml, after:): 到场时间 is not before the report or
    the dispatch, and the completion is not before the arrival."""
    form = handbook.form_by_id["repair-log"]
    labels = [f.label for f in form.fields]

    def row(no, dispatched, arrived, completed):
        values = {"编号": no, "受理时间": "2026-11-05 09:00", "房号": "3-2-1102", "联系人": "张先生",
                  "联系电话": "13800138000", "报修内容": "厨房水龙头漏水", "紧急": "否", "派工时间": dispatched,
                  "维修人": "工程部小王", "到场时间": arrived, "完成时间": completed, "状态": "已完成", "受理人": "小林"}
        return [values.get(label, "") for label in labels]

    rows = [labels,
            row("202611-001", "2026-11-05 09:10", "2026-11-05 09:40", "2026-11-05 11:00"),   # in order
            row("202611-002", "2026-11-05 09:10", "2026-11-05 09:05", "2026-11-05 11:00"),   # on site before dispatch
            row("202611-003", "2026-11-05 09:10", "2026-11-05 12:00", "2026-11-05 11:00")]   # done before arriving
    path = tmp_path / "repairs.csv"
    path.write_bytes(csv_bytes(rows))
    result = validate_file(path, form, [form])
    found = [(e.row, e.field, e.message) for e in result.errors]
    assert [(r, f) for r, f, _ in found] == [(3, "到场时间"), (4, "完成时间")], found
    assert "第3行“到场时间”列的“2026-11-05 09:05”早于“派工时间”（2026-11-05 09:10）" in found[0][2]
    assert "第4行“完成时间”列的“2026-11-05 11:00”早于“到场时间”（2026-11-05 12:00）" in found[1][2]


def test_an_invalid_complaint_needs_the_supervisors_confirmation(tmp_path, handbook):
    """A rule added as one class (rules/between.py RequiredWhen) and switched on in the form YAML
    (forms/complaint-log.yaml: required_when: {valid: [否]}), 3.8#4.2.1 C."""
    form = handbook.form_by_id["complaint-log"]
    labels = [f.label for f in form.fields]

    def row(no, valid, confirmed):
        values = {"编号": no, "受理时间": "2026-11-05 09:00", "投诉渠道": "来电", "投诉内容": "楼上噪音扰民",
                  "投诉类别": "服务类", "有效": valid, "重大": "否", "责任部门": "客服中心", "完成时间": "2026-11-05 15:00",
                  "房号": "3-2-1102", "规定完成时间": "2026-11-06 09:00",
                  "处理结果": "已向客户解释", "状态": "已完成", "受理人": "小林", "无效确认人": confirmed}
        return [values.get(label, "") for label in labels]

    rows = [labels, row("202611-001", "是", ""), row("202611-002", "否", "客服主管王某"), row("202611-003", "否", "")]
    path = tmp_path / "complaints.csv"
    path.write_bytes(csv_bytes(rows))
    result = validate_file(path, form, [form])
    assert [(e.row, e.field) for e in result.errors] == [(4, "无效确认人")], [e.message for e in result.errors]
    assert result.errors[0].message.startswith("第4行：“有效”为“否”，须填写“无效确认人”。")


def test_the_command_as_a_process_prints_all_its_json_and_its_exit_code(tmp_path, handbook):
    """`handbook` itself (cli.run freezes the heap just before exit): stdout complete, exit code kept."""
    import subprocess
    import sys

    form = handbook.form_by_id["complaint-log"]
    labels = [f.label for f in form.fields]
    bad, empty = tmp_path / "bad.csv", tmp_path / "empty.csv"
    bad.write_bytes(csv_bytes([labels, ["坏编号"] + [""] * (len(labels) - 1)]))
    empty.write_bytes(csv_bytes([labels]))

    def run(path):
        return subprocess.run([sys.executable, "-m", "handbook", "--root", str(ROOT), "validate", str(path),
                               "--form", "complaint-log", "--json"], capture_output=True, text=True, timeout=120)
    refused, accepted = run(bad), run(empty)
    assert refused.returncode == 1 and accepted.returncode == 0, (refused.stderr, accepted.stderr)
    report = json.loads(refused.stdout)
    assert report["valid"] is False and len(report["errors"]) >= 3
    assert all(re.search(r"[\u4e00-\u9fff]", e["message"]) for e in report["errors"])
    assert json.loads(accepted.stdout)["valid"] is True
