"""Benchmark: the server under hostile uploads, and the first `make run` until the site answers.

hostile  A real `handbook serve` (fresh data dir, one clerk). While each hostile upload below is sent,
         another client polls GET /intake/login every 100 ms; printed: the upload's status and seconds,
         the worst poll response time during it (target ≤ 1 s), and the server's peak RSS (VmHWM).
           csv-rows   9.9 MB CSV: the complaint-log header, then 3.47M rows of "x"
           xlsx-xml   XLSX of ~160 KB whose one sheet holds ~52 MB of XML (blank cells)
           csv-valid  a valid 700-row CSV, as a control
first    The steps of `make run` on an empty data dir (sample 12 months × 3 管理处, ingest --batch,
         serve until / answers), each timed; the total is what a new user waits for.

Run: .venv/bin/python bench/serve_bench.py [hostile] [first]
"""

from __future__ import annotations

import io
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VENV = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT / "scripts"))
SITE = "东湖花园管理处"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 300) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def peak_rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", text).group(1)) / 1024


def header() -> bytes:
    from handbook.loader import load_handbook

    form = load_handbook(ROOT).form_by_id["complaint-log"]
    return (",".join(f.label for f in form.fields) + "\n").encode("utf-8-sig")


def valid_csv(n: int) -> bytes:
    row = "{no},2026-10-02 09:30,来电,3-2-1102,测试甲,13800138000,楼道灯不亮,服务类,是,否,工程部,2026-10-03 09:30,,,2026-10-02 15:00,已修复,已完成,,小王\n"
    return header() + "".join(row.format(no=f"202610-{i:03d}") for i in range(1, n + 1)).encode("utf-8")


def xlsx_with_big_sheet() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(header().decode("utf-8-sig").strip().split(","))
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'<row r="2">' + b'<c r="A2"/>' * 4_700_000 + b"</row></sheetData>")
            z.writestr(info.filename, data)
    return out.getvalue()


def hostile() -> None:
    data_dir = OUT / "serve-bench-store"
    shutil.rmtree(data_dir, ignore_errors=True)
    from handbook.records.store.registry import FILE, write_registry

    write_registry(data_dir / FILE, [SITE], "2025-01")
    subprocess.run([str(VENV / "handbook"), "--root", str(ROOT), "user", "add", "clerk", "--site", SITE,
                    "--data-dir", str(data_dir)], input="password-1\n", text=True, check=True, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(VENV / "handbook"), "--root", str(ROOT), "serve", "--port", str(port),
                               "--data-dir", str(data_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(base + "/intake/login")
        clerk = httpx.Client(base_url=base, timeout=600, follow_redirects=True)
        token = re.search(r'name="csrf" value="([^"]+)"', clerk.get("/intake/login").text).group(1)
        clerk.post("/intake/login", data={"csrf": token, "name": "clerk", "password": "password-1"})
        cases = [("csv-rows", header() + b"x\n" * 3_470_000, "x.csv"),
                 ("xlsx-xml", xlsx_with_big_sheet(), "x.xlsx"),
                 ("csv-valid", valid_csv(700), "ok.csv")]
        print(f"{'case':<10} {'MB':>6} {'status':>6} {'upload s':>9} {'worst poll s':>13} {'server peak RSS MB':>19}")
        for name, content, filename in cases:
            polls: list[float] = []
            stop = threading.Event()

            def poll():
                with httpx.Client(base_url=base, timeout=30) as other:
                    while not stop.is_set():
                        t0 = time.monotonic()
                        other.get("/intake/login")
                        polls.append(time.monotonic() - t0)
                        stop.wait(0.1)

            poller = threading.Thread(target=poll)
            poller.start()
            time.sleep(0.3)
            token = re.search(r'name="csrf" value="([^"]+)"', clerk.get("/intake/").text).group(1)
            t0 = time.monotonic()
            r = clerk.post("/intake/upload", data={"csrf": token, "form": "complaint-log", "site": SITE, "month": "2026-10"},
                           files={"file": (filename, content, "application/octet-stream")})
            took = time.monotonic() - t0
            time.sleep(0.3)
            stop.set()
            poller.join()
            print(f"{name:<10} {len(content) / 1e6:>6.2f} {r.status_code:>6} {took:>9.2f} {max(polls):>13.3f} "
                  f"{peak_rss_mb(server.pid):>19.0f}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def first_run() -> None:
    data_dir = OUT / "first-run-store"
    sample = OUT / "first-run-sample"
    for folder in (data_dir, sample):
        shutil.rmtree(folder, ignore_errors=True)
    hb = [str(VENV / "handbook"), "--root", str(ROOT)]
    times = {}
    t0 = time.monotonic()
    with open(OUT / "first-run-sample.json", "w", encoding="utf-8") as listing:
        subprocess.run(hb + ["sample", "--out", str(sample), "--months", "12", "--sites", "3", "--seed", "2026",
                             "--data-dir", str(data_dir), "--json"], check=True, stdout=listing)
    times["sample"] = time.monotonic() - t0
    t1 = time.monotonic()
    subprocess.run(hb + ["ingest", "--batch", str(OUT / "first-run-sample.json"), "--data-dir", str(data_dir)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times["ingest --batch (804 files)"] = time.monotonic() - t1
    port = free_port()
    t2 = time.monotonic()
    server = subprocess.Popen(hb + ["serve", "--port", str(port), "--data-dir", str(data_dir)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/")
        times["serve until / answers"] = time.monotonic() - t2
    finally:
        server.terminate()
        server.wait(timeout=30)
    for step, seconds in times.items():
        print(f"  {step:<28} {seconds:6.1f} s")
    print(f"  {'total (first make run)':<28} {sum(times.values()):6.1f} s")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    which = sys.argv[1:] or ["hostile", "first"]
    if "hostile" in which:
        hostile()
    if "first" in which:
        first_run()
