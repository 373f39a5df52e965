"""Benchmarks for issue 7 (not tests): `handbook validate` (both engines) vs `frictionless validate` vs bare DuckDB.

DuckDB baselines, each a fresh `python -c` process like the others: a typed scan converting every cell,
the same scan with count(*) (DuckDB then only splits the file), and a hand-written query doing the type,
required, enum, pattern and uniqueness checks (counts only: no row numbers, no normalisation, no messages).

    .venv/bin/python bench/run.py --rows 1000000 [--forms complaint-log repair-log] [--skip-reference-python]

Generated files go to bench/out/ (git-ignored). Prints wall time (median of --runs), rows/s, peak memory
(RSS of the child process, the highest of the runs) and ratios; the methods take turns within each round, and
handbook against the typed scan is also given round by round (median, lowest, highest). Not part of `make test`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
OUT = ROOT / "bench" / "out"
BIN = ROOT / ".venv" / "bin"

from handbook.forms.schema import field_pattern, table_schema  # noqa: E402
from handbook.loader import load_handbook  # noqa: E402
from handbook.records.rules.cells import cn_id_check_digit  # noqa: E402


def done_fields(form) -> set[str]:
    """The time columns a status closes with (the form YAML's closes_with)."""
    return {f.closes_with.field for f in form.fields if f.closes_with is not None}

WORDS = ["楼道灯不亮", "电梯异响", "垃圾未清", "噪音扰民", "漏水", "停车纠纷", "绿化修剪", "门禁故障"]
# One bad cell per bad row, chosen so that it breaks exactly one check (no knock-on errors).
BAD_TYPE = {"integer": "三", "number": "十二元", "date": "2026-02-30", "datetime": "明天上午", "time": "25:00",
            "boolean": "也许"}


def after(form, f, row: dict, start: dt.datetime) -> dt.datetime:
    """The latest of the times f may not precede (its after: columns already filled in this row)."""
    times = [dt.datetime.strptime(row[t], "%Y-%m-%d %H:%M") for t in f.after if row.get(t)
             and form.field(t).type == "datetime"]
    return max([start, *times])


def good_row(form, i: int, rnd: random.Random) -> dict:
    """A row that passes every check of validate.py: patterns, enums, formats, key, time order, status."""
    start = dt.datetime(2026, 1, 1, 8) + dt.timedelta(minutes=rnd.randrange(365 * 24 * 60))
    done = rnd.random() < 0.6
    row = {}
    for f in form.fields:
        if f.id in form.primary_key and f.type == "string":
            row[f.id] = f"{202601 + (i // 100000) % 12:06d}-{i % 1000:03d}-{i // 1000}"   # unique, matches ^\d{6}-\d{3}(-\d+)?$
        elif f.closes_with is not None:
            row[f.id] = "已完成" if done else "处理中"
        elif f.id in done_fields(form):
            row[f.id] = (after(form, f, row, start) + dt.timedelta(hours=rnd.randint(1, 72))).strftime("%Y-%m-%d %H:%M") if done else ""
        elif f.enum:
            row[f.id] = rnd.choice(f.enum)
        elif f.phone:
            row[f.id] = f"1{rnd.randint(3, 9)}{rnd.randint(0, 999999999):09d}"
        elif f.format == "cn-id":
            base = f"110101{rnd.randint(1960, 2000)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}{rnd.randint(100, 999)}"
            row[f.id] = base + cn_id_check_digit(base)
        elif f.format == "room":
            row[f.id] = f"{rnd.randint(1, 30)}-{rnd.randint(1, 4)}-{rnd.randint(1, 33)}0{rnd.randint(1, 4)}"
        elif f.pattern:
            row[f.id] = ""
        elif f.type == "datetime":
            when = start if not f.after else after(form, f, row, start) + dt.timedelta(hours=rnd.randint(1, 96))
            row[f.id] = when.strftime("%Y-%m-%d %H:%M") if f.required or rnd.random() < 0.5 else ""
        elif f.type == "date":
            row[f.id] = start.strftime("%Y-%m-%d")
        elif f.type == "time":
            row[f.id] = start.strftime("%H:%M")
        elif f.type == "integer":
            lo, hi = int(f.min if f.min is not None else 0), int(f.max if f.max is not None else 50)
            row[f.id] = str(rnd.randint(lo, hi))
        elif f.type == "number":
            lo, hi = f.min if f.min is not None else 0, f.max if f.max is not None else 500
            row[f.id] = f"{rnd.uniform(lo, hi):.2f}"
        elif f.type == "boolean":
            row[f.id] = rnd.choice(["是", "否"])
        else:
            row[f.id] = rnd.choice(WORDS) if f.required or rnd.random() < 0.7 else ""
    for f in form.fields:     # required_when: filled when another column holds one of the listed values
        if not row[f.id] and any(row.get(other) in values for other, values in f.required_when.items()):
            row[f.id] = rnd.choice(WORDS)
    return row


def breakable(form) -> list:
    """Fields where one wrong cell gives exactly one error (status and completion times would give two)."""
    out = []
    for f in form.fields:
        if f.closes_with is not None or f.id in done_fields(form) or (f.type == "string" and not (f.required or f.enum or f.pattern or f.format)):
            continue
        out.append(f)
    return out


def bad_cell(f, i: int) -> str:
    if f.type in BAD_TYPE:
        return BAD_TYPE[f.type]
    if f.enum:
        return "无此项"
    if f.format == "mobile" or f.pattern or f.format:
        return "12345"
    return ""                                 # a required text: the required error


def generate(form, rows: int, bad: float, path: Path) -> None:
    """rows rows; exactly round(rows * bad) of them (evenly spread) with one bad cell each."""
    rnd = random.Random(7)
    targets = breakable(form)
    keys = set(form.primary_key)
    n_bad = round(rows * bad)
    step = rows / n_bad if n_bad else 0
    bad_rows = {int(k * step) for k in range(n_bad)}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow([f.label for f in form.fields])
        for i in range(rows):
            row = good_row(form, i, rnd)
            if i in bad_rows:
                f = targets[i % len(targets)]
                row[f.id] = f"坏{i}" if f.id in keys else bad_cell(f, i)   # a key stays unique: only its pattern error
            w.writerow([row[f.id] for f in form.fields])


def timed(cmd: list[str], cwd: Path = ROOT) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one child process."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, check=True,
                         cwd=cwd).stdout.split()
    return float(out[0]), int(out[1]) // 1024


