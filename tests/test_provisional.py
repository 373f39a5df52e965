"""Deadlines counted in working days (3.19#4.1.2) that run into a year whose holiday table is not entered
yet are counted Monday–Friday, and the figures say so: 暂按周一至周五 on the page and in the XLSX,
`provisional: true` in `report --json`."""

from __future__ import annotations

import datetime as dt

from handbook.records.statistics.compute import Measure
from handbook.records.statistics.items import arrears_written
from handbook.records.statistics.text import kpi_title
from handbook.records.statistics.workdays import Calendar


def rows(due: dt.date):
    data = {"arrears-list": [{"due_date": due, "room": "1-1-101", "item": "物业管理费", "period": "2026年", "settled_at": None}],
            "fee-reminder-log": []}
    return lambda form_id: data[form_id]


def test_a_written_reminder_due_in_an_unentered_year_is_provisional():
    only_2026 = Calendar(years={2026})
    december = arrears_written(rows(dt.date(2026, 12, 10)), only_2026)[0]       # 30 days on: January 2027
    assert december.start.year == 2027 and december.provisional
    october = arrears_written(rows(dt.date(2026, 10, 10)), only_2026)[0]        # all of it in 2026
    assert not october.provisional
    both_years = Calendar(years={2026, 2027})
    assert not arrears_written(rows(dt.date(2026, 12, 10)), both_years)[0].provisional


def test_a_company_figure_is_provisional_when_any_estate_is():
    total = Measure.total([Measure(1, 2), Measure(3, 4, provisional=True)])
    assert total.provisional and Measure.total([Measure(1, 2), Measure(3, 4)]).provisional is False
    assert (total.numerator, total.denominator) == (4, 6)


def test_the_mark_on_the_page_and_in_the_spreadsheet():
    assert kpi_title({"title": "书面催缴送达及时率", "provisional": True}) == "书面催缴送达及时率（暂按周一至周五）"
    assert kpi_title({"title": "书面催缴送达及时率", "provisional": False}) == "书面催缴送达及时率"


