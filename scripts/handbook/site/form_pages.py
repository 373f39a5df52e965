"""The 表单 section: a list of every form, and one page per form linked to its procedures."""

from __future__ import annotations

from html import escape

from ..forms.model import Form
from ..forms.publish import ALL_PRINT, ALL_TEMPLATES, ALL_TEMPLATES_NAME, artifact_paths, download_name
from ..forms.spreadsheets import TYPE_LABELS, field_hint
from .links import INTAKE_URL, clause_anchor, href_to
from .pages import doc_header, signoff_cells
from .print_book import SRC as BOOK_SRC
from .templating import render, safe

KIND_LABELS = {"record": "记录表（每月填报统计）", "form": "单据与台账", "checklist": "检查表"}
INDEX = "forms/index.md"


def form_src(form: Form) -> str:
    return f"forms/{form.id}.md"


def bulk_links(href) -> str:
    """Links to the whole handbook to print, every blank form, every template; href maps a site path to a link."""
    return render("bulk_links", book=href(BOOK_SRC), all_print=href(ALL_PRINT), all_templates=href(ALL_TEMPLATES),
                  all_templates_name=ALL_TEMPLATES_NAME)


class FormPages:
    def __init__(self, handbook, directory_urls: bool):
        self.handbook = handbook
        self.directory_urls = directory_urls

    def _href(self, target: str, from_src: str) -> str:
        return href_to(target, from_src, self.directory_urls)

    def clause_link(self, ref: str, from_src: str) -> str:
        chapter, _, sid = ref.partition("#")
        proc = self.handbook.by_chapter[chapter]
        href = self._href(proc.page_path, from_src) + (f"#{clause_anchor(sid)}" if sid else "")
        label = f"{chapter} {proc.name}" + (f" 第{sid}条" if sid else "")
        return render("clause_link", href=href, label=label)

    def _download(self, form: Form, key: str, from_src: str, ext: str | None = None) -> dict:
        """href and a Chinese file name to save it under."""
        return {"href": self._href(artifact_paths(form)[key], from_src), "name": download_name(form, ext or key)}

    def downloads(self, form: Form, from_src: str) -> str:
        record = form.is_record
        return render("form_downloads", print=self._href(artifact_paths(form)["print"], from_src),
                      xlsx=self._download(form, "xlsx", from_src) if record else None,
                      csv=self._download(form, "csv", from_src) if record else None)

    def admin_note(self, form: Form, from_src: str) -> str:
        return render("admin_note", schema=self._download(form, "schema", from_src, "json"))

    def bulk(self, from_src: str) -> str:
        """Everything at once: the home page and the forms page both offer these."""
        return bulk_links(lambda target: self._href(target, from_src))

    def page(self, form: Form) -> str:
        src = form_src(form)
        org = self.handbook.organisation
        users = self.handbook.procedures_using(form)
        lines = [
            # Procedures rank before the forms they use when both match a query.
            "---", f"title: {form.title}", "search:", "  boost: 0.5", "---", "",
            doc_header([("公司", org.company), ("表单编号", form.number), ("类型", KIND_LABELS[form.kind]),
                        ("版本", form.version), ("生效日期", form.effective or "未生效"), ("状态", form.status)],
                       cls="hb-doc-header hb-form-header", signoffs=signoff_cells(form)), "",
            f"# {escape(form.title)}", "",
        ]
        if form.description:
            lines += [f"<p>{escape(form.description)}</p>", ""]
        lines += [self.downloads(form, src), ""]
        used = "、".join(self.clause_link(p.chapter, src) for p in users[1:])
        lines += [render("form_basis", procedure=safe(self.clause_link(form.procedure, src)), used=safe(used),
                         statistics=safe(self.clause_link(form.statistics, src)) if form.statistics else ""), ""]
        if form.kind == "record":
            due = {"monthly": "每个管理处每月报送", "pool": "设有泳馆的管理处每月报送", "none": "不需报送"}[form.due]
            lines += [f"<p>报送要求：{due}。</p>", ""]
        if form.fields:
            fields = [{"label": f.label, "type": TYPE_LABELS[f.type], "unit": f.unit, "required": f.required,
                       "hint": field_hint(f), "personal": f.personal} for f in form.fields]
            lines += ["## 栏目 {#fields}", "", render("form_fields", fields=fields), ""]
        if form.kind == "checklist":
            items = [{"text": text, "link": safe(self.clause_link(ref, src))} for ref, text, _ in form.items]
            lines += ["## 检查项 {#items}", "", "<p>检查项由规程条款生成，条款修改后检查表随之更新。</p>", "",
                      render("checklist_items", items=items), ""]
        if form.is_record:
            lines += [self.admin_note(form, src), ""]
        lines += ["## 修订记录 {#revisions}", "", self.revisions(form), ""]
        return "\n".join(lines)

    def revisions(self, form: Form) -> str:
        """Each review and approval `handbook approve` recorded, as on a chapter's page."""
        if not form.revisions:
            return render("para", html=f"（尚无修订记录：{form.version} 版{'，' + form.status if form.status != '现行' else ''}。"
                                       "审核、批准后在此逐行记录。）")
        return render("revisions", revisions=form.revisions, changed="")

    def index(self) -> str:
        lines = ["---", "title: 表单", "---", "", "# 表单", "", render("forms_intro", intake=INTAKE_URL), "",
                 self.bulk(INDEX), ""]
        for kind, label in KIND_LABELS.items():
            forms = [
                {"number": f.number, "href": self._href(form_src(f), INDEX), "title": f.title,
                 "clause": safe(self.clause_link(f.procedure, INDEX)),
                 "print": self._href(artifact_paths(f)["print"], INDEX),
                 "xlsx": self._download(f, "xlsx", INDEX) if f.is_record else None,
                 "csv": self._download(f, "csv", INDEX) if f.is_record else None}
                for f in self.handbook.forms if f.kind == kind
            ]
            if forms:
                lines += [f"## {label}", "", render("forms_table", forms=forms), ""]
        return "\n".join(lines)
