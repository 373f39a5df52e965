"""The handbook model the intake validates against, reloaded when procedures or forms change."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ..loader import load_handbook
from .sitebuild import source_stamps

log = logging.getLogger("handbook.web")
MODEL_SOURCES = ("procedures", "forms", "organisation.yml", "data/kpis.yml")


class LiveHandbook:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._stamps = source_stamps(self.root, MODEL_SOURCES)
        self.current = load_handbook(self.root)
        self._lock = threading.Lock()

    def refresh(self):
        """The model for the sources as they are now; a source with errors keeps the last good model."""
        with self._lock:
            stamps = source_stamps(self.root, MODEL_SOURCES)
            if stamps != self._stamps:
                self._stamps = stamps
                try:
                    self.current = load_handbook(self.root)
                except Exception as exc:
                    log.error("手册或表单有错误，记录上传继续使用上一版：%s", exc)
        return self.current
