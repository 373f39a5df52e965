"""`handbook sample`: the fictional records it writes must pass the checks clerks' files go through."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from handbook.records.sample.generate import generate


def test_sample_files_never_repeat_a_primary_key(tmp_path, handbook):
    """Seed 5 with 10 管理处 once gave two 入住登记 rows with the same 房号 and 入住日期 in one month,
    which `handbook ingest` then refused (so `make run` silently lost a file)."""
    files = generate(handbook, tmp_path, months=12, sites=10, seed=5, end="2026-10")
    checked = 0
    for f in files:
        form = handbook.form_by_id[f["form"]]
        rows = list(csv.DictReader(io.StringIO(Path(f["path"]).read_text(encoding="utf-8-sig"), newline="")))
        keys = [tuple(r[form.field(k).label] for k in form.primary_key) for r in rows]
        assert len(keys) == len(set(keys)), f"{f['path']}: repeated {form.primary_key}"
        checked += len(keys)
    assert {f["form"] for f in files} >= {"move-in-register", "community-event-log"} and checked > 10000
