"""Benchmark: `handbook report` against a hand-written DuckDB query over the same records store.

Store: 12 months × 50 管理处 of sample data (seed 7, last month 2026-10) in bench/out/report-store.
The sample is generated with `handbook sample --sites 50 --data-dir STORE` (which registers its fictional
管理处 in the store's sites.yml) and ingested with `handbook ingest --batch`.

Scope. `handbook report --form complaint-log` is the whole monthly report restricted to what is taken
from 投诉处理记录表; this script's SQL computes all of it by hand, from the catalogue (SQLite) and the stored CSVs:
  KPIs       complaint-handling-rate, complaint-24h-rate, complaint-callback-rate (with 回访记录表):
             numerator, denominator, 在途, last month's value, year-to-date numerator and denominator,
             per 管理处 and 全公司
  counts     complaints-category, -department, -invalid, -major, per 管理处 and 全公司
  carry-over brought forward, new, completed, cancelled, open, overdue, 在途 (+ completion rate) and
             every overdue item (编号, days overdue, 责任部门)
  submitted  投诉处理记录表 submitted this month or not, per 管理处
Rows known at month M = every upload for months ≤ M, the latest upload winning per 编号 (dataset.py);
事项, 3.19#4.1.7 due times and the 4.1.8 judging as in items.py; 全公司 sums the 管理处.

Timed, each in a fresh process, alternately, --runs times (median reported):
  scoped  `handbook report --month M --form complaint-log --data-dir STORE --json`
  sql     this script's --query mode (Python start, the catalogue, DuckDB, the same JSON-shaped result)
  full    `handbook report --month M --data-dir STORE --json` (all 14 KPIs, 26 counts, 6 carry-over
          forms: for scale; no hand-written query covers it)
The script checks the query's numbers against the scoped report's before printing the ratio.

500 管理处 (--sites 500): the 50-管理处 store cloned ten times straight into a new store (catalogue rows
copied under new 管理处 names, the same stored objects hard-linked, a sites.yml listing all 500) — generating
and ingesting 132,120 sample files would take an hour and measure ingest, not the report.

The report keeps each 管理处's computed figures in the catalogue (records/statistics/cache.py), so the
first report after an upload recomputes that 管理处 only. `cold` is a report with that cache emptied
first (what a fresh store or a changed kpis.yml costs); `warm` the usual case.

Run: .venv/bin/python bench/report_bench.py [--runs 3] [--month 2026-10] [--sites 50|500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
STORE = OUT / "report-store"
SAMPLE = OUT / "report-sample"
LISTING = OUT / "report-sample.json"
VENV = ROOT / ".venv" / "bin"
COMPANY = "全公司"
FORM = "complaint-log"
KPI_IDS = ("complaint-handling-rate", "complaint-24h-rate", "complaint-callback-rate")
COUNT_IDS = ("complaints-category", "complaints-department", "complaints-invalid", "complaints-major")
CARRY = ("brought_forward", "new", "completed", "cancelled", "open_at_end", "overdue_open", "in_transit")


# ---------------------------------------------------------------- store
def build_store() -> None:
    if (STORE / "catalogue.sqlite3").exists():
        return
    if not LISTING.exists():
        print("generating sample: 12 months × 50 管理处 …", flush=True)
        with open(LISTING, "w", encoding="utf-8") as out:
            subprocess.run([str(VENV / "handbook"), "sample", "--out", str(SAMPLE), "--months", "12", "--sites", "50",
                            "--seed", "7", "--end", "2026-10", "--data-dir", str(STORE), "--json"],
                           cwd=ROOT, check=True, stdout=out)
    print("ingesting 13,212 files (checks on every core, one writer) …", flush=True)
    subprocess.run([str(VENV / "handbook"), "ingest", "--batch", str(LISTING), "--data-dir", str(STORE)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def clone_store(src: Path, dst: Path, copies: int) -> None:
    """src's uploads copies times over, under new 管理处 names (…管理处·2, ·3 …), straight into dst."""
    import os
    import shutil
    import sqlite3

    import yaml

    if (dst / "catalogue.sqlite3").exists():
        return
    print(f"cloning the store ×{copies} …", flush=True)
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src / "objects", dst / "objects", copy_function=os.link)
    con = sqlite3.connect(src / "catalogue.sqlite3")
    con.execute(f"VACUUM INTO '{dst / 'catalogue.sqlite3'}'")
    con.close()
    con = sqlite3.connect(dst / "catalogue.sqlite3")
    con.execute("DELETE FROM statistics_cache") if con.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'statistics_cache'").fetchone() else None
    for k in range(2, copies + 1):
        con.execute("INSERT INTO uploads (id, form, site, month, at, user, host, file, file_sha256, data_sha256, rows, "
                    "object, original) SELECT id || ?, form, site || ?, month, at, user, host, file, file_sha256, "
                    "data_sha256, rows, object, original FROM uploads WHERE site NOT LIKE '%·%'", (f"-{k}", f"·{k}"))
        con.execute("INSERT INTO current (form, site, month, upload_id) SELECT form, site || ?, month, upload_id || ? "
                    "FROM current WHERE site NOT LIKE '%·%'", (f"·{k}", f"-{k}"))
    con.commit()
    con.close()
    registry = yaml.safe_load((src / "sites.yml").read_text(encoding="utf-8"))
    base = registry["sites"]
    registry["sites"] = base + [{**e, "name": f"{e['name']}·{k}"} for k in range(2, copies + 1) for e in base]
    (dst / "sites.yml").write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), encoding="utf-8")


