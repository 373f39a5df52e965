"""The whole handbook as one page to print: a controlled copy, its document-control header on every sheet.

Each chapter is a one-cell table whose <thead> holds the chapter's header: Chromium repeats a
table head on every printed page the table runs onto. The edition date goes in the page margin.
"""

from __future__ import annotations

import copy
import re
from html import escape

from .pages import PageWriter, doc_header, signoff_cells

SRC = "handbook/print.md"
HEADING = re.compile(r"^(#{1,6}) (.+?)(?: \{#[\w-]+\})?$")
# Ids repeat from chapter to chapter (c-4.1, purpose …); one page keeps none of them.
IDS = re.compile(r' id="[^"]*"')


def edition(handbook) -> str:
    """The date of the latest change to any chapter (from git): the 印制版次 of this copy."""
    dates = [p.last_changed for p in handbook.procedures if p.last_changed]
    return max(dates) if dates else "未提交"


def _html(block: str) -> str:
    match = HEADING.match(block)
    if match:
        level = len(match.group(1)) + 1  # the chapter title is an h2 under the book's h1
        return f"<h{level}>{match.group(2)}</h{level}>"
    return IDS.sub("", block)


def print_book(handbook, writer: PageWriter) -> str:
    org = handbook.organisation
    ed = edition(handbook)
    writer = copy.copy(writer)
    writer.collation_marks = False     # a controlled copy is reading text only: no 校 marks, no links to 校勘记
    margin = f"{org.company} · {org.handbook_title} · 受控文本 · 印制版次 {ed}"
    parts = [
        "---", f"title: {org.handbook_title}（整本打印）", "search:", "  exclude: true", "hide:", "  - navigation", "  - toc", "---", "",
        f'<style>@page {{ @top-right {{ content: "{escape(margin)}"; font-size: 8pt; }}'
        ' @bottom-right { content: "第 " counter(page) " 页 共 " counter(pages) " 页"; font-size: 8pt; } }</style>', "",
        f'<div class="hb-book-cover"><h1>{escape(org.handbook_title)}</h1><p>{escape(org.company)}</p>'
        f"<p>受控文本 · 印制版次 {escape(ed)} · 共 {len(handbook.procedures)} 章</p>"
        '<p class="hb-book-hint">用浏览器的“打印”（Ctrl+P）打印本页或另存为 PDF；每章另起一页，每页页眉印有该章的章节号、版本和生效日期。</p></div>', "",
    ]
    for proc in handbook.procedures:
        header = doc_header([*writer.header_cells(proc), ("印制版次", ed)], cls="hb-doc-header hb-book-header",
                            signoffs=signoff_cells(proc))
        body = "\n".join(_html(b) for b in writer.blocks(proc))
        parts += [
            f'<table class="hb-book-chapter" data-chapter="{escape(proc.chapter)}"><thead><tr><td>{header}</td></tr></thead>'
            f"<tbody><tr><td>\n{body}\n</td></tr></tbody></table>", "",
        ]
    return "\n".join(parts)
