"""The package as it ships: a wheel, installed in a fresh virtual environment, builds and serves the site.

Everything the code reads from its own folder (print templates, the site's CSS and search script, the
upload page's templates and static files) must be in the wheel (pyproject.toml package-data). Run from
a scratch project folder, never from this checkout, so nothing can be picked up from scripts/.

The wheel's dependencies are not downloaded again (a minute or more): the fresh environment links to the
packages already installed in this one, minus this project's own editable install, and `pip check`
confirms they satisfy what the wheel declares.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from conftest import ROOT, copy_project
from test_serve import fetch, free_port, wait_for

pytestmark = pytest.mark.wheel
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]


def run(cmd, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300, **kwargs)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`pip wheel` of a clean copy of the sources (no egg-info, no caches from the editable install)."""
    src = tmp_path_factory.mktemp("wheel-src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "scripts", src / "scripts", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    # The build backend already installed here (the test extras require a setuptools that satisfies
    # [build-system]; pip checks that), so no build environment is downloaded.
    run([*PIP, "wheel", "--no-deps", "--no-build-isolation", "--check-build-dependencies", "-q", "-w", out, src])
    [built] = out.glob("handbook-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh_env(wheel, tmp_path_factory) -> Path:
    env = tmp_path_factory.mktemp("fresh") / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env)
    python = env / "bin" / "python"
    target = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    # This project's installed dependencies, linked in; its own (editable) install left out.
    ours = Path(sysconfig.get_path("purelib"))
    for entry in ours.iterdir():
        if entry.name.startswith(("handbook", "__editable__", "__pycache__")):
            continue
        (target / entry.name).symlink_to(entry)
    run([*PIP, "--python", python, "install", "-q", "--no-deps", wheel])
    run([*PIP, "--python", python, "check"])
    return env


def test_the_wheel_holds_every_file_the_code_reads(wheel):
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "scripts" / "handbook"
    wanted = {f"handbook/{p.relative_to(package).as_posix()}" for p in package.rglob("*")
              if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert sorted(wanted - names) == []


def test_installed_wheel_builds_and_serves_the_site(fresh_env, tmp_path):
    # procedures/, forms/, data/, docs/, mkdocs.yml, organisation.yml, sites.yml: one copy for `handbook build`,
    # one for `handbook serve`, which builds its own site at start; the two run side by side (each is a
    # full site build, mostly on one core)
    (tmp_path / "build").mkdir()
    (tmp_path / "serve").mkdir()
    project = copy_project(tmp_path / "build")
    served = copy_project(tmp_path / "serve")
    bin_dir = fresh_env / "bin"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "HANDBOOK_DATA_DIR", "HANDBOOK_ROOT")}
    env.update(PYTHONUNBUFFERED="1", PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}")

    # The package is the wheel's, not this checkout's.
    where = run([bin_dir / "python", "-c", "import handbook; print(handbook.__file__)"], cwd=project, env=env).stdout
    assert Path(where.strip()).is_relative_to(fresh_env)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with open(log, "w", encoding="utf-8") as out:
        server = subprocess.Popen([str(bin_dir / "handbook"), "serve", "--port", str(port), "--data-dir",
                                   str(tmp_path / "records")], cwd=served, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        built = run([bin_dir / "handbook", "build"], cwd=project, env=env)
        assert "检查通过" in built.stdout and "网站已生成" in built.stdout
        site = project / "site"
        assert "客服中心工作手册" in (site / "index.html").read_text(encoding="utf-8")
        assert "客服前台岗位职责" in (site / "handbook" / "1.2-front-desk" / "index.html").read_text(encoding="utf-8")
        assert (site / "assets" / "handbook" / "handbook.css").is_file()                          # site/handbook.css
        [worker] = (site / "assets" / "javascripts" / "workers").glob("search.*.min.js")
        assert "__handbookForms" in worker.read_text(encoding="utf-8")                            # site/search_segment.js
        assert "投诉处理记录表" in (site / "print" / "complaint-log.html").read_text(encoding="utf-8")  # forms/templates
        assert (site / "downloads" / "complaint-log.xlsx").is_file()

        login = wait_for(lambda: fetch(base + "/intake/login"), 180)      # fetch gives text only for a 2xx answer
        assert login, "the server did not answer 200"
        assert "<h1>登录记录上传</h1>" in login and "用户名" in login and "密码" in login    # web/templates
        assert "/intake/static/intake.css" in login
        assert "font-family" in (fetch(base + "/intake/static/intake.css") or "")                  # web/static
        # the staff site, built by the server itself
        assert wait_for(lambda: "客服中心工作手册" in (fetch(base + "/") or ""), 180), "the site was not served"
    finally:
        server.terminate()
        server.wait(timeout=30)
    output = log.read_text(encoding="utf-8")
    assert "Traceback" not in output, output
