"""A slow upload is validated in a worker thread: the server keeps answering everyone else."""

from __future__ import annotations

import re
import threading
import time

import httpx
import pytest
import uvicorn

import handbook.web.app as web
from conftest import ROOT
from handbook.web.cli import server_config
from test_intake import SITE, complaint_csv, data_dir, good_row  # noqa: F401  (fixtures)
from test_serve import free_port


@pytest.fixture
def live(data_dir):
    """The real app under a real uvicorn, configured as `handbook serve` configures it."""
    app = web.create_app(ROOT, data_dir, secret="test-secret", build=False)
    port = free_port()
    server = uvicorn.Server(server_config(app, "127.0.0.1", port, proxy=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


def logged_in_client(base: str, name="clerk", password="password-1") -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=True)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/intake/login").text).group(1)
    assert client.post("/intake/login", data={"csrf": token, "name": name, "password": password}).status_code == 200
    return client


def test_other_requests_are_answered_while_an_upload_is_validated(live, handbook, monkeypatch):
    real = web.check_bytes
    started = threading.Event()

    def slow_check(*args, **kwargs):
        started.set()
        time.sleep(3)                      # blocking work, as a huge spreadsheet would be
        return real(*args, **kwargs)

    monkeypatch.setattr(web, "check_bytes", slow_check)
    clerk = logged_in_client(live)
    token = re.search(r'name="csrf" value="([^"]+)"', clerk.get("/intake/").text).group(1)
    result = {}

    def do_upload():
        result["response"] = clerk.post("/intake/upload", data={"csrf": token, "form": "complaint-log", "site": SITE,
                                                                 "month": "2026-10"},
                                        files={"file": ("投诉.csv", complaint_csv([good_row(1)], handbook), "text/csv")})

    uploader = threading.Thread(target=do_upload)
    uploader.start()
    assert started.wait(10)
    worst = 0.0
    with httpx.Client(base_url=live, timeout=10) as other:
        for _ in range(5):
            t0 = time.monotonic()
            assert other.get("/intake/login").status_code == 200
            worst = max(worst, time.monotonic() - t0)
            time.sleep(0.2)
    uploader.join(timeout=30)
    assert worst < 0.5, f"GET /intake/login took {worst:.2f} s during validation"
    assert "已入库" in result["response"].text


def test_forwarded_headers_are_not_trusted_by_default(live):
    client = httpx.Client(base_url=live, timeout=30)
    for n in range(5):
        r = failed_login(client, f"10.0.0.{n}", f"nobody{n}")
        assert r.status_code == 401
    # Every attempt came from 127.0.0.1 whatever X-Forwarded-For said, so that address is now stopped.
    assert failed_login(client, "10.0.0.99", "nobody99").status_code == 429


def failed_login(client: httpx.Client, forwarded_for: str, name: str) -> httpx.Response:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/intake/login").text).group(1)
    return client.post("/intake/login", data={"csrf": token, "name": name, "password": "guess-guess"},
                       headers={"X-Forwarded-For": forwarded_for})
