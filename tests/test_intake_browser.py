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
    page.fill("#month", "2026-10")
    page.select_option("#form", "complaint-log")
    page.set_input_files("#file", str(bad))
    page.click("form[action='/intake/upload'] button[type=submit]")
    verdict = page.inner_text("#verdict")
    assert "没有计入统计" in verdict
    report = page.inner_text("#errors")
    assert "第 3 行" in report and "投诉类别" in report and "物业类" in report
    page.screenshot(path=str(tmp_path / "rejected.png"), full_page=True)

    # The clerk fixes the file from the message alone and uploads again.
    bad.write_bytes(complaint_csv([good_row(1), good_row(2, "服务类")], handbook))
    page.click("text=返回上传页面")
    page.fill("#month", "2026-10")
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
