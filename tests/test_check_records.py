"""`handbook check` covers what `report` and validation read besides the chapters: the rules a form
declares between columns, the columns each KPI builder reads, data/kpis.yml and data/workdays.yml."""

from __future__ import annotations

import datetime as dt

import pytest

from handbook.records.statistics import workdays
from test_check import edit, project, run_check  # noqa: F401  (project is a fixture)


def test_renaming_a_column_a_kpi_reads_is_caught(project, capsys):
    """approved_by switches on the agreed deadline (3.19#4.1.7 A); renaming it used to drop that rule silently."""
    edit(project / "forms/complaint-log.yaml", "- id: approved_by", "- id: approver")
    code, out = run_check(project, capsys)
    assert code == 1
    assert "统计程序“complaint”要读取表单 complaint-log（投诉处理记录表）的栏目“approved_by”" in out
    assert "Traceback" not in out


def test_renaming_a_column_a_rule_compares_is_caught(project, capsys):
    """received_at is what the other times of a repair may not precede (after:)."""
    f = project / "forms/repair-log.yaml"
    edit(f, "- id: received_at", "- id: accepted_at")
    code, out = run_check(project, capsys)
    assert code == 1
    assert "after 写了“received_at”，本表没有这个字段 id" in out
    assert "forms/repair-log.yaml:" in out


def test_closes_with_states_must_be_the_status_choices(project, capsys):
    edit(project / "forms/key-loan-log.yaml", "needs_time: [已完成]", "needs_time: [已归还]")
    code, out = run_check(project, capsys)
    assert code == 1
    assert "closes_with 写了状态“已归还”" in out


def test_a_typo_in_the_holiday_table_names_its_line(project, capsys):
    f = project / "data/workdays.yml"
    edit(f, '"2026-10-01/2026-10-07"', '"2026-10-07/2026-10-01"')
    edit(f, '"2026-02-28"', '"2026-02-30"')
    code, out = run_check(project, capsys)
    assert code == 1
    lines = f.read_text(encoding="utf-8").splitlines()
    backwards = next(i for i, l in enumerate(lines, 1) if "2026-10-07/2026-10-01" in l)
    bad_day = next(i for i, l in enumerate(lines, 1) if "2026-02-30" in l)
    assert f"workdays.yml 第{backwards}行：区间“2026-10-07/2026-10-01”的起日晚于止日" in out
    assert f"workdays.yml 第{bad_day}行：“2026-02-30”不是存在的日期" in out


def test_a_day_listed_twice_is_refused(project, capsys):
    edit(project / "data/workdays.yml", '"2026-01-04"', '"2026-01-02"')
    code, out = run_check(project, capsys)
    assert code == 1
    assert "2026-01-02 已在前面列为放假，同一天只能写一次" in out


def test_report_on_a_broken_holiday_table_is_a_message_not_a_traceback(project, capsys):
    edit(project / "data/workdays.yml", '"2026-02-28"', '"2026-13-01"')
    with pytest.raises(workdays.WorkdaysInvalid) as exc:
        workdays.Calendar.load(project / "data/workdays.yml")
    assert "节假日表 workdays.yml 有误" in exc.value.report()


def test_next_years_table_is_asked_for_from_1_december(project):
    path = project / "data/workdays.yml"
    assert workdays.problems(path, today=dt.date(2026, 11, 30)) == ([], [])
    errors, warnings = workdays.problems(path, today=dt.date(2026, 12, 1))
    assert errors == [] and len(warnings) == 1
    assert "还没有 2027 年的节假日安排" in warnings[0] and "暂按周一至周五" in warnings[0]
