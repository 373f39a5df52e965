"""Cross-references: every [[3.9]] / [[3.9#4.2]] in a chapter's text and 校注 must name a chapter and clause
that exist (the site turns them into links)."""

from __future__ import annotations

from pathlib import Path

from . import messages as m
from .model import REFERENCE, Handbook, Procedure
from .yaml_source import SourceTree


def _texts(proc: Procedure):
    """(label, text, where in the document) of everything published with links."""
    for loc, clause in proc.clause_locations():
        yield clause.sid or "正文", clause.text, (*loc, "text")
        if clause.review:              # a 待修订 note is published under its clause
            yield f"{clause.sid or '正文'} 待修订", clause.review, (*loc, "review")
    yield "1.0", proc.purpose or "", ("purpose",)
    yield "2.0", proc.scope or "", ("scope",)
    # 校注 are published too (on the 校勘记 page), with their references as links
    if proc.collation:
        yield "全章 校注", proc.collation, ("collation",)
    for loc, clause in proc.clause_locations():
        if clause.note:
            yield f"{clause.sid or '全章'} 校注", clause.note, (*loc, "note")


def check_references(proc: Procedure, handbook: Handbook) -> list[m.Problem]:
    path = Path(proc.source)
    tree = SourceTree(path)
    problems = []
    for sid, text, loc in _texts(proc):
        for match in REFERENCE.finditer(text):
            chapter, clause = match.group(1), match.group(2)
            target_proc, target_clause = handbook.resolve(chapter, clause)
            what = None
            if target_proc is None:
                what = f"章节 {chapter} "
            elif clause and target_clause is None:
                what = f"章节 {chapter} 中的条款 {clause} "
            if what:
                problems.append(m.Problem(m.BrokenReference, path, tree.line_within(match.group(0), *loc),
                                          {"clause": f"{proc.chapter}#{sid}", "target": match.group(0)[2:-2], "what": what}))
    return problems
