"""The validation rules: the one place a check is added.

A rule is a message class (code, title, Chinese template) with its Python test and its SQL side by
side (rules/base.py). Cell rules apply to a column by its declaration (required, type, enum, pattern,
min/max, format); row rules are switched on in the form YAML (after:, closes_with:). Both engines —
the row engine (engine.py) and the DuckDB bulk engine (bulk.py) — evaluate exactly this list and
return the same Findings.
"""

from __future__ import annotations

from .base import CellRule, Finding, Rule, RowRule
from .between import RequiredWhen, StatusNeedsTime, TimeNeedsStatus, TimeOrder
from .cells import CnId, Enum, Maximum, Minimum, Mobile, Pattern, Required, TypeMismatch, Unsupported
from .keys import BlankRow, DuplicateKey

# order within one cell and one row is the report order
CELL_RULES: list[type[CellRule]] = [Required, TypeMismatch, Pattern, Enum, Minimum, Maximum, CnId, Mobile]
ROW_RULES: list[type[RowRule]] = [TimeOrder, StatusNeedsTime, TimeNeedsStatus, RequiredWhen]
TABLE_RULES: list[type[Rule]] = [DuplicateKey, BlankRow]
RULES: list[type[Rule]] = CELL_RULES + ROW_RULES + TABLE_RULES
BY_CODE: dict[str, type[Rule]] = {r.code: r for r in RULES}

__all__ = ["RULES", "BY_CODE", "CELL_RULES", "ROW_RULES", "TABLE_RULES", "Finding", "Rule", "CellRule", "RowRule",
           "Unsupported"]
