"""Reading a YAML source file: the data (safe loader only) and, when a problem must be located, its positions.

Line numbers always come from the composed YAML node tree (`SourceTree`), never from searching the text
for a value, so a value written twice is reported where it really is.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Optional

import yaml
from pydantic import ValidationError

from . import messages as m
from .schema_problems import problem_from_pydantic

# libyaml when built in: the same safe schema, ~10× faster; YAML parsing was most of every command's start-up.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)



class SourceTree:
    """Positions in one YAML file, composed only when first asked (problems are rare)."""

    def __init__(self, path: Path, text: Optional[str] = None):
        self.path = Path(path)
        self._text = text

    @cached_property
    def text(self) -> str:
        return self._text if self._text is not None else self.path.read_text(encoding="utf-8")

    @cached_property
    def root(self) -> Optional[yaml.Node]:
        try:
            return yaml.compose(self.text, Loader=yaml.SafeLoader)   # pure-Python: marks count characters
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return None

    def node(self, *loc) -> tuple[Optional[yaml.Node], bool]:
        """The node at loc, or the nearest enclosing one (a missing key: its mapping) and False."""
        node = self.root
        if node is None:
            return None, False
        for key in loc:
            if isinstance(node, yaml.MappingNode):
                pair = next(((k, v) for k, v in node.value if k.value == key), None)
                if pair is None:
                    return node, False
                node = pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
                node = node.value[key]
            else:
                return node, False
        return node, True

    def key_line(self, *loc) -> Optional[int]:
        """The line of the key at the end of loc (for an unknown or misplaced field), else of its mapping."""
        parent, found = self.node(*loc[:-1])
        if found and isinstance(parent, yaml.MappingNode):
            knode = next((k for k, _ in parent.value if k.value == loc[-1]), None)
            if knode is not None:
                return knode.start_mark.line + 1
        return self.line(*loc)

    def line(self, *loc) -> Optional[int]:
        """1-based line where the value at loc starts (of its nearest existing parent when absent)."""
        node, _ = self.node(*loc)
        return node.start_mark.line + 1 if node is not None else None

    def line_within(self, needle: str, *loc) -> Optional[int]:
        """The line of needle inside the value at loc (a reference inside a long text): the value's own
        span in the file is searched, so the same words elsewhere in the file never match."""
        node, found = self.node(*loc)
        if node is None:
            return None
        start, end = node.start_mark.index, node.end_mark.index
        at = self.text.find(needle, start, end) if found else -1
        if at < 0:
            return node.start_mark.line + 1
        return node.start_mark.line + 1 + self.text.count("\n", start, at)


def read_yaml(path: Path) -> tuple[object, str | None, list[m.Problem]]:
    """(data, text, problems): the file parsed with a safe loader, or the problems that stopped it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, None, [m.Problem(m.FileUnreadable, path, None, {"detail": str(exc)})]
    try:
        return yaml.load(text, Loader=FAST_LOADER), text, []
    except yaml.YAMLError:
        # re-read with the pure-Python loader so that messages and line numbers stay what they were
        try:
            return yaml.safe_load(text), text, []
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            detail = getattr(exc, "problem", None) or str(exc)
            return None, text, [m.Problem(m.YamlSyntax, path, mark.line + 1 if mark else None, {"detail": detail})]


def load_yaml(path: Path, model):
    """Read one YAML file into a pydantic model, or return its problems located in the file."""
    data, text, problems = read_yaml(path)
    if problems:
        return None, problems
    if not isinstance(data, dict):
        actual = "空文件" if data is None else "列表或单个值"
        return None, [m.Problem(m.NotAMapping, path, 1, {"actual": actual})]
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        tree = SourceTree(path, text)
        return None, [problem_from_pydantic(path, tree, e) for e in exc.errors()]
    item._source = str(path)
    return item, []
