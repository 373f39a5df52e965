"""The upload page at month end: big valid files, mistyped months and sites, hostile sizes, stale confirms."""

from __future__ import annotations

import io
import re
import time

from openpyxl import Workbook

from conftest import ROOT
from handbook.records.store.catalogue import Store
from handbook.records.validation.validate import FAST_THRESHOLD
from test_intake import OTHER, SITE, app, clerk, complaint_csv, csrf, data_dir, good_row, login, text, upload  # noqa: F401


def many_rows(n: int) -> list[list[str]]:
    rows = []
    for i in range(1, n + 1):
        row = good_row(i)
        row[0] = f"202610-{i:03d}" if i < 1000 else f"202610-{i % 1000:03d}-{i // 1000 + 1}"
        rows.append(row)
    return rows


def test_a_valid_file_the_duckdb_engine_checks_is_stored(clerk, handbook, data_dir):
    """The bug of issue 11: the DuckDB engine read the upload back after its temporary folder was gone (HTTP 500)."""
    content = complaint_csv(many_rows(3000), handbook)
    assert len(content) > FAST_THRESHOLD          # the size from which the DuckDB engine validates
    r = upload(clerk, content)
    assert r.status_code == 200, text(r)[:500]
    assert "3000 行记录" in text(r)
    current = Store(data_dir).slot("complaint-log", SITE, "2026-10")["current"]
    assert current["rows"] == 3000
    stored = Store(data_dir).read(current).decode("utf-8")
    assert stored.count("\r\n") == 3001 and "202610-700" in stored and "202610-999-3" in stored


def test_months_outside_the_filing_range_are_refused(clerk, handbook, data_dir):
    for month, says in (("9999-12", "不在可报送的范围内"), ("2099-12", "不在可报送的范围内"), ("2026-13", "格式不对")):
        r = upload(clerk, complaint_csv([], handbook), month=month)
        assert r.status_code == 400 and says in text(r), month
    assert list(Store(data_dir).current()) == [] and Store(data_dir).audit_log() == []


def test_an_admin_cannot_upload_for_a_site_that_is_not_registered(app, handbook, data_dir):
    from starlette.testclient import TestClient

    boss = TestClient(app)
    assert login(boss, "boss", "password-3").status_code == 303
    for site in ("甲 {: onclick=alert(9) }", "[点我](javascript:alert(1))", "东宇花园", "x" * 3000, "a/b\nc"):
        r = upload(boss, complaint_csv([good_row(1)], handbook), site=site)
        assert r.status_code == 400 and "没有名为" in text(r), site[:20]
        assert "onclick=alert" not in r.text.replace("onclick=alert(9) }”", "")  # echoed only as escaped text
    assert "是不是“东宇花园管理处”" in text(upload(boss, complaint_csv([good_row(1)], handbook), site="东宇花园"))
    assert list(Store(data_dir).current()) == []
    page = boss.get("/intake/")
    assert re.findall(r'<option[^>]*>([^<]+)</option>', page.text)[:2] == [SITE, OTHER]


def test_a_stale_confirm_is_refused_and_the_newer_version_stays(clerk, handbook, data_dir):
    assert upload(clerk, complaint_csv([good_row(1)], handbook)).status_code == 200
    r = upload(clerk, complaint_csv([good_row(1), good_row(2)], handbook))
    token = re.search(r'name="token" value="([^"]+)"', r.text).group(1)
    # meanwhile another version lands (a colleague, or the CLI)
    from handbook.records.validation.intake import check_bytes

    newer = complaint_csv([good_row(1), good_row(2), good_row(3)], handbook)
    form = handbook.form_by_id["complaint-log"]
    checked = check_bytes(handbook, form, newer)
    Store(data_dir).ingest(form="complaint-log", site=SITE, month="2026-10", original=newer, filename="n.csv",
                           canonical=checked.canonical, rows=3, user="other")
    r = clerk.post("/intake/confirm", data={"csrf": csrf(clerk, "/intake/"), "token": token})
    assert r.status_code == 409 and "已有新的版本" in text(r) and "本次未替换" in text(r)
    assert Store(data_dir).slot("complaint-log", SITE, "2026-10")["current"]["rows"] == 3


def test_a_csv_of_millions_of_tiny_rows_is_refused_at_once(clerk, handbook, data_dir):
    header = complaint_csv([], handbook)
    content = header + b"x\n" * 400_000            # 800 KB: far more rows than any month
    started = time.monotonic()
    r = upload(clerk, content)
    assert r.status_code == 422 and "超过单个文件 50000 行的上限" in text(r)
    assert time.monotonic() - started < 10
    assert list(Store(data_dir).current()) == []


