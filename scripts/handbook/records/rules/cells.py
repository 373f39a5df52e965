"""Rules on one cell: filled, of its type, within its constraints, and the two checks a pattern cannot make."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from ...forms.model import FormField
from ...forms.schema import field_pattern
from ...forms.spreadsheets import field_hint
from .base import CellRule
from .types import NUMERIC, TYPES, q


class Unsupported(Exception):
    """The bulk engine cannot say this rule in SQL with the same meaning: the row engine decides."""


def re2(pattern: str) -> str:
    """A Python pattern as RE2 with the same meaning (\\d is any Unicode digit in both), or Unsupported."""
    if re.search(r"\\[^d.\-+*?()\[\]{}|^$/\\]|\(\?(?!:)|\[\^?\]", pattern):      # (?: groups are fine
        raise Unsupported(f"pattern {pattern}")
    return pattern.replace(r"\d", r"\p{Nd}")


class Required(CellRule):
    code = "required"
    title = "必填栏目为空"
    template = "{where}是必填栏目，不能为空。{fix}"
    stage = "blank"

    @classmethod
    def applies(cls, field: FormField) -> bool:
        return field.required

    def test(self, text, value):
        hint = field_hint(self.field)
        return {"fix": f"填写要求：{hint}。" if hint else ""}

    def sql(self, c, v):
        return f"{c} = ''"


class TypeMismatch(CellRule):
    code = "type-error"
    kind = "type-error"
    title = "格式不对"
    template = "{where}的“{value}”不是有效的{type_label}。{fix}"
    stage = "type"

    @classmethod
    def applies(cls, field: FormField) -> bool:
        return field.type != "string"

    def test(self, text, value):
        kind = TYPES[self.field.type]
        return {"type_label": kind.word, "fix": kind.fix}

    def sql(self, c, v):
        return f"{c} <> '' AND {v} IS NULL"


class Enum(CellRule):
    code = "enum"
    title = "不在可选范围内"
    template = "{where}的“{value}”不在可选范围内。请从下拉列表中选择：{choices}。"

    @classmethod
    def applies(cls, field):
        return bool(field.enum)

    def test(self, text, value):
        return None if text in self.field.enum else {"choices": "、".join(self.field.enum)}

    def sql(self, c, v):
        return f"{v} IS NOT NULL AND {c} NOT IN ({', '.join(map(q, self.field.enum))})"


class Pattern(CellRule):
    code = "pattern"
    title = "格式不对"
    template = "{where}的“{value}”格式不对。{fix}"

    @classmethod
    def applies(cls, field):
        return field.type == "string" and field_pattern(field) is not None

    def test(self, text, value):
        if re.fullmatch(field_pattern(self.field), text):
            return None
        hint = field_hint(self.field)
        return {"fix": ("应为：" + hint + "。") if hint else ""}

    def sql(self, c, v):
        return f"{v} IS NOT NULL AND NOT regexp_full_match({c}, {q(re2(field_pattern(self.field)))})"


def _limit_sql(field: FormField, limit: float, whole) -> str:
    """The limit as SQL; for an integer column the nearest whole number on the allowed side (whole: ceil or floor)."""
    if field.type == "integer":
        return str(whole(limit))
    text = format(Decimal(str(limit)), "f")
    return f"CAST({q(text)} AS {NUMERIC})"


class Minimum(CellRule):
    code = "minimum"
    title = "小于最小值"
    template = "{where}的“{value}”小于最小值 {limit}。请核对后重填。"

    @classmethod
    def applies(cls, field):
        return field.min is not None

    def test(self, text, value):
        return {"limit": f"{self.field.min:g}"} if value < Decimal(str(self.field.min)) else None

    def sql(self, c, v):
        return f"{v} < {_limit_sql(self.field, self.field.min, math.ceil)}"


class Maximum(CellRule):
    code = "maximum"
    title = "大于最大值"
    template = "{where}的“{value}”大于最大值 {limit}。请核对后重填。"

    @classmethod
    def applies(cls, field):
        return field.max is not None

    def test(self, text, value):
        return {"limit": f"{self.field.max:g}"} if value > Decimal(str(self.field.max)) else None

    def sql(self, c, v):
        return f"{v} > {_limit_sql(self.field, self.field.max, math.floor)}"


ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def cn_id_check_digit(first17: str) -> str:
    """GB 11643: the 18th character of a 身份证号 from its first 17 digits."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def cn_id_problem(value: str) -> str | None:
    """None if an 18-character id is well-formed (GB 11643), else what is wrong. The shape is the pattern's."""
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        return None
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "中的出生日期不存在"
    expected = cn_id_check_digit(value[:17])
    if value[17] != expected:
        return f"校验位不对（按前17位计算末位应为 {expected}）"
    return None


class CnId(CellRule):
    code = "cn-id"
    kind = "cn-id"
    title = "身份证号有误"
    template = "{where}的身份证号“{value}”{reason}。请与证件核对后重填。"

    @classmethod
    def applies(cls, field):
        return field.format == "cn-id"

    def test(self, text, value):
        reason = cn_id_problem(text)
        return None if reason is None else {"reason": reason}

    def sql(self, c, v):
        total = " + ".join(f"{w} * CAST(substr({c}, {k + 1}, 1) AS INTEGER)" for k, w in enumerate(ID_WEIGHTS))
        birth = f"substr({c}, 7, 4) || '-' || substr({c}, 11, 2) || '-' || substr({c}, 13, 2)"
        bad = (f"(substr({c}, 7, 4) = '0000' OR try_strptime({birth}, '%Y-%m-%d') IS NULL"
               f" OR substr('{ID_CHECK}', (({total}) % 11) + 1, 1) <> substr({c}, 18, 1))")
        return f"(CASE WHEN regexp_full_match({c}, '[0-9]{{17}}[0-9X]') THEN {bad} ELSE FALSE END)"


class Mobile(CellRule):
    code = "mobile"
    kind = "mobile"
    title = "手机号有误"
    template = "{where}的“{value}”不是11位手机号（1开头，第二位为3—9）。请核对后重填。"
    MOBILE = "1[3-9][0-9]{9}"

    @classmethod
    def applies(cls, field):
        # a mobile column with its own (wider) pattern still holds mobiles only
        return field.format == "mobile" and bool(field.pattern)

    def test(self, text, value):
        return None if re.fullmatch(self.MOBILE, text) else {}

    def sql(self, c, v):
        return f"{v} IS NOT NULL AND NOT regexp_full_match({c}, '{self.MOBILE}')"
