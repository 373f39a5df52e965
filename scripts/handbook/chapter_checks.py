"""Checks on one chapter file by itself: its file name and chapter number, its roles and category
(from organisation.yml), and clause numbers unique within the chapter."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from . import messages as m
from .model import Procedure
from .organisation import Organisation
from .yaml_source import SourceTree

FILE_NAME = re.compile(r"^(\d+\.\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)\.ya?ml$")


def check_file_name(path: Path, proc: Optional[Procedure]) -> list[m.Problem]:
    """The file is named 章节号-英文短名.yml after its own chapter; sets the page slug from it."""
    match = FILE_NAME.match(path.name)
    problems = [] if match else [m.Problem(m.BadFileName, path, None, {})]
    if proc is not None:
        if match and match.group(1) != proc.chapter:
            problems.append(m.Problem(m.ChapterMismatch, path, SourceTree(path).line("chapter"), {"chapter": proc.chapter}))
        proc._slug = match.group(2) if match else re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return problems


def check_chapter(proc: Procedure, path: Path, org: Organisation) -> list[m.Problem]:
    tree = SourceTree(path)
    problems = []
    if proc.owner not in org.roles:
        problems.append(m.Problem(m.UnknownRole, path, tree.line("owner"), {"role": proc.owner, "choices": "、".join(org.roles)}))
    if proc.category not in org.categories:
        problems.append(m.Problem(m.UnknownCategory, path, tree.line("category"),
                                  {"category": proc.category, "choices": "、".join(org.categories)}))
    seen: set[str] = set()
    for loc, clause in proc.clause_locations():
        if not clause.sid:
            continue
        if clause.sid in seen:
            where = (*loc, "id") if clause.id else (*loc, "n")
            problems.append(m.Problem(m.DuplicateClause, path, tree.line(*where), {"clause": clause.sid}))
        seen.add(clause.sid)
    return problems