def test_an_xlsx_with_an_oversized_sheet_is_refused_before_it_is_read(clerk, handbook, data_dir):
    import zipfile

    wb = Workbook()
    wb.active.append([f.label for f in handbook.form_by_id["complaint-log"].fields])
    buf = io.BytesIO()
    wb.save(buf)
    # rewrite the sheet with 45 MB of blank-cell XML: it compresses to a few hundred KB
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'<row r="2">' + b'<c r="A2"/>' * 4_000_000 + b"</row></sheetData>")
            z.writestr(info.filename, data)
    content = out.getvalue()
    assert len(content) < 1024 * 1024
    r = upload(clerk, content, filename="投诉.xlsx")
    assert r.status_code == 422 and "工作表解压后约有 4" in text(r)
    assert list(Store(data_dir).current()) == []


def test_a_site_name_is_never_read_as_markdown_on_the_statistics_pages():
    """Names reach the 月度统计 Markdown as headings; attr_list or link syntax in one must stay text."""
    import markdown

    from handbook.records.statistics.text import md_escape

    for name in ("甲 {: onclick=alert(9) }", "[点我](javascript:alert(1))", "<img src=x onerror=alert(1)>", "*强调*"):
        html = markdown.markdown(f"### {md_escape(name)}", extensions=["attr_list"])
        assert "onclick" not in html.split(">", 1)[0] and "<a " not in html and "<img" not in html and "<em>" not in html
        assert html.startswith("<h3>")


def test_an_admin_withdraws_an_upload_on_the_web_after_confirming(app, clerk, handbook, data_dir):
    from starlette.testclient import TestClient

    assert upload(clerk, complaint_csv([good_row(1)], handbook)).status_code == 200
    fields = {"form": "complaint-log", "site": SITE, "month": "2026-10"}
    # a clerk has no such button and is refused
    assert "撤回…" not in clerk.get(f"/intake/?site={SITE}&month=2026-10").text
    r = clerk.post("/intake/withdraw", data={"csrf": csrf(clerk, "/intake/"), **fields, "confirm": "1"})
    assert r.status_code == 403 and "只有管理员可以撤回" in text(r)
    boss = TestClient(app)
    assert login(boss, "boss", "password-3").status_code == 303
    assert "撤回…" in boss.get(f"/intake/?site={SITE}&month=2026-10").text
    asked = boss.post("/intake/withdraw", data={"csrf": csrf(boss, "/intake/"), **fields})
    assert asked.status_code == 200 and "确认撤回" in asked.text
    assert len(list(Store(data_dir).current())) == 1           # nothing happens before the confirm
    upload_id = re.search(r'name="upload" value="([^"]+)"', asked.text).group(1)
    done = boss.post("/intake/withdraw", data={"csrf": csrf(boss, "/intake/"), **fields, "upload": upload_id,
                                              "confirm": "1"})
    assert done.status_code == 200 and "已撤回" in text(done)
    assert list(Store(data_dir).current()) == []
    entry = Store(data_dir).audit_log()[-1]
    assert entry["result"] == "withdrawn" and entry["user"] == "boss"
    row = re.search(r'<tr data-form="complaint-log">(.*?)</tr>', done.text, re.S).group(1)
    assert "未报送" in row


def test_a_file_uploaded_under_the_wrong_month_is_refused(clerk, handbook, data_dir):
    r = upload(clerk, complaint_csv([good_row(1), good_row(2)], handbook), month="2026-08")   # October rows
    assert r.status_code == 422
    assert "这个文件里没有一个日期在2026年8月：日期都在 2026年10月" in text(r)
    assert list(Store(data_dir).current()) == []


def test_a_replacement_shows_what_changes_and_warns_on_a_big_drop(clerk, handbook, data_dir):
    rows = many_rows(22)
    assert upload(clerk, complaint_csv(rows, handbook)).status_code == 200
    changed = [list(r) for r in rows[:5]]
    changed[0][6] = "电梯异响"                                # 投诉内容 of 202610-001 corrected
    new = changed + [good_row(30)]
    new[-1][0] = "202610-030"
    r = upload(clerk, complaint_csv(new, handbook))
    assert "确认替换" in r.text
    table = {k: v for k, v in re.findall(r'<tr data-kind="(..)"><td>..</td><td>(\d+)</td>', r.text)}
    assert table == {"新增": "1", "删除": "17", "修改": "1"}
    assert "202610-030" in r.text and "202610-022" in r.text
    assert "行数从 22 行减少到 6 行" in text(r)
    assert Store(data_dir).slot("complaint-log", SITE, "2026-10")["current"]["rows"] == 22
