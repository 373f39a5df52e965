"""The 月度统计 needs a login; the handbook and blank forms stay open to the intranet."""

from __future__ import annotations

import re
import subprocess
import sys

from starlette.testclient import TestClient

from conftest import ROOT
from handbook.records.store.catalogue import Store
from handbook.web.accounts import Accounts
from handbook.web.app import create_app
from test_intake import OTHER, SITE, complaint_csv, csrf, data_dir, good_row, login, text, upload  # noqa: F401


def built_app(data_dir, tmp_path):
    """The app serving a small built site with a statistics page in it (no MkDocs build: a stand-in file)."""
    app = create_app(ROOT, data_dir, secret="test-secret", build=False)
    folder = tmp_path / "site"
    (folder / "statistics" / "2026-10").mkdir(parents=True)
    (folder / "statistics" / "2026-10" / "index.html").write_text("<p>全公司考核指标</p>", encoding="utf-8")
    (folder / "statistics" / "月度统计-2026-10.xlsx").write_bytes(b"PK")
    (folder / "index.html").write_text("<p>客服中心工作手册</p>", encoding="utf-8")
    app.state.switch(folder)
    return app


def test_statistics_pages_and_downloads_ask_for_a_login(data_dir, tmp_path):
    client = TestClient(built_app(data_dir, tmp_path))
    assert "客服中心工作手册" in client.get("/").text               # the handbook stays open
    for path in ("/statistics/2026-10/", "/statistics/月度统计-2026-10.xlsx", "/statistics"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/intake/login?next=%2Fstatistics%2F"), path
    page = client.get("/intake/login?next=/statistics/2026-10/")
    assert "登录后查看月度统计" in page.text and 'name="next" value="/statistics/2026-10/"' in page.text
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post("/intake/login", data={"csrf": token, "name": "clerk", "password": "password-1",
                                           "next": "/statistics/2026-10/"}, follow_redirects=False)
    assert r.headers["location"] == "/statistics/2026-10/"
    r = client.get("/statistics/2026-10/")
    assert r.status_code == 200 and "全公司考核指标" in r.text and r.headers["cache-control"] == "private, no-store"


def test_login_never_redirects_off_the_statistics_section(data_dir, tmp_path):
    client = TestClient(built_app(data_dir, tmp_path))
    for evil in ("https://evil.example/", "//evil.example/", "/intake/logout", "/statistics//evil.example"):
        token = csrf(client)
        r = client.post("/intake/login", data={"csrf": token, "name": "clerk", "password": "password-1", "next": evil},
                        follow_redirects=False)
        assert r.headers["location"] == "/intake/", evil
        client.cookies.clear()


def test_a_viewer_reads_statistics_but_uploads_nothing(data_dir, tmp_path, handbook):
    Accounts(data_dir).add("经理", "password-4", [], admin=False, viewer=True)
    client = TestClient(built_app(data_dir, tmp_path))
    r = login(client, "经理", "password-4")
    assert r.headers["location"] == "/statistics/"
    assert client.get("/statistics/2026-10/").status_code == 200
    r = upload(client, complaint_csv([good_row(1)], handbook), site=SITE)
    assert r.status_code == 403 and list(Store(data_dir).current()) == []


def test_user_add_viewer_from_the_command_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "handbook", "--root", str(ROOT), "user", "add", "主任", "--viewer",
                        "--data-dir", str(tmp_path)], input="password-5\n", capture_output=True, text=True)
    assert r.returncode == 0 and "只读：查看月度统计" in r.stdout
    assert Accounts(tmp_path).load()["主任"].viewer is True


def test_a_missing_page_gets_the_sites_chinese_404(data_dir, tmp_path):
    app = built_app(data_dir, tmp_path)
    (tmp_path / "site" / "404.html").write_text("<h1>找不到这个页面</h1>", encoding="utf-8")
    r = TestClient(app).get("/no-such-page/")
    assert r.status_code == 404 and "找不到这个页面" in r.text
