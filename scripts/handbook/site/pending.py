"""The 待审 page: every chapter and form submitted for sign-off, and what each waits for (审核 or 批准)."""

from __future__ import annotations

from ..model import Handbook
from .links import relative
from .pages import signoff_cells
from .templating import render

SRC = "handbook/pending.md"
TITLE = "待审清单"


def _entry(kind: str, number: str, title: str, src: str, version: str, item, owner: str, here: str, urls: bool) -> dict:
    cells = dict(signoff_cells(item))
    return {
        "kind": kind, "number": number, "title": title, "href": relative(src, here, urls), "version": version,
        "prepared": cells["编制"], "reviewed": cells["审核"], "owner": owner,
        "next": "批准" if item.reviewed else "审核",
    }


def page(handbook: Handbook, directory_urls: bool) -> str:
    rows = []
    for proc in handbook.procedures:
        if proc.status == "待审":
            rows.append(_entry("章节", proc.chapter, proc.name, proc.page_path, proc.version_label, proc, proc.owner,
                               SRC, directory_urls))
    for form in handbook.forms:
        if form.status == "待审":
            owner = handbook.by_chapter[form.chapter].owner if form.chapter in handbook.by_chapter else ""
            rows.append(_entry("表单", form.number, form.title, f"forms/{form.id}.md", form.version, form, owner,
                               SRC, directory_urls))
    drafts = [{"number": p.chapter, "title": p.name, "href": relative(p.page_path, SRC, directory_urls)}
              for p in handbook.procedures if p.status == "草案"]
    draft_forms = sum(f.status == "草案" for f in handbook.forms)
    body = render("pending", rows=rows, waiting_review=sum(r["next"] == "审核" for r in rows),
                  waiting_approval=sum(r["next"] == "批准" for r in rows), drafts=drafts, draft_forms=draft_forms)
    return "\n".join(["---", f"title: {TITLE}", "search:", "  exclude: true", "---", "", f"# {TITLE}", "", body, ""])
