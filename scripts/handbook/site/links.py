"""URLs between generated pages, and [[3.9#4.2]] references turned into links."""

from __future__ import annotations

import posixpath
from html import escape

from ..model import REFERENCE, Handbook, Procedure

# The clerks' upload page, served beside the site by `handbook serve` (not part of the MkDocs build).
INTAKE_URL = "/intake/"


def page_url(src_path: str, directory_urls: bool) -> str:
    """Site URL of a Markdown source path, the way MkDocs computes it."""
    stem = src_path[:-3]
    if stem == "index" or stem.endswith("/index"):
        return stem[:-5]
    return stem + "/" if directory_urls else stem + ".html"


def relative(target_src: str, from_src: str, directory_urls: bool) -> str:
    target = page_url(target_src, directory_urls)
    here = page_url(from_src, directory_urls)
    base = here if here.endswith("/") or here == "" else posixpath.dirname(here) + "/"
    rel = posixpath.relpath(target or ".", base or ".")
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return "./" if rel in (".", "./") else rel


def href_to(target: str, from_src: str, directory_urls: bool) -> str:
    """Link to a page (a .md source) or to any other generated file (a path from the site root)."""
    if target.endswith(".md"):
        return relative(target, from_src, directory_urls)
    depth = from_src.count("/") + (1 if directory_urls and not from_src.endswith("index.md") else 0)
    return "../" * depth + target


def clause_anchor(sid: str) -> str:
    return "c-" + sid


def clause_label(ref: str) -> str:
    """'3.19#4.3.1' as staff cite it: '3.19 第4.3.1条' (a whole chapter: '3.19')."""
    chapter, _, sid = ref.partition("#")
    return f"{chapter} 第{sid}条" if sid else chapter


def link_references(text: str, handbook: Handbook, from_src: str, directory_urls: bool) -> str:
    """Escape text for HTML and turn [[chapter#clause]] into links (already validated)."""
    out, last = [], 0
    for match in REFERENCE.finditer(text):
        out.append(escape(text[last:match.start()]))
        chapter, clause = match.group(1), match.group(2)
        proc: Procedure = handbook.by_chapter[chapter]
        href = relative(proc.page_path, from_src, directory_urls)
        label = f"{chapter} {proc.name}"
        if clause:
            href += "#" + clause_anchor(clause)
            label += f" 第{clause}条"
        out.append(f'<a class="hb-ref" href="{escape(href)}">{escape(label)}</a>')
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)
