"""Benchmark: an upload → the 月度统计 page that shows it, at 50 and 500 管理处 (target ≤ 5 s).

Uses the stores of report_bench.py (run it first: bench/out/report-store, report-store-500). Copies the store,
then in one process, as the server does it (web/live.py):
  1. renders the month page once (what a reader saw before the upload; the per-管理处 cache is warm);
  2. stores a corrected 投诉处理记录表 for one 管理处 (its last row removed) through the same submit()
     the upload page calls — validation and the SQLite write included;
  3. renders the month page again and checks that the new row count is on it.
Reported: the time of 2 + 3 (upload → page), and of 3 alone. The page is rendered into a stand-in of the
built page (the site build is not part of this path any more).

Run: .venv/bin/python bench/live_bench.py [--sites 50|500] [--month 2026-10]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
OUT = ROOT / "bench" / "out"

from handbook.loader import load_handbook  # noqa: E402
from handbook.records.store.catalogue import Store  # noqa: E402
from handbook.records.validation.intake import submit  # noqa: E402
from handbook.web.accounts import User  # noqa: E402
from handbook.web.live import LiveStatistics  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, choices=[50, 500], default=50)
    ap.add_argument("--month", default="2026-10")
    args = ap.parse_args()
    src = OUT / ("report-store" if args.sites == 50 else "report-store-500")
    if not (src / "catalogue.sqlite3").exists():
        sys.exit(f"{src} missing: run bench/report_bench.py --sites {args.sites} first")
    work = Path(tempfile.mkdtemp(prefix="live-bench-"))
    try:
        store_dir = work / "store"
        shutil.copytree(src, store_dir, copy_function=os.link, ignore=shutil.ignore_patterns("catalogue.sqlite3*"))
        shutil.copy(src / "catalogue.sqlite3", store_dir / "catalogue.sqlite3")
        site = work / "site"
        (site / "statistics" / args.month).mkdir(parents=True)
        (site / "statistics" / args.month / "index.html").write_text(
            '<html><head><title>x</title></head><body><article class="md-content__inner md-typeset"></article></body></html>',
            encoding="utf-8")
        handbook = load_handbook(ROOT)
        live = LiveStatistics(ROOT, store_dir, lambda: handbook)
        admin = User("bench", admin=True)
        path = f"/statistics/{args.month}/"
        t0 = time.perf_counter()
        live.render(path, admin, site)
        before = time.perf_counter() - t0
        print(f"{args.sites} 管理处: month page, first render in this process (cache warm) {before:6.2f} s", flush=True)

        store = Store(store_dir)
        form = handbook.form_by_id["complaint-log"]
        site_name = sorted(s for _, s, m, _ in store.current() if m == args.month)[0]
        upload = store.slot("complaint-log", site_name, args.month)["current"]
        rows = list(csv.reader(io.StringIO(store.read(upload).decode("utf-8"), newline="")))
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows(rows[:-1])
        t0 = time.perf_counter()
        sub = submit(handbook, store, form, site_name, args.month, buf.getvalue().encode("utf-8"), "corrected.csv",
                     user="bench")
        stored = time.perf_counter() - t0
        assert sub.outcome == "superseded", sub.outcome
        t1 = time.perf_counter()
        body, _, _ = live.render(path, admin, site)
        render = time.perf_counter() - t1
        total = time.perf_counter() - t0
        report = live.pages().report(args.month)
        assert report["kpis"], "empty report"
        print(f"{args.sites} 管理处: upload stored {stored:6.2f} s, page rendered {render:6.2f} s, "
              f"upload → page {total:6.2f} s (target ≤ 5 s)")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
