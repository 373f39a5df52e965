"""Load forms/*.yaml and check them against the procedures (every link resolves)."""

from __future__ import annotations

import re
from pathlib import Path

from .. import messages as m
from ..model import FORM_ID_PATTERN
from ..yaml_source import SourceTree, load_yaml
from .declared import declaration_problems
from .model import Form


def load_forms(folder: Path) -> tuple[list[Form], list[m.Problem]]:
    forms, problems = [], []
    if not folder.is_dir():
        return forms, problems
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        form, errs = load_yaml(path, Form)
        problems += errs
        if form is None:
            continue
        if path.stem != form.id:
            problems.append(m.Problem(m.FormFileName, path, 1, {"id": form.id}))
        forms.append(form)
    return forms, problems


def _clause_exists(handbook, ref: str) -> bool:
    chapter, _, clause = ref.partition("#")
    proc, found = handbook.resolve(chapter, clause or None)
    return proc is not None and (not clause or found is not None)


def checklist_items(handbook, form: Form) -> list[tuple[str, str, int]]:
    """(stable id, text, depth) for each check item, taken from the procedure clauses."""
    items = []
    for ref in form.checklist.from_:
        chapter, _, sid = ref.partition("#")
        proc = handbook.by_chapter[chapter]
        if not sid:
            items += [(f"{chapter}#{c.sid}", c.text, 0) for top in proc.clauses_top() for c in top.walk() if c.text]
            continue
        clause = proc.clause(sid)
        if form.checklist.split:
            text = clause.text.split("：", 1)[-1].rstrip("。；;.")
            parts = [t.strip() for t in text.split(form.checklist.split) if t.strip()]
            items += [(f"{chapter}#{clause.sid}", part, 0) for part in parts]
            continue

        def walk(c, depth):
            for child in c.children:
                items.append((f"{chapter}#{child.sid}", child.text, depth))
                walk(child, depth + 1)
        walk(clause, 0)
    return items


def check_forms(handbook) -> list[m.Problem]:
    problems: list[m.Problem] = []
    seen_numbers: dict[str, str] = {}
    for form in handbook.forms:
        path = Path(form.source)
        tree = SourceTree(path)
        before = len(problems)
        if form.number in seen_numbers:
            problems.append(m.Problem(m.DuplicateForm, path, tree.line("number"),
                                      {"what": "表单编号", "value": form.number, "other": seen_numbers[form.number]}))
        seen_numbers.setdefault(form.number, path.name)
        refs = [("所属条款 procedure", form.procedure, ("procedure",))]
        if form.statistics:
            refs.append(("统计依据 statistics", form.statistics, ("statistics",)))
        if form.checklist:
            refs += [("检查项来源 checklist.from", r, ("checklist", "from", i)) for i, r in enumerate(form.checklist.from_)]
        for what, ref, loc in refs:
            if not _clause_exists(handbook, ref):
                problems.append(m.Problem(m.FormClauseMissing, path, tree.line(*loc), {"form": form.id, "what": what, "target": ref}))
        labels, ids = set(), set()
        for i, f in enumerate(form.fields):
            for value, seen, what, key in ((f.label, labels, "中文列名", "label"), (f.id, ids, "字段 id", "id")):
                if value in seen:
                    problems.append(m.Problem(m.FormFieldProblem, path, tree.line("fields", i, key),
                                              {"form": form.id, "detail": f"{what}“{value}”重复，每一列必须不同。"}))
                seen.add(value)
        for i, key in enumerate(form.primary_key):
            if form.field(key) is None:
                problems.append(m.Problem(m.FormFieldProblem, path, tree.line("primary_key", i),
                                          {"form": form.id, "detail": f"主键 primary_key 中的“{key}”不是本表的字段 id。"}))
        for loc, detail in declaration_problems(form):
            problems.append(m.Problem(m.FormFieldProblem, path, tree.line(*loc), {"form": form.id, "detail": detail}))
        if form.kind == "checklist" and len(problems) == before:
            form._items = checklist_items(handbook, form)
    for proc in handbook.procedures:
        path = Path(proc.source)
        tree = SourceTree(path)
        for i, form_id in enumerate(proc.records or []):
            if not re.fullmatch(FORM_ID_PATTERN, form_id) or form_id not in handbook.form_by_id:
                problems.append(m.Problem(m.UnknownForm, path, tree.line("records", i), {"form": form_id}))
    return problems
