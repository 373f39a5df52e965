"""Approving what issue 14 left waiting, on a copy of the tree: chapter 3.2 with the text its 1/1 adds to the
seed (补写, `added: "1/1"`), and forms, whose review and approval now write rows of their own revision table.

The committed tree stays unsigned; here 甲乙丙丁 sign a scratch copy, and one real `handbook build` of it
shows what readers and the printed copies show afterwards."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from conftest import copy_project, data_dir_env
from handbook.cli import main
from handbook.forms.publish import artifact_paths
from handbook.loader import load_handbook
from test_document_control import data, edit, run, snapshot

CHAPTER = "procedures/3.2-move-in.yml"
FORMS_OF_3_2 = ["move-in-inspection", "move-in-docs", "key-register", "fee-collection-log", "callback-log"]
FORM = "move-in-docs"
ADDED = re.compile(r'<span class="hb-badge hb-badge-added" title="([^"]*)">([^<]*)</span>')


def approve(project: Path, capsys, ident: str, by: str, date: str, review: bool = False) -> tuple[int, str]:
    return run(project, capsys, "approve", ident, "--by", by, "--date", date, *(["--review"] if review else []))


def sign_forms(project: Path, capsys) -> None:
    for form in FORMS_OF_3_2:
        assert approve(project, capsys, form, "甲", "2026-12-01", review=True)[0] == 0
        assert approve(project, capsys, form, "乙", "2026-12-02")[0] == 0


def clause_block(html: str, sid: str) -> str:
    """The clause's own paragraph (its number, badges and text), without its children."""
    return re.search(rf'<div class="hb-clause[^"]*" id="c-{re.escape(sid)}">\s*<p>(.*?)</p>', html, re.S).group(1)


# ---------------------------------------------------------------- 3.2: the added text is approved with the chapter
def test_3_2_is_approved_with_its_additions_and_the_seed_text_untouched(tmp_path, capsys):
    project = copy_project(tmp_path)
    path = project / CHAPTER
    before = path.read_text(encoding="utf-8")
    assert approve(project, capsys, "3.2", "丙", "2026-12-03", review=True)[0] == 0

    # Its forms are not approved yet: a 现行 3.2 would cite 待审 forms, so the approval is undone.
    reviewed = snapshot(project)
    code, out = approve(project, capsys, "3.2", "丁", "2026-12-04")
    assert code == 1 and "已恢复原样" in out
    assert "第 3.2 章的状态是“现行”，但所列记录表单 KF-3.2-21 入伙房屋验收表（move-in-inspection） 的状态是“待审”" in out
    assert snapshot(project) == reviewed

    sign_forms(project, capsys)
    code, out = approve(project, capsys, "3.2", "丁", "2026-12-04")
    assert code == 0, out
    chapter = data(path)
    assert (chapter["status"], chapter["version"], chapter["revision"]) == ("现行", 1, 1)
    assert chapter["approved"] == {"name": "丁", "date": "2026-12-04"}
    assert chapter["revisions"][-1] == {"version": "1/1", "date": "2026-12-04", "change": "批准发布（批准：丁）"}
    assert run(project, capsys, "check")[0] == 0

    # Only header lines changed; every clause, seed or added, reads as before.
    after = path.read_text(encoding="utf-8").splitlines()
    assert [line for line in before.splitlines() if line not in after] == ["issued: \"2008\"", "status: 待审"]
    handbook = load_handbook(project)
    proc = handbook.by_chapter["3.2"]
    added = [c for c in proc.clauses() if c.added]
    assert len(added) == 31 and all(c.added == "1/1" and proc.addition_approved(c) for c in added)
    assert not proc.clause("4.2.2").added and not proc.clause("4.2.1").added


def test_a_chapter_with_draft_text_is_still_refused(tmp_path, capsys):
    """补写 text the drafters still mark draft: true cannot become 现行 with the chapter."""
    project = copy_project(tmp_path)
    sign_forms(project, capsys)
    assert approve(project, capsys, "3.2", "丙", "2026-12-03", review=True)[0] == 0
    edit(project / CHAPTER, '      - n: "4.3.4"\n        text: 统计', '      - n: "4.3.4"\n        draft: true\n        text: 统计')
    before = snapshot(project)
    code, out = approve(project, capsys, "3.2", "丁", "2026-12-04")
    assert code == 1 and "已恢复原样" in out
    assert "第 3.2 章的状态是“现行”，但条款 4.3.4 仍是草案（draft: true）" in out
    assert snapshot(project) == before and data(project / CHAPTER)["status"] == "待审"


@pytest.mark.parametrize("added,says", [
    ("1/0", "标为 1/0 版补写（added），但修订记录中它是首次发布的版本"),
    ("1/5", "标为 1/5 版补写（added），但修订记录中没有 1/5 版"),
])
def test_an_addition_names_a_later_version_of_the_revision_table(tmp_path, capsys, added, says):
    project = copy_project(tmp_path)
    edit(project / CHAPTER, 'added: "1/1"', f'added: "{added}"')
    code, out = run(project, capsys, "check")
    assert code == 1 and f"第 3.2 章条款 4.2.3 {says}" in out


