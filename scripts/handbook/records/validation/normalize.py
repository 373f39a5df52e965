"""Raw cells → the form's columns, in schema order, with safe normalisations listed.

Safe means the meaning cannot change: spaces, full-width digits, the usual
ways of writing a date, Excel date serials, phone separators. Anything else
is left for validation to report.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from ... import messages as m
from ...forms.model import Form, FormField
from .issues import Issue
from .reading import RawTable, Unusable, excel_serial

FULL_WIDTH = str.maketrans("０１２３４５６７８９：－．／，＋ｘＸ", "0123456789:-./,+xX")
DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "―": "-", "‐": "-"})
ZERO_REPORT = {"本月无", "本月无记录", "无"}

DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
TIME = r"(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*分?(?:\s*:\s*(\d{1,2})(?:\.\d+)?\s*秒?)?"
DATE_RE = re.compile(rf"^{DATE}$")
DATE_MIDNIGHT_RE = re.compile(rf"^{DATE}\s+0{{1,2}}:00(?::00)?$")
DATETIME_RE = re.compile(rf"^{DATE}(?:\s*|T){TIME}$")
TIME_RE = re.compile(rf"^{TIME}$")
THOUSANDS_RE = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
ROOM_RE = re.compile(r"^(\d{1,3})\s*(?:栋|幢|号楼|#)\s*(\d{1,2})\s*单元\s*(\d{3,4})\s*(?:室|号)?$")
HEADER_JUNK = re.compile(r"[\s*＊]")
UNIT_SUFFIX = re.compile(r"[（(]([^）)]{1,6})[）)]$")


@dataclass
class Table:
    """A file read against one form: rows in schema order, as strings."""

    form: Form
    labels: list[str]
    rows: list[list[str]]
    row_numbers: list[int]          # spreadsheet row number of each row (header = 1 normally)
    header_row: int = 1
    issues: list[Issue] = field(default_factory=list)        # label problems
    normalized: list[dict] = field(default_factory=list)


class Changes:
    """Collects cell normalisations, grouped by kind and column."""

    def __init__(self):
        self.groups: dict[tuple, dict] = {}
        self.order: list[tuple] = []

    def add(self, error: type[m.HandbookError], label: str, row: int, before, after) -> None:
        key = (error.code, label)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = {"error": error, "field": label, "count": 0, "rows": [], "before": str(before), "after": str(after)}
            self.order.append(key)
        group["count"] += 1
        if len(group["rows"]) < 10:
            group["rows"].append(row)

    def entries(self) -> list[dict]:
        out = []
        for key in self.order:
            g = self.groups[key]
            rows = "、".join(str(r) for r in g["rows"]) + ("等" if g["count"] > len(g["rows"]) else "")
            out.append({
                "kind": g["error"].code, "field": g["field"], "count": g["count"], "rows": g["rows"],
                "before": g["before"], "after": g["after"],
                "message": g["error"].render(field=g["field"], count=g["count"], rows=rows,
                                                      before=g["before"], after=g["after"]),
            })
        return out


def note(error: type[m.HandbookError], **params) -> dict:
    return {"kind": error.code, "field": params.get("field"), "count": params.get("count", 1),
            "rows": params.get("row_list", []), "message": error.render(**params)}


# ---------------------------------------------------------------- header
def clean_header(value, form: Form, labels: dict | None = None) -> str:
    """A header cell as the label it means; labels: form.by_label() when the caller has it (every header cell
    of every upload is read against every record form)."""
    text = "" if value is None else str(value)
    text = HEADER_JUNK.sub("", text).translate(FULL_WIDTH)
    labels = form.by_label() if labels is None else labels
    if text in labels:
        return text
    match = UNIT_SUFFIX.search(text)
    if match:
        bare = text[:match.start()]
        if bare in labels:
            return bare
    return text


def _is_blank(row: list) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in row)


def match_count(row: list, form: Form) -> int:
    labels = form.by_label()
    return len({clean_header(c, form, labels) for c in row} & labels.keys())


def find_header(raw: RawTable, form: Form) -> int:
    """Index of the header row: the first non-blank row, or a later one among the first ten that matches better."""
    candidates = [i for i, row in enumerate(raw.rows[:30]) if not _is_blank(row)][:10]
    if not candidates:
        raise Unusable(m.RecordEmpty)
    best = max(candidates, key=lambda i: (match_count(raw.rows[i], form), -i))
    return best if match_count(raw.rows[best], form) > match_count(raw.rows[candidates[0]], form) else candidates[0]


def _labels_found(header: list, form: Form) -> set[str]:
    labels = form.by_label()
    return {clean_header(c, form, labels) for c in header if c is not None and str(c).strip()} & labels.keys()


def _missing_required(header: list, form: Form) -> list[str]:
    found = _labels_found(header, form)
    return [f.label for f in form.fields if f.required and f.label not in found]


def check_form_matches(raw: RawTable, header: list, form: Form, others: list[Form]) -> None:
    """Unusable when the header is another form's: most required columns missing, or another form fits it fully."""
    filled = max(1, sum(1 for c in header if c is not None and str(c).strip()))
    found = _labels_found(header, form)
    required = [f for f in form.fields if f.required]
    missing = _missing_required(header, form)
    coverage = len(found) / filled
    better = [o for o in others if o.id != form.id and not _missing_required(header, o)
              and len(_labels_found(header, o)) / filled > coverage]
    wrong = not found or len(required) - len(missing) < math.ceil(len(required) / 2) or (missing and better)
    if not wrong:
        return
    suggestion = ""
    if better:
        best = max(better, key=lambda o: len(_labels_found(header, o)))
        suggestion = m.RecordLooksLike.render(title=best.title)
    raise Unusable(m.RecordWrongForm, title=form.title, number=form.number, total=len(form.fields),
                   found=len(found), suggestion=suggestion)


