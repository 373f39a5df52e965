"""KPIs on a small fixture, every expected value worked out by hand from 3.19 (clauses cited).

Fixture: tests/fixtures/records/<管理处>/<月份>/<表单>.csv, ingested for real into a tmp store.
Statistics cut-off for 2026-03 (3.19#4.1.1): 2026-04-01 0:00; previous cut-off 2026-03-01 0:00.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, register_sites
from handbook.cli import main
from handbook.records.statistics.report import COMPANY, Statistics
from handbook.records.statistics.text import report_text
from handbook.records.statistics.workdays import Calendar

FIXTURE = ROOT / "tests" / "fixtures" / "records"
A, B = "测试管理处", "第二管理处"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("kpi-store")
    register_sites(data, *sorted({p.parts[-3] for p in FIXTURE.rglob("*.csv")}), households={A: 350})
    for path in sorted(FIXTURE.rglob("*.csv")):
        site, month, form = path.parts[-3], path.parts[-2], path.stem
        code = main(["--root", str(ROOT), "ingest", str(path), "--form", form, "--site", site, "--month", month,
                     "--data-dir", str(data)])
        assert code == 0, path
    return data


@pytest.fixture(scope="module")
def report(store, handbook) -> dict:
    return Statistics(handbook, store).report("2026-03")


def kpi(report: dict, kpi_id: str, site: str = A) -> dict:
    return next(k for k in report["kpis"] if k["id"] == kpi_id and k["site"] == site)


def fraction(row: dict) -> tuple:
    return row["numerator"], row["denominator"], row["in_transit"], row["value"]


def test_complaint_handling_and_24h_rates(report):
    # complaint-log, 测试管理处, as known at 2026-03 (Feb upload + Mar upload, the later row wins — 3.19#4.2.3):
    #   202602-001 done 02-10 15:00            → judged in Feb (4.1.8 A/B), not March
    #   202602-002 recv 02-28 20:00, due 03-01 20:00, done 03-01 10:00 → March, handled, on time
    #   202603-001 done after 9h                → handled, on time
    #   202603-002 due 03-06 10:00, done 03-07 → judged at its due time (March): handled, late
    #   202603-003 约定完成时间 03-14 18:00 signed by 周主管 (4.1.7 A), done 03-13 → handled, on time
    #   202603-004 无效投诉                     → excluded (4.1.4)
    #   202603-005 已取消 03-15                 → excluded (4.1.4)
    #   202603-006 open, due 03-21 10:00        → March, not handled, late
    #   202603-007 recv 03-31 22:00, due 04-01 22:00, open → 在途 (4.1.8 C)
    #   202603-008 due 03-26, done 04-01 10:00 (after the cut-off) → March, not handled, late
    #   202603-009 done after 3h                → handled, on time
    # denominator 7; handled 5 → 71.4%; on time 4 → 57.1%; 在途 1
    assert fraction(kpi(report, "complaint-handling-rate")) == (5, 7, 1, 71.4)
    assert fraction(kpi(report, "complaint-24h-rate")) == (4, 7, 1, 57.1)
    assert kpi(report, "complaint-handling-rate")["met"] is False


def test_company_rates_add_numerators_and_denominators(report):
    # 第二管理处 has one complaint handled in 2h: 1/1. Company (4.1.3): (5+1)/(7+1) = 75.0%, not the mean 85.7%.
    assert fraction(kpi(report, "complaint-handling-rate", B)) == (1, 1, 0, 100.0)
    assert fraction(kpi(report, "complaint-handling-rate", COMPANY)) == (6, 8, 1, 75.0)
    assert fraction(kpi(report, "complaint-24h-rate", COMPANY)) == (5, 8, 1, 62.5)


def test_month_over_month_and_year_to_date(report):
    # February (known at Feb): 202602-001 handled; 202602-002 在途 → 1/1 = 100%. Change: 71.43 − 100 = −28.6.
    row = kpi(report, "complaint-handling-rate")
    assert row["previous"] == 100.0 and row["change"] == -28.6
    # Year to date = (1+5)/(1+7) = 75.0%; company: Feb 1/1 (第二管理处 had no data yet) + Mar 6/8 = 7/9 = 77.8%
    assert (row["ytd_numerator"], row["ytd_denominator"], row["ytd"]) == (6, 8, 75.0)
    assert kpi(report, "complaint-handling-rate", COMPANY)["ytd"] == 77.8


def test_callback_rates(report):
    # 投诉回访率 (4.3.3): completed valid complaints, due = completion + 24h, done = first callback after completion
    #   202602-002 done 03-01 10:00, callback 03-01 12:00 → March, yes
    #   202603-001 callback 2h after → yes;  202603-003 书面回访未反馈 counts as a callback → yes
    #   202603-002 done 03-07 10:00, callback 03-09 (late) → judged at 03-08 10:00 (March); called back by cut-off → yes
    #   202603-009 done 03-28 12:00, no callback, due 03-29 12:00 → March, no
    #   → 4/5 = 80.0%. 第二管理处 filed its complaints but no 回访记录表: its callback rate is 未报送 (not 0/1),
    #   and the company figure adds up only 测试管理处: 4/5 = 80.0%, saying so
    assert fraction(kpi(report, "complaint-callback-rate")) == (4, 5, 0, 80.0)
    unfiled = kpi(report, "complaint-callback-rate", B)
    assert unfiled["submitted"] is False and unfiled["value"] is None and unfiled["met"] is None
    assert unfiled["display"] == "未报送"
    company = kpi(report, "complaint-callback-rate", COMPANY)
    assert fraction(company) == (4, 5, 0, 80.0) and company["included"] == [A] and company["submitted"] is True
    # 维修回访率 (4.3.4): due = completion + 72h. 001 called back next day → yes; 002 and 003 never → no. 1/3 = 33.3%
    assert fraction(kpi(report, "repair-callback-rate")) == (1, 3, 0, 33.3)


def test_callback_satisfaction_keeps_the_latest_callback_per_item(report):
    # 4.3.5: March callbacks, 书面回访未反馈 excluded, one per (type, 关联编号), the latest:
    #   投诉 202603-001 满意 · 投诉 202603-002 不满意 · 投诉 202602-002 满意 · 维修 202603-001 → latest is 不满意
    #   → 2/4 = 50.0%; by type: 投诉 2/3, 维修 0/1
    row = kpi(report, "callback-satisfaction-rate")
    assert fraction(row) == (2, 4, 0, 50.0)
    assert {b["category"]: (b["numerator"], b["denominator"]) for b in row["breakdown"]["values"]} == {"投诉": (2, 3), "维修": (0, 1)}


def test_repair_timeliness(report):
    # 4.1.7 C: 001 due recv+24h, done in 8h → on time; 002 约定上门 03-06 14:00 → due 03-07 14:00, done 12:00 → on time;
    # 003 约定完成 03-15 18:00, done 03-16 → late; 004 open, due 03-31 10:00 → late; 005 due 04-01 20:00 → 在途;
    # 006, 007, 008 done within hours → on time; 009 due 04-01 10:00 → 在途. 5/7 = 71.4%
    assert fraction(kpi(report, "repair-timely-rate")) == (5, 7, 2, 71.4)


def test_urgent_repair_arrival(report):
    # 4.3.13: urgent repairs, due = 派工时间 (else 受理时间) + 15 min, done = 到场时间 (else the completion):
    #   005 received 03-31 20:00, no 派工, nobody on site → due 20:15 passed by the cut-off → counted, late
    #   006 派工 02:05, on site 02:18 ≤ 02:20 → on time;  007 派工 23:10, on site 23:40 > 23:25 → late
    #   008 no 派工 (due 08:15), no 到场时间, completed 08:10 → on time.  → 2/4 = 50.0%, not met (target 100%)
    row = kpi(report, "urgent-repair-arrival-rate")
    assert fraction(row) == (2, 4, 0, 50.0) and row["met"] is False and row["clause"] == "3.11#4.3.1.A"


def test_repair_rework_rate(report):
    # 4.3.14: repairs received in March, none cancelled: 001–009 = 9; 返修 = 是: 009 (linked to 001) → 1/9 = 11.1%,
    # a monitored figure without a target
    row = kpi(report, "repair-rework-rate")
    assert fraction(row) == (1, 9, 0, 11.1) and row["target"] is None and row["met"] is None


def test_valid_complaints_per_hundred_households(report):
    # 4.3.15: valid complaints received in March, not cancelled: 001, 002, 003, 006, 007, 008, 009 = 7
    # (004 invalid, 005 cancelled, 202602-002 received in February); 350 households → 7 / 350 × 100% = 2.0%.
    # 第二管理处 has no 总户数 registered: no figure (—), and the company figure is 测试管理处's alone
    assert fraction(kpi(report, "valid-complaint-rate")) == (7, 350, 0, 2.0)
    unregistered = kpi(report, "valid-complaint-rate", B)
    assert unregistered["value"] is None and unregistered["display"] == "—"
    assert fraction(kpi(report, "valid-complaint-rate", COMPANY)) == (7, 350, 0, 2.0)


def test_collection_rate_year_to_date(report):
    # 4.3.7 E: 物业管理费 rows of 2026-01 to 2026-03 (the 2025-12 row is last year's): due 150+200+100+100+100 = 650;
    # paid: 150; max(100, 累计已收 180) = 180; min(120, 100) = 100; 100; 2026-01 缴清 03-20 → 100 → 630
    # → 96.923…% → 96.9%, met (≥95%); the month's own rate stays 77.8%
    row = kpi(report, "management-fee-ytd-rate")
    assert (row["numerator"], row["denominator"], row["value"], row["met"]) == (630, 650, 96.9, True)


def test_collection_rate_caps_each_row_at_what_was_due(report):
    # 4.3.7: 物业管理费 rows of 2026-03: 150/150, 100/200, min(120,100)/100; 水电费 and the 2026-02 row excluded
    # → 350 / 450 = 77.777…% → 77.8% (4.1.6, half-up), shown with 元 and two decimals
    row = kpi(report, "management-fee-collection-rate")
    assert (row["numerator"], row["denominator"], row["value"]) == (350, 450, 77.8)
    assert row["fraction"] == "350.00 / 450.00 元" and row["met"] is False


def test_reminder_rates(report):
    # 4.3.8 (逾期第1日0:00 → 逾期第7日24:00): due 03-15 → window 03-16 0:00 … 03-23 0:00
    #   2-1-101 phoned 03-18 → yes; 2-1-102 phoned 03-25 → no; 2-1-201 settled 03-20 → yes;
    #   2-1-202 due 03-28 → deadline 04-05: open at the cut-off → 在途. → 2/3 = 66.7%
    assert fraction(kpi(report, "first-reminder-rate")) == (2, 3, 1, 66.7)
    # 4.3.9 (逾期满30日之日0:00 → 之后第3个工作日24:00):
    #   2-2-101 due 02-05 → 03-07 (Sat) → Mon 09, Tue 10, Wed 11 → 03-12 0:00; delivered 03-11 15:00 → yes
    #   2-2-102 due 02-10 → 03-12 (Thu) → Fri 13, Mon 16, Tue 17 → 03-18 0:00; delivered 03-18 09:00 → no
    #   2-2-201 settled 03-13, before its day 30 (03-14) → not an item.  → 1/2 = 50.0%
    assert fraction(kpi(report, "written-reminder-rate")) == (1, 2, 0, 50.0)


def test_working_days_follow_the_holiday_schedule(handbook):
    calendar = Calendar.load(ROOT / "data" / "workdays.yml")
    import datetime as dt
    # 2026 春节 02-15…02-23 off: the 3rd working day after Sat 02-14 is Thu 02-26
    assert calendar.nth_workday_after(dt.date(2026, 2, 14), 3) == dt.date(2026, 2, 26)
    # a makeup Saturday is a working day
    assert calendar.is_workday(dt.date(2026, 2, 28))


def test_violation_and_key_rates(report):
    # 4.3.10: first notices only. 001 due 03-06 0:00, fixed 03-05 → yes; 002 due 03-13 0:00, fixed 03-15 per its
    # second notice 003 → no; 004 due 04-03 → 在途. → 1/2 = 50.0%
    assert fraction(kpi(report, "violation-rectification-rate")) == (1, 2, 1, 50.0)
    # 4.3.11: 001 back early → yes; 002 back 1h late → no; 003 due 04-01 10:00 → 在途; 004 已取消 → out. 1/2
    assert fraction(kpi(report, "key-return-rate")) == (1, 2, 1, 50.0)


def test_customer_satisfaction(report):
    # 4.3.12: March uses 月度抽样 only; valid: 非常满意, 满意, 不满意 (the invalid one and the 年度 one are out) → 2/3
    assert fraction(kpi(report, "customer-satisfaction-rate")) == (2, 3, 0, 66.7)


def test_zero_denominator_is_a_dash_and_not_judged(report, handbook, tmp_path):
    # 第二管理处 filed no 报修登记表 for March: not a zero, not a dash, but 未报送
    row = kpi(report, "repair-timely-rate", B)
    assert (row["value"], row["display"], row["met"], row["submitted"]) == (None, "未报送", None, False)
    # filed with no repairs at all (a header-only file): denominator 0 → "—", not judged
    data = register_sites(tmp_path / "store", B)
    empty = tmp_path / "repair-log.csv"
    empty.write_text(",".join(f.label for f in handbook.form_by_id["repair-log"].fields) + "\n", encoding="utf-8")
    assert main(["--root", str(ROOT), "ingest", str(empty), "--form", "repair-log", "--site", B, "--month", "2026-03",
                 "--data-dir", str(data)]) == 0
    row = kpi(Statistics(handbook, data).report("2026-03"), "repair-timely-rate", B)
    assert (row["value"], row["display"], row["met"], row["submitted"]) == (None, "—", None, True)
    monitor = kpi(report, "housekeeping-punctuality")
    assert monitor["target"] is None and monitor["met"] is None


def test_carried_over_items(report):
    # 4.5, complaint-log, company (both 管理处):
    #   前期遗留: 202602-002 (open at 03-01 0:00) = 1; 本月新增: 9 + 1 = 10
    #   本月完成: 202602-002, 001, 002, 003, 004 (invalid but closed), 009 + 第二管理处 001 = 7 (008 closes in April)
    #   本月取消: 005 = 1; 期末未完成: 006, 007, 008 = 3 = 1 + 10 − 7 − 1
    #   完成率 = 7 / (1 + 10 − 1) = 70.0%; 超时未完成: 006, 008 = 2; 在途: 007 = 1
    row = next(r for r in report["carryover"] if r["form"] == "complaint-log" and r["site"] == COMPANY)
    assert {k: row[k] for k in ("brought_forward", "new", "completed", "cancelled", "open_at_end", "overdue_open", "in_transit")} == \
        {"brought_forward": 1, "new": 10, "completed": 7, "cancelled": 1, "open_at_end": 3, "overdue_open": 2, "in_transit": 1}
    assert row["completion_rate"] == 70.0
    # 超时未完成明细: days overdue rounded up (4.5.6): 006 due 03-21 10:00 → 10.6 d → 11; 008 due 03-26 09:00 → 5.6 d → 6
    late = {o["no"]: o["days_overdue"] for o in report["overdue"] if o["form"] == "complaint-log"}
    assert late == {"202603-006": 11, "202603-008": 6}
    keys = next(r for r in report["carryover"] if r["form"] == "key-loan-log" and r["site"] == A)
    assert (keys["new"], keys["completed"], keys["cancelled"], keys["open_at_end"]) == (4, 2, 1, 1)


def test_report_json_has_the_documented_fields(store, capsys):
    assert main(["--root", str(ROOT), "report", "--month", "2026-03", "--data-dir", str(store), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for row in data["kpis"]:
        assert {"id", "title", "site", "value", "target", "clause", "met", "submitted", "provisional"} <= set(row)
        assert row["provisional"] is False          # 2026 has its holiday table
    assert {r["site"] for r in data["kpis"]} == {A, B, COMPANY}


def test_report_limited_to_one_form_is_that_part_of_the_full_report(store, report, capsys):
    assert main(["--root", str(ROOT), "report", "--month", "2026-03", "--data-dir", str(store), "--json",
                 "--form", "complaint-log"]) == 0
    part = json.loads(capsys.readouterr().out)
    assert part["forms"] == ["complaint-log"]
    assert {r["id"] for r in part["kpis"]} == {"complaint-handling-rate", "complaint-24h-rate", "complaint-callback-rate",
                                              "valid-complaint-rate"}
    assert part["kpis"] == [r for r in report["kpis"] if r["form"] == "complaint-log"]
    assert part["counts"] == [r for r in report["counts"] if r["id"].startswith("complaints-")]
    assert part["carryover"] == [r for r in report["carryover"] if r["form"] == "complaint-log"]
    assert part["overdue"] == [o for o in report["overdue"] if o["form"] == "complaint-log"]
    assert all(s["due"] == 1 for s in part["submissions"])
    assert main(["--root", str(ROOT), "report", "--month", "2026-03", "--data-dir", str(store), "--form", "no-such"]) == 2
    err = capsys.readouterr().err
    assert "没有编号为“no-such”的记录表" in err and "Traceback" not in err


def test_report_without_data_for_the_month_says_so(store, capsys):
    assert main(["--root", str(ROOT), "report", "--month", "2025-01", "--data-dir", str(store)]) == 1
    err = capsys.readouterr().err
    assert "还没有 2025-01 的记录" in err and "Traceback" not in err
    assert main(["--root", str(ROOT), "report", "--month", "2026-13", "--data-dir", str(store)]) == 2


def test_text_report_is_chinese(store, capsys):
    assert main(["--root", str(ROOT), "report", "--month", "2026-03", "--data-dir", str(store)]) == 0
    out = capsys.readouterr().out
    assert "投诉处理率：71.4%（5 / 7）" in out and "跨月事项" in out


# ---------------------------------------------------------------- the definitions file
def test_every_kpi_names_an_existing_clause_and_form(handbook):
    from handbook.records.statistics.kpis import load_definitions

    defs = load_definitions(handbook)
    assert {k.id for k in defs.kpis} >= {"complaint-handling-rate", "complaint-24h-rate", "management-fee-collection-rate"}
    assert defs.kpi("complaint-handling-rate").clause == "1.1#5"
    assert defs.kpi("management-fee-collection-rate").target.value == 95


def test_a_kpi_citing_a_missing_clause_is_rejected(tmp_path, capsys):
    project = copy_project(tmp_path)
    path = project / "data" / "kpis.yml"
    path.write_text(path.read_text(encoding="utf-8").replace('clause: "1.1#6"', 'clause: "1.1#99"'), encoding="utf-8")
    shutil.copytree(FIXTURE / A, tmp_path / "in")
    data = register_sites(tmp_path / "store", A)
    assert main(["--root", str(project), "ingest", str(tmp_path / "in" / "2026-03" / "fee-ledger.csv"), "--form", "fee-ledger",
                 "--site", A, "--month", "2026-03", "--data-dir", str(data)]) == 0
    capsys.readouterr()
    assert main(["--root", str(project), "report", "--month", "2026-03", "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert "条款“1.1#99”在手册中不存在" in err and "Traceback" not in err


def test_a_kpi_grouped_by_a_personal_field_is_rejected(handbook):
    from handbook.records.statistics.kpis import Definitions, check

    defs = Definitions.model_validate({"kpis": [], "counts": [
        {"id": "x", "title": "按房号", "form": "complaint-log", "date": "received_at", "by": "room", "clause": "3.19#4.4.B"}]})
    assert any("个人信息" in p for p in check(defs, handbook))


def test_text_report_limited_to_forms_says_so(store, capsys):
    assert main(["--root", str(ROOT), "report", "--month", "2026-03", "--data-dir", str(store),
                 "--form", "complaint-log"]) == 0
    out = capsys.readouterr().out
    assert "只含取自投诉处理记录表的部分" in out and "投诉处理率" in out and "报修（按紧急程度）" not in out
    assert main(["--root", str(ROOT), "report", "--month", "2026-03", "--data-dir", str(store),
                 "--form", "pool-water-test"]) == 0
    out = capsys.readouterr().out
    assert "【全公司】考核指标" not in out and "这些表单不计入考核指标、跨月事项和业务量。" in out


def test_a_partly_filed_month_says_so(report):
    assert report["complete"] is False
    assert {"site": B, "form": "repair-log"} in report["missing"]
    assert {"site": A, "form": "complaint-log"} not in report["missing"]
    assert all(set(x) == {"site", "form"} for x in report["missing"])
    # 2026-03's deadline (3 April 17:00, 3.19#4.6.1) is long past
    assert report["state"] == "已截止" and report["deadline"] == "2026-04-03T17:00"
    text = report_text(report)
    assert "报送状态：已截止" in text and "未报送" in text
    assert "投诉回访率的全公司合计只含已报送的 测试管理处（未报送：第二管理处）" in text


def test_a_deadline_on_a_holiday_moves_to_the_next_working_day():
    from handbook.records.statistics.report import filing_deadline, filing_state

    calendar = Calendar.load(ROOT / "data" / "workdays.yml")
    # 2026-10-03 falls in the National Day holiday (1–7 October; 8 October is a working day)
    assert filing_deadline("2026-09", calendar).isoformat() == "2026-10-08T17:00:00"
    import datetime as dt

    assert filing_state("2026-10", calendar, None, now=dt.datetime(2026, 11, 3, 16, 59)) == "报送中"
    assert filing_state("2026-10", calendar, None, now=dt.datetime(2026, 11, 3, 17, 1)) == "已截止"
    assert filing_state("2026-10", calendar, {"at": "x", "user": "y"}) == "已关账"


def test_a_closed_month_takes_no_more_uploads_until_reopened(tmp_path, handbook, capsys):
    data = register_sites(tmp_path / "store", A)
    source = FIXTURE / A / "2026-03" / "complaint-log.csv"
    args = ["--root", str(ROOT), "ingest", str(source), "--form", "complaint-log", "--site", A, "--month", "2026-03",
            "--data-dir", str(data)]
    assert main(["--root", str(ROOT), "close", "--month", "2026-03", "--data-dir", str(data)]) == 0
    assert "已关账" in capsys.readouterr().out
    assert main(args) == 1
    assert "2026-03 已于" in capsys.readouterr().err
    assert main(["--root", str(ROOT), "close", "--month", "2026-03", "--data-dir", str(data)]) == 1
    assert main(["--root", str(ROOT), "close", "--month", "2026-03", "--reopen", "--data-dir", str(data)]) == 0
    assert main(args) == 0
    from handbook.records.store.catalogue import Store

    assert [e["result"] for e in Store(data).audit_log()] == ["closed", "refused-closed", "reopened", "stored"]


def test_a_report_reusing_the_last_one_equals_a_fresh_report(store, handbook, tmp_path):
    """The server keeps the last report and reuses each 管理处 whose uploads did not change (web/live.py): after
    one 管理处 uploads a corrected file, that report is the same as one computed from nothing."""
    data = tmp_path / "store"
    shutil.copytree(store, data)
    before = Statistics(handbook, data)
    first = before.report("2026-03")
    path = FIXTURE / B / "2026-03" / "complaint-log.csv"
    text = path.read_text(encoding="utf-8").replace("2026-03-09 11:00", "2026-03-12 11:00")   # now late
    changed = tmp_path / "complaint-log.csv"
    changed.write_text(text, encoding="utf-8")
    assert main(["--root", str(ROOT), "ingest", str(changed), "--form", "complaint-log", "--site", B,
                 "--month", "2026-03", "--data-dir", str(data)]) == 0
    reused = Statistics(handbook, data, previous=before).report("2026-03")
    fresh = Statistics(handbook, data).report("2026-03")
    assert reused == fresh
    assert kpi(reused, "complaint-24h-rate", B)["value"] == 0.0 != kpi(first, "complaint-24h-rate", B)["value"]
    assert kpi(reused, "complaint-24h-rate", A) is kpi(first, "complaint-24h-rate", A)     # reused, not recomputed
