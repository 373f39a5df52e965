"""The server keeps going: failed rebuilds, edited forms, an unwritable store; parked files stay private."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conftest import ROOT, copy_project, register_sites
from handbook.records.store.catalogue import DATA_DIR_ENV
from handbook.web.accounts import Accounts
from handbook.web.app import create_app
from test_intake import (SITE, app, clerk, complaint_csv, csrf, data_dir, good_row, login,  # noqa: F401
                         text, upload)


def wait_until(predicate, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_site_builder_survives_any_exception_and_keeps_the_last_site(app, data_dir, monkeypatch):
    import mkdocs.commands.build as mkdocs_build

    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir))
    builds = []

    def build(config):
        builds.append(config["site_dir"])
        if len(builds) == 2:
            raise RuntimeError("a bug in one build")
        Path(config["site_dir"]).mkdir(parents=True)
        (Path(config["site_dir"]) / "index.html").write_text(f"<h1>第 {len(builds)} 版</h1>", encoding="utf-8")

    monkeypatch.setattr(mkdocs_build, "build", build)
    builder = app.state.intake.builder
    client = TestClient(app)
    try:
        assert builder.build_now()
        builder.start(None)
        builder.request()
        wait_until(lambda: len(builds) == 2 and not builder.building)
        assert "失败" in builder.status()["message"]
        assert "第 1 版" in client.get("/").text                # the previous site is still served
        builder.request()
        wait_until(lambda: len(builds) == 3 and not builder.building, timeout=10)
        assert "已是最新" in builder.status()["message"]
        assert "第 3 版" in client.get("/").text
    finally:
        builder.stop()


def test_a_form_edit_is_seen_by_the_next_upload(tmp_path, handbook):
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    data = register_sites(tmp_path / "records", SITE)
    Accounts(data).add("clerk", "password-1", [SITE], admin=False)
    client = TestClient(create_app(project, data, secret="test-secret", build=False))
    login(client)
    content = complaint_csv([good_row(1, "测试类")], handbook)
    r = upload(client, content)
    assert r.status_code == 422 and "测试类" in text(r)

    form = project / "forms" / "complaint-log.yaml"
    source = form.read_text(encoding="utf-8")
    assert "enum: [服务类, 工程类" in source
    form.write_text(source.replace("enum: [服务类, 工程类", "enum: [测试类, 服务类, 工程类"), encoding="utf-8")
    r = upload(client, content)
    assert r.status_code == 200 and "已入库" in text(r), text(r)


@contextmanager
def unwritable(folder: Path):
    """Make a folder and everything in it unwritable, even for root (immutable attribute)."""
    if os.geteuid() != 0:
        paths = [folder, *folder.rglob("*")]
        for p in paths:
            p.chmod(0o500 if p.is_dir() else 0o400)
        try:
            yield
        finally:
            for p in paths:
                p.chmod(0o700 if p.is_dir() else 0o600)
        return
    if subprocess.run(["chattr", "-R", "+i", str(folder)], capture_output=True).returncode != 0:
        subprocess.run(["chattr", "-R", "-i", str(folder)], capture_output=True)
        pytest.skip("this file system cannot mark files immutable")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-R", "-i", str(folder)], check=True)


def test_an_unwritable_store_gives_a_chinese_page_without_server_paths(clerk, handbook, data_dir):
    assert upload(clerk, complaint_csv([good_row(1)], handbook)).status_code == 200
    token = csrf(clerk, "/intake/")
    # the upload's background statistics writer must be done before the folder is frozen (frozen mid-commit,
    # SQLite's mapped file gave the whole test process a SIGBUS)
    for t in threading.enumerate():
        if t.name == "statistics-warm":
            t.join(timeout=60)
    with unwritable(data_dir):
        for r in (upload(clerk, complaint_csv([good_row(1), good_row(2)], handbook), token=token),
                  upload(clerk, complaint_csv([good_row(1, "错")], handbook), token=token),
                  clerk.get("/intake/")):
            assert r.status_code in (500, 503)
            assert "记录库暂时无法" in r.text
            assert str(data_dir) not in r.text and "/tmp" not in r.text and "Traceback" not in r.text


def test_parked_replacements_are_private(clerk, handbook, data_dir):
    assert upload(clerk, complaint_csv([good_row(1)], handbook)).status_code == 200
    r = upload(clerk, complaint_csv([good_row(1), good_row(2)], handbook))
    assert "确认替换" in r.text
    pending = data_dir / "pending"
    assert stat.S_IMODE(pending.stat().st_mode) == 0o700
    files = list(pending.iterdir())
    assert len(files) == 2 and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    token = re.search(r'name="token" value="([^"]+)"', r.text).group(1)
    assert clerk.post("/intake/confirm", data={"csrf": csrf(clerk, "/intake/"), "token": token}).status_code == 200