TYPES = {"integer": "BIGINT", "number": "DOUBLE", "date": "DATE", "datetime": "TIMESTAMP", "time": "TIME",
         "boolean": "VARCHAR", "string": "VARCHAR"}


def duckdb_scan(path: Path, form, convert: bool = True) -> list[str]:
    """The bare typed scan: DuckDB reads the file with each column's type. count() of every column makes it
    convert every cell; count(*) alone (convert=False) lets DuckDB skip the conversions and only split the file."""
    cols = "{" + ", ".join(f"'{f.label}': '{TYPES[f.type]}'" for f in form.fields) + "}"
    counts = ", ".join(f'count("{f.label}")' for f in form.fields) if convert else "count(*)"
    sql = (f"SELECT {counts} FROM read_csv('{path}', header = true, columns = {cols}, ignore_errors = true, "
           f"timestampformat = '%Y-%m-%d %H:%M')")
    return [str(BIN / "python"), "-c", f"import duckdb; print(duckdb.sql({sql!r}).fetchall())"]


def duckdb_checks(path: Path, form) -> list[str]:
    """A hand-written DuckDB query doing the checks the issue names: every cell's type, required, enum and
    pattern, and the primary key's uniqueness — counts only, no normalisation, no row numbers, no messages."""
    casts = {"integer": "TRY_CAST({c} AS BIGINT)", "number": "TRY_CAST({c} AS DOUBLE)",
             "date": "try_strptime({c}, '%Y-%m-%d')", "datetime": "try_strptime({c}, '%Y-%m-%d %H:%M')",
             "time": "try_strptime({c}, '%H:%M')", "boolean": "CASE WHEN {c} IN ('是', '否') THEN 1 END"}
    checks = []
    for f in form.fields:
        c = '"' + f.label + '"'
        if f.required:
            checks.append(f"count_if({c} IS NULL)")
        if f.type in casts:
            checks.append(f"count_if({c} IS NOT NULL AND {casts[f.type].format(c=c)} IS NULL)")
        if f.enum:
            checks.append(f"count_if({c} NOT IN ({', '.join(repr(e) for e in f.enum)}))")
        pattern = field_pattern(f)
        if pattern:
            checks.append(f"count_if(NOT regexp_full_match({c}, {pattern.replace(chr(92) + 'd', '[0-9]').strip('^$')!r}))")
    key = ", ".join('"' + form.field(k).label + '"' for k in form.primary_key)
    sql = (f"SELECT count(*), {' + '.join(checks)} AS bad, count(*) - count(DISTINCT ({key})) AS dup "
           f"FROM read_csv('{path}', header = true, all_varchar = true)")
    return [str(BIN / "python"), "-c", f"import duckdb; print(duckdb.sql({sql!r}).fetchall())"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--forms", nargs="+", default=["complaint-log", "repair-log"])
    ap.add_argument("--bad", type=float, default=0.10, help="share of bad rows in the second file")
    ap.add_argument("--runs", type=int, default=3, help="runs per method (median time, highest peak memory)")
    ap.add_argument("--skip-reference-python", action="store_true",
                    help="skip `handbook validate --engine frictionless` (slow at 1M rows)")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    handbook = load_handbook(ROOT)
    forms = {f.id: f for f in handbook.record_forms()}
    print(f"{'表单':<16}{'文件':<7}{'方式':<32}{'秒':>8}{'行/秒':>12}{'峰值MB':>8}")
    for form_id in args.forms:
        form = forms[form_id]
        schema = OUT / f"{form_id}.schema.json"
        schema.write_text(json.dumps(table_schema(form), ensure_ascii=False))
        results = {}
        pairs: dict[str, list[float]] = {}
        for kind, bad in (("clean", 0.0), ("bad", args.bad)):
            path = OUT / f"{form_id}-{args.rows}-{kind}.csv"
            if not path.exists():
                generate(form, args.rows, bad, path)
            runs = {
                # relative paths, run in bench/out: Frictionless refuses absolute paths ("not safe") and would
                # time an instant resource-error instead of the validation
                "frictionless validate": [str(BIN / "frictionless"), "validate", "--limit-errors", "10000",
                                          "--schema", schema.name, path.name],
                "handbook validate (fast)": [str(BIN / "handbook"), "validate", str(path), "--form", form_id,
                                             "--engine", "fast", "--json"],
                "duckdb typed scan": duckdb_scan(path, form),
                "duckdb split only (count(*))": duckdb_scan(path, form, convert=False),
                "duckdb checks query": duckdb_checks(path, form),
            }
            if not args.skip_reference_python:
                runs["handbook validate (frictionless)"] = [str(BIN / "handbook"), "validate", str(path), "--form",
                                                           form_id, "--engine", "frictionless", "--json"]
            # Frictionless once (it takes minutes); the others --runs times, taking turns (handbook, scan, …,
            # handbook, scan, …) so that a drift in the shared machine's speed reaches them alike
            once = [n for n in runs if n.startswith("frictionless") or "(frictionless)" in n]
            samples = {name: [timed(runs[name], OUT if name == "frictionless validate" else ROOT)] for name in once}
            for _ in range(args.runs):
                for name, cmd in runs.items():
                    if name not in once:
                        samples.setdefault(name, []).append(timed(cmd))
            for name in runs:
                secs = statistics.median(t for t, _ in samples[name])
                mb = max(m for _, m in samples[name])
                results[(kind, name)] = (secs, mb)
                print(f"{form_id:<16}{kind:<7}{name:<32}{secs:>8.2f}{args.rows / secs:>12,.0f}{mb:>8}", flush=True)
            pairs[kind] = [a / b for (a, _), (b, _) in zip(samples["handbook validate (fast)"], samples["duckdb typed scan"])]
        fast, fr, scan, split, checks = (results[("clean", n)] for n in (
            "handbook validate (fast)", "frictionless validate", "duckdb typed scan", "duckdb split only (count(*))",
            "duckdb checks query"))
        ratios = sorted(pairs["clean"])
        print(f"  同一轮里 fast/带类型扫描（干净文件，{len(ratios)} 轮）：中位数 {statistics.median(ratios):.2f}×，"
              f"最小 {ratios[0]:.2f}×，最大 {ratios[-1]:.2f}×")
        print(f"  比值：frictionless/fast = {fr[0] / fast[0]:.1f}×，fast/带类型扫描 = {fast[0] / scan[0]:.2f}×，"
              f"fast/只切分 = {fast[0] / split[0]:.2f}×，fast/手写校验查询 = {fast[0] / checks[0]:.2f}×，"
              f"bad/clean = {results[('bad', 'handbook validate (fast)')][0] / fast[0]:.2f}×，"
              f"峰值内存 fast/frictionless = {fast[1] / fr[1]:.2f}")


if __name__ == "__main__":
    main()
