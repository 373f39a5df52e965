"""Printable blank forms: standalone A4 HTML from the Jinja2 templates in this package."""

from __future__ import annotations

import math
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .model import Form

TEMPLATES = Path(__file__).parent / "templates"
PAGE_HEIGHT_MM = {"portrait": 297 - 26, "landscape": 210 - 26}
# Header table (three rows: form, 状态 and sign-offs, 依据), title, 管理处/月份 line, a table head of up to four
# lines, signatures, a margin.
FIXED_MM = 19 + 14 + 7 + 16 + 12 + 10
NOTE_MM = 5

# Column widths: what is written in a column decides how wide it prints.
CHAR_MM = 4.0                     # one handwritten Chinese character
CELL_PAD_MM = 2.4
NUMBER_COL_MM = 8                 # the 序号 column
TABLE_WIDTH_MM = {"portrait": 210 - 24, "landscape": 297 - 24}
NAME_SUFFIXES = ("人", "姓名", "人员", "员")
PRINTED_CHAR_MM = 3.2            # one character of a column heading (8.5 pt)
WRITTEN_CHARS = {"boolean": 1, "time": 3, "date": 4, "datetime": 6, "integer": 3, "number": 3}
FORMAT_CHARS = {"mobile": 5, "cn-id": 8, "room": 4}   # digits are about half a character wide

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["j2", "html"]),
                   trim_blocks=True, lstrip_blocks=True)


def row_height_mm(form: Form) -> float:
    """Tallest blank row that still lets the rows fit on the intended pages."""
    rows = form.paper.rows or 1
    per_page = math.ceil(rows / form.paper.pages)
    available = PAGE_HEIGHT_MM[form.paper.orientation] - FIXED_MM - NOTE_MM * len(form.paper.notes)
    return round(max(5.0, min(10.0, available / per_page)), 2)


def is_name(field) -> bool:
    return field.type == "string" and not field.enum and field.label.endswith(NAME_SUFFIXES)


def written_chars(field) -> float:
    """How many characters wide the longest usual entry in this column is."""
    if field.enum:
        return max(len(v) for v in field.enum)
    if field.format in FORMAT_CHARS:
        return FORMAT_CHARS[field.format]
    if is_name(field):
        return 4
    if field.type == "string":
        return max(2, 1.5 * field.width)   # free text: the definition's relative width
    return WRITTEN_CHARS.get(field.type, 2)


def column_widths_mm(form: Form) -> list[float]:
    """Each column as wide as what is written in it (names at least 4 characters); what is left
    of the page width is shared by the fields' `width`. When that does not fit, every column but
    the names gives up the same share of its width above its heading's (headings wrap onto two lines)."""
    available = TABLE_WIDTH_MM[form.paper.orientation] - NUMBER_COL_MM
    want = [written_chars(f) * CHAR_MM + CELL_PAD_MM for f in form.fields]
    floor = [math.ceil(len(f.label) / 2) * PRINTED_CHAR_MM + CELL_PAD_MM for f in form.fields]
    want = [max(w, lo) for w, lo in zip(want, floor)]
    spare = available - sum(want)
    if spare >= 0:
        total = sum(f.width for f in form.fields)
        return [round(w + spare * f.width / total, 1) for w, f in zip(want, form.fields)]
    names = sum(w for w, f in zip(want, form.fields) if is_name(f))
    room = available - names - sum(lo for lo, f in zip(floor, form.fields) if not is_name(f))
    give = sum(w - lo for w, lo, f in zip(want, floor, form.fields) if not is_name(f))
    keep = max(0.0, room / give) if give else 0.0
    return [round(w if is_name(f) else lo + (w - lo) * keep, 1) for w, lo, f in zip(want, floor, form.fields)]


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
        widths=column_widths_mm(form) if form.fields else [], number_col=NUMBER_COL_MM,
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
