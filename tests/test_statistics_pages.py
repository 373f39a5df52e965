"""The 月度统计 as a manager reads it: a partly filed month says so, tables read on a phone, one month
prints as a short summary, and the Excel download holds numbers."""

from __future__ import annotations

import functools
import http.server
import io
import re
import threading

import pytest
from openpyxl import load_workbook

from conftest import SAMPLE_END as END, SAMPLE_UNFILED as UNFILED, _QuietHandler

SHOTS = __import__("pathlib").Path(__file__).resolve().parent.parent / "test-results"
SHOTS.mkdir(exist_ok=True)


@pytest.fixture(scope="module")
def stats_url(sample_site):
    handler = functools.partial(_QuietHandler, directory=str(sample_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/statistics/{END}/"
    server.shutdown()


def test_a_site_that_did_not_file_shows_unfiled_not_a_failure(sample_site):
    page = (sample_site / "statistics" / END / "index.html").read_text(encoding="utf-8")
    assert "报送未齐" in page and "1 个管理处共 1 张记录表未报送" in page
    section = page.split(f">{UNFILED}</h3>", 1)[1]
    row = re.search(r'<tr class="hb-unfiled">\s*<td>维修及时率</td>(.*?)</tr>', section, re.S)
    assert row and "未报送" in row.group(1) and "未达标" not in row.group(1)
    assert f"维修及时率的全公司合计只含已报送的" in page


def test_the_excel_download_holds_numbers_with_percent_formats(sample_site):
    wb = load_workbook(sample_site / "statistics" / f"月度统计-{END}.xlsx")
    ws = wb["考核指标"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c for c in r))) for r in ws.iter_rows(min_row=2)]
    filed = next(r for r in rows if r["管理处"].value == "全公司" and r["指标"].value == "投诉处理率")
    assert isinstance(filed["实际值"].value, (int, float)) and 0 <= filed["实际值"].value <= 1
    assert filed["实际值"].number_format == "0.0%" and filed["本年累计"].number_format == "0.0%"
    assert isinstance(filed["上月"].value, (int, float)) and filed["上月"].number_format == "0.0%"
    assert re.fullmatch(r"\d\.\d+ 第[\d.A-Z]+条", filed["目标依据"].value)
    unfiled = next(r for r in rows if r["管理处"].value == UNFILED and r["指标"].value == "维修及时率")
    assert unfiled["实际值"].value == "未报送" and unfiled["是否达标"].value == "未报送"
    assert ws.column_dimensions["B"].width >= 16          # "东湖花园管理处" fits


@pytest.mark.browser
def test_the_month_page_fits_a_phone(browser, stats_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(stats_url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width} px wide at 390 px"
    # KPI names read on one line, not one character per line
    cell = page.locator(".hb-stats td:first-child", has_text="投诉处理率").first
    lines = cell.evaluate("el => { const r = document.createRange(); r.selectNodeContents(el); "
                          "return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }")
    assert lines == 1, f"投诉处理率 wraps onto {lines} lines"
    page.screenshot(path=str(SHOTS / "statistics-390.png"), full_page=False)
    context.close()


@pytest.mark.browser
def test_the_month_page_is_styled_like_the_site(browser, stats_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(stats_url)
    page.screenshot(path=str(SHOTS / "statistics-1280.png"), full_page=False)
    border = page.evaluate("getComputedStyle(document.querySelector('.hb-stats td')).borderTopStyle")
    assert border != "none"
    page.close()


@pytest.mark.browser
def test_the_month_page_prints_as_a_short_summary(browser, stats_url):
    page = browser.new_page()
    page.goto(stats_url)
    pdf = page.pdf(format="A4", print_background=True)
    (SHOTS / "statistics-month.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, f"{pages} pages"
    page.emulate_media(media="print")
    assert not page.locator(".md-button").first.is_visible()
    assert page.locator("text=各管理处明细、业务量").is_visible()
    page.close()
