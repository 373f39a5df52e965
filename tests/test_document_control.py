"""Document control as data: 编制/审核/批准 and the status 草案 → 待审 → 现行, recorded by `handbook approve`,
enforced by `handbook check`, shown on pages, printouts and the 待审 list."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
import yaml

from conftest import copy_project
from handbook.cli import main
from handbook.forms.publish import artifact_paths
from handbook.loader import load_handbook
from handbook.site import pending
from handbook.site.pages import PageWriter


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path)


def run(project: Path, capsys, *args: str) -> tuple[int, str]:
    code = main(["--root", str(project), *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def snapshot(project: Path) -> dict[str, str]:
    return {str(p.relative_to(project)): p.read_text(encoding="utf-8")
            for d in ("procedures", "forms") for p in sorted((project / d).iterdir())}


def data(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in l)


CHAPTER_31 = "procedures/3.1-duty-handover.yml"
FORM = "forms/handover-log.yaml"


# ---------------------------------------------------------------- approve: the happy path
def test_review_then_approval_of_a_form_and_its_chapter(project, capsys):
    before = (project / CHAPTER_31).read_text(encoding="utf-8")
    assert run(project, capsys, "approve", "handover-log", "--by", "甲", "--review", "--date", "2026-12-01")[0] == 0
    assert data(project / FORM)["status"] == "待审"
    code, out = run(project, capsys, "approve", "handover-log", "--by", "乙", "--date", "2026-12-02")
    assert code == 0 and "现行" in out
    form = data(project / FORM)
    assert form["status"] == "现行" and form["version"] == "1/0"
    assert form["reviewed"] == {"name": "甲", "date": "2026-12-01"}
    assert form["approved"] == {"name": "乙", "date": "2026-12-02"}

    assert run(project, capsys, "approve", "3.1", "--by", "丙", "--review", "--date", "2026-12-03")[0] == 0
    code, out = run(project, capsys, "approve", "3.1", "--by", "丁", "--date", "2026-12-04")
    assert code == 0, out
    chapter = data(project / CHAPTER_31)
    assert chapter["status"] == "现行"
    assert chapter["reviewed"] == {"name": "丙", "date": "2026-12-03"}
    assert chapter["approved"] == {"name": "丁", "date": "2026-12-04"}
    assert chapter["effective"] == "2008" and chapter["version"] == 1 and chapter["revision"] == 0
    assert chapter["revisions"][-2:] == [
        {"version": "1/0", "date": "2026-12-03", "change": "审核通过，送批准（审核：丙）"},
        {"version": "1/0", "date": "2026-12-04", "change": "批准发布（批准：丁）"},
    ]
    # Written in place: every other line (comments, quoting, order) is as it was.
    after = (project / CHAPTER_31).read_text(encoding="utf-8")
    removed = [l for l in before.splitlines() if l not in after.splitlines()]
    assert removed == ["status: 待审"]
    assert run(project, capsys, "check")[0] == 0


def test_approving_a_first_draft_issues_version_1_0(project, capsys):
    for who, review in (("甲", True), ("乙", False)):
        args = ["approve", "monthly-statistics", "--by", who, "--date", "2026-12-01"] + (["--review"] if review else [])
        assert run(project, capsys, *args)[0] == 0
    assert run(project, capsys, "approve", "3.19", "--by", "甲", "--review", "--date", "2026-12-01")[0] == 0
    assert run(project, capsys, "approve", "3.19", "--by", "乙", "--date", "2026-12-05")[0] == 0
    chapter = data(project / "procedures/3.19-statistics.yml")
    assert (chapter["version"], chapter["revision"], chapter["status"]) == (1, 0, "现行")
    assert chapter["issued"] == chapter["effective"] == "2026-12-05"
    assert chapter["revisions"][-1] == {"version": "1/0", "date": "2026-12-05", "change": "批准发布（批准：乙）"}
    handbook = load_handbook(project)
    assert handbook.by_chapter["3.19"].is_current


def test_comments_in_the_file_survive(project, capsys):
    path = project / "procedures/3.8-complaints.yml"
    edit(path, "owner:", "# 负责岗位见 organisation.yml\nowner:")
    assert run(project, capsys, "approve", "3.8", "--by", "甲", "--review")[0] == 0
    assert "# 负责岗位见 organisation.yml\nowner:" in path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- approve: refusals leave the YAML alone
@pytest.mark.parametrize("args,says", [
    (["approve", "9.9", "--by", "甲"], "找不到“9.9”"),
    (["approve", "no-such-form", "--by", "甲", "--review"], "找不到“no-such-form”"),
    (["approve", "3.8", "--by", "甲"], "尚未审核"),                       # 草案 → 现行 skips the review
    (["approve", "3.1", "--by", "甲"], "尚未审核"),                       # 待审, nobody has reviewed it
    (["approve", "1.1", "--by", "甲", "--review"], "状态是“现行”，不能再审核"),
    (["approve", "1.1", "--by", "甲"], "状态是“现行”，不能再批准"),
    (["approve", "3.8", "--review"], "请用 --by 写明审核人的姓名"),
    (["approve", "3.8"], "请用 --by 写明批准人的姓名"),
    (["approve", "3.8", "--by", "  ", "--review"], "请用 --by"),
    (["approve", "3.8", "--by", "甲", "--review", "--date", "2026-02-30"], "日期“2026-02-30”不对"),
])
def test_refusals_exit_2_and_change_nothing(project, capsys, args, says):
    before = snapshot(project)
    code, out = run(project, capsys, *args)
    assert code == 2, out
    assert says in out and "未记录" in out and "Traceback" not in out
    assert snapshot(project) == before


def test_the_same_person_cannot_review_and_approve(project, capsys):
    assert run(project, capsys, "approve", "3.8", "--by", "甲", "--review")[0] == 0
    before = snapshot(project)
    code, out = run(project, capsys, "approve", "3.8", "--by", "甲")
    assert code == 2 and "批准须由另一人签署" in out
    code, out = run(project, capsys, "approve", "3.8", "--by", "乙", "--review")
    assert code == 2 and "已由 甲 审核" in out
    assert snapshot(project) == before


def test_an_approval_that_fails_check_exits_1_and_is_undone(project, capsys):
    """3.8 cites forms that are still drafts: approving it would make a 现行 chapter cite drafts."""
    assert run(project, capsys, "approve", "3.8", "--by", "甲", "--review")[0] == 0
    before = snapshot(project)
    code, out = run(project, capsys, "approve", "3.8", "--by", "乙")
    assert code == 1
    assert "已恢复原样" in out and "complaint-log" in out
    assert snapshot(project) == before


# ---------------------------------------------------------------- check
def test_check_refuses_a_current_chapter_with_draft_clauses(project, capsys):
    """Text still being drafted (draft: true), unlike text added in a version submitted for approval (added)."""
    path = project / "procedures/3.2-move-in.yml"
    edit(path, "status: 待审", "status: 现行")
    edit(path, 'added: "1/1"', "draft: true")                 # 4.2.3 back to a working draft
    code, out = run(project, capsys, "check")
    assert code == 1
    first = line_of(path, "draft: true")
    assert f"procedures/3.2-move-in.yml:{first}: 第 3.2 章的状态是“现行”，但条款 4.2.3 仍是草案（draft: true）" in out


def test_check_refuses_a_current_chapter_citing_a_form_not_approved(project, capsys):
    path = project / CHAPTER_31
    edit(path, "status: 待审", "status: 现行")
    code, out = run(project, capsys, "check")
    assert code == 1
    assert (f"{CHAPTER_31}:{line_of(path, '- handover-log')}: 第 3.1 章的状态是“现行”，"
            "但所列记录表单 KF-3.1-23 交接班记录表（handover-log） 的状态是“待审”") in out


def test_check_refuses_a_version_missing_from_the_revision_table(project, capsys):
    edit(project / "procedures/1.1-supervisor.yml", "revision: 0", "revision: 1")
    code, out = run(project, capsys, "check")
    assert code == 1 and "第 1.1 章的版本是 1/1，但修订记录的最后一行是 1/0" in out


def test_status_and_signoffs_are_declared_fields(project, capsys):
    edit(project / "forms/complaint-log.yaml", 'version: "0/1"', 'version: "0/1"\nstatus: 已批准\napproved: {name: 甲}')
    code, out = run(project, capsys, "check")
    assert code == 1
    assert "字段“状态（status）”的值“已批准”不在可选范围内，应为：草案、待审、现行、作废" in out
    assert "缺少必填字段“批准（approved） → 日期（date）”" in out


# ---------------------------------------------------------------- pages and printouts
def _header_cells(html: str) -> dict[str, str]:
    block = re.search(r'<div class="hb-doc-header.*?</div>', html, re.S).group(0)
    return {k: unescape(v) for k, v in re.findall(r'hb-h-label">(.*?)</span><span class="hb-h-value">(.*?)</span>', block)}


def test_built_pages_show_the_signoffs_as_lines_to_sign(site_dir, handbook):
    html = (site_dir / "handbook/3.2-move-in/index.html").read_text(encoding="utf-8")
    cells = _header_cells(html)
    assert (cells["状态"], cells["版本/修订"]) == ("待审", "1/1")
    assert (cells["编制"], cells["审核"], cells["批准"]) == ("", "", "")        # unknown: blank, to sign on paper
    assert 'class="admonition warning hb-pending"' in html and "等待审核和批准" in html
    form = (site_dir / "forms/handover-log/index.html").read_text(encoding="utf-8")
    assert _header_cells(form)["状态"] == "待审" and _header_cells(form)["批准"] == ""
    printed = (site_dir / artifact_paths(handbook.form_by_id["handover-log"])["print"]).read_text(encoding="utf-8")
    header = re.search(r'<tr class="control">(.*?)</tr>', printed, re.S).group(1)
    assert re.findall(r'<td class="k">(.*?)</td>', header) == ["状态", "编制", "审核", "批准"]
    assert '<td class="sign"></td>' in header
    book = (site_dir / "handbook/print/index.html").read_text(encoding="utf-8")
    chapter = re.search(r'data-chapter="3.1".*?</thead>', book, re.S).group(0)
    assert all(f'hb-h-label">{k}</span>' in chapter for k in ("编制", "审核", "批准"))


def test_a_signed_chapter_shows_who_and_when(project, capsys):
    for args in (["handover-log", "--by", "甲", "--review", "--date", "2026-12-01"], ["handover-log", "--by", "乙", "--date", "2026-12-02"],
                 ["3.1", "--by", "丙", "--review", "--date", "2026-12-03"]):
        assert run(project, capsys, "approve", *args)[0] == 0
    handbook = load_handbook(project)
    page = PageWriter(handbook, True).page(handbook.by_chapter["3.1"])
    cells = _header_cells(page)
    assert (cells["编制"], cells["审核"], cells["批准"]) == ("", "丙 2026-12-03", "")
    assert "已由丙于2026-12-03审核，等待批准" in page
    listing = pending.page(handbook, True)
    row = re.search(r"<tr[^>]*><td>章节</td><td>3.1</td>.*?</tr>", listing).group(0)
    assert "<strong>批准</strong>" in row and "丙 2026-12-03" in row
    assert "<td>KF-3.1-23</td>" not in listing                      # approved: no longer waiting


def test_the_pending_page_lists_what_awaits_whom(site_dir):
    html = (site_dir / "handbook/pending/index.html").read_text(encoding="utf-8")
    assert "<h1" in html and "待审清单" in html
    rows = re.findall(r'<tr class="hb-pending-(review|approval)"><td>(.*?)</td><td>(.*?)</td>', html)
    listed = {(kind, number) for _, kind, number in rows}
    assert {("章节", "3.1"), ("章节", "3.2"), ("表单", "KF-3.1-23"), ("表单", "KF-3.2-21")} <= listed
    assert all(step == "review" for step, _, _ in rows)                # nobody has reviewed them yet
    assert "等待审核 8 项" in html
    nav = (site_dir / "index.html").read_text(encoding="utf-8")
    assert "待审清单" in nav                                              # in the 手册 section's menu
