"""One procedure → one Markdown page (document-control header, body, revisions)."""

from __future__ import annotations

from html import escape

from ..model import SOP_SECTIONS, Clause, Controlled, Handbook, Procedure
from .collation import mark as collation_mark
from .diagrams import flow_chart, org_chart
from .links import clause_anchor, link_references, relative
from .templating import render, safe


def doc_header(cells: list[tuple[str, str]], chapter: str = "", cls: str = "hb-doc-header", signoffs=()) -> str:
    """The document-control header (templates/doc_header.html)."""
    return render("doc_header", cells=cells, chapter=chapter, cls=cls, signoffs=signoffs)


def signoff_cells(item: Controlled) -> list[tuple[str, str]]:
    """编制, 审核, 批准: name and date once signed, else empty (a line to sign)."""
    return [(label, signoff.label if signoff else "") for label, signoff in item.signoffs()]


def waiting_for(item: Controlled) -> str:
    """What a 待审 chapter or form waits for, said to readers."""
    if item.reviewed:
        return f"已由{item.reviewed.name}于{item.reviewed.date}审核，等待批准。"
    return "等待审核和批准。"


def addition(proc: Procedure, clause: Clause) -> dict | None:
    """The 补写 badge of a clause added after the chapter's first issue: which version added it, and whether
    that version is approved yet. The seed text has none."""
    if clause.added is None:
        return None
    first = proc.revisions[0].version
    if proc.addition_approved(clause):
        return {"label": f"{clause.added}版补写",
                "title": f"{first}版没有这段文字，{clause.added}版补写，已随该版批准"}
    return {"label": f"{clause.added}版补写·待批准",
            "title": f"{first}版没有这段文字，{clause.added}版补写，随该版送审，尚未批准"}


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
        return doc_header(self.header_cells(proc), proc.chapter, signoffs=signoff_cells(proc))

    def banners(self, proc: Procedure) -> str:
        if proc.status == "草案":
            return render("banner", status="草案", note=proc.note or "本章为草案，尚未经公司批准。")
        if proc.status == "待审":
            return render("banner", status="待审", note=proc.note or "本章已送审，批准前以公司已批准的版本为准。", waiting=waiting_for(proc))
        if proc.status == "作废":
            return render("banner", status="作废", note=proc.note or "")
        return render("banner", status="现行", note=proc.note) if proc.note else ""

    def clauses(self, proc: Procedure, clauses: list[Clause]) -> str:
        return render("clauses", html=safe("".join(self._clause(proc, c) for c in clauses)))

    def _mark(self, proc: Procedure, clause: Clause | None) -> str:
        """The 校 mark of the chapter's (clause None) or a clause's 校注; the note itself is on the 校勘记 page."""
        if not self.collation_marks or (clause is not None and not clause.note) or (clause is None and not proc.collation):
            return ""
        note = next(n for n in proc.collation_notes() if n.clause is clause)
        return collation_mark(note, proc.page_path, self.directory_urls)

    def _clause(self, proc: Procedure, c: Clause) -> str:
        ref = f"{proc.chapter}#{c.sid}"
        return render(
            "clause", clause=c, chapter=proc.chapter, anchor=clause_anchor(c.sid) if c.sid else "", addition=addition(proc, c),
            text=safe(link_references(c.text, self.handbook, proc.page_path, self.directory_urls)),
            mark=safe(self._mark(proc, c)),
            notes=safe("".join(self.clause_notes.get(ref, [])) if c.sid else ""),      # HTML from the 月度统计
            forms=[self._form_entry(proc, f) for f in self._forms_of(proc) if f.procedure == ref],
            flow=safe(flow_chart(c.flow, c.text)) if c.flow else "",
            review=safe(link_references(c.review, self.handbook, proc.page_path, self.directory_urls)) if c.review else "",
            children=safe("".join(self._clause(proc, ch) for ch in c.children)),
        )

    def _forms_of(self, proc: Procedure):
        return [f for f in self.handbook.forms if f.chapter == proc.chapter]

    def _form_href(self, proc: Procedure, form) -> str:
        return relative(f"forms/{form.id}.md", proc.page_path, self.directory_urls)

    def _form_entry(self, proc: Procedure, form) -> dict:
        return {"href": self._form_href(proc, form), "title": form.title, "number": form.number}

    def related_forms(self, proc: Procedure) -> str:
        listed = set(proc.records or [])
        others = [f for f in self._forms_of(proc) if f.id not in listed]
        if not others:
            return ""
        heading = "## 其他相关表单 {#forms}" if proc.kind == "sop" else "## 相关表单 {#forms}"
        return f'{heading}\n\n' + render("form_list", forms=[self._form_entry(proc, f) for f in others])

    def paragraph(self, proc: Procedure, text: str) -> str:
        return render("para", html=safe(link_references(text, self.handbook, proc.page_path, self.directory_urls)))

    def revisions(self, proc: Procedure) -> str:
        return render("revisions", revisions=proc.revisions, changed=proc.last_changed or "尚未提交到版本库")

    def incomplete(self, proc: Procedure) -> str:
        return render("incomplete", text=proc.incomplete) if proc.incomplete else ""

    # ------------------------------------------------------------ page
    def body(self, proc: Procedure) -> list[str]:
        if proc.kind == "orgchart":
            return [render("figure", html=safe(org_chart(proc.org)))]
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
            return render("para", html="（无）")
        return render("form_list", forms=[self._form_entry(proc, self.handbook.form_by_id[i]) for i in proc.records])

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
    categories = [
        (category, [{"href": relative(p.page_path, from_src, directory_urls), "chapter": p.chapter, "name": p.name,
                     "badge": "" if p.is_current else p.status} for p in procs])
        for category, procs in handbook.by_category()
    ]
    return render("toc", categories=categories)
