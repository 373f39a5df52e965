"""MkDocs logs in English; `handbook build` prints its own short Chinese lines instead."""

from __future__ import annotations

import contextlib
import logging
import re
import sys

# MkDocs messages worth showing, in Chinese; anything else at warning level is shown with a Chinese label.
WARNINGS = [
    (re.compile(r"Doc file '(.+?)' contains a link '(.+?)', but the target .*?is not found"),
     "页面 {0} 中的链接 {1} 指向不存在的页面。"),
    (re.compile(r"Doc file '(.+?)' contains a link '(.+?)', but the doc '(.+?)' does not contain an anchor '(.+?)'\.?"),
     "页面 {0} 中的链接 {1} 指向的锚点不存在。"),
    (re.compile(r"The following pages exist in the docs directory, but are not included in the \"nav\" configuration:(.*)", re.S),
     "以下页面不在导航中：{0}"),
]
BUILT = re.compile(r"Documentation built in ([\d.]+) seconds")
STRICT = re.compile(r"Aborted with (\d+) warnings? in strict mode!?")


def translate(message: str) -> str:
    for pattern, chinese in WARNINGS:
        match = pattern.search(message)
        if match:
            return chinese.format(*(g.strip() for g in match.groups()))
    return message


def failure_message(exc: Exception) -> str:
    match = STRICT.search(str(exc))
    return f"严格模式下有 {match.group(1)} 条警告，已中止。" if match else str(exc)


class _ChineseLines(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.seconds: float | None = None

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno < logging.WARNING:
            # Progress notes (cleaning, building to …, absolute links left as is): the command prints its own.
            built = BUILT.search(message)
            if built:
                self.seconds = float(built.group(1))
            return
        label = "错误" if record.levelno >= logging.ERROR else "警告"
        print(f"{label}：{translate(message)}", file=sys.stderr)


@contextlib.contextmanager
def chinese_build_log():
    """While building, MkDocs' log records go to this handler only; yields it (for the build time)."""
    logger = logging.getLogger("mkdocs")
    handler = _ChineseLines()
    saved = logger.handlers[:], logger.propagate, logger.level
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.handlers, logger.propagate = saved[0], saved[1]
        logger.setLevel(saved[2])
