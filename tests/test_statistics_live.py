"""The 月度统计 pages are live: an upload shows on them at once, without a site rebuild, and each
account reads only the 管理处 it may (clerks their own, viewers and administrators all)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from conftest import ROOT
from handbook.loader import load_handbook
from handbook.records.store.catalogue import Store
from handbook.records.validation.intake import submit
from handbook.web.accounts import Accounts
from handbook.web.app import create_app
from test_intake import login
from conftest import SAMPLE_END as END, SAMPLE_UNFILED as UNFILED


@pytest.fixture
def data(sample_store, tmp_path) -> Path:
    """A copy of the sample store (two 管理处, a year), with accounts."""
    data = tmp_path / "store"
    shutil.copytree(sample_store, data)
    accounts = Accounts(data)
    accounts.add("boss", "password-3", [], admin=True)
    accounts.add("经理", "password-4", [], admin=False, viewer=True)
    return data


@pytest.fixture
def app(data, sample_site):
    app = create_app(ROOT, data, secret="test-secret", build=False)
    app.state.switch(sample_site)
    return app


def sites_of(sample_files) -> list[str]:
    return sorted({f["site"] for f in sample_files})


def submissions(html: str) -> str:
    return html[html.index('id="submissions"'):]


def test_an_upload_shows_on_the_month_page_without_a_rebuild(app, data, sample_files):
    client = TestClient(app)
    assert login(client, "boss", "password-3").status_code == 303
    page = client.get(f"/statistics/{END}/")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert 'class="md-header' in page.text and "全公司考核指标" in page.text      # the site's own page around it
    assert "报修登记表" in submissions(page.text)                                   # UNFILED's repair log was taken back

    # the 管理处 files its 报修登记表 again (as the upload page does) — no build runs
    listing = next(f for f in sample_files[1] if f["site"] == UNFILED and f["month"] == END and f["form"] == "repair-log")
    handbook = load_handbook(ROOT)
    content = Path(listing["path"]).read_bytes()
    sub = submit(handbook, Store(data), handbook.form_by_id["repair-log"], UNFILED, END, content, "repair-log.csv",
                 user="小李")
    assert sub.outcome == "stored"
    after = client.get(f"/statistics/{END}/")
    assert "报修登记表" not in submissions(after.text)
    assert re.search(r"无缺报", submissions(after.text))


def test_a_clerk_reads_only_their_own_estate(app, data, sample_files):
    mine, other = sites_of(sample_files[1])
    Accounts(data).add("小李", "password-1", [mine], admin=False)
    client = TestClient(app)
    assert login(client, "小李", "password-1").status_code == 303
    page = client.get(f"/statistics/{END}/").text
    assert mine in page and other not in page          # nor in the table of contents the built page had
    assert "全公司考核指标" not in page
    index = client.get("/statistics/").text
    assert "全公司指标趋势" not in index and "2026年10月" in index
    book = load_workbook(io.BytesIO(client.get(f"/statistics/月度统计-{END}.xlsx").content))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert mine in cells and other not in cells and "全公司" not in cells


def test_viewers_and_administrators_read_every_estate(app, sample_files):
    mine, other = sites_of(sample_files[1])
    for name, password in (("经理", "password-4"), ("boss", "password-3")):
        client = TestClient(app)
        assert login(client, name, password).status_code == 303
        page = client.get(f"/statistics/{END}/").text
        assert mine in page and other in page and "全公司考核指标" in page
        assert "全公司指标趋势" in client.get("/statistics/").text


def test_a_month_filed_after_the_last_build_is_served_too(app, data, sample_files):
    """The first upload of a new month: its page exists at once (the navigation lists it after the next build)."""
    mine = sites_of(sample_files[1])[0]
    listing = next(f for f in sample_files[1] if f["site"] == mine and f["month"] == END and f["form"] == "complaint-log")
    text = Path(listing["path"]).read_text(encoding="utf-8-sig")
    # the same month's records a month later: every date 31 days on, numbers renamed to November's
    def later(match):
        day = dt.date.fromisoformat(match.group(0)) + dt.timedelta(days=31)
        return day.isoformat()
    text = re.sub(r"\d{4}-\d{2}-\d{2}", later, text).replace("202610-", "202611-")
    handbook = load_handbook(ROOT)
    sub = submit(handbook, Store(data), handbook.form_by_id["complaint-log"], mine, "2026-11",
                 text.encode("utf-8"), "complaint-log.csv", user="小李")
    assert sub.outcome == "stored", [e.message for e in sub.result.errors]
    client = TestClient(app)
    assert login(client, "boss", "password-3").status_code == 303
    page = client.get("/statistics/2026-11/")
    assert page.status_code == 200 and "2026年11月 月度统计" in page.text
    assert "<title>2026年11月 月度统计" in page.text
    assert client.get("/statistics/2031-01/").status_code == 404          # a month nobody filed
