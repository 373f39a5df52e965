"""Shared fixtures: the real handbook, one real site build, a local server, headless Chromium."""

from __future__ import annotations

import contextlib
import functools
import io
import json
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
    """The staff site, built once per session and only read by the tests that use it (directly or
    through site_url). Built against an empty records folder, so it is the same site whether or not
    this checkout has a data/records store of its own."""
    out = tmp_path_factory.mktemp("site")
    with data_dir_env(tmp_path_factory.mktemp("no-records") / "records"):
        assert handbook_main(["--root", str(ROOT), "build", "--strict", "--site-dir", str(out)]) == 0
    return out


def copy_project(dest: Path) -> Path:
    """A scratch copy of the sources, for tests that break or edit them."""
    for name in ("mkdocs.yml", "organisation.yml", "sites.yml"):
        shutil.copy(ROOT / name, dest / name)
    for name in ("procedures", "docs", "data", "forms"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("records"))
    return dest


@contextlib.contextmanager
def data_dir_env(path: Path):
    """Point HANDBOOK_DATA_DIR (the build's 月度统计 source) at a folder for the duration."""
    old = os.environ.get("HANDBOOK_DATA_DIR")
    os.environ["HANDBOOK_DATA_DIR"] = str(path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("HANDBOOK_DATA_DIR", None)
        else:
            os.environ["HANDBOOK_DATA_DIR"] = old


# ---------------------------------------------------------------- one sample store and its site per session
# `handbook sample` → `handbook ingest --batch` → `handbook build`, as `make run` does it (about a minute
# of ingesting): built once and shared by every test that only reads them (test_records_site,
# test_statistics_pages). A test that changes a store or site works on its own copy.
SAMPLE_MONTHS, SAMPLE_SITES, SAMPLE_SEED, SAMPLE_END = 12, 2, 2026, "2026-10"
SAMPLE_UNFILED = "翠微苑管理处"


@pytest.fixture(scope="session")
def sample_files(tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("sample")
    listing = out / "sample.json"
    data = out / "store"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = handbook_main(["--root", str(ROOT), "sample", "--out", str(out / "files"), "--months", str(SAMPLE_MONTHS),
                              "--sites", str(SAMPLE_SITES), "--seed", str(SAMPLE_SEED), "--end", SAMPLE_END,
                              "--data-dir", str(data), "--json"])
    assert code == 0
    # its fictional 管理处 are registered in the data dir it is meant for, from its first month on
    assert "first_month: 2025-11" in (data / "sites.yml").read_text(encoding="utf-8")
    listing.write_text(buf.getvalue(), encoding="utf-8")
    return listing, json.loads(buf.getvalue())


@pytest.fixture(scope="session")
def sample_store(sample_files) -> Path:
    data = sample_files[0].parent / "store"
    # exit 0 means every sample file passed validation and was stored
    assert handbook_main(["--root", str(ROOT), "ingest", "--batch", str(sample_files[0]), "--data-dir", str(data)]) == 0
    # the last month is partly filed: one 管理处's 报修登记表 is taken back
    assert handbook_main(["--root", str(ROOT), "withdraw", "--form", "repair-log", "--site", SAMPLE_UNFILED,
                          "--month", SAMPLE_END, "--data-dir", str(data)]) == 0
    return data


@pytest.fixture(scope="session")
def sample_site(sample_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site-with-data")
    with data_dir_env(sample_store):
        assert handbook_main(["--root", str(ROOT), "build", "--strict", "--site-dir", str(out)]) == 0
    return out


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


# ---------------------------------------------------------------- two workers (make test: pytest -n 2 --dist loadgroup)
SAMPLE_FIXTURES = {"sample_files", "sample_store", "sample_site"}


@pytest.hookimpl(tryfirst=True)       # before pytest-xdist reads the marks (it turns them into @group node ids)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, tests that share an expensive fixture run on one worker, so it is made once:
    every test reading the sample store or its site (about a minute to make) in group "sample", and the
    tests of a module with a module-scoped fixture (a started server, a built wheel, a git history and
    its site) together. Session fixtures that every part of the suite reads (the site, Chromium) are
    made once per worker. Without xdist the marks do nothing."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        info = getattr(item, "_fixtureinfo", None)
        if SAMPLE_FIXTURES & set(getattr(item, "fixturenames", ())):
            group = "sample"
        elif info and any(defs[-1].scope == "module" for defs in info.name2fixturedefs.values() if defs):
            group = item.module.__name__
        else:
            continue
        item.add_marker(pytest.mark.xdist_group(group))


def register_sites(data_dir: Path, *names: str, first_month: str = "2025-01", pool: tuple[str, ...] = (),
                   households: dict[str, int] | None = None) -> Path:
    """Give a test data dir its own 管理处 registry (as `handbook sample --data-dir` does)."""
    from handbook.records.store.registry import FILE, write_registry

    write_registry(Path(data_dir) / FILE, list(names), first_month, set(pool), households=households)
    return Path(data_dir)
