"""One procedure → one Markdown page (document-control header, body, revisions)."""

from __future__ import annotations

from html import escape

from ..loader import Handbook
from ..model import SOP_SECTIONS, Clause, Procedure
from .collation import mark as collation_mark
from .diagrams import flow_chart, org_chart
from .links import clause_anchor, link_references, relative


def doc_header(cells: list[tuple[str, str]], attrs: str = "", cls: str = "hb-doc-header") -> str:
    """The document-control header: page furniture, kept out of the search index.

    Cells are spans: Material's indexer ends an excluded block at the first closing tag
    of the same name, so a <div> inside the excluded <div> would let the rest in."""
    row = "".join(
        f'<span class="hb-h-cell hb-h-{i}"><span class="hb-h-label">{escape(k)}</span>'
        f'<span class="hb-h-value">{escape(v)}</span></span>'
        for i, (k, v) in enumerate(cells)
    )
    return f'<div class="{cls}" data-search-exclude{attrs}>{row}</div>'


class PageWriter:
    def __init__(self, handbook: Handbook, directory_urls: bool):
        self.handbook = handbook
        self.directory_urls = directory_urls
        # "chapter#sid" → HTML shown after the clause text (latest KPI values, from the 月度统计)
        self.clause_notes: dict[str, list[str]] = {}
        # A 校 mark where a 校注 applies (linking to the 校勘记 page); the printed book has none.
        self.collation_marks = True

    # ------------------------------------------------------------ pieces
    def header(self, proc: Procedure) -> str:
        return doc_header(self.header_cells(proc), f' data-chapter="{escape(proc.chapter)}"')

    def banners(self, proc: Procedure) -> str:
        out = []
        if proc.is_draft:
            note = proc.note or "本章为草案，尚未经公司批准。"
            out.append(
                '<div class="admonition warning hb-draft" data-search-exclude><p class="admonition-title">草案</p>'
                f"<p>{escape(note)} 草案仅供讨论和试行，以公司批准的正式版本为准。</p></div>"
            )
        elif proc.note:
            out.append(f'<div class="admonition note"><p class="admonition-title">说明</p><p>{escape(proc.note)}</p></div>')
        return "\n\n".join(out)

    def clauses(self, proc: Procedure, clauses: list[Clause]) -> str:
        return '<div class="hb-clauses">' + "".join(self._clause(proc, c) for c in clauses) + "</div>"

    def _mark(self, proc: Procedure, clause: Clause | None) -> str:
        """The 校 mark of the chapter's (clause None) or a clause's 校注; the note itself is on the 校勘记 page."""
        if not self.collation_marks or (clause is not None and not clause.note) or (clause is None and not proc.collation):
            return ""
        note = next(n for n in proc.collation_notes() if n.clause is clause)
        return collation_mark(note, proc.page_path, self.directory_urls)

    def _clause(self, proc: Procedure, c: Clause) -> str:
        text = link_references(c.text, self.handbook, proc.page_path, self.directory_urls)
        attrs = f' id="{clause_anchor(c.sid)}"' if c.sid else ""
        cls = "hb-clause hb-clause-draft" if c.draft else "hb-clause"
        number = f'<span class="hb-n">{escape(c.n)}</span>' if c.n else ""
        badge = '<span class="hb-badge" title="原文缺失，补写的草案内容">草案</span>' if c.draft else ""
        anchor = (
            f'<a class="hb-anchor" data-search-exclude href="#{clause_anchor(c.sid)}" title="条款编号 {escape(proc.chapter)}#{escape(c.sid)}">¶</a>'
            if c.sid else ""
        )
        notes = "".join(self.clause_notes.get(f"{proc.chapter}#{c.sid}", [])) if c.sid else ""
        mark = self._mark(proc, c)
        parts = [f'<div class="{cls}"{attrs}><p>{number}{badge}<span class="hb-t">{text}</span>{mark}{notes}{anchor}{self._form_links(proc, c)}</p>']
        if c.review:
            parts.append(self.review(proc, c))
        if c.flow:
            parts.append(f'<figure class="hb-figure">{flow_chart(c.flow, c.text)}</figure>')
        if c.children:
            parts.append('<div class="hb-children">' + "".join(self._clause(proc, ch) for ch in c.children) + "</div>")
        parts.append("</div>")
        return "".join(parts)

    def review(self, proc: Procedure, c: Clause) -> str:
        """A 待修订 note: the clause stands as issued but must be revised; readers (and the printed copy) see why."""
        text = link_references(c.review, self.handbook, proc.page_path, self.directory_urls)
        return ('<div class="admonition warning hb-review"><p class="admonition-title">待修订</p>'
                f"<p>{text}</p></div>")

    def _forms_of(self, proc: Procedure):
        return [f for f in self.handbook.forms if f.chapter == proc.chapter]

    def _form_href(self, proc: Procedure, form) -> str:
        return relative(f"forms/{form.id}.md", proc.page_path, self.directory_urls)

    def _form_links(self, proc: Procedure, clause: Clause) -> str:
        ref = f"{proc.chapter}#{clause.sid}"
        return "".join(
            f' <a class="hb-form-link" href="{escape(self._form_href(proc, f))}" title="本条使用的表单">表单：{escape(f.title)}</a>'
            for f in self._forms_of(proc) if f.procedure == ref
        )

    def related_forms(self, proc: Procedure) -> str:
        listed = set(proc.records or [])
        others = [f for f in self._forms_of(proc) if f.id not in listed]
        if not others:
            return ""
        items = "".join(
            f'<li><a class="hb-form-title" href="{escape(self._form_href(proc, f))}">{escape(f.title)}</a> '
            f'<span class="hb-form-no">{escape(f.number)}</span></li>' for f in others
        )
        heading = "## 其他相关表单 {#forms}" if proc.kind == "sop" else "## 相关表单 {#forms}"
        return f'{heading}\n\n<ul class="hb-records">{items}</ul>'

    def paragraph(self, proc: Procedure, text: str) -> str:
        return f'<p class="hb-para">{link_references(text, self.handbook, proc.page_path, self.directory_urls)}</p>'

    def revisions(self, proc: Procedure) -> str:
        rows = "".join(
            f"<tr><td>{escape(r.version)}</td><td>{escape(r.date)}</td><td>{escape(r.change)}</td></tr>"
            for r in proc.revisions
        )
        changed = proc.last_changed or "尚未提交到版本库"
        return (
            '<div class="hb-revisions" data-search-exclude><table><thead><tr><th>版本/修订</th><th>日期</th><th>修改内容</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>\n\n"
            f'<p class="hb-updated" data-search-exclude>本页最后修改：<time>{escape(changed)}</time></p>'
        )

    def incomplete(self, proc: Procedure) -> str:
        if not proc.incomplete:
            return ""
        return (
            '<div class="admonition danger hb-gap"><p class="admonition-title">原文缺失</p>'
            f"<p>{escape(proc.incomplete)}</p></div>"
        )

    # ------------------------------------------------------------ page
    def body(self, proc: Procedure) -> list[str]:
        if proc.kind == "orgchart":
            return [f'<figure class="hb-figure">{org_chart(proc.org)}</figure>']
        if proc.kind == "duties":
            return [self.clauses(proc, proc.duties)]
        if proc.kind == "norms":
            return [self.clauses(proc, proc.rules)]
        out = [
            f"## 1.0 {SOP_SECTIONS['purpose']} {{#purpose}}", self.paragraph(proc, proc.purpose),
            f"## 2.0 {SOP_SECTIONS['scope']} {{#scope}}", self.paragraph(proc, proc.scope),
            f"## 3.0 {SOP_SECTIONS['responsibilities']} {{#responsibilities}}", self.clauses(proc, proc.responsibilities),
            f"## 4.0 {escape(proc.procedure_title)} {{#procedure}}", self.clauses(proc, proc.procedure),
        ]
        gap = self.incomplete(proc)
        if gap:
            out.append(gap)
        out.append(f"## 5.0 {SOP_SECTIONS['records']} {{#records}}")
        out.append(self.records(proc))
        return out

    def records(self, proc: Procedure) -> str:
        if not proc.records:
            return '<p class="hb-para">（无）</p>'
        items = []
        for form_id in proc.records:
            form = self.handbook.form_by_id[form_id]
            href = self._form_href(proc, form)
            items.append(f'<li><a class="hb-form-title" href="{escape(href)}">{escape(form.title)}</a> '
                         f'<span class="hb-form-no">{escape(form.number)}</span></li>')
        return f'<ul class="hb-records">{"".join(items)}</ul>'

    def header_cells(self, proc: Procedure) -> list[tuple[str, str]]:
        return [
            ("公司", self.handbook.organisation.company),
            ("章节号", proc.chapter),
            ("主题", proc.header_subject),
            ("版本/修订", proc.version_label),
            ("生效日期", proc.effective or "未生效"),
            ("状态", proc.status),
        ]

    def blocks(self, proc: Procedure) -> list[str]:
        """The page below its header: Markdown headings and HTML blocks."""
        body = [self.banners(proc), f"# {escape(proc.title)}{self._mark(proc, None)}", *self.body(proc)]
        if proc.kind != "sop" and proc.incomplete:
            body.append(self.incomplete(proc))
        body.append(self.related_forms(proc))
        return [b for b in body if b] + ["## 修订记录 {#revisions}", self.revisions(proc)]

    def page(self, proc: Procedure) -> str:
        parts = [
            "---",
            f"title: {proc.chapter} {proc.name}",
            *(["tags:"] + [f"  - {k}" for k in proc.keywords] if proc.keywords else []),
            "---",
            "",
            self.header(proc),
            "",
        ]
        for block in self.blocks(proc):
            parts += [block, ""]
        return "\n".join(parts)


def table_of_contents(handbook: Handbook, from_src: str, directory_urls: bool) -> str:
    """The 目录: every entry in handbook order, grouped by category."""
    from .links import relative

    out = ['<div class="hb-toc">']
    for category, procs in handbook.by_category():
        out.append(f'<h2 class="hb-toc-cat">{escape(category)}</h2><ol class="hb-toc-list">')
        for p in procs:
            href = relative(p.page_path, from_src, directory_urls)
            draft = '<span class="hb-badge">草案</span>' if p.is_draft else ""
            out.append(
                f'<li><a href="{escape(href)}"><span class="hb-toc-no">{escape(p.chapter)}</span>'
                f"<span>{escape(p.name)}</span></a>{draft}</li>"
            )
        out.append("</ol>")
    out.append("</div>")
    return "".join(out)
