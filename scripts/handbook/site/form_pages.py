"""The 表单 section: a list of every form, and one page per form linked to its procedures."""

from __future__ import annotations

from html import escape

from ..forms.model import Form
from ..forms.publish import ALL_PRINT, ALL_TEMPLATES, ALL_TEMPLATES_NAME, artifact_paths, download_name
from ..forms.spreadsheets import TYPE_LABELS, field_hint
from .pages import doc_header
from .links import INTAKE_URL, clause_anchor, href_to, relative

KIND_LABELS = {"record": "记录表（每月填报统计）", "form": "单据与台账", "checklist": "检查表"}
INDEX = "forms/index.md"


def form_src(form: Form) -> str:
    return f"forms/{form.id}.md"


def bulk_links(href) -> str:
    """Links to the whole handbook to print, every blank form, every template; href maps a site path to a link."""
    from .print_book import SRC as BOOK_SRC

    return (
        '<p class="hb-bulk">'
        f'<a class="md-button" href="{escape(href(BOOK_SRC))}">打印整本手册</a> '
        f'<a class="md-button" href="{escape(href(ALL_PRINT))}">打印全部空白表单</a> '
        f'<a class="md-button" href="{escape(href(ALL_TEMPLATES))}" download="{escape(ALL_TEMPLATES_NAME)}">下载全部记录表模板（ZIP）</a>'
        "</p>"
    )


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
        return f'<a href="{escape(href)}">{escape(label)}</a>'

    def _download(self, form: Form, key: str, from_src: str, ext: str | None = None) -> str:
        """href and a Chinese file name to save it under."""
        return (f'href="{escape(self._href(artifact_paths(form)[key], from_src))}" '
                f'download="{escape(download_name(form, ext or key))}"')

    def downloads(self, form: Form, from_src: str) -> str:
        links = [f'<a class="md-button md-button--primary" href="{escape(self._href(artifact_paths(form)["print"], from_src))}">打印空白表</a>']
        if form.is_record:
            links += [f'<a class="md-button" {self._download(form, "xlsx", from_src)}>下载 Excel 模板</a>',
                      f'<a class="md-button" {self._download(form, "csv", from_src)}>下载 CSV 模板</a>']
        return " ".join(links)

    def admin_note(self, form: Form, from_src: str) -> str:
        """The Table Schema stays published for the upload checks and other tools, but it is no clerk's download:
        one small line for administrators at the foot of the page, not a button."""
        return (f'<p class="hb-admin-note" data-search-exclude><small>供系统管理员：'
                f'<a {self._download(form, "schema", from_src, "json")}>表结构文件（JSON）</a>'
                "，上传检查和其他软件按它核对记录表的格式，填表不需要。</small></p>")

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
                        ("版本", form.version), ("页次", f"共 {form.paper.pages} 页")], cls="hb-doc-header hb-form-header"), "",
            f"# {escape(form.title)}", "",
        ]
        if form.description:
            lines += [f"<p>{escape(form.description)}</p>", ""]
        lines += [f'<p class="hb-form-downloads" data-search-exclude>{self.downloads(form, src)}</p>', ""]
        used = "、".join(self.clause_link(p.chapter, src) for p in users[1:])
        lines += [
            f"<p>依据：{self.clause_link(form.procedure, src)}"
            + (f"；同时用于：{used}" if used else "")
            + (f"；统计口径：{self.clause_link(form.statistics, src)}" if form.statistics else "")
            + "</p>", "",
        ]
        if form.kind == "record":
            due = {"monthly": "每个管理处每月报送", "pool": "设有泳馆的管理处每月报送", "none": "不需报送"}[form.due]
            lines += [f"<p>报送要求：{due}。</p>", ""]
        if form.fields:
            rows = "".join(
                f"<tr><td>{escape(f.label)}</td><td>{TYPE_LABELS[f.type]}{escape('（' + f.unit + '）' if f.unit else '')}</td>"
                f"<td>{'是' if f.required else ''}</td><td>{escape(field_hint(f))}</td>"
                f"<td>{'个人信息' if f.personal else ''}</td></tr>"
                for f in form.fields
            )
            lines += ["## 栏目 {#fields}", "",
                      f"<table><thead><tr><th>栏目</th><th>类型</th><th>必填</th><th>填写要求</th><th>备注</th></tr></thead><tbody>{rows}</tbody></table>", ""]
        if form.kind == "checklist":
            items = "".join(f"<li>{escape(text)} <small>（{self.clause_link(ref, src)}）</small></li>" for ref, text, _ in form.items)
            lines += ["## 检查项 {#items}", "", "<p>检查项由规程条款生成，条款修改后检查表随之更新。</p>", "", f"<ol>{items}</ol>", ""]
        if form.is_record:
            lines += [self.admin_note(form, src), ""]
        return "\n".join(lines)

    def index(self) -> str:
        lines = ["---", "title: 表单", "---", "", "# 表单", "",
                 "<p>手册中的全部记录、单据和检查表。记录表可下载 Excel/CSV 模板，每月填好后在"
                 f'<a href="{INTAKE_URL}">上传页面</a>提交；所有表单都可打印空白表（A4）。</p>', "",
                 self.bulk(INDEX), ""]
        for kind, label in KIND_LABELS.items():
            forms = [f for f in self.handbook.forms if f.kind == kind]
            if not forms:
                continue
            rows = "".join(
                f'<tr><td>{escape(f.number)}</td><td><a href="{escape(self._href(form_src(f), INDEX))}">{escape(f.title)}</a></td>'
                f"<td>{self.clause_link(f.procedure, INDEX)}</td>"
                f'<td><a href="{escape(self._href(artifact_paths(f)["print"], INDEX))}">打印</a>'
                + (f' · <a {self._download(f, "xlsx", INDEX)}>Excel</a>'
                   f' · <a {self._download(f, "csv", INDEX)}>CSV</a>' if f.is_record else "")
                + "</td></tr>"
                for f in forms
            )
            lines += [f"## {label}", "", f"<table><thead><tr><th>编号</th><th>名称</th><th>依据条款</th><th>下载</th></tr></thead><tbody>{rows}</tbody></table>", ""]
        return "\n".join(lines)
