"""How a cell's text becomes a typed value, once for both engines.

Each column type is one regular expression (the same text for Python's `re` and DuckDB's RE2) plus
the conversion each engine applies to a cell that matches it. A cell that does not match is a type
error in both engines, so the two cannot read a number or a date differently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

NUMERIC = "DECIMAL(38,18)"


def q(text: str) -> str:
    """text as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class ValueType:
    name: str
    word: str                    # what the clerk was asked for, in a message
    fix: str                     # how to write it
    regex: str | None            # None: any text
    python: Callable[[str], object]
    sql: str                     # DuckDB expression over {c}, for a cell that matches regex

    def parse(self, text: str):
        """The typed value, or None when the text is not of this type."""
        if self.regex is not None and not self._compiled().fullmatch(text):
            return None
        try:
            return self.python(text)
        except ValueError:
            return None

    def sql_value(self, c: str) -> str:
        """SQL: the typed value of column c, NULL when blank or not of this type."""
        if self.regex is None:
            return f"CASE WHEN {c} <> '' THEN {c} END"
        words = self.regex.split("|")
        if all(w and re.escape(w) == w for w in words):      # a list of words: IN is a third of RE2's cost
            test = f"{c} IN ({', '.join(map(q, words))})"
        else:
            test = f"regexp_full_match({c}, '{self.regex}')"
        return f"CASE WHEN {test} THEN {self.sql.format(c=c)} END"

    def _compiled(self):
        return _REGEX.setdefault(self.regex, re.compile(self.regex))


_REGEX: dict[str, re.Pattern] = {}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _datetime(text: str) -> dt.datetime:
    # the regex has fixed the shape "YYYY-MM-DD HH:MM"; fromisoformat reads it ~20× faster than strptime
    # and refuses the same impossible dates and times
    return dt.datetime.fromisoformat(text)


def _time(text: str) -> dt.time:
    return dt.time(int(text[:2]), int(text[3:]))


TYPES = {t.name: t for t in (
    ValueType("string", "文字", "", None, str, "{c}"),
    ValueType("integer", "整数", "请填整数，不带单位和文字。", r"[+-]?[0-9]{1,18}", int, "CAST({c} AS HUGEINT)"),
    ValueType("number", "数字", "请填数字，如 12.50，不带单位和文字。",
              r"[+-]?([0-9]{1,20}(\.[0-9]{0,18})?|\.[0-9]{1,18})", Decimal, f"TRY_CAST({{c}} AS {NUMERIC})"),
    # the regexes fix the shape (and the clock's range: DuckDB's cast would read 24:00 as the next day), so
    # a plain cast reads the rest; it refuses impossible dates as fromisoformat does, and year 0 is refused apart
    ValueType("date", "日期", "请写成 2026-11-05 这样的日期。", r"[0-9]{4}-[0-9]{2}-[0-9]{2}", _date,
              "CASE WHEN {c} NOT LIKE '0000%' THEN TRY_CAST({c} AS DATE) END"),
    ValueType("datetime", "日期时间", "请写成 2026-11-05 14:30 这样的日期和时间（记录到分钟）。",
              r"[0-9]{4}-[0-9]{2}-[0-9]{2} ([01][0-9]|2[0-3]):[0-5][0-9]", _datetime,
              "CASE WHEN {c} NOT LIKE '0000%' THEN TRY_CAST({c} AS TIMESTAMP) END"),
    ValueType("time", "时间", "请写成 14:30 这样的时间。", r"([01][0-9]|2[0-3]):[0-5][0-9]", _time,
              "CAST({c} || ':00' AS TIME)"),
    ValueType("boolean", "“是/否”", "请填“是”或“否”。", "是|否", lambda t: t == "是", "({c} = '是')"),
)}