def clear_cache(store: Path) -> None:
    import sqlite3

    con = sqlite3.connect(store / "catalogue.sqlite3")
    if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'statistics_cache'").fetchone():
        con.execute("DELETE FROM statistics_cache")
        con.commit()
    con.close()


# ---------------------------------------------------------------- hand-written query
# 投诉事项 (3.19#4.1.7 A) for every evaluated month m, from the rows known at m (uploads for months <= m,
# the latest upload winning per 编号): due +24h, or the 约定完成时间 signed by the 客服主管
ITEMS = """
CREATE TABLE complaint AS
SELECT m, site, no, valid, major, category, department, received_at AS start,
       CASE WHEN agreed_at IS NOT NULL AND approved_by <> '' THEN agreed_at
            ELSE received_at + INTERVAL 24 HOUR END AS due,
       CASE WHEN status = '已完成' THEN completed_at END AS done,
       CASE WHEN status = '已取消' THEN coalesce(completed_at, received_at) END AS cancelled
FROM (SELECT e.m, c.* FROM evals e JOIN complaints c ON c.upload_month <= e.m
      QUALIFY row_number() OVER (PARTITION BY e.m, c.site, c.no ORDER BY c.upload_month DESC) = 1)
"""
SQL = """
WITH
b_known AS (
    SELECT e.m, b.* FROM evals e JOIN callbacks b ON b.upload_month <= e.m
    QUALIFY row_number() OVER (PARTITION BY e.m, b.site, b.no ORDER BY b.upload_month DESC) = 1
),
-- 投诉回访事项 (4.3.3 B): from the completion, 24h, done at the first 投诉 callback after it
callback AS (
    SELECT c.m, c.site, c.no, c.valid, c.done AS start, c.done + INTERVAL 24 HOUR AS due,
           (SELECT min(b.visited_at) FROM b_known b WHERE b.m = c.m AND b.site = c.site
                AND b.subject_type = '投诉' AND b.related_no = c.no AND b.visited_at >= c.done) AS done,
           NULL::TIMESTAMP AS cancelled
    FROM complaint c WHERE c.done IS NOT NULL AND c.cancelled IS NULL
),
items AS (
    SELECT 'complaint' AS kind, m, site, valid, start, due, done, cancelled FROM complaint
    UNION ALL
    SELECT 'callback', m, site, valid, start, due, done, cancelled FROM callback
),
judged AS (   -- 3.19#4.1.8
    SELECT *, CASE WHEN start >= cutoff THEN NULL
                   WHEN cancelled IS NOT NULL AND cancelled <= cutoff THEN NULL
                   WHEN done_by IS NOT NULL AND done_by <= due THEN CASE WHEN ms < done_by AND done_by <= cutoff THEN 'counted' END
                   WHEN due <= cutoff THEN CASE WHEN ms < due AND due <= cutoff THEN 'counted' END
                   ELSE 'transit' END AS verdict
    FROM (SELECT i.*, w.ms, w.cutoff, CASE WHEN i.done <= w.cutoff THEN i.done END AS done_by
          FROM items i JOIN evals w ON w.m = i.m)
),
month_items AS (   -- this month's complaints, for the counts and the carry-over
    SELECT c.*, w.ms, w.cutoff,
           start < w.ms AND NOT coalesce(done < w.ms, FALSE) AND NOT coalesce(cancelled < w.ms, FALSE) AS bf,
           NOT coalesce(done < w.cutoff, FALSE) AND NOT coalesce(cancelled < w.cutoff, FALSE) AS open_end
    FROM complaint c JOIN evals w ON w.m = c.m WHERE c.m = $month AND c.start < w.cutoff
)
SELECT 'kpi', kind, m, site, NULL,
       count(*) FILTER (WHERE verdict = 'counted' AND done_by IS NOT NULL),
       count(*) FILTER (WHERE verdict = 'counted' AND done_by IS NOT NULL AND done_by <= due),
       count(*) FILTER (WHERE verdict = 'counted'), count(*) FILTER (WHERE verdict = 'transit'), NULL, NULL, NULL
FROM judged WHERE valid = '是' GROUP BY ALL
UNION ALL
SELECT 'count', pick[1], m, site, pick[2], count(*), NULL, NULL, NULL, NULL, NULL, NULL FROM (
    SELECT m, site, unnest(
        CASE WHEN valid = '是' THEN [['complaints-category', CASE WHEN category = '' THEN '未填' ELSE category END],
                                    ['complaints-department', CASE WHEN department = '' THEN '未填' ELSE department END]]
             ELSE [] END
        || CASE WHEN valid = '否' THEN [['complaints-invalid', '']] ELSE [] END
        || CASE WHEN major = '是' THEN [['complaints-major', '']] ELSE [] END) AS pick
    FROM month_items WHERE ms <= start
) GROUP BY ALL
UNION ALL
SELECT 'carry', 'complaint', m, site, NULL,
       count(*) FILTER (WHERE bf), count(*) FILTER (WHERE ms <= start),
       count(*) FILTER (WHERE cancelled IS NULL AND done IS NOT NULL AND ms <= done AND done < cutoff),
       count(*) FILTER (WHERE cancelled IS NOT NULL AND ms <= cancelled AND cancelled < cutoff),
       count(*) FILTER (WHERE open_end), count(*) FILTER (WHERE open_end AND due <= cutoff),
       count(*) FILTER (WHERE open_end AND due > cutoff)
FROM month_items GROUP BY ALL
"""
OVERDUE = """
SELECT site, no, strftime(start, '%Y-%m-%d %H:%M'), strftime(due, '%Y-%m-%d %H:%M'),
       ceil(epoch(w.cutoff - due) / 86400)::INTEGER, department
FROM complaint c JOIN evals w ON w.m = c.m
WHERE c.m = $month AND start < w.cutoff AND NOT coalesce(done < w.cutoff, FALSE)
  AND NOT coalesce(cancelled < w.cutoff, FALSE) AND due <= w.cutoff
"""
COLUMNS = ("received_at", "agreed_at", "approved_by", "completed_at", "status", "valid", "major", "category",
           "department")


