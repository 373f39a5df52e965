"""Shared fixtures: the real handbook, one real site build, a local server, headless Chromium."""

from __future__ import annotations

import functools
import os
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from handbook.cli import main as handbook_main
from handbook.loader import load_handbook

ROOT = Path(os.environ.get("HANDBOOK_ROOT") or Path(__file__).resolve().parent.parent)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def handbook():
    return load_handbook(ROOT)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    assert handbook_main(["--root", str(ROOT), "build", "--strict", "--site-dir", str(out)]) == 0
    return out


def copy_project(dest: Path) -> Path:
    """A scratch copy of the sources, for tests that break or edit them."""
    for name in ("mkdocs.yml", "organisation.yml", "sites.yml"):
        shutil.copy(ROOT / name, dest / name)
    for name in ("procedures", "docs", "data", "forms"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("records"))
    return dest


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(site_dir):
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def register_sites(data_dir: Path, *names: str, first_month: str = "2025-01", pool: tuple[str, ...] = ()) -> Path:
    """Give a test data dir its own 管理处 registry (as `handbook sample --data-dir` does)."""
    from handbook.records.store.registry import FILE, write_registry

    write_registry(Path(data_dir) / FILE, list(names), first_month, set(pool))
    return Path(data_dir)
