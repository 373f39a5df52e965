"""Benchmarks for issue 7 (not tests): `handbook validate` (both engines) vs `frictionless validate` vs a bare DuckDB scan.

    .venv/bin/python bench/run.py --rows 1000000 [--forms complaint-log repair-log] [--skip-reference-python]

Generated files go to bench/out/ (git-ignored). Prints wall time, rows/s, peak memory (RSS of the
child process) and ratios. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
OUT = ROOT / "bench" / "out"
BIN = ROOT / ".venv" / "bin"

from handbook.forms.schema import table_schema  # noqa: E402
from handbook.loader import load_handbook  # noqa: E402
from handbook.records.validate import TIME_ORDER, cn_id_check_digit  # noqa: E402

LATER = {a for a, _ in TIME_ORDER}


def good(f, i: int, rnd: random.Random) -> str:
    if f.id in ("no",) or (f.pattern and "\\d{6}-\\d{3}" in f.pattern):
        return f"2026{(i // 1000000) % 12 + 1:02d}-{i % 1000000:06d}"[:6] + f"-{i % 1000:03d}-{i // 1000}"
    if f.enum:
        return rnd.choice(f.enum) if f.id != "status" else "处理中"
    if f.format == "mobile":
        return f"1{rnd.randint(3, 9)}{rnd.randint(0, 999999999):09d}"
    if f.format == "cn-id":
        base = f"340104{rnd.randint(1960, 2000)}0{rnd.randint(1, 9)}1{rnd.randint(0, 9)}{rnd.randint(100, 999)}"
        return base + cn_id_check_digit(base)
    if f.format == "room":
        return f"{rnd.randint(1, 30)}-{rnd.randint(1, 4)}-{rnd.randint(1, 33)}0{rnd.randint(1, 4)}"
    if f.pattern:
        return ""
    return {"integer": str(rnd.randint(int(f.min or 0), int(f.max or 50) if f.max is not None else 50)),
            "number": f"{rnd.uniform(f.min or 0, f.max if f.max is not None else 500):.2f}",
            "date": f"2026-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            "datetime": f"2026-11-{rnd.randint(1, 28):02d} {rnd.randint(8, 9):02d}:{rnd.randint(0, 59):02d}",
            "time": f"{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}",
            "boolean": rnd.choice(["是", "否"]), "string": f"内容{i % 997}"}[f.type]


BAD = {"integer": "三", "number": "十二元", "date": "2026-02-30", "datetime": "明天上午", "time": "25:00",
       "boolean": "也许", "string": "其他"}


def generate(form, rows: int, bad: float, path: Path) -> None:
    rnd = random.Random(7)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow([f.label for f in form.fields])
        for i in range(rows):
            row = [good(f, i, rnd) for f in form.fields]
            row = ["" if f.id in LATER and not f.required else c for f, c in zip(form.fields, row)]   # no time-order / status clashes
            if rnd.random() < bad:
                j = rnd.randrange(len(form.fields))
                row[j] = BAD[form.fields[j].type] if not form.fields[j].enum else "其他"
            w.writerow(row)


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one child process."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]) // 1024


def duckdb_scan(path: Path, form) -> list[str]:
    types = {"integer": "BIGINT", "number": "DOUBLE", "date": "DATE", "datetime": "TIMESTAMP", "time": "TIME",
             "boolean": "VARCHAR", "string": "VARCHAR"}
    cols = "{" + ", ".join(f"'{f.label}': '{types[f.type]}'" for f in form.fields) + "}"
    sql = (f"SELECT count(*) FROM read_csv('{path}', header = true, columns = {cols}, ignore_errors = true, "
           f"timestampformat = '%Y-%m-%d %H:%M')")
    return [str(BIN / "python"), "-c", f"import duckdb; print(duckdb.sql({sql!r}).fetchall())"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--forms", nargs="+", default=["complaint-log", "repair-log"])
    ap.add_argument("--bad", type=float, default=0.10, help="share of bad rows in the second file")
    ap.add_argument("--skip-reference-python", action="store_true",
                    help="skip `handbook validate --engine frictionless` (slow at 1M rows)")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    handbook = load_handbook(ROOT)
    forms = {f.id: f for f in handbook.record_forms()}
    print(f"{'表单':<16}{'文件':<7}{'方式':<28}{'秒':>8}{'行/秒':>12}{'峰值MB':>8}")
    for form_id in args.forms:
        form = forms[form_id]
        schema = OUT / f"{form_id}.schema.json"
        schema.write_text(json.dumps(table_schema(form), ensure_ascii=False))
        results = {}
        for kind, bad in (("clean", 0.0), ("bad", args.bad)):
            path = OUT / f"{form_id}-{args.rows}-{kind}.csv"
            if not path.exists():
                generate(form, args.rows, bad, path)
            runs = {
                "frictionless validate": [str(BIN / "frictionless"), "validate", "--schema", str(schema), str(path)],
                "handbook validate (fast)": [str(BIN / "handbook"), "validate", str(path), "--form", form_id,
                                             "--engine", "fast", "--json"],
                "duckdb typed scan": duckdb_scan(path, form),
            }
            if not args.skip_reference_python:
                runs["handbook validate (frictionless)"] = [str(BIN / "handbook"), "validate", str(path), "--form",
                                                           form_id, "--engine", "frictionless", "--json"]
            for name, cmd in runs.items():
                secs, mb = timed(cmd)
                results[(kind, name)] = (secs, mb)
                print(f"{form_id:<16}{kind:<7}{name:<28}{secs:>8.2f}{args.rows / secs:>12,.0f}{mb:>8}")
        fast, fr, scan = (results[("clean", n)] for n in ("handbook validate (fast)", "frictionless validate", "duckdb typed scan"))
        print(f"  比值：frictionless/fast = {fr[0] / fast[0]:.1f}×，fast/duckdb = {fast[0] / scan[0]:.2f}×，"
              f"bad/clean = {results[('bad', 'handbook validate (fast)')][0] / fast[0]:.2f}×，"
              f"峰值内存 fast/frictionless = {fast[1] / fr[1]:.2f}")


if __name__ == "__main__":
    main()
