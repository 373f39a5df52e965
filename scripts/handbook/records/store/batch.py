"""`handbook ingest --batch`: files are checked on every core, stored one by one in list order.

Validation is most of the cost of an ingest (reading, normalising and the rules, ~5 ms a file), so the
checks run in worker processes; the store keeps a single writer, so the order of versions and audit
lines is the order of the list.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ... import messages as m
from ..validation.console import print_result

MIN_PARALLEL = 16            # below this, starting workers costs more than it saves
_HANDBOOK = None             # set before the pool forks: workers inherit the checked model


@dataclass
class Outcome:
    """What the main process needs from a worker's check (a Result holds a live table; this pickles)."""

    exit_code: int
    rows: int
    errors: int
    canonical: bytes | None
    report: str                # what `handbook ingest` prints for a refused file (stdout)


def _check(job: tuple[str, str, str]) -> Outcome:
    from ..validation.intake import check_path
    from ..validation.reading import UPLOAD_LIMITS

    form_id, path, month = job
    form = _HANDBOOK.form_by_id[form_id]
    checked = check_path(_HANDBOOK, form, Path(path), None, UPLOAD_LIMITS, month=month)
    result = checked.result
    report = ""
    if not result.valid:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            print_result(result, False)
        report = out.getvalue()
    return Outcome(result.exit_code, result.rows, len(result.errors) or (0 if result.valid else 1),
                   checked.canonical, report)


def checks(handbook, jobs: list[tuple[str, str, str]]):
    """Checked results in the order of jobs, computed on every core for a long list."""
    global _HANDBOOK
    _HANDBOOK = handbook
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < MIN_PARALLEL or workers < 2:
        yield from map(_check, jobs)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield from pool.map(_check, jobs, chunksize=4)


def store_checked(store, form, site: str, month: str, path: Path, checked: Outcome, stream_err,
                  user: str | None = None) -> int:
    """Store a file a worker found valid, or audit its refusal and print why."""
    original = path.read_bytes() if path.is_file() else b""
    if checked.exit_code != 0:
        print(checked.report, end="")
        print(m.IngestRejected.render(), file=stream_err)
        from .catalogue import sha256

        store.audit(form=form.id, site=site, month=month, file=path.name, file_sha256=sha256(original),
                    rows=checked.rows, result="unusable" if checked.exit_code == 2 else "rejected", errors=checked.errors,
                    user=user)
        return checked.exit_code
    store.ingest(form=form.id, site=site, month=month, original=original, filename=path.name,
                 canonical=checked.canonical, rows=checked.rows, user=user)
    return 0
