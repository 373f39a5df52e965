"""Frictionless Table Schemas for record forms, and the Data Package that lists them.

Field names are the Chinese headers clerks see, so a filled template validates as is.
"""

from __future__ import annotations

import math

from .model import Form, FormField

DATETIME_FORMAT = "%Y-%m-%d %H:%M"
TIME_FORMAT = "%H:%M"
FORMAT_PATTERNS = {
    "mobile": r"1[3-9]\d{9}",
    "cn-id": r"\d{17}[\dX]",
    "room": r"\d{1,3}-\d{1,2}-\d{3,4}",
}
TRUE_VALUES, FALSE_VALUES = ["是"], ["否"]


def field_pattern(field: FormField) -> str | None:
    """The pattern a cell must match in full (Table Schema patterns are anchored)."""
    if field.pattern:
        inner = field.pattern.removeprefix("^").removesuffix("$")
        return f"(?:{inner})" if "|" in inner else inner
    return FORMAT_PATTERNS.get(field.format) if field.format else None


def table_field(field: FormField) -> dict:
    out: dict = {"name": field.label, "type": field.type}
    if field.help:
        out["description"] = field.help
    if field.type == "datetime":
        out["format"] = DATETIME_FORMAT
    elif field.type == "time":
        out["format"] = TIME_FORMAT
    elif field.type == "boolean":
        out["trueValues"], out["falseValues"] = TRUE_VALUES, FALSE_VALUES
    constraints: dict = {}
    if field.required:
        constraints["required"] = True
    if field.enum:
        constraints["enum"] = list(field.enum)
    pattern = field_pattern(field)
    if pattern:
        constraints["pattern"] = pattern
    # an integer column's bounds are the whole numbers within them (minimum 0.5 means 1, not int(0.5) = 0)
    if field.min is not None:
        constraints["minimum"] = math.ceil(field.min) if field.type == "integer" else field.min
    if field.max is not None:
        constraints["maximum"] = math.floor(field.max) if field.type == "integer" else field.max
    if constraints:
        out["constraints"] = constraints
    return out


def table_schema(form: Form) -> dict:
    return {
        "fields": [table_field(f) for f in form.fields],
        "primaryKey": [form.field(k).label for k in form.primary_key],
        "missingValues": [""],
    }


def data_package(handbook, schema_path, data_path) -> dict:
    """A Data Package descriptor with one resource per record form."""
    return {
        "name": "handbook-records",
        "title": f"{handbook.organisation.company} 客服中心月度统计记录",
        "resources": [
            {
                "name": form.id,
                "title": form.title,
                "path": data_path(form),
                "profile": "tabular-data-resource",
                "format": "csv",
                "encoding": "utf-8-sig",
                "schema": schema_path(form),
            }
            for form in handbook.record_forms()
        ],
    }
