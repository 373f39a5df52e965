"""The message catalogue: one code per message, and every place that writes a message gives exactly the
parameters its template names (a missing one would be a KeyError in front of a clerk; an extra one a
detail that silently never shows). The catalogue is a package with one module per domain; each message is
defined in exactly one of them and re-exported by the package."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import string
from pathlib import Path

from conftest import ROOT
from handbook import messages as m
from handbook.records.rules import RULES

PACKAGE = ROOT / "scripts" / "handbook"
CATALOGUE = PACKAGE / "messages"


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


def _domains() -> dict[str, object]:
    return {info.name: importlib.import_module(f"{m.__name__}.{info.name}") for info in pkgutil.iter_modules(m.__path__)}


def test_every_message_is_defined_in_exactly_one_domain_module_and_reexported():
    domains = _domains()
    assert set(domains) >= {"base", "sources", "files", "tables", "normalize", "records", "store", "intake"}
    # by source text, so that a name defined twice (the later one shadowing the earlier on re-export) is caught too;
    # by class, that no message lives outside the catalogue except the record rules (their own messages, records/rules/)
    defined: dict[str, list[str]] = {}
    for path in sorted(CATALOGUE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                defined.setdefault(node.name, []).append(str(path.relative_to(PACKAGE)))
    classes = [cls for classes in catalogue().values() for cls in classes]
    for cls in classes:
        if cls.__module__.startswith("handbook.records.rules"):
            continue
        module = cls.__module__.rpartition(".")[2]
        assert cls.__module__ == f"{m.__name__}.{module}" and module in domains and module != "base", \
            f"{cls.__name__} is defined in {cls.__module__}, not in a domain module of the catalogue"
        assert defined[cls.__name__] == [f"messages/{module}.py"], f"{cls.__name__} is defined in {defined[cls.__name__]}"
        assert getattr(m, cls.__name__) is cls, f"{cls.__name__} is not re-exported by the messages package"
    in_modules = {name for mod in domains.values() for name, obj in vars(mod).items()
                  if isinstance(obj, type) and obj.__module__ == mod.__name__}
    assert in_modules == {c.__name__ for c in classes if c.__module__.startswith(m.__name__)} | {"HandbookError", "Problem", "ProblemsFound"}
    assert len(classes) > 100


def test_each_domain_module_says_what_it_holds():
    for name, module in _domains().items():
        doc = (module.__doc__ or "").strip()
        assert len(doc) > 40, f"messages/{name}.py has no docstring saying what it holds"
        assert name in (m.__doc__ or ""), f"the messages package docstring does not list messages/{name}.py"
