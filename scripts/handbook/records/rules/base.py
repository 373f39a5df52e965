"""What a rule is, and what it finds.

A rule is a message class of the catalogue (code, title, Chinese template) that also knows how to
test one row in Python and how to say the same test in SQL for the bulk engine. The rule list in
rules/__init__.py is the one place a check is added.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import messages as m
from ...forms.model import Form, FormField


@dataclass(frozen=True)
class Finding:
    """One problem in one row, as both engines report it."""

    code: str                      # the rule's code
    row: int | None                # spreadsheet row as the clerk sees it
    field: str | None              # column label
    value: str | None              # the cell as normalised ('' → None)
    params: dict = field(default_factory=dict, compare=False)


class Rule(m.HandbookError):
    kind = "row-constraint"        # the `--json` error type (Frictionless's vocabulary, kept for scripts)


class CellRule(Rule):
    """A test of one cell. Bound to a column by bind(); test() sees the cell's text and typed value."""

    kind = "constraint-error"
    stage = "value"                # "blank": tested on an empty cell; "type": on a filled one; "value": on a valid one

    def __init__(self, form: Form, field: FormField):
        self.form, self.field = form, field

    @classmethod
    def bind(cls, form: Form) -> list[CellRule]:
        return [cls(form, f) for f in form.fields if cls.applies(f)]

    @classmethod
    def applies(cls, field: FormField) -> bool:
        raise NotImplementedError

    def test(self, text: str, value) -> dict | None:
        """None when the cell keeps the rule, else the message parameters (besides where/value)."""
        raise NotImplementedError

    def sql(self, c: str, v: str) -> str:
        """SQL true when the cell breaks the rule: c is its text, v its typed value (NULL when blank/invalid)."""
        raise NotImplementedError


class RowRule(Rule):
    """A test across the columns of one row, declared in the form YAML (after:, closes_with:)."""

    def __init__(self, form: Form, **bound):
        self.form = form
        self.__dict__.update(bound)

    @classmethod
    def bind(cls, form: Form) -> list[RowRule]:
        raise NotImplementedError

    def test(self, values: dict, texts: dict) -> tuple[FormField, dict] | None:
        """values/texts by field id. None when the row keeps the rule, else (the column, message parameters)."""
        raise NotImplementedError

    def sql(self, v, c) -> str:
        """SQL true when the row breaks the rule; v(field) is the column holding the field's typed value,
        c(field) the one holding its normalised text ('' when empty)."""
        raise NotImplementedError

    def fields(self) -> list[FormField]:
        """The columns whose typed values the rule reads (the bulk engine computes each once)."""
        raise NotImplementedError
