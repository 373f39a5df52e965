"""The message catalogue: one code per message, and every place that writes a message gives exactly the
parameters its template names (a missing one would be a KeyError in front of a clerk; an extra one a
detail that silently never shows)."""

from __future__ import annotations

import ast
import string
from pathlib import Path

from conftest import ROOT
from handbook import messages as m
from handbook.records.rules import RULES

PACKAGE = ROOT / "scripts" / "handbook"


def catalogue() -> dict[str, type]:
    out: dict[str, list[type]] = {}
    todo = [m.HandbookError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if "code" in vars(sub):
                out.setdefault(sub.code, []).append(sub)
    return out


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_code_names_one_message():
    doubled = {code: [c.__name__ for c in classes] for code, classes in catalogue().items() if len(set(classes)) > 1}
    assert not doubled, doubled
    assert all(rule.code in catalogue() for rule in RULES)


def test_every_message_has_a_chinese_title_and_template():
    for code, (cls, *_) in catalogue().items():
        assert cls.title and cls.template, code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in cls.template), code


def _calls():
    """(file, line, message class name, keyword names or None when **kwargs are passed) of every X.render(…)."""
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "render"):
                continue
            target = node.func.value
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
            if name is None or not hasattr(m, name):
                continue
            keywords = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
            yield path.relative_to(ROOT), node.lineno, name, keywords


def test_every_render_call_gives_what_its_template_names():
    checked = 0
    for path, line, name, keywords in _calls():
        cls = getattr(m, name)
        if not (isinstance(cls, type) and issubclass(cls, m.HandbookError)) or keywords is None:
            continue
        assert keywords == fields(cls.template), f"{path}:{line} {name}: gives {sorted(keywords)}, template names {sorted(fields(cls.template))}"
        checked += 1
    assert checked > 50
