"""Benchmark: batch ingest into the records store, and one ingest into the full store.

For N 管理处 (--sites, default 20) × 12 months of sample data (seed 7, last month 2026-10):
  1. `handbook sample --sites N --data-dir STORE` (not timed; registers the fictional 管理处);
  2. the batch, in this process with the functions `handbook ingest --batch` uses (checks on every core,
     one writer), timing each file: total seconds, ms per file over the first and the last 500 files
     (the pipeline's pace), and the store's own ms per write for the same files — the part that
     would grow with the store if anything did;
  3. `handbook ingest FILE` of one corrected file into the full store, in a fresh process, --runs times
     (median, including Python start-up).
Ratios printed: last/first 500 (pace and store writes) — the store's cost must not grow with its size.

Run: .venv/bin/python bench/ingest_bench.py [--sites 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VENV = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT / "scripts"))


def sample(sites: int, store: Path) -> Path:
    listing = OUT / f"ingest-sample-{sites}.json"
    files = OUT / f"ingest-sample-{sites}"
    shutil.rmtree(files, ignore_errors=True)
    with open(listing, "w", encoding="utf-8") as out:
        subprocess.run([str(VENV / "handbook"), "--root", str(ROOT), "sample", "--out", str(files), "--months", "12",
                        "--sites", str(sites), "--seed", "7", "--end", "2026-10", "--data-dir", str(store), "--json"],
                       check=True, stdout=out)
    # the sample's ~100 MB are written just before the timed run: let the disk take them first, or the
    # store's first fsyncs wait behind that write-back (a real month end starts from files already on disk)
    os.sync()
    return listing


def batch(listing: Path, store: Path) -> tuple[float, list[float], list[float]]:
    """(total s, per-file pace ms, per-file store-write ms), as `handbook ingest --batch` runs it."""
    from handbook.loader import load_handbook
    from handbook.records.store import batch as b
    from handbook.records.store.catalogue import Store

    handbook = load_handbook(ROOT)
    jobs = json.loads(listing.read_text(encoding="utf-8"))
    target = Store(store)
    pace, writes = [], []
    started = last = time.perf_counter()
    results = b.checks(handbook, [(j["form"], j["path"], j["month"]) for j in jobs])
    for job, checked in zip(jobs, results):
        before = time.perf_counter()
        code = b.store_checked(target, handbook.form_by_id[job["form"]], job["site"], job["month"], Path(job["path"]),
                               checked, sys.stderr)
        assert code == 0, job
        now = time.perf_counter()
        writes.append((now - before) * 1000)
        pace.append((now - last) * 1000)
        last = now
    return time.perf_counter() - started, pace, writes


def one_ingest(listing: Path, store: Path, runs: int) -> list[float]:
    job = json.loads(listing.read_text(encoding="utf-8"))[-1]
    times = []
    for n in range(runs):
        text = Path(job["path"]).read_text(encoding="utf-8-sig")
        edited = OUT / f"one-ingest-{n}.csv"
        # a new version each run (a correction): one row dropped, or the file as it was
        lines = text.splitlines()
        edited.write_text("\r\n".join(lines[:-1] if n % 2 == 0 and len(lines) > 2 else lines) + "\r\n", encoding="utf-8")
        started = time.perf_counter()
        subprocess.run([str(VENV / "handbook"), "--root", str(ROOT), "ingest", str(edited), "--form", job["form"],
                        "--site", job["site"], "--month", job["month"], "--data-dir", str(store)],
                       check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    store = OUT / f"ingest-store-{args.sites}"
    shutil.rmtree(store, ignore_errors=True)
    listing = sample(args.sites, store)
    total, pace, writes = batch(listing, store)
    n = len(pace)
    k = min(500, n // 2)

    def ms(values):
        return statistics.mean(values)

    print(f"batch ingest, 12 months × {args.sites} 管理处: {n} files in {total:.1f} s ({total / n * 1000:.1f} ms per file)")
    print(f"  pace   first {k}: {ms(pace[:k]):.1f} ms/file   last {k}: {ms(pace[-k:]):.1f} ms/file   "
          f"ratio last/first {ms(pace[-k:]) / ms(pace[:k]):.2f}")
    print(f"  store  first {k}: {ms(writes[:k]):.1f} ms/write  last {k}: {ms(writes[-k:]):.1f} ms/write  "
          f"ratio last/first {ms(writes[-k:]) / ms(writes[:k]):.2f}")
    times = one_ingest(listing, store, args.runs)
    print(f"one `handbook ingest` into the full store: median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}, {args.runs} runs, fresh process each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
