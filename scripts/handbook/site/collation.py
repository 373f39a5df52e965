"""The 校勘记 page: every 校注 of the transcription in one place, one section per chapter.

A 校注 says how the transcription read the source (a doubled character undone, a number restored, a
doubt). It is for whoever checks the transcription, so the chapter pages show only a small mark 校 at
the clause (linking here) and the notes themselves live on this page, each linking back to its clause.
"""

from __future__ import annotations

from html import escape

from ..model import CollationNote, Procedure
from .links import clause_anchor, link_references, relative

SRC = "handbook/collation.md"
TITLE = "校勘记"


def note_anchor(note: CollationNote) -> str:
    return "k-" + note.key


def mark(note: CollationNote, from_src: str, directory_urls: bool) -> str:
    """The superscript 校 at a clause (or a chapter title), linking to its note; kept out of the search index."""
    href = relative(SRC, from_src, directory_urls) + "#" + note_anchor(note)
    where = f"第{note.sid}条" if note.sid else "本章"
    return (f'<sup class="hb-collation-mark" data-search-exclude><a href="{escape(href)}" '
            f'title="{escape(where)}录入原文时的校订说明，见校勘记">校</a></sup>')


def _target(proc: Procedure, note: CollationNote, directory_urls: bool) -> tuple[str, str]:
    href = relative(proc.page_path, SRC, directory_urls)
    if note.clause is None:
        return href, "全章"
    if note.sid:
        return href + "#" + clause_anchor(note.sid), f"第{note.sid}条"
    return href, "无编号段落"


def page(handbook, directory_urls: bool) -> str:
    chapters = [(p, p.collation_notes()) for p in handbook.procedures]
    chapters = [(p, notes) for p, notes in chapters if notes]
    total = sum(len(notes) for _, notes in chapters)
    parts = [
        "---", f"title: {TITLE}", "search:", "  exclude: true", "---", "",
        f"# {TITLE}", "",
        '<p class="hb-para">本手册由原印本的 PDF 抽取文本录入。抽取时许多字和数字被重复（如“客服服中心心”“244小时”），'
        "录入时按上下文逐句订正；本页列出订正的依据和仍有疑问之处，供核对录入的人使用，不是手册正文，不作为工作依据。"
        f"正文中标有 <sup>校</sup> 的地方在这里有校注；点条款编号回到正文。共 {len(chapters)} 章、{total} 条校注。</p>",
        "",
    ]
    if not chapters:
        parts += ['<p class="hb-para">（无校注）</p>', ""]
    for proc, notes in chapters:
        parts += [f"## {escape(proc.chapter)} {escape(proc.name)} {{#ch-{proc.chapter.replace('.', '-')}}}", ""]
        items = []
        for note in notes:
            href, label = _target(proc, note, directory_urls)
            text = link_references(note.text, handbook, SRC, directory_urls)
            items.append(
                f'<li class="hb-collation-note" id="{escape(note_anchor(note))}">'
                f'<a class="hb-collation-ref" href="{escape(href)}" title="回到正文">{escape(proc.chapter)} {escape(label)}</a>'
                f'<span class="hb-collation-text">{text}</span></li>'
            )
        parts += [f'<ul class="hb-collation">{"".join(items)}</ul>', ""]
    return "\n".join(parts)
