"""Keep the served staff site current: rebuild after an upload or a source edit, then swap."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from ..records.store import DATA_DIR_ENV

log = logging.getLogger("handbook.web")
SOURCES = ("procedures", "forms", "docs", "organisation.yml", "mkdocs.yml", "data/jieba-dict.txt", "data/kpis.yml")


class SiteBuilder:
    """Builds into a fresh folder and switches the static handler to it when the build succeeds."""

    def __init__(self, root: Path, data_dir: Path, on_switch):
        self.root = Path(root)
        self.data_dir = Path(data_dir)
        self.on_switch = on_switch
        self.base = Path(tempfile.mkdtemp(prefix="handbook-site-"))
        self.current: Path | None = None
        self.built_at: float | None = None
        self.error: str | None = None
        self._lock = threading.Lock()
        self._wanted = threading.Event()
        self._building = False
        self._stop = threading.Event()

    @property
    def building(self) -> bool:
        return self._building or self._wanted.is_set()

    def build_now(self) -> bool:
        """Build synchronously (at start-up). Returns False and keeps the old site on failure."""
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        target = self.base / f"site-{time.time_ns()}"
        os.environ[DATA_DIR_ENV] = str(self.data_dir)
        try:
            build(load_config(str(self.root / "mkdocs.yml"), site_dir=str(target)))
        except (MkDocsException, OSError) as exc:
            self.error = str(exc)
            log.error("网站重建失败，继续使用上一版：%s", exc)
            shutil.rmtree(target, ignore_errors=True)
            return False
        old, self.current = self.current, target
        self.built_at, self.error = time.time(), None
        self.on_switch(target)
        if old is not None:
            # Requests already reading the old folder get a moment to finish.
            threading.Timer(30, shutil.rmtree, args=(old,), kwargs={"ignore_errors": True}).start()
        return True

    def request(self) -> None:
        """Ask for a rebuild in the background; requests during a build coalesce into one more build."""
        self._wanted.set()

    def _worker(self) -> None:
        while not self._stop.is_set():
            if self._wanted.wait(timeout=0.5):
                with self._lock:
                    self._building = True
                    self._wanted.clear()
                    try:
                        self.build_now()
                    finally:
                        self._building = False

    def _watch(self, interval: float) -> None:
        last = self._snapshot()
        while not self._stop.wait(interval):
            now = self._snapshot()
            if now != last:
                last = now
                self.request()

    def _snapshot(self) -> tuple:
        stamps = []
        for name in SOURCES:
            path = self.root / name
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
            stamps += [(str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files]
        return tuple(stamps)

    def start(self, watch_interval: float | None = 1.0) -> None:
        threading.Thread(target=self._worker, name="site-builder", daemon=True).start()
        if watch_interval:
            threading.Thread(target=self._watch, args=(watch_interval,), name="site-watcher", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        shutil.rmtree(self.base, ignore_errors=True)

    def status(self) -> dict:
        if self.building:
            return {"building": True, "message": "统计页面正在更新，请稍候……"}
        if self.error:
            return {"building": False, "message": "统计页面更新失败，仍显示上一版；请联系管理员。"}
        when = time.strftime("%H:%M:%S", time.localtime(self.built_at)) if self.built_at else "—"
        return {"building": False, "message": f"统计页面已是最新（{when} 更新）。"}
