"""`handbook serve --https --proxy` behind a reverse proxy, and a clean stop on SIGTERM (what systemd sends)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx

from conftest import ROOT, register_sites
from handbook.web.accounts import Accounts
from test_intake import SITE, complaint_csv, good_row
from test_serve import fetch, free_port, wait_for


def cookie_pairs(response: httpx.Response) -> dict[str, str]:
    return dict(re.match(r"([^=]+)=([^;]*)", c).groups() for c in response.headers.get_list("set-cookie"))


def test_https_proxy_mode_and_sigterm_removes_the_built_site(tmp_path, handbook):
    data_dir, scratch = tmp_path / "records", tmp_path / "tmp"
    scratch.mkdir()
    register_sites(data_dir, SITE)
    Accounts(data_dir).add("clerk", "password-1", [SITE], admin=False)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "handbook", "--root", str(ROOT), "serve", "--port", str(port),
         "--data-dir", str(data_dir), "--https", "--proxy"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(scratch)},
    )
    try:
        assert wait_for(lambda: fetch(base + "/intake/login"), 180), "server did not start"
        assert list(scratch.glob("handbook-site-*"))
        # Secure cookies, so the browser sends them only over the proxy's HTTPS (sent by hand here).
        http = httpx.Client(base_url=base, timeout=60)
        page = http.get("/intake/login")
        assert all("secure" in c.lower() for c in page.headers.get_list("set-cookie"))
        jar = cookie_pairs(page)
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)

        # X-Forwarded-For from the proxy is trusted: six guessers are six addresses, none is stopped.
        for n in range(6):
            r = http.post("/intake/login", data={"csrf": token, "name": f"nobody{n}", "password": "guess-guess"},
                          headers={"X-Forwarded-For": f"10.0.0.{n}", "Cookie": _cookies(jar)})
            assert r.status_code == 401, r.text

        r = http.post("/intake/login", data={"csrf": token, "name": "clerk", "password": "password-1"},
                      headers={"Cookie": _cookies(jar), "X-Forwarded-Proto": "https"})
        assert r.status_code == 303
        jar = cookie_pairs(r)
        page = http.get("/intake/", headers={"Cookie": _cookies(jar)})
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = http.post("/intake/upload", data={"csrf": token, "form": "complaint-log", "site": SITE, "month": "2026-10"},
                      files={"file": ("投诉.csv", complaint_csv([good_row(1)], handbook), "text/csv")},
                      headers={"Cookie": _cookies(jar)})
        assert "已入库" in r.text
        # After the rebuild the old site waits 30 s for removal; stopping must not wait for that.
        assert wait_for(lambda: "已是最新" in http.get("/intake/status", headers={"Cookie": _cookies(jar)})
                        .json()["message"], 180)
    finally:
        proc.send_signal(signal.SIGTERM)
        start = time.monotonic()
        code = proc.wait(timeout=60)
        stopped_in = time.monotonic() - start
    assert code == 0, proc.stdout.read()
    assert stopped_in < 15
    assert not list(scratch.glob("handbook-site-*")), "the built site was left in the temporary folder"


def _cookies(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())
