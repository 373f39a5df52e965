"""Security headers: no sniffing, no framing, no caching of pages that echo cells, a strict CSP on /intake/."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from test_intake import app, clerk, complaint_csv, data_dir, good_row, upload  # noqa: F401  (fixtures)

COMMON = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "same-origin"}


def assert_common(response):
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, (response.url, name)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def assert_intake(response):
    assert_common(response)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert response.headers["cache-control"] == "no-store"


def test_intake_pages_carry_the_strict_headers(app, clerk, handbook):
    anonymous = TestClient(app)
    for r in (anonymous.get("/intake/login"), anonymous.get("/intake/", follow_redirects=False),
              anonymous.get("/intake/status"), clerk.get("/intake/"),
              upload(clerk, complaint_csv([good_row(1, "错")], handbook)),
              upload(clerk, b"x" * (1024 * 1024 + 10))):          # the 413 page too
        assert_intake(r)


def test_intake_pages_need_no_inline_script_or_style(app, clerk):
    page = clerk.get("/intake/").text
    assert "<style" not in page and " style=" not in page
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
    for path, kind in (("/intake/static/intake.css", "text/css"), ("/intake/static/intake.js", "javascript")):
        r = clerk.get(path)
        assert r.status_code == 200 and kind in r.headers["content-type"]
        assert_intake(r)


def test_the_staff_site_keeps_its_inline_scripts_but_cannot_be_framed(app, tmp_path):
    site = tmp_path / "built"
    site.mkdir()
    (site / "index.html").write_text("<h1>客服中心工作手册</h1><script>var x = 1;</script>", encoding="utf-8")
    app.state.intake.builder.on_switch(site)
    r = TestClient(app).get("/")
    assert r.status_code == 200
    assert_common(r)
    csp = r.headers["content-security-policy"]
    assert "script-src" not in csp and "default-src" not in csp     # Material's inline scripts still run
    assert "no-store" not in r.headers.get("cache-control", "")


def test_https_mode_marks_cookies_secure(data_dir):
    from conftest import ROOT
    from handbook.web.app import create_app

    app = create_app(ROOT, data_dir, secret="test-secret", build=False, https=True)
    client = TestClient(app, base_url="https://testserver")
    first = client.get("/intake/login")
    assert "secure" in first.headers["set-cookie"].lower()
    token = re.search(r'name="csrf" value="([^"]+)"', first.text).group(1)
    r = client.post("/intake/login", data={"csrf": token, "name": "clerk", "password": "password-1"},
                    follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "handbook_session=" in cookie and "secure" in cookie.lower() and "httponly" in cookie.lower()
    assert "max-age=31536000" in r.headers["strict-transport-security"]


def test_plain_mode_cookies_are_not_secure(app):
    r = TestClient(app).get("/intake/login")
    assert "secure" not in r.headers["set-cookie"].lower()