def month_list(first: str, last: str) -> list[str]:
    out, (y, m) = [], map(int, first.split("-"))
    while f"{y}-{m:02d}" <= last:
        out.append(f"{y}-{m:02d}")
        y, m = y + (m == 12), m % 12 + 1
    return out


def previous_month(month: str) -> str:
    y, m = map(int, month.split("-"))
    return f"{y - (m == 1)}-{(m - 2) % 12 + 1:02d}"


def rounded(num, den) -> float | None:
    if not den:
        return None
    return float((Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def run_query(store: Path, month: str) -> dict:
    """The hand-written query: catalogue → file lists → one DuckDB statement → the report's numbers."""
    import duckdb

    import sqlite3

    manifest: dict = {}
    with sqlite3.connect(store / "catalogue.sqlite3") as con:
        for form, site, m, obj in con.execute("SELECT c.form, c.site, c.month, u.object FROM current c "
                                              "JOIN uploads u ON u.id = c.upload_id"):
            manifest.setdefault(form, {}).setdefault(site, {})[m] = {"current": {"object": obj}}
    files: dict[str, list] = {"complaint-log": [], "callback-log": []}
    months, site_months = set(), {}
    for form, by_site in manifest.items():
        for site, by_month in by_site.items():
            months.update(by_month)
            site_months.setdefault(site, set()).update(by_month)
            if form in files:
                files[form] += [(site, m, str(store / slot["current"]["object"])) for m, slot in by_month.items() if m <= month]
    sites = sorted(s for s, ms in site_months.items() if min(ms) <= month)
    first = min(m for m in months if m[:4] == month[:4])
    evals = month_list(first, month)
    prev = previous_month(month)
    if prev >= min(months) and prev not in evals:
        evals.insert(0, prev)
    con = duckdb.connect()
    con.execute("CREATE TABLE evals (m VARCHAR, ms TIMESTAMP, cutoff TIMESTAMP)")
    con.executemany("INSERT INTO evals VALUES (?, ?, ?)", [(m, *window(m)) for m in evals])
    for name, form, cols in (("complaints", "complaint-log", COLUMNS),
                             ("callbacks", "callback-log", ("visited_at", "subject_type", "related_no"))):
        site_col, month_col, path_col = (list(c) for c in zip(*files[form])) if files[form] else ([], [], [])
        con.execute(f"CREATE TABLE {name}_up AS SELECT unnest($1::VARCHAR[]) AS site, unnest($2::VARCHAR[]) AS upload_month, "
                    f"unnest($3::VARCHAR[]) AS path", [site_col, month_col, path_col])
        fields = json.loads((ROOT / "bench" / "out" / f"{form}.report-schema.json").read_text(encoding="utf-8"))
        labels = {f["name"]: f for f in fields}
        picks = []
        for fid in ("no",) + cols:
            label, kind = labels[fid]["label"], labels[fid]["type"]
            text = f'coalesce("{label}", \'\')'
            picks.append(f"try_strptime({text}, '%Y-%m-%d %H:%M') AS {fid}" if kind == "datetime" else f"{text} AS {fid}")
        # stored files are canonical: UTF-8, the form's labels in schema order, so no sniffing per file
        spec = "{" + ", ".join(f"'{f['label']}': 'VARCHAR'" for f in fields) + "}"
        con.execute(f"""CREATE TABLE {name} AS SELECT u.site, u.upload_month, {', '.join(picks)}
            FROM read_csv({[f[2] for f in files[form]]!r}, header = true, auto_detect = false, columns = {spec},
                          delim = ',', quote = '"', escape = '"', filename = true) r
            JOIN {name}_up u ON u.path = r.filename""")
    con.execute(ITEMS)
    rows = con.execute(SQL, {"month": month}).fetchall()
    overdue = con.execute(OVERDUE, {"month": month}).fetchall()
    out = shape(rows, overdue, sites, evals, month, prev)
    sent = {site for site, by_month in manifest.get(FORM, {}).items() if month in by_month}
    out["submitted"] = {s: [int(s in sent), 1] for s in sites}      # 投诉处理记录表 is due monthly
    return out


def shape(rows, overdue_rows, sites, evals, month, prev) -> dict:
    kpi_of = {"complaint": ("complaint-handling-rate", "complaint-24h-rate"), "callback": ("complaint-callback-rate",)}
    per: dict = {}                                   # (kpi, site, m) -> [num, den, transit]
    counts: dict = {f"{c}|{s}": {} for c in COUNT_IDS for s in sites + [COMPANY]}
    carry = {s: [0] * 7 for s in sites + [COMPANY]}
    for kind, a, m, site, cat, x1, x2, x3, x4, x5, x6, x7 in rows:
        if kind == "kpi":
            for kid in kpi_of[a]:
                num = x2 if kid == "complaint-24h-rate" else x1
                for g in (site, COMPANY):
                    cur = per.setdefault((kid, g, m), [0, 0, 0])
                    cur[0] += num
                    cur[1] += x3
                    cur[2] += x4
        elif kind == "count":
            for g in (site, COMPANY):
                bucket = counts[f"{a}|{g}"]
                bucket[cat] = bucket.get(cat, 0) + x1
        else:
            for g in (site, COMPANY):
                carry[g] = [v + w for v, w in zip(carry[g], (x1, x2, x3, x4, x5, x6, x7))]
    overdue = [[site, no, received, due, days, department or ""] for site, no, received, due, days, department in overdue_rows]
    out: dict = {"kpis": {}, "counts": counts, "carry": {}, "overdue": sorted(overdue, key=lambda o: (-o[4], o[0], o[1])),
                 "submitted": {}}
    for kid in KPI_IDS:
        for g in sites + [COMPANY]:
            num, den, transit = per.get((kid, g, month), [0, 0, 0])
            p = per.get((kid, g, prev), [0, 0, 0]) if prev in evals else None
            ytd = [sum(per.get((kid, g, m), [0, 0, 0])[k] for m in evals if m[:4] == month[:4]) for k in (0, 1)]
            out["kpis"][f"{kid}|{g}"] = [num, den, transit, rounded(p[0], p[1]) if p else None, *ytd]
    for g, v in carry.items():
        base = v[0] + v[1] - v[3]
        out["carry"][g] = v + [rounded(v[2], base)]
    return out


def window(month: str):
    y, m = map(int, month.split("-"))
    return dt.datetime(y, m, 1), dt.datetime(y + (m == 12), m % 12 + 1, 1)


def from_report(report: dict) -> dict:
    """The same numbers picked out of `handbook report --form complaint-log --json`."""
    sites = report["sites"]
    out: dict = {"kpis": {}, "counts": {f"{c}|{s}": {} for c in COUNT_IDS for s in sites + [COMPANY]}, "carry": {},
                 "overdue": [], "submitted": {}}
    for row in report["kpis"]:
        if row["id"] not in KPI_IDS:
            # valid-complaint-rate divides by sites.yml's 总户数; the bench stores register none, so it is 0/0
            # throughout and the hand-written query leaves it out
            continue
        out["kpis"][f"{row['id']}|{row['site']}"] = [row["numerator"], row["denominator"], row["in_transit"],
                                                     row["previous"], row["ytd_numerator"], row["ytd_denominator"]]
    for row in report["counts"]:
        if row["value"]:
            out["counts"][f"{row['id']}|{row['site']}"][row["category"] or ""] = row["value"]
    for row in report["carryover"]:
        out["carry"][row["site"]] = [row[k] for k in CARRY] + [row["completion_rate"]]
    out["overdue"] = [[o["site"], o["no"], o["received_at"], o["due_at"], o["days_overdue"], o["department"]]
                      for o in report["overdue"]]
    out["submitted"] = {s["site"]: [s["submitted"], s["due"]] for s in report["submissions"]}
    return out


# ---------------------------------------------------------------- timing
def timed(cmd: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def compare(got: dict, want: dict) -> bool:
    bad = []
    for part in ("kpis", "counts", "carry", "submitted"):
        for k in sorted(set(want[part]) | set(got[part])):
            if got[part].get(k) != want[part].get(k):
                bad.append((part, k, got[part].get(k), want[part].get(k)))
    if got["overdue"] != want["overdue"]:
        bad.append(("overdue", len(got["overdue"]), got["overdue"][:3], want["overdue"][:3]))
    cells = (sum(len(v) for v in want["kpis"].values()) + sum(len(v) for v in want["counts"].values())
             + sum(len(v) for v in want["carry"].values()) + len(want["overdue"]) + len(want["submitted"]))
    print(f"check: DuckDB query = handbook report --form {FORM}: {'OK' if not bad else 'MISMATCH'} "
          f"({len(want['kpis'])} KPI rows, {cells} numbers and overdue items; 全公司 "
          f"{ {k: want['kpis'][f'{k}|{COMPANY}'][:3] for k in KPI_IDS} })")
    for b in bad[:10]:
        print("  ", *b)
    return not bad


def write_schemas() -> None:
    """Field ids, labels and types of the two forms, for the query script (it does not import handbook)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from handbook.cli import load_handbook

    handbook = load_handbook(ROOT)
    for form in ("complaint-log", "callback-log"):
        f = handbook.form_by_id[form]
        (OUT / f"{form}.report-schema.json").write_text(json.dumps(
            [{"name": x.id, "label": x.label, "type": x.type} for x in f.fields], ensure_ascii=False), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--month", default="2026-10")
    ap.add_argument("--store", default=str(STORE))
    ap.add_argument("--query", action="store_true", help="only run the hand-written query and print JSON")
    ap.add_argument("--skip-full", action="store_true", help="do not time the full report")
    ap.add_argument("--sites", type=int, choices=[50, 500], default=50)
    args = ap.parse_args()
    store = Path(args.store)
    if args.query:
        print(json.dumps(run_query(store, args.month), ensure_ascii=False))
        return 0

    build_store()
    if args.sites == 500:
        store = OUT / "report-store-500"
        clone_store(STORE, store, 10)
    write_schemas()
    report = [str(VENV / "handbook"), "report", "--month", args.month, "--data-dir", str(store), "--json"]
    import resource

    def peak_child_mb() -> float:
        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    clear_cache(store)
    t, _ = timed(report)
    print(f"cold  handbook report (full, per-管理处 cache emptied first) {t:7.2f} s  peak ≤ {peak_child_mb():.0f} MB",
          flush=True)
    sides = {
        "handbook report --form complaint-log": report + ["--form", FORM],
        "DuckDB query (same scope)": [sys.executable, str(Path(__file__).resolve()), "--store", str(store),
                                      "--month", args.month, "--query"],
    }
    if not args.skip_full:
        sides["handbook report (full, warm)"] = report
    times: dict[str, list[float]] = {k: [] for k in sides}
    outputs: dict[str, str] = {}
    for i in range(args.runs):
        for name, cmd in sides.items():
            t, out = timed(cmd)
            times[name].append(t)
            outputs[name] = out
            print(f"run {i + 1}  {name:38s} {t:7.2f} s", flush=True)

    ok = compare(json.loads(outputs["DuckDB query (same scope)"]),
                 from_report(json.loads(outputs["handbook report --form complaint-log"])))
    med = {k: statistics.median(v) for k, v in times.items()}
    print()
    for name, v in med.items():
        print(f"median {name:38s} {v:7.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times[name])})")
    ratio = med["handbook report --form complaint-log"] / med["DuckDB query (same scope)"]
    print(f"ratio handbook report / hand-written query (same scope) = {ratio:.2f}  (target ≤ 1.5)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