# ---------------------------------------------------------------- cells
def xlsx_cell(value, f: FormField, row: int, changes: Changes) -> str:
    """An XLSX cell's Python value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return _datetime_text(value, f, row, changes)
    if isinstance(value, dt.date):
        return value.isoformat() if f.type != "datetime" else value.isoformat() + " 00:00"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, (int, float)):
        if f.type in ("date", "datetime") and isinstance(value, float | int):
            when = excel_serial(float(value))
            if when is not None:
                text = _datetime_text(when, f, row, None)
                changes.add(m.NormExcelSerial, f.label, row, _number_text(value), text)
                return text
        return _number_text(value)
    return str(value)


def _number_text(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def _datetime_text(value: dt.datetime, f: FormField, row: int, changes: Changes | None) -> str:
    if f.type == "date":
        return value.date().isoformat()
    if f.type == "time":
        return value.strftime("%H:%M")
    # Excel keeps times as fractions of a day: 14:30 may come back as 14:29:59.999
    rounded = (value + dt.timedelta(seconds=1)).replace(second=0, microsecond=0) if value.second >= 59 else value
    if f.type == "string" and rounded.hour == rounded.minute == rounded.second == 0:
        return rounded.date().isoformat()
    text = rounded.strftime("%Y-%m-%d %H:%M")
    if rounded.second or (rounded.microsecond and value.second < 59):
        if changes is not None:
            changes.add(m.NormSeconds, f.label, row, rounded.strftime("%Y-%m-%d %H:%M:%S"), text)
    return text


def _valid_date(y, mo, d) -> str | None:
    try:
        return dt.date(int(y), int(mo), int(d)).isoformat()
    except ValueError:
        return None


def normalize_cell(text: str, f: FormField, row: int, changes: Changes) -> str:
    stripped = text.strip()
    if stripped != text:
        changes.add(m.NormCellSpaces, f.label, row, text, stripped)
    text = stripped
    if not text:
        return text
    structured = f.type != "string" or f.format or f.pattern
    if structured:
        narrow = text.translate(FULL_WIDTH)
        if narrow != text:
            changes.add(m.NormFullWidth, f.label, row, text, narrow)
            text = narrow
    if f.type == "date":
        match = DATE_RE.match(text) or DATE_MIDNIGHT_RE.match(text)
        if match:
            iso = _valid_date(*match.groups()[:3])
            if iso and iso != text:
                changes.add(m.NormDate, f.label, row, text, iso)
                return iso
    elif f.type == "datetime":
        match = DATETIME_RE.match(text)
        if match:
            y, mo, d, hh, mm, ss = match.groups()
            iso = _valid_date(y, mo, d)
            if iso and int(hh) < 24 and int(mm) < 60:
                out = f"{iso} {int(hh):02d}:{int(mm):02d}"
                if ss is not None and int(ss) != 0:
                    changes.add(m.NormSeconds, f.label, row, text, out)
                elif out != text and text not in (out, out + ":00"):
                    changes.add(m.NormDatetime, f.label, row, text, out)
                return out
    elif f.type == "time":
        match = TIME_RE.match(text)
        if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
            out = f"{int(match.group(1)):02d}:{int(match.group(2)):02d}"
            if out != text and text not in (out, out + ":00"):
                changes.add(m.NormTime, f.label, row, text, out)
            return out
    elif f.type in ("integer", "number"):
        out = text
        if f.unit and out.endswith(f.unit):
            out = out[: -len(f.unit)].strip()
        if THOUSANDS_RE.match(out):
            out = out.replace(",", "")
        if out != text:
            changes.add(m.NormNumber, f.label, row, text, out)
        return out
    elif f.type == "boolean":
        out = {"是": "是", "否": "否", "是的": "是"}.get(text, text)
        if out != text:
            changes.add(m.NormBoolean, f.label, row, text, out)
        return out
    if f.phone:
        out = re.sub(r"^\+?86(?=1[3-9])", "", re.sub(r"[\s-](?=\d)", "", text))
        if re.fullmatch(r"1[3-9]\d{9}", out) and out != text:
            changes.add(m.NormPhone, f.label, row, text, out)
            return out
    elif f.format == "cn-id" and text.endswith("x"):
        out = text[:-1] + "X"
        changes.add(m.NormIdX, f.label, row, text, out)
        return out
    elif f.format == "room":
        out = text.translate(DASHES)
        match = ROOM_RE.match(out)
        if match:
            out = "-".join(match.groups())
        if out != text:
            changes.add(m.NormRoom, f.label, row, text, out)
            return out
    return text


def header_layout(form: Form, header: list, h: int, width: int, column_blank, normalized: list[dict]):
    """Map file columns to the form: (label issues, file column of each form field, extra-cell columns).

    column_blank(col) says whether a body column holds nothing; shared by the Python reader and the DuckDB engine.
    """
    labels = form.by_label()
    issues: list[Issue] = []
    position: dict[str, int] = {}           # label → column index in the file
    duplicates: dict[str, list[int]] = defaultdict(list)
    extra_cells: set[int] = set()
    for col in range(width):
        value = header[col] if col < len(header) else None
        label = clean_header(value, form, labels)
        if label in labels:
            if label in position:
                if column_blank(col):
                    continue
                duplicates[label].append(col)
                continue
            position[label] = col
            before = "" if value is None else str(value)
            if before != label:
                normalized.append(note(m.NormHeader, before=before, after=label, field=label))
        elif column_blank(col):
            if value is not None and str(value).strip():
                normalized.append(note(m.NormEmptyColumn, col=col + 1, value=str(value).strip()))
        elif value is None or not str(value).strip():
            extra_cells.add(col)
        else:
            issues.append(Issue("extra-label", None if h == 0 else h + 1, None, str(value).strip(),
                                m.RecordExtraLabel.render(col=col + 1, value=str(value).strip(),
                                                                   choices="、".join(labels))))
    for label, cols in duplicates.items():
        cols_text = "、".join(str(c + 1) for c in [position[label], *cols])
        issues.append(Issue("duplicate-label", h + 1, label, None,
                            m.RecordDuplicateLabel.render(field=label, cols=cols_text)))
    for f in form.fields:
        if f.label in position:
            continue
        if f.required:
            issues.append(Issue("missing-label", h + 1, f.label, None, m.RecordMissingLabel.render(field=f.label)))
        else:
            normalized.append(note(m.NormMissingOptional, field=f.label))
    order = [position.get(f.label) for f in form.fields]
    if [c for c in order if c is not None] != sorted(c for c in order if c is not None):
        normalized.append(note(m.NormColumnOrder))
    return issues, order, extra_cells


def body_notes(blank_first: list[int], blank_count: int, zero_rows: list[int]) -> list[dict]:
    """Notes on skipped blank rows and “本月无” rows (first ten blank row numbers, their count)."""
    out = []
    if blank_count:
        shown = "、".join(map(str, blank_first)) + ("等" if blank_count > 10 else "")
        out.append(note(m.NormBlankRows, count=blank_count, rows=shown, row_list=blank_first))
    if zero_rows:
        out.append(note(m.NormZeroReport, rows="、".join(map(str, zero_rows)), row_list=zero_rows))
    return out


# ---------------------------------------------------------------- the table
def to_table(raw: RawTable, form: Form, others: list[Form] = ()) -> Table:
    """Match the header to the form, reorder columns to the schema and normalise cells."""
    if all(_is_blank(r) for r in raw.rows):
        raise Unusable(m.RecordEmpty)
    h = find_header(raw, form)
    header = raw.rows[h]
    check_form_matches(raw, header, form, list(others))
    normalized: list[dict] = []
    if raw.encoding in ("gb18030", "utf-16"):
        normalized.append(note(m.NormEncoding, encoding={"gb18030": "GBK/GB18030", "utf-16": "UTF-16"}[raw.encoding]))
    if h > 0:
        normalized.append(note(m.NormTitleRows, row=h + 1))

    body = raw.rows[h + 1:]
    while body and _is_blank(body[-1]):      # templates carry formatted but empty rows at the end
        body.pop()
    width = max([len(header)] + [len(r) for r in body])

    def column_blank(col: int) -> bool:
        return all(col >= len(r) or r[col] is None or str(r[col]).strip() == "" for r in body)

    issues, order, extra_cells = header_layout(form, header, h, width, column_blank, normalized)
    changes = Changes()
    rows, numbers, blank_rows, zero_rows = [], [], [], []
    for i, raw_row in enumerate(body):
        number = h + 2 + i
        if _is_blank(raw_row):
            blank_rows.append(number)
            continue
        filled = [str(c).strip() for c in raw_row if c is not None and str(c).strip()]
        if len(filled) == 1 and filled[0] in ZERO_REPORT:
            zero_rows.append(number)
            continue
        out = []
        for f, col in zip(form.fields, order):
            cell = raw_row[col] if col is not None and col < len(raw_row) else None
            text = xlsx_cell(cell, f, number, changes) if raw.kind == "xlsx" else ("" if cell is None else str(cell))
            out.append(normalize_cell(text, f, number, changes))
        for col in sorted(extra_cells):
            if col < len(raw_row) and raw_row[col] is not None and str(raw_row[col]).strip():
                issues.append(Issue("extra-cell", number, None, str(raw_row[col]).strip(),
                                    m.RecordExtraCell.render(row=number, value=str(raw_row[col]).strip())))
        rows.append(out)
        numbers.append(number)
    normalized += body_notes(blank_rows[:10], len(blank_rows), zero_rows) + changes.entries()
    return Table(form=form, labels=[f.label for f in form.fields], rows=rows, row_numbers=numbers,
                 header_row=h + 1, issues=issues, normalized=normalized)


def guess_form(raw: RawTable, forms: list[Form]) -> Form | None:
    """The record form whose header this file carries: every required column present, most columns matched.
    None when no form fits (the clerk then chooses)."""
    best, best_key = None, (0, 0)
    for form in forms:
        header = raw.rows[find_header(raw, form)]
        found = _labels_found(header, form)
        if not found or _missing_required(header, form):
            continue
        key = (len(found), -len(form.fields))
        if key > best_key:
            best, best_key = form, key
    return best
