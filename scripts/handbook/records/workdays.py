"""Working days (3.19#4.1.2): Monday to Friday, adjusted by the official holiday schedule in data/workdays.yml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from ..loader import FAST_LOADER

WORKDAYS_FILE = Path("data/workdays.yml")


class Calendar:
    def __init__(self, holidays: set[dt.date] = frozenset(), workdays: set[dt.date] = frozenset(), years: set[int] = frozenset()):
        self.holidays, self.workdays, self.years = set(holidays), set(workdays), set(years)
        self.uncovered: set[int] = set()     # years asked about but not in the file

    @classmethod
    def load(cls, path: Path) -> "Calendar":
        if not Path(path).exists():
            return cls()
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=FAST_LOADER) or {}
        holidays, workdays = set(), set()
        for year, spec in data.items():
            holidays |= _dates(spec.get("holidays", []))
            workdays |= _dates(spec.get("workdays", []))
        return cls(holidays, workdays, {int(y) for y in data})

    def is_workday(self, day: dt.date) -> bool:
        if day.year not in self.years:
            self.uncovered.add(day.year)
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def nth_workday_after(self, day: dt.date, n: int) -> dt.date:
        count = 0
        while count < n:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return day


def _dates(items) -> set[dt.date]:
    out = set()
    for item in items:
        start, _, end = str(item).partition("/")
        a = dt.date.fromisoformat(start)
        b = dt.date.fromisoformat(end) if end else a
        while a <= b:
            out.add(a)
            a += dt.timedelta(days=1)
    return out