# ---------------------------------------------------------------- forms: review and approval rows
def test_a_forms_review_and_approval_write_its_revision_table(tmp_path, capsys):
    project = copy_project(tmp_path)
    path = project / "forms" / f"{FORM}.yaml"
    before = path.read_text(encoding="utf-8")
    assert "revisions" not in data(path)
    assert approve(project, capsys, FORM, "甲", "2026-12-01", review=True)[0] == 0
    assert data(path)["revisions"] == [{"version": "0/1", "date": "2026-12-01", "change": "审核通过，送批准（审核：甲）"}]
    assert approve(project, capsys, FORM, "乙", "2026-12-02")[0] == 0
    form = data(path)
    assert form["version"] == "1/0" and form["status"] == "现行"
    assert form["revisions"] == [
        {"version": "0/1", "date": "2026-12-01", "change": "审核通过，送批准（审核：甲）"},
        {"version": "1/0", "date": "2026-12-02", "change": "批准发布（批准：乙）"},
    ]
    after = path.read_text(encoding="utf-8").splitlines()
    assert [line for line in before.splitlines() if line not in after] == ['version: "0/1"', "status: 待审"]
    assert run(project, capsys, "check")[0] == 0
    assert load_handbook(project).form_by_id[FORM].effective == "2026-12-02"


def test_check_refuses_a_form_version_missing_from_its_revision_table(tmp_path, capsys):
    project = copy_project(tmp_path)
    assert approve(project, capsys, FORM, "甲", "2026-12-01", review=True)[0] == 0
    edit(project / "forms" / f"{FORM}.yaml", 'version: "0/1"', 'version: "0/2"')
    code, out = run(project, capsys, "check")
    assert code == 1
    assert "表单 KF-3.2-22 入伙资料清单（move-in-docs） 的版本是 0/2，但修订记录的最后一行是 0/1" in out


# ---------------------------------------------------------------- what readers and printed copies show
@pytest.fixture(scope="module")
def signed_site(tmp_path_factory) -> tuple[Path, Path]:
    """A copy with 3.2 and its forms approved, built as `handbook build` builds the staff site."""
    project = copy_project(tmp_path_factory.mktemp("signed"))
    for args in ([[f, "--by", "甲", "--date", "2026-12-01", "--review"] for f in FORMS_OF_3_2]
                 + [[f, "--by", "乙", "--date", "2026-12-02"] for f in FORMS_OF_3_2]
                 + [["3.2", "--by", "丙", "--date", "2026-12-03", "--review"], ["3.2", "--by", "丁", "--date", "2026-12-04"]]):
        assert main(["--root", str(project), "approve", *args]) == 0, args
    out = tmp_path_factory.mktemp("signed-site")
    with data_dir_env(tmp_path_factory.mktemp("no-records") / "records"):
        assert main(["--root", str(project), "build", "--strict", "--site-dir", str(out)]) == 0
    return project, out


def _header(html: str) -> dict[str, str]:
    block = re.search(r'<div class="hb-doc-header.*?</div>', html, re.S).group(0)
    return {k: unescape(v) for k, v in re.findall(r'hb-h-label">(.*?)</span>\s*<span class="hb-h-value">(.*?)</span>', block)}


def test_the_approved_3_2_page_and_printed_book_still_mark_the_added_text(signed_site):
    _, site = signed_site
    html = (site / "handbook/3.2-move-in/index.html").read_text(encoding="utf-8")
    cells = _header(html)
    assert (cells["状态"], cells["版本/修订"], cells["批准"]) == ("现行", "1/1", "丁 2026-12-04")
    assert "hb-pending" not in html and "hb-draft" not in html
    badges = ADDED.findall(html)
    assert len(badges) == 31 and {b for _, b in badges} == {"1/1版补写"}
    assert badges[0][0] == "1/0版没有这段文字，1/1版补写，已随该版批准"
    assert ADDED.search(clause_block(html, "4.2.3")) and 'hb-clause hb-clause-added" id="c-4.2.3"' in html
    for seed in ("4.2.1", "4.2.2", "4.1", "3.1"):
        assert "hb-badge" not in clause_block(html, seed), seed
    book = (site / "handbook/print/index.html").read_text(encoding="utf-8")
    chapter = re.search(r'data-chapter="3.2".*?</table>', book, re.S).group(0)
    assert len(ADDED.findall(chapter)) == 31 and "hb-h-value\">现行" in chapter


def test_the_approved_form_shows_its_revisions_on_the_page_and_the_printout(signed_site):
    project, site = signed_site
    html = (site / f"forms/{FORM}/index.html").read_text(encoding="utf-8")
    cells = _header(html)
    assert (cells["版本"], cells["生效日期"], cells["状态"], cells["批准"]) == ("1/0", "2026-12-02", "现行", "乙 2026-12-02")
    table = re.search(r'<div class="hb-revisions".*?</table>', html, re.S).group(0)
    rows = [re.findall(r"<td>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]
    assert rows == [["0/1", "2026-12-01", "审核通过，送批准（审核：甲）"], ["1/0", "2026-12-02", "批准发布（批准：乙）"]]
    form = load_handbook(project).form_by_id[FORM]
    printed = (site / artifact_paths(form)["print"]).read_text(encoding="utf-8")
    first = re.search(r'<table class="doc-header">\s*<tr>(.*?)</tr>', printed, re.S).group(1)
    assert "<td>1/0</td>" in first and '<td class="k">生效日期</td><td>2026-12-02</td>' in first
    assert '@bottom-left { content: "合肥东宇物业管理有限公司 · KF-3.2-22 · 版本 1/0 · 生效日期 2026-12-02"' in printed


def test_the_committed_tree_shows_the_additions_as_awaiting_approval(site_dir):
    """Unsigned, 3.2's added text says so; a form without rows says it has none yet."""
    html = (site_dir / "handbook/3.2-move-in/index.html").read_text(encoding="utf-8")
    badges = ADDED.findall(html)
    assert len(badges) == 31 and {b for _, b in badges} == {"1/1版补写·待批准"}
    assert "尚未批准" in badges[0][0]
    form = (site_dir / f"forms/{FORM}/index.html").read_text(encoding="utf-8")
    assert _header(form)["生效日期"] == "未生效" and "尚无修订记录" in form
