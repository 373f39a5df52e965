"""Checks a Table Schema cannot express: the GB 11643 check digit of a 身份证号."""

from __future__ import annotations

import re

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CODES = "10X98765432"
CN_ID = re.compile(r"\d{17}[\dX]")


def cn_id_check_digit(first17: str) -> str:
    return CHECK_CODES[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def valid_cn_id(value: str) -> bool:
    """18-digit resident ID number with a correct GB 11643-1999 check digit (X upper case)."""
    value = value.strip().upper()
    return bool(CN_ID.fullmatch(value)) and cn_id_check_digit(value[:17]) == value[17]
