"""`handbook check`: every problem listed, with file, line and a Chinese message; exit 1."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, copy_project
from handbook.cli import main


def run_check(root: Path, capsys) -> tuple[int, str]:
    code = main(["--root", str(root), "check"])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path)


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in l)


def test_the_real_handbook_passes(capsys):
    code, out = run_check(ROOT, capsys)
    assert code == 0, out
    assert "检查通过" in out


def test_yaml_syntax_error_names_file_and_line(project, capsys):
    f = project / "procedures/1.2-front-desk.yml"
    edit(f, "category: 岗位职责", "category: [岗位职责")
    code, out = run_check(project, capsys)
    assert code == 1
    assert re.search(r"procedures/1\.2-front-desk\.yml:\d+: YAML 语法错误", out), out
    assert "Traceback" not in out


def test_missing_and_unknown_fields_are_named_in_chinese(project, capsys):
    f = project / "procedures/1.3-office-clerk.yml"
    edit(f, "status: 现行", "statuss: 现行")
    code, out = run_check(project, capsys)
    assert code == 1
    assert "缺少必填字段“状态（status）”" in out
    assert f"procedures/1.3-office-clerk.yml:{line_of(f, 'statuss')}: 不认识的字段“statuss”" in out


def test_bad_choice_lists_the_allowed_values(project, capsys):
    f = project / "procedures/1.5-pool-supervisor.yml"
    edit(f, "status: 现行", "status: 已批准")
    code, out = run_check(project, capsys)
    assert code == 1
    assert f"1.5-pool-supervisor.yml:{line_of(f, 'status:')}: 字段“状态（status）”的值“已批准”不在可选范围内，应为：草案、待审、现行、作废" in out


def test_every_problem_is_listed_not_just_the_first(project, capsys):
    edit(project / "procedures/1.2-front-desk.yml", "owner: 客服主管", "owner: 保安队长")
    edit(project / "procedures/3.1-duty-handover.yml", 'chapter: "3.1"', 'chapter: "3.9"')
    (project / "procedures/9.9-empty.yml").write_text("", encoding="utf-8")
    code, out = run_check(project, capsys)
    assert code == 1
    assert "岗位“保安队长”不在 organisation.yml 的 roles 列表中" in out
    assert "章节号“3.9”与文件名不符" in out
    assert "9.9-empty.yml:1: 文件最外层应是“字段: 值”的形式，现在是空文件" in out
    assert re.search(r"发现 (\d+) 处问题", out) and int(re.search(r"发现 (\d+) 处问题", out).group(1)) >= 3


def test_sop_without_records_is_rejected(project, capsys):
    f = project / "procedures/3.1-duty-handover.yml"
    text = f.read_text(encoding="utf-8")
    f.write_text(re.sub(r"\nrecords:\n(  .*\n?)+", "\n", text), encoding="utf-8")
    code, out = run_check(project, capsys)
    assert code == 1
    assert "业务规程条目必须有“记录（records）”" in out


def test_duplicate_clause_ids_are_rejected(project, capsys):
    f = project / "procedures/1.2-front-desk.yml"
    edit(f, 'n: "2"', 'n: "1"')
    code, out = run_check(project, capsys)
    assert code == 1
    assert "条款编号“1”在本章出现了两次" in out


def test_a_duplicate_clause_is_reported_where_the_second_one_is(project, capsys):
    """Lines come from the YAML node tree: the repeated number is reported at its own line (20), not at the
    first place the same text appears (18)."""
    f = project / "procedures/1.2-front-desk.yml"
    second = line_of(f, 'n: "2"')
    edit(f, 'n: "2"', 'n: "1"')
    assert line_of(f, 'n: "1"') < second
    code, out = run_check(project, capsys)
    assert code == 1
    assert f"procedures/1.2-front-desk.yml:{second}: 条款编号“1”在本章出现了两次" in out


def test_a_duplicate_form_label_is_reported_where_the_second_one_is(project, capsys):
    f = project / "forms/complaint-log.yaml"
    second = line_of(f, "label: 受理人")
    edit(f, "label: 受理人", "label: 投诉类别")
    assert line_of(f, "投诉类别") < second
    code, out = run_check(project, capsys)
    assert code == 1
    assert f"forms/complaint-log.yaml:{second}: 表单“complaint-log”：中文列名“投诉类别”重复" in out


def test_broken_cross_reference_fails(project, capsys):
    f = project / "procedures/3.1-duty-handover.yml"
    edit(f, "text: 值班\n", "text: 值班（参见[[9.9]]和[[1.1#99]]）\n")
    code, out = run_check(project, capsys)
    assert code == 1
    assert "引用了“[[9.9]]”，但章节 9.9 不存在" in out
    assert "引用了“[[1.1#99]]”，但章节 1.1 中的条款 99 不存在" in out



def test_broken_reference_in_a_collation_note_fails(project, capsys):
    """校注 are published on the 校勘记 page with their references as links, so those are checked too."""
    f = project / "procedures/3.2-move-in.yml"
    edit(f, "监测指标（[[3.19#4.4]]）", "监测指标（[[3.19#4.99]]）")
    edit(project / "procedures/1.4-property-officer.yml", "collation: 页眉主题", "collation: 参见[[8.8]]。页眉主题")
    code, out = run_check(project, capsys)
    assert code == 1
    assert f"procedures/3.2-move-in.yml:{line_of(f, '[[3.19#4.99]]')}: " in out
    assert "条款 3.2#4.3.4 校注 引用了“[[3.19#4.99]]”，但章节 3.19 中的条款 4.99 不存在" in out
    assert "条款 1.4#全章 校注 引用了“[[8.8]]”，但章节 8.8 不存在" in out


def test_collation_is_a_declared_field_of_the_chapter(project, capsys):
    f = project / "procedures/1.5-pool-supervisor.yml"
    edit(f, "collation: ", "collations: ")
    code, out = run_check(project, capsys)
    assert code == 1 and "不认识的字段“collations”" in out

def test_yaml_is_read_with_a_safe_loader(project, capsys):
    f = project / "procedures/1.2-front-desk.yml"
    edit(f, "title:", "evil: !!python/object/apply:os.system ['echo pwned']\ntitle:")
    code, out = run_check(project, capsys)
    assert code == 1
    assert "YAML 语法错误" in out and "pwned" not in out.split("YAML")[0]


def test_cli_usage_error_is_chinese_without_traceback():
    proc = subprocess.run([sys.executable, "-m", "handbook", "frobnicate"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "参数有误" in proc.stderr and "Traceback" not in proc.stderr


def test_build_refuses_invalid_sources_and_writes_nothing(project, tmp_path, capsys):
    edit(project / "procedures/1.2-front-desk.yml", "status: 现行", "status: ?")
    out_dir = tmp_path / "out-site"
    code = main(["--root", str(project), "build", "--site-dir", str(out_dir)])
    err = capsys.readouterr().err
    assert code == 1
    assert "未构建网站" in err
    assert not out_dir.exists()


def test_a_cached_handbook_never_hides_an_edit(project, capsys):
    """The model cache (.cache/) is keyed on file contents: a same-size edit made within the same clock
    tick, a broken file and a damaged cache file are all seen at once."""
    from handbook.loader import CACHE, load_handbook

    first = load_handbook(project)
    assert (project / CACHE).is_file()
    form = project / "forms" / "complaint-log.yaml"
    title = first.form_by_id["complaint-log"].title
    edit(form, f"title: {title}", f"title: {title[:-1]}单")          # same length in bytes
    assert load_handbook(project).form_by_id["complaint-log"].title == title[:-1] + "单"
    edit(form, "primary_key:", "primary_key: [")
    code, out = run_check(project, capsys)
    assert code == 1 and "complaint-log.yaml" in out
    edit(form, "primary_key: [", "primary_key:")
    (project / CACHE).write_bytes(b"not a pickle")
    assert load_handbook(project).form_by_id["complaint-log"].title == title[:-1] + "单"


@pytest.mark.parametrize("edit,says", [
    (lambda t: t.replace("  - name: 翠微苑管理处", "  - name: 东湖花园管理处"), "写了两次"),
    (lambda t: t.replace("first_month: 2025-01", "first_month: 2025-1"), "first_month"),
    (lambda t: t.replace("  - name: 锦绣城管理处", '  - name: "锦绣城{: onclick=x}"'), "名称“锦绣城{: onclick=x}”不合适"),
    (lambda t: t.replace("    pool: true", "    skip: [no-such-form]"), "skip 应列出记录表编号"),
    (lambda t: t.replace("    households: 640", "    households: 六百四十"), "households（总户数）应为正整数"),
    (lambda t: t.replace("    households: 640", "    households: 0"), "households（总户数）应为正整数"),
])
def test_check_reads_the_site_registry(tmp_path, capsys, edit, says):
    project = copy_project(tmp_path)
    path = project / "sites.yml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["--root", str(project), "check"]) == 1
    err = capsys.readouterr().err
    assert "管理处名单" in err and says in err and "Traceback" not in err
