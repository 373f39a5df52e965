"""The stored records as typed rows, per 管理处 and as known at a given month.

A month's upload holds that month's records plus earlier ones still open or
completed in the month (3.19#4.2.3). The rows known at month M are therefore
every upload for months ≤ M, the latest upload winning for each primary key.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from ...forms.model import Form
from ...forms.schema import DATETIME_FORMAT
from ..store.catalogue import Store


def parse(value: str, kind: str):
    if value == "":
        return None
    try:
        if kind == "datetime":
            # stored cells are canonical "2026-11-05 14:30"; fromisoformat reads that shape ~20× faster
            # than strptime (which stays the judge of anything else)
            if len(value) == 16 and value[10] == " " and value[4] == value[7] == "-" and value[13] == ":":
                return dt.datetime.fromisoformat(value)
            return dt.datetime.strptime(value, DATETIME_FORMAT)
        if kind == "date":
            return dt.date.fromisoformat(value)
        if kind == "integer":
            return int(value)
        if kind == "number":
            return Decimal(value)
        if kind == "boolean":
            return value == "是"
    except (ValueError, InvalidOperation):
        return None
    return value


def as_text(value) -> str:
    """A typed value back to the text clerks write, for `where` filters and grouping."""
    if value is None:
        return ""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_FORMAT)
    return str(value)


class Dataset:
    def __init__(self, handbook, store: Store):
        self.forms: dict[str, Form] = handbook.form_by_id
        self.store = store
        self.uploads: dict[tuple[str, str], list[tuple[str, dict]]] = {}
        for form, site, month, upload in store.current_files():
            if form in self.forms:
                self.uploads.setdefault((form, site), []).append((month, upload))
        self._parsed: dict[str, list[tuple[tuple, dict]]] = {}
        self._as_of: dict[tuple[str, str], list[tuple[str, list[dict]]]] = {}
        self._months = sorted({m for ups in self.uploads.values() for m, _ in ups})
        self._filed: dict[tuple[str, str], set[str]] = {}
        self._forms_of: dict[str, list[str]] = {}
        for form, site in self.uploads:
            self._forms_of.setdefault(site, []).append(form)
        self._first: dict[str, str] = {}          # each 管理处's first filed month
        for (form, site), ups in self.uploads.items():
            for m, _ in ups:
                self._filed.setdefault((site, m), set()).add(form)
            if ups and ups[0][0] < self._first.get(site, "9999"):
                self._first[site] = ups[0][0]        # current_files() is sorted by month within a slot

    # ------------------------------------------------------------ what is there
    def sites(self, until: str | None = None) -> list[str]:
        """The 管理处 that filed anything up to this month (any month: until None)."""
        return sorted(s for s, first in self._first.items() if until is None or first <= until)

    def months(self) -> list[str]:
        return list(self._months)

    def submitted(self, site: str, month: str) -> set[str]:
        return set(self._filed.get((site, month), ()))

    def ever_submitted(self, site: str, form: str, until: str) -> bool:
        return any(m <= until for m, _ in self.uploads.get((form, site), []))

    # ------------------------------------------------------------ rows
    def _rows_of(self, form: Form, upload: dict) -> list[tuple[tuple, dict]]:
        """(primary key as text, typed row) for every row of one upload, parsed once."""
        if upload["id"] not in self._parsed:
            by_label = form.by_label()
            text = self.store.read(upload).decode("utf-8")
            reader = csv.reader(io.StringIO(text, newline=""))
            header = next(reader, [])
            columns = [(k, by_label[label].id, by_label[label].type) for k, label in enumerate(header) if label in by_label]
            empty = dict.fromkeys((f.id for f in form.fields), None)
            keys = form.primary_key
            texts = [(k, fid) for k, fid, kind in columns if kind == "string"]
            typed = [(k, fid, kind) for k, fid, kind in columns if kind != "string"]
            pad = [""] * len(header)
            rows = []
            for cells in reader:
                if len(cells) < len(header):
                    cells += pad[len(cells):]
                row = empty.copy()
                for k, fid in texts:
                    if cells[k]:
                        row[fid] = cells[k]
                for k, fid, kind in typed:
                    if cells[k]:
                        row[fid] = parse(cells[k], kind)
                rows.append((tuple(as_text(row[k]) for k in keys), row))
            self._parsed[upload["id"]] = rows
        return self._parsed[upload["id"]]

    def forget(self, site: str) -> None:
        """Drop one 管理处's parsed rows (a report computes the 管理处 one after another: memory stays at one)."""
        for form in self._forms_of.get(site, ()):
            self._as_of.pop((form, site), None)
            for _, upload in self.uploads[(form, site)]:
                self._parsed.pop(upload["id"], None)

    def rows(self, form_id: str, site: str, month: str) -> list[dict]:
        key = (form_id, site)
        if key not in self._as_of:
            # the rows known after each upload month, merged once in month order (the year-to-date
            # figures ask for every month, and each month's rows are the previous month's plus an upload)
            form = self.forms[form_id]
            merged: dict[tuple, dict] = {}
            snapshots = []
            for upload_month, upload in self.uploads.get(key, []):
                merged.update(self._rows_of(form, upload))
                snapshots.append((upload_month, list(merged.values())))
            self._as_of[key] = snapshots
        snapshots = self._as_of[key]
        at = bisect.bisect_right(snapshots, month, key=lambda s: s[0])
        return snapshots[at - 1][1] if at else []

    def rows_for(self, site: str, month: str):
        """A `rows(form_id)` callable for the item builders."""
        return lambda form_id: self.rows(form_id, site, month) if form_id in self.forms else []
