"""The upload page at month end: big valid files, mistyped months and sites, hostile sizes, stale confirms."""

from __future__ import annotations

import io
import re
import time

from openpyxl import Workbook

from conftest import ROOT
from handbook.records.store import Store
from test_intake import OTHER, SITE, app, clerk, complaint_csv, csrf, data_dir, good_row, login, text, upload  # noqa: F401


def many_rows(n: int) -> list[list[str]]:
    rows = []
    for i in range(1, n + 1):
        row = good_row(i)
        row[0] = f"202610-{i:03d}"
        rows.append(row)
    return rows


def test_a_valid_file_over_64_kb_is_stored(clerk, handbook, data_dir):
    content = complaint_csv(many_rows(700), handbook)
    assert len(content) > 64 * 1024               # the size from which the DuckDB engine validates
    r = upload(clerk, content)
    assert r.status_code == 200, text(r)[:500]
    assert "700 行记录" in text(r)
    current = Store(data_dir).slot("complaint-log", SITE, "2026-10")["current"]
    assert current["rows"] == 700
    stored = Store(data_dir).read(current).decode("utf-8")
    assert stored.count("\r\n") == 701 and "202610-700" in stored


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
    from handbook.records.intake import check_bytes

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

    from handbook.records.text import md_escape

    for name in ("甲 {: onclick=alert(9) }", "[点我](javascript:alert(1))", "<img src=x onerror=alert(1)>", "*强调*"):
        html = markdown.markdown(f"### {md_escape(name)}", extensions=["attr_list"])
        assert "onclick" not in html.split(">", 1)[0] and "<a " not in html and "<img" not in html and "<em>" not in html
        assert html.startswith("<h3>")
