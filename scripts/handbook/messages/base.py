"""The base of the message catalogue and the one render path.

`HandbookError` is what every message is: a small declarative class with a code, a Chinese title and a message
template, written only through `X.render(**params)` (like frictionless' error classes). `Problem` is one thing
wrong in a handbook source, located by file and line; `ProblemsFound` carries all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class HandbookError:
    code = "handbook-error"
    title = "错误"
    template = "{detail}"

    @classmethod
    def render(cls, **params) -> str:
        """The one way a message is written: its template with the parameters it names."""
        return cls.template.format(**params)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a source file, located by file and line."""

    error: type[HandbookError]
    path: Path | None
    line: int | None = None
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.error.render(**self.params)

    def location(self, root: Path | None = None) -> str:
        if self.path is None:
            return ""
        path = self.path
        if root is not None:
            try:
                path = self.path.resolve().relative_to(root.resolve())
            except ValueError:
                pass
        return f"{path}:{self.line}" if self.line else str(path)

    def render(self, root: Path | None = None) -> str:
        where = self.location(root)
        return f"{where}: {self.message}" if where else self.message


class ProblemsFound(Exception):
    """Raised when sources are invalid; carries every problem, not just the first."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems

    def report(self, root: Path | None = None) -> str:
        lines = [f"发现 {len(self.problems)} 处问题："]
        lines += [f"  {p.render(root)}" for p in self.problems]
        return "\n".join(lines)
