"""Everything built from one form definition, by path relative to the site root."""

from __future__ import annotations

import io
import json
import zipfile

from .model import Form
from .printable import render_all_printables, render_printable
from .schema import data_package, table_schema
from .spreadsheets import csv_template, xlsx_template

DATA_PACKAGE = "datapackage.json"
# Everything at once: every blank form to print, every template in one ZIP.
ALL_PRINT = "print/all-forms.html"
ALL_TEMPLATES = "downloads/templates.zip"
ALL_TEMPLATES_NAME = "客服中心记录表模板（Excel与CSV）.zip"
# A fixed time inside the ZIP, so the same forms always give the same file.
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def download_name(form: Form, ext: str) -> str:
    """The file name a download is saved under: 46 files in one folder stay tellable apart."""
    return f"{form.number} {form.title}.{ext}"


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


def templates_zip(handbook, built: dict[str, bytes | str]) -> bytes:
    """Every record form's Excel and CSV template (as built: path → content), under Chinese file names."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for form in handbook.record_forms():
            for ext in ("xlsx", "csv"):
                zf.writestr(zipfile.ZipInfo(download_name(form, ext), ZIP_TIME), built[artifact_paths(form)[ext]],
                            zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def bulk_artifacts(handbook, built: dict[str, bytes | str]) -> dict[str, bytes | str]:
    return {ALL_PRINT: render_all_printables(handbook), ALL_TEMPLATES: templates_zip(handbook, built)}
