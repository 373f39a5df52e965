"""Which months a file's rows fall in: a file uploaded under the wrong month is caught before it lands."""

from __future__ import annotations

import re
from collections import Counter

from ... import messages as m
from .issues import Issue

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])")


def dated_columns(form) -> list[int]:
    """Positions of the date, datetime and 年-月 columns, in the form's (and the stored table's) column order."""
    return [i for i, f in enumerate(form.fields)
            if f.type in ("date", "datetime") or (f.type == "string" and f.pattern and r"\d{4}-" in f.pattern)]


def months_of(form, rows) -> Counter:
    """How many date cells fall in each month, over rows of canonical cells (schema order)."""
    cols = dated_columns(form)
    seen: Counter = Counter()
    for row in rows:
        for i in cols:
            cell = row[i] if i < len(row) else ""
            if cell and PERIOD.match(cell):
                seen[cell[:7]] += 1
    return seen


def mismatch(form, rows, month: str) -> Issue | None:
    """An Issue when the file has rows but not one date in the chosen month (3.19: a month's file holds that
    month's records, plus earlier ones still open or completed in it, so at least one date is in the month)."""
    if not rows:
        return None
    seen = months_of(form, rows)
    if not seen or month in seen:
        return None
    found = "、".join(f"{k[:4]}年{int(k[5:])}月（{n} 处）" for k, n in sorted(seen.items(), key=lambda kv: -kv[1])[:4])
    return Issue("month-mismatch", None, None, month,
                 m.MonthMismatch.render(month=f"{month[:4]}年{int(month[5:])}月", found=found))
