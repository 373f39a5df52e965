"""Benchmark: `handbook build` against a bare `mkdocs build` of the same generated pages.

The bare build gets every page and file the plugin generates, written out as ordinary docs,
and the same theme, nav, search and Markdown settings, but not the handbook plugin.
Run: .venv/bin/python bench/build_bench.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "build"


def write_bare_project(target: Path) -> Path:
    """Materialise what the plugin generates into a plain MkDocs project."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    config = load_config(str(ROOT / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    docs = target / "docs"
    shutil.rmtree(target, ignore_errors=True)
    docs.mkdir(parents=True)
    for f in files:
        dest = docs / f.src_uri
        dest.parent.mkdir(parents=True, exist_ok=True)
        if f.generated_by:
            dest.write_bytes(f.content_bytes)
        else:
            shutil.copyfile(f.abs_src_path, dest)
    raw = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    raw["plugins"] = [p for p in raw["plugins"] if not (isinstance(p, dict) and "handbook" in p)]
    raw["nav"] = config.nav
    raw["extra_css"] = list(config.extra_css)
    raw["site_name"] = config.site_name
    (target / "mkdocs.yml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return target


def timed(cmd: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description="建站基准：handbook build 对比 裸 mkdocs build")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    empty = OUT / "empty-records"
    empty.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HANDBOOK_DATA_DIR": str(empty)}
    os.environ["HANDBOOK_DATA_DIR"] = str(empty)
    bare = write_bare_project(OUT / "bare")
    bin_dir = Path(sys.executable).parent
    handbook, bare_t = [], []
    for _ in range(args.runs):
        # Alternate the two so load on the shared machine hits both alike.
        handbook.append(timed([str(bin_dir / "handbook"), "build", "--site-dir", str(OUT / "site-handbook")], ROOT, env))
        bare_t.append(timed([str(bin_dir / "mkdocs"), "build", "-q", "-f", "mkdocs.yml", "-d", str(OUT / "site-bare")], bare, env))
    h, b = statistics.median(handbook), statistics.median(bare_t)
    print(f"handbook build（含检查）  中位数 {h:.2f} 秒  {['%.2f' % x for x in handbook]}")
    print(f"裸 mkdocs build          中位数 {b:.2f} 秒  {['%.2f' % x for x in bare_t]}")
    print(f"比值 handbook / 裸 mkdocs = {h / b:.2f}（目标 ≤ 1.3）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
