"""Printable blank forms: standalone A4 HTML from the Jinja2 templates in this package."""

from __future__ import annotations

import math
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .model import Form

TEMPLATES = Path(__file__).parent / "templates"
PAGE_HEIGHT_MM = {"portrait": 297 - 26, "landscape": 210 - 26}
# Header table, title, 管理处/月份 line, a table head of up to four lines, signatures, a margin.
FIXED_MM = 13 + 14 + 7 + 16 + 12 + 10
NOTE_MM = 5

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["j2", "html"]),
                   trim_blocks=True, lstrip_blocks=True)


def row_height_mm(form: Form) -> float:
    """Tallest blank row that still lets the rows fit on the intended pages."""
    rows = form.paper.rows or 1
    per_page = math.ceil(rows / form.paper.pages)
    available = PAGE_HEIGHT_MM[form.paper.orientation] - FIXED_MM - NOTE_MM * len(form.paper.notes)
    return round(max(5.0, min(10.0, available / per_page)), 2)


def render_sheet(form: Form, handbook) -> str:
    """One form's sheet(s): the part of a printable document that belongs to this form."""
    procedure = handbook.by_chapter[form.chapter]
    clause = form.procedure.partition("#")[2] or "—"
    template = _env.get_template(f"{form.kind}.html.j2")
    boxes = [f for f in form.fields if f.width < 4]
    wide = [f for f in form.fields if f.width >= 4]
    available = PAGE_HEIGHT_MM[form.paper.orientation] * form.paper.pages - FIXED_MM - 30
    # A row of two short boxes prints about 8 mm high; the wide boxes share what is left.
    short_rows = math.ceil(len(boxes) / 2)
    body_mm = 12 if form.body else 0
    if form.body:
        body_mm = 7 * (len(form.body) // 60 + form.body.count("\n") + 1)
    spare = available - 8 * short_rows - body_mm
    wide_height = max(14, min(60, spare / max(1, len(wide)))) if wide else 14
    return template.render(
        form=form, org=handbook.organisation, procedure=procedure, clause=clause,
        total_width=sum(f.width for f in form.fields) or 1,
        row_height=f"{row_height_mm(form)}mm", wide_height=f"{wide_height:.0f}mm",
    )


def _document(forms: list[Form], handbook, title: str, button: str) -> str:
    sheets = [{"form": f, "html": render_sheet(f, handbook)} for f in forms]
    return _env.get_template("document.html.j2").render(sheets=sheets, org=handbook.organisation, title=title, button=button)


def render_printable(form: Form, handbook) -> str:
    return _document([form], handbook, f"{form.number} {form.title}", "打印本表")


def render_all_printables(handbook) -> str:
    """Every blank form in one document, each on its own pages and paper orientation."""
    return _document(list(handbook.forms), handbook, f"{handbook.organisation.company} 全部空白表单", "打印全部表单")
