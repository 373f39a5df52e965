"""One path from a clerk's file to the store, shared by `handbook ingest` and the upload page."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from .store import Store, sha256
from .validate import Result, canonical_csv, validate_file


@dataclass
class Submission:
    result: Result
    outcome: str | None = None        # stored / superseded / unchanged; None when not stored
    upload: dict | None = None
    previous: dict | None = None      # the upload this one replaces (or equals)


def validate_bytes(handbook, form, data: bytes, progress=None) -> Result:
    """Validate uploaded bytes. The upload's own file name is never used as a path."""
    with tempfile.TemporaryDirectory(prefix="handbook-upload-") as folder:
        path = Path(folder) / "upload"
        path.write_bytes(data)
        return validate_file(path, form, handbook.record_forms(), progress)


def submit(handbook, store: Store, form, site: str, month: str, data: bytes, filename: str,
           user: str | None = None, result: Result | None = None, progress=None) -> Submission:
    """Validate and, only if valid, store; every attempt is audited."""
    result = result or validate_bytes(handbook, form, data, progress)
    if not result.valid:
        store.audit(form=form.id, site=site, month=month, file=filename, file_sha256=sha256(data),
                    rows=result.rows, result="unusable" if result.unusable else "rejected",
                    errors=len(result.errors) or 1, **({"user": user} if user else {}))
        return Submission(result)
    outcome, upload, previous = store.ingest(
        form=form.id, site=site, month=month, original=data, filename=filename,
        canonical=canonical_csv(result.table), rows=result.rows, user=user)
    return Submission(result, outcome, upload, previous)
