"""data/workdays.yml against the `chinese-calendar` package (the State Council schedules, kept by others),
day by day for every year both cover (issue 14)."""

from __future__ import annotations

import datetime as dt

import chinese_calendar

from conftest import ROOT
from handbook.records.statistics.workdays import WORKDAYS_FILE, Calendar


def days_of(year: int):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


def test_workdays_agree_with_chinese_calendar_day_by_day():
    ours = Calendar.load(ROOT / WORKDAYS_FILE)
    theirs = {d.year for d in chinese_calendar.holidays} & {d.year for d in chinese_calendar.workdays}
    years = sorted(ours.years & theirs)
    assert years and years[0] <= 2025, (sorted(ours.years), min(theirs), max(theirs))
    disagree = [(day.isoformat(), "工作日" if ours.is_workday(day) else "休息日")
                for year in years for day in days_of(year)
                if ours.is_workday(day) != chinese_calendar.is_workday(day)]
    # (day, what data/workdays.yml makes it) wherever chinese-calendar says otherwise
    assert disagree == [], f"data/workdays.yml differs from chinese-calendar {chinese_calendar.__version__}: {disagree}"
    assert ours.uncovered == set()
