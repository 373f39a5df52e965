"""Everything built from one form definition, by path relative to the site root."""

from __future__ import annotations

import json

from .model import Form
from .printable import render_printable
from .schema import data_package, table_schema
from .spreadsheets import csv_template, xlsx_template

DATA_PACKAGE = "datapackage.json"


def artifact_paths(form: Form) -> dict[str, str]:
    paths = {"page": f"forms/{form.id}/", "print": f"print/{form.id}.html"}
    if form.is_record:
        paths |= {"csv": f"downloads/{form.id}.csv", "xlsx": f"downloads/{form.id}.xlsx",
                  "schema": f"schemas/{form.id}.json"}
    return paths


def artifacts(form: Form, handbook) -> dict[str, bytes | str]:
    """path → content, for every file this form contributes to the site."""
    paths = artifact_paths(form)
    out: dict[str, bytes | str] = {paths["print"]: render_printable(form, handbook)}
    if form.is_record:
        out[paths["csv"]] = csv_template(form)
        out[paths["xlsx"]] = xlsx_template(form, handbook.organisation.company)
        out[paths["schema"]] = json.dumps(table_schema(form), ensure_ascii=False, indent=2)
    return out


def package_descriptor(handbook) -> str:
    descriptor = data_package(handbook, lambda f: artifact_paths(f)["schema"], lambda f: artifact_paths(f)["csv"])
    return json.dumps(descriptor, ensure_ascii=False, indent=2)
