"""`handbook serve`: a local preview that rebuilds when a procedure's YAML changes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import copy_project


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8")
    except OSError:
        return None


def wait_for(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return None


def test_serve_live_reloads_a_yaml_edit(tmp_path):
    project = copy_project(tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}/handbook/1.2-front-desk/"
    proc = subprocess.Popen(
        [sys.executable, "-m", "handbook", "--root", str(project), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        html = wait_for(lambda: fetch(url), 120)
        assert html and "客服前台岗位职责" in html
        f = project / "procedures/1.2-front-desk.yml"
        f.write_text(f.read_text(encoding="utf-8").replace("认真接听客户电话", "认真接听业主来电"), encoding="utf-8")
        assert wait_for(lambda: "认真接听业主来电" in (fetch(url) or ""), 120), "page not rebuilt after YAML edit"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_reports_a_busy_port_in_chinese(tmp_path):
    project = copy_project(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "handbook", "--root", str(project), "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=120,
        )
    assert proc.returncode == 2
    assert "请换一个端口" in proc.stderr and "Traceback" not in proc.stderr
