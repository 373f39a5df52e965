"""The 修订 page: what changed in procedures/, newest first, clause by clause with the wording before and after."""

from __future__ import annotations

import functools
import http.server
import subprocess
import threading
from pathlib import Path

import pytest

from conftest import copy_project
from handbook.cli import main as handbook_main
from handbook.site import revisions

CHANGE = "3.1: 接班提前10分钟，交接班后签名确认"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=测试", "-c", "user.email=test@example.invalid", *args],
                          cwd=cwd, check=True, capture_output=True, text=True).stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def history_repo(tmp_path_factory) -> Path:
    """A copied project in its own repository: the handbook as it is, then one change to 3.1."""
    root = copy_project(tmp_path_factory.mktemp("revisions"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "首次录入手册")
    f = root / "procedures" / "3.1-duty-handover.yml"
    edit(f, "接班人员提前5分钟赶到", "接班人员提前10分钟赶到")
    edit(f, "revision: 0", "revision: 1")
    edit(f, '    change: 首次发布\n', '    change: 首次发布\n  - version: "1/1"\n    date: "2026-12"\n    change: 接班提前时间改为10分钟\n')
    edit(f, "    text: 本规程作为客服中心员工绩效考评的依据之一。\n",
         "    text: 本规程作为客服中心员工绩效考评的依据之一。\n  - n: \"4.4\"\n    text: 交接班完成后，交接双方在交接班记录表上签名确认。\n")
    git(root, "commit", "-q", "-am", CHANGE)
    return root


def serve(directory: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def history_site(history_repo, tmp_path_factory):
    out = tmp_path_factory.mktemp("revisions-site")
    assert handbook_main(["--root", str(history_repo), "build", "--strict", "--site-dir", str(out)]) == 0
    server, url = serve(out)
    yield url
    server.shutdown()


def test_history_compares_clauses_of_each_commit(history_repo):
    hist = revisions.history(history_repo / "procedures", history_repo / revisions.CACHE)
    assert hist.available and hist.complete
    newest, first = hist.commits
    assert newest.subject == CHANGE and first.subject == "首次录入手册"
    [chapter] = newest.chapters
    assert (chapter.chapter, chapter.version, chapter.status) == ("3.1", "1/1", "修改")
    assert chapter.revision_note == "1/1 2026-12 接班提前时间改为10分钟"
    changed = {c.sid: (c.before, c.after) for c in chapter.clauses}
    assert changed == {
        "4.2.1": ("接班：接班人员提前5分钟赶到客服中心进行岗位交接工作；", "接班：接班人员提前10分钟赶到客服中心进行岗位交接工作；"),
        "4.4": (None, "交接班完成后，交接双方在交接班记录表上签名确认。"),
    }
    assert chapter.other == []                           # the new version is said by the 修订记录 entry
    assert {c.status for c in first.chapters} == {"新增"} and len(first.chapters) == 37
    # Later builds read each commit's changes from the cache: the same answer.
    cached = revisions.history(history_repo / "procedures", history_repo / revisions.CACHE)
    assert [(c.sha, c.chapters) for c in cached.commits] == [(c.sha, c.chapters) for c in hist.commits]


@pytest.mark.browser
def test_the_revisions_page_shows_a_change_with_its_wording_before_and_after(browser, history_site):
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    page.goto(history_site)
    page.locator(".hb-parts a", has_text="修订").click()
    page.wait_for_url("**/handbook/revisions/")
    assert page.locator("article h1").inner_text() == "修订"
    headings = [t.strip() for t in page.locator("article h2").all_inner_texts()]
    assert len(headings) == 2 and headings[0].endswith("· 3.1") and "37 章" in headings[1]   # newest first
    entry = page.locator("article .hb-rev-chapter").first
    assert "3.1 客服中心值班与交接班作业规程" in entry.inner_text() and "版本 1/1" in entry.inner_text()
    assert "修订记录：1/1 2026-12 接班提前时间改为10分钟" in entry.inner_text()
    assert CHANGE in page.locator("article .hb-rev-meta").first.inner_text()
    clause = entry.locator(".hb-rev-clause", has_text="第4.2.1条")
    assert clause.locator(".hb-rev-before .hb-rev-text").inner_text() == "接班：接班人员提前5分钟赶到客服中心进行岗位交接工作；"
    assert clause.locator(".hb-rev-after .hb-rev-text").inner_text() == "接班：接班人员提前10分钟赶到客服中心进行岗位交接工作；"
    assert clause.locator("del").inner_text() == "5" and clause.locator("ins").inner_text() == "10"
    added = entry.locator(".hb-rev-clause", has_text="第4.4条")
    assert "新增" in added.inner_text() and "签名确认" in added.locator("ins").inner_text()
    # The clause leads to where it now stands in its chapter.
    clause.locator(".hb-rev-where a").click()
    page.wait_for_url("**/handbook/3.1-duty-handover/#c-4.2.1")
    assert "提前10分钟" in page.locator("#c-4\\.2\\.1 > p").inner_text()
    page.context.close()


@pytest.mark.browser
def test_the_revisions_page_is_in_the_handbook_section(page, site_url):
    page.goto(site_url + "handbook/revisions/")
    assert page.locator(".md-tabs__item--active").inner_text().strip() == "手册"
    assert page.locator(".md-nav--primary a.md-nav__link--active").inner_text().strip() == "修订"
    assert page.locator("article h2").count() >= 1        # this repository has history


def test_no_history_says_so(tmp_path, handbook):
    root = copy_project(tmp_path)                        # plain files, no repository
    hist = revisions.history(root / "procedures", root / revisions.CACHE)
    assert not hist.available and hist.commits == []
    assert "无版本历史" in revisions.page(handbook, hist, True)


def test_a_shallow_clone_builds_and_says_it_has_no_history(history_repo, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", history_repo.as_uri(), str(clone)], check=True)
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    hist = revisions.history(clone / "procedures")
    assert not hist.available          # its one commit has no parent here: not "37 chapters added"
    out = tmp_path / "site"
    assert handbook_main(["--root", str(clone), "build", "--site-dir", str(out)]) == 0
    html = (out / "handbook" / "revisions" / "index.html").read_text(encoding="utf-8")
    assert "无版本历史" in html and "hb-rev-chapter" not in html
