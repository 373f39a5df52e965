"""Keep the served staff site current: rebuild after an upload or a source edit, then swap."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from ..records.store.catalogue import DATA_DIR_ENV

log = logging.getLogger("handbook.web")
# An upload no longer rebuilds the site (the statistics pages are live, web/live.py); the clause badges on
# the procedure pages and the navigation's list of months follow with one rebuild at most this long after.
BADGE_DELAY = 300
SOURCES = ("procedures", "forms", "docs", "organisation.yml", "mkdocs.yml", "data/jieba-dict.txt", "data/kpis.yml")


def source_stamps(root: Path, names) -> tuple:
    """(path, mtime, size) of every file under the named sources: changes when any of them is edited."""
    stamps = []
    for name in names:
        path = root / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        for f in files:
            try:
                st = f.stat()
            except FileNotFoundError:
                continue
            stamps.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(stamps)


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
        self._due: float | None = None
        self._due_lock = threading.Lock()
        self._building = False
        self._stop = threading.Event()

    @property
    def building(self) -> bool:
        return self._building or self._wanted.is_set() or (self._due is not None and self._due <= time.monotonic())

    def build_now(self) -> bool:
        """Build synchronously (at start-up). Returns False and keeps the old site on failure."""
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        target = self.base / f"site-{time.time_ns()}"
        os.environ[DATA_DIR_ENV] = str(self.data_dir)
        try:
            config = load_config(str(self.root / "mkdocs.yml"), site_dir=str(target))
            # the statistics pages are rendered per request (live.py): build only their frames
            config.plugins["handbook"].config.live_statistics = True
            build(config)
        except (MkDocsException, OSError) as exc:
            return self._failed(target, exc)
        except Exception as exc:  # a bug or bad data in one build must not stop later ones
            log.exception("网站重建时程序出错")
            return self._failed(target, exc)
        old, self.current = self.current, target
        self.built_at, self.error = time.time(), None
        self.on_switch(target)
        if old is not None:
            # Requests already reading the old folder get a moment to finish.
            # Daemon, so a stopping server does not wait for it; stop() removes everything anyway.
            timer = threading.Timer(30, shutil.rmtree, args=(old,), kwargs={"ignore_errors": True})
            timer.daemon = True
            timer.start()
        return True

    def _failed(self, target: Path, exc: Exception) -> bool:
        self.error = str(exc) or type(exc).__name__
        log.error("网站重建失败，继续使用上一版：%s", self.error)
        shutil.rmtree(target, ignore_errors=True)
        return False

    def request(self, delay: float = 0) -> None:
        """Ask for a rebuild in the background, now or within delay seconds; requests coalesce into one build."""
        due = time.monotonic() + delay
        with self._due_lock:
            if self._due is None or due < self._due:
                self._due = due

    def _take_due(self) -> bool:
        with self._due_lock:
            if self._due is not None and time.monotonic() >= self._due:
                self._due = None
                self._wanted.set()
        return self._wanted.is_set()

    def _worker(self) -> None:
        while not self._stop.is_set():
            if self._take_due() or self._wanted.wait(timeout=0.5):
                with self._lock:
                    self._building = True
                    self._wanted.clear()
                    try:
                        self.build_now()
                    except Exception:
                        log.exception("网站重建失败，继续使用上一版")
                    finally:
                        self._building = False

    def _watch(self, interval: float) -> None:
        last = self._snapshot()
        while not self._stop.wait(interval):
            try:
                now = self._snapshot()
            except OSError as exc:
                log.error("无法检查手册源文件是否有修改：%s", exc)
                continue
            if now != last:
                last = now
                self.request()

    def _snapshot(self) -> tuple:
        return source_stamps(self.root, SOURCES)

    def start(self, watch_interval: float | None = 1.0) -> None:
        threading.Thread(target=self._worker, name="site-builder", daemon=True).start()
        if watch_interval:
            threading.Thread(target=self._watch, args=(watch_interval,), name="site-watcher", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        shutil.rmtree(self.base, ignore_errors=True)

    def status(self) -> dict:
        due = self._due
        if due is not None and not self.building:
            at = time.strftime("%H:%M", time.localtime(time.time() + max(0.0, due - time.monotonic()) + 60))
            return {"building": False, "message": f"月度统计已是最新（按上传实时计算）；手册页面上的指标标记将于 {at} 前更新。"}
        if self.building:
            return {"building": True, "message": "统计页面正在更新，请稍候……"}
        if self.error:
            return {"building": False, "message": "统计页面更新失败，仍显示上一版；请联系管理员。"}
        when = time.strftime("%H:%M:%S", time.localtime(self.built_at)) if self.built_at else "—"
        return {"building": False, "message": f"统计页面已是最新（{when} 更新）。"}
