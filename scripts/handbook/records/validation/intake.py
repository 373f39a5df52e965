"""One path from a clerk's file to the store, shared by `handbook ingest` and the upload page."""

from __future__ import annotations

import csv
import io
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .months import mismatch
from .reading import UPLOAD_LIMITS, Limits
from ..store.catalogue import Store, sha256
from .validate import Result, canonical_csv, validate_file


@dataclass
class Submission:
    result: Result
    outcome: str | None = None        # stored / superseded / unchanged; None when not stored
    upload: dict | None = None
    previous: dict | None = None      # the upload this one replaces (or equals)


@dataclass
class Checked:
    """A validated upload and, when valid, its rows as they will be stored."""

    result: Result
    canonical: bytes | None = None

    @property
    def data_sha256(self) -> str | None:
        return sha256(self.canonical) if self.canonical is not None else None


def check_path(handbook, form, path: Path, progress=None, limits: Limits = UPLOAD_LIMITS, engine: str = "auto",
               month: str | None = None) -> Checked:
    """Validate a file (for month: also that its dates belong to that month) and, if valid, render its
    stored form while the file is still there (the DuckDB engine reads rows back from the file lazily)."""
    result = validate_file(path, form, handbook.record_forms(), progress, engine=engine, limits=limits)
    if not result.valid:
        return Checked(result)
    canonical = canonical_csv(result.table)
    if month is not None:
        wrong = mismatch(form, _rows(canonical), month)
        if wrong is not None:
            result.errors.append(wrong)
            return Checked(result)
    return Checked(result, canonical)


def _rows(canonical: bytes):
    reader = csv.reader(io.StringIO(canonical.decode("utf-8"), newline=""))
    next(reader, None)
    return reader


@contextmanager
def on_disk(data: bytes):
    """Uploaded bytes as a temporary file; the upload's own file name is never used as a path."""
    with tempfile.TemporaryDirectory(prefix="handbook-upload-") as folder:
        path = Path(folder) / "upload"
        path.write_bytes(data)
        yield path


def check_bytes(handbook, form, data: bytes, progress=None, limits: Limits = UPLOAD_LIMITS,
                month: str | None = None) -> Checked:
    with on_disk(data) as path:
        return check_path(handbook, form, path, progress, limits, month=month)


def detect_form(handbook, data: bytes):
    """The record form a file's header belongs to, or None (unreadable, or no form fits)."""
    from .normalize import guess_form
    from .reading import Unusable, read_table

    with on_disk(data) as path:
        try:
            UPLOAD_LIMITS.check_csv(path)
            raw = read_table(path, None, UPLOAD_LIMITS)
            return guess_form(raw, handbook.record_forms())
        except Unusable:
            return None


def submit(handbook, store: Store, form, site: str, month: str, data: bytes, filename: str,
           user: str | None = None, checked: Checked | None = None, progress=None, expect: str | None = "any") -> Submission:
    """Validate and, only if valid, store; every attempt is audited.

    expect: the current version the user confirmed replacing ("" for none; "any" replaces whatever is current)."""
    checked = checked or check_bytes(handbook, form, data, progress, month=month)
    result = checked.result
    if not result.valid:
        store.audit(form=form.id, site=site, month=month, file=filename, file_sha256=sha256(data),
                    rows=result.rows, result="unusable" if result.unusable else "rejected",
                    errors=len(result.errors) or 1, user=user)
        return Submission(result)
    outcome, upload, previous = store.ingest(
        form=form.id, site=site, month=month, original=data, filename=filename,
        canonical=checked.canonical, rows=result.rows, user=user, expect=expect)
    return Submission(result, outcome, upload, previous)
