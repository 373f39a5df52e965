"""A clerk in headless Chromium: log in, upload a good and a bad file, read the report, see the table."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from conftest import ROOT, register_sites
from test_intake import SITE, complaint_csv, good_row
from test_serve import fetch, free_port, wait_for


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = register_sites(tmp_path_factory.mktemp("records"), SITE)
    subprocess.run([sys.executable, "-m", "handbook", "--root", str(ROOT), "user", "add", "王芳", "--site", SITE,
                    "--data-dir", str(data_dir)], input="correct-horse\n", text=True, check=True)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "handbook", "--root", str(ROOT), "serve", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: fetch(base + "/intake/login"), 180), "server did not start"
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def csp_violations(page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None)
    return seen


@pytest.mark.browser
def test_clerk_logs_in_uploads_fixes_and_sees_the_table(server, page, handbook, tmp_path):
    violations = csp_violations(page)
    page.goto(server + "/intake/")
    assert page.url.endswith("/intake/login")
    page.fill("#name", "王芳")
    page.fill("#password", "correct-horse")
    page.click("button[type=submit]")
    page.wait_for_url("**/intake/")
    assert "上传月度记录" in page.inner_text("h1")

    bad = tmp_path / "投诉处理记录表.csv"
    bad.write_bytes(complaint_csv([good_row(1), good_row(2, "物业类")], handbook))
    # the pickers speak Chinese: a list of the months that may be filed, a Chinese file button
    assert "2026年10月" in page.locator("#month").inner_text() and "9999" not in page.locator("#month").inner_text()
    assert "选择文件" in page.locator("label.file-button").first.inner_text()
    page.select_option("#month", "2026-10")
    page.select_option("#form", "complaint-log")
    page.set_input_files("#file", str(bad))
    assert page.inner_text("#file-chosen") == "投诉处理记录表.csv"
    page.click("form[action='/intake/upload'] button[type=submit]")
    verdict = page.inner_text("#verdict")
    assert "没有计入统计" in verdict
    report = page.inner_text("#errors")
    assert "第 3 行" in report and "投诉类别" in report and "物业类" in report
    page.screenshot(path=str(tmp_path / "rejected.png"), full_page=True)

    # The clerk fixes the file from the message alone and uploads again.
    bad.write_bytes(complaint_csv([good_row(1), good_row(2, "服务类")], handbook))
    page.click("text=返回上传页面")
    page.select_option("#month", "2026-10")
    page.select_option("#form", "complaint-log")
    page.set_input_files("#file", str(bad))
    page.click("form[action='/intake/upload'] button[type=submit]")
    assert "已入库" in page.inner_text("#verdict")

    page.click("text=返回上传页面")
    row = page.locator('tr[data-form="complaint-log"]')
    assert "已报送" in row.inner_text() and "王芳" in row.inner_text()
    assert "未报送" in page.locator('tr[data-form="callback-log"]').inner_text()
    # The statistics pages rebuild in the background; the page says when they are ready.
    # (a locator, not wait_for_function: the page's CSP rightly forbids the eval that would need)
    expect(page.locator("#stats-status")).to_contain_text("已是最新", timeout=180_000)
    # Under the strict CSP the page's own CSS and script still load and nothing is blocked.
    assert violations == []
    assert page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") == "rgb(0, 148, 133)"


@pytest.mark.browser
def test_site_and_intake_come_from_one_server(server, page):
    violations = csp_violations(page)
    page.goto(server + "/")
    assert "客服中心工作手册" in page.title()
    assert page.evaluate("typeof __md_get") == "function"      # Material's inline scripts still run
    page.goto(server + "/forms/complaint-log/")
    assert "投诉处理记录表" in page.inner_text("h1")
    assert violations == []


@pytest.mark.browser
def test_clerk_uploads_several_files_matched_by_their_headers(server, page, handbook, tmp_path):
    page.goto(server + "/intake/login")
    page.fill("#name", "王芳")
    page.fill("#password", "correct-horse")
    page.click("button[type=submit]")
    page.wait_for_url("**/intake/")
    page.goto(server + "/intake/?month=2026-09")
    complaints = tmp_path / "九月投诉.csv"
    complaints.write_bytes(complaint_csv([[c.replace("2026-10", "2026-09").replace("202610", "202609")
                                           for c in good_row(1)]], handbook))
    callbacks = tmp_path / "回访.csv"
    callbacks.write_text(",".join(f.label for f in handbook.form_by_id["callback-log"].fields) + "\n", encoding="utf-8")
    junk = tmp_path / "说明.csv"
    junk.write_text("甲,乙\n1,2\n", encoding="utf-8")
    page.click("#several summary")
    page.set_input_files("input[name=files]", [str(complaints), str(callbacks), str(junk)])
    page.click("form[action='/intake/batch'] button[type=submit]")
    rows = page.locator("#matches tbody tr")
    assert rows.count() == 3
    chosen = {rows.nth(i).get_attribute("data-file"): rows.nth(i).locator("select").input_value() for i in range(3)}
    assert chosen == {"九月投诉.csv": "complaint-log", "回访.csv": "callback-log", "说明.csv": ""}
    page.click("#matches ~ div button[type=submit]")
    results = {r.get_attribute("data-file"): r.inner_text() for r in page.locator("#batch-results tbody tr").all()}
    assert "已入库（1 行）" in results["九月投诉.csv"] and "已入库（0 行）" in results["回访.csv"]
    assert "没有选择记录表" in results["说明.csv"]
    page.goto(server + "/intake/?month=2026-09")
    assert "已报送" in page.locator('tr[data-form="complaint-log"]').inner_text()
