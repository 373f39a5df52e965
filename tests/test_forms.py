"""Forms from one definition: printable blanks, CSV/XLSX templates, Table Schemas, site pages."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import ROOT, copy_project
from handbook.cli import main
from handbook.records.rules.cells import cn_id_problem
from handbook.forms.publish import artifact_paths
from handbook.forms.spreadsheets import field_hint


def forms_json(capsys) -> list[dict]:
    assert main(["--root", str(ROOT), "forms", "list", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_every_record_named_in_the_handbook_has_a_definition(handbook):
    named = {fid for p in handbook.procedures for fid in (p.records or [])}
    assert named <= set(handbook.form_by_id)
    # Records the job descriptions and 3.1 name in their text, outside any 记录 list.
    for form_id in ("duty-roster", "duty-log", "inspection-sheet", "pool-water-test", "pool-daily-income"):
        assert form_id in handbook.form_by_id


def test_forms_list_json_contract(capsys, handbook):
    rows = forms_json(capsys)
    assert [r["id"] for r in rows] == [f.id for f in handbook.forms]
    for row in rows:
        assert {"id", "title", "kind", "procedure", "pages", "fields", "print"} <= set(row)
        assert all(set(f) == {"id", "label", "type", "required"} for f in row["fields"])
        if row["kind"] == "record":
            assert {"csv", "xlsx", "schema"} <= set(row)
        else:
            assert "csv" not in row


def test_build_writes_every_listed_file(site_dir, capsys):
    for row in forms_json(capsys):
        for key in ("print", "csv", "xlsx", "schema"):
            if key in row:
                assert (site_dir / row[key]).is_file(), row[key]


def test_csv_templates_are_bom_utf8_with_chinese_headers(site_dir, handbook):
    for form in handbook.record_forms():
        data = (site_dir / artifact_paths(form)["csv"]).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), form.id
        header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert header == [f.label for f in form.fields]


def test_xlsx_templates_have_dropdowns_dates_frozen_header_and_guide(site_dir, handbook):
    for form in handbook.record_forms():
        wb = load_workbook(site_dir / artifact_paths(form)["xlsx"])
        ws = wb["填报"]
        assert [c.value for c in ws[1]] == [f.label for f in form.fields]
        assert ws.freeze_panes == "A2"
        lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
        for col, field in enumerate(form.fields, 1):
            letter = ws.cell(row=1, column=col).column_letter
            if field.enum:
                assert lists.get(f"{letter}2") == '"' + ",".join(field.enum) + '"', (form.id, field.label)
            if field.type == "boolean":
                assert lists.get(f"{letter}2") == '"是,否"'
            style = ws.column_dimensions[letter].number_format
            if field.type == "date":
                assert style == "yyyy-mm-dd", (form.id, field.label)
            if field.type == "datetime":
                assert style == "yyyy-mm-dd hh:mm", (form.id, field.label)
            if field.type == "string":
                assert style == "@", (form.id, field.label)
        guide = wb["填写说明"]
        assert [c.value for c in guide[4]] == ["列名", "类型", "必填", "填写要求", "个人信息"]
        assert guide.max_row >= 4 + len(form.fields)


def test_blank_templates_validate_with_the_frictionless_cli(site_dir, handbook):
    form = handbook.form_by_id["complaint-log"]
    paths = artifact_paths(form)
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "frictionless"), "validate", "--schema", paths["schema"], paths["csv"]],
        cwd=site_dir, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_data_package_and_every_schema_validate(site_dir, handbook):
    from frictionless import Package, Resource, Schema

    for form in handbook.record_forms():
        schema = Schema.from_descriptor(str(site_dir / artifact_paths(form)["schema"]))
        assert [f.name for f in schema.fields] == [f.label for f in form.fields]
        assert schema.primary_key == [form.field(k).label for k in form.primary_key]
    package = Package(str(site_dir / "datapackage.json"))
    report = package.validate()
    assert report.valid, report.flatten(["type", "note"])[:5]
    assert {r.name for r in package.resources} == {f.id for f in handbook.record_forms()}


def test_schema_rejects_what_the_definition_forbids(site_dir, handbook, tmp_path):
    from frictionless import Resource, Schema

    form = handbook.form_by_id["complaint-log"]
    schema = Schema.from_descriptor(json.loads((site_dir / artifact_paths(form)["schema"]).read_text(encoding="utf-8")))
    enum_field = next(f for f in form.fields if f.enum)
    row = []
    for f in form.fields:
        row.append("不存在的类别" if f is enum_field else "")
    path = tmp_path / "bad.csv"
    path.write_text(",".join(f.label for f in form.fields) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    report = Resource(path="bad.csv", basepath=str(tmp_path), schema=schema).validate()
    types = {e.type for e in report.tasks[0].errors}
    assert "constraint-error" in types


@pytest.mark.parametrize("value, ok", [
    ("11010519491231002X", True),    # the standard's own example
    ("110105194912310021", False),   # wrong check digit
    ("11010519491231002x", True),    # lower-case x is read as X
    ("1101051949123100", False),     # too short
])
def test_cn_id_check_digit(value, ok):
    value = value.upper()           # normalisation reads a lower-case x as X
    assert (len(value) == 18 and cn_id_problem(value) is None) is ok


def test_personal_fields_are_flagged(handbook):
    for form in handbook.forms:
        for f in form.fields:
            if f.format in ("mobile", "cn-id", "room") or f.label in ("姓名", "身份证号", "联系电话"):
                assert f.personal, (form.id, f.label)


def _form_page_hints(site_dir, form) -> dict[str, str]:
    """Column 填写要求 of the 栏目 table on the built form page, by column label."""
    page = (site_dir / "forms" / form.id / "index.html").read_text(encoding="utf-8")
    body = page.split('id="fields"', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>.*?</td><td>.*?</td><td>(.*?)</td>", body)
    return {html.unescape(label): html.unescape(hint) for label, hint in rows}


def _repeated_clauses(text: str) -> list[str]:
    """Clauses (split on ；) that another clause repeats, whole or inside a longer one (11位手机号；11位手机号（…）)."""
    clauses = [c.strip() for c in text.split("；") if c.strip()]
    return sorted({a for i, a in enumerate(clauses) for j, b in enumerate(clauses) if i != j and a in b})


def test_shown_help_says_each_fact_once(site_dir, handbook):
    """Field help is the definition's own hint plus generated text; wherever it is shown, no clause twice."""
    for form in handbook.forms:
        if not form.fields:
            continue
        page = _form_page_hints(site_dir, form)
        assert set(page) == {f.label for f in form.fields}, form.id
        guide = {}
        if form.is_record:
            sheet = load_workbook(site_dir / artifact_paths(form)["xlsx"])["填写说明"]
            guide = {row[0].value: row[3].value or "" for row in sheet.iter_rows(min_row=5) if len(row) >= 4}
        for f in form.fields:
            shown = [field_hint(f), page[f.label]] + ([guide[f.label]] if form.is_record else [])
            for text in shown:
                assert not _repeated_clauses(text), (form.id, f.label, text)
                assert text == field_hint(f), (form.id, f.label, text)


def test_phone_help_is_not_doubled(site_dir, handbook):
    form = handbook.form_by_id["complaint-log"]
    field = next(f for f in form.fields if f.format == "mobile")
    assert field_hint(field) == "11位手机号（个人信息，不上网站）"
    assert _form_page_hints(site_dir, form)[field.label] == "11位手机号（个人信息，不上网站）"
    sheet = load_workbook(site_dir / artifact_paths(form)["xlsx"])["填写说明"]
    assert [r[3].value for r in sheet.iter_rows(min_row=5) if r[0].value == field.label] == ["11位手机号（个人信息，不上网站）"]
    # The same holds for a generated clause the hint repeats inside a longer sentence.
    room = form.field("room")
    assert field_hint(room).count("栋-单元-室") == 1


def test_schema_is_an_administrators_note_not_a_button(site_dir, handbook):
    for form in handbook.record_forms():
        page = (site_dir / "forms" / form.id / "index.html").read_text(encoding="utf-8")
        downloads = page.split('class="hb-form-downloads"', 1)[1].split("</p>", 1)[0]
        assert "JSON" not in downloads and ".json" not in downloads, form.id
        assert "表结构（JSON）" not in page
        note = page.split('class="hb-admin-note"', 1)[1].split("</p>", 1)[0]
        assert "供系统管理员" in note and "表结构文件（JSON）" in note and "md-button" not in note
        # after everything a clerk reads, and still a working link to the published schema
        assert page.index('class="hb-admin-note"') > page.index('id="fields"')
        href = re.search(r'href="([^"]+)"', note).group(1)
        target = (site_dir / "forms" / form.id / href).resolve()
        assert target == (site_dir / artifact_paths(form)["schema"]).resolve() and target.is_file()
    for form in handbook.forms:
        if not form.is_record:
            page = (site_dir / "forms" / form.id / "index.html").read_text(encoding="utf-8")
            assert "hb-admin-note" not in page, form.id


def test_checklists_are_generated_from_clauses_not_retyped(handbook):
    handover = handbook.form_by_id["handover-check"]
    clause = handbook.by_chapter["3.1"].clause("4.2")
    expected = [c.text for c in clause.walk()][1:]
    assert [text for _, text, _ in handover.items] == expected
    docs = handbook.form_by_id["move-in-docs"]
    assert "业主身份证原件" in [text for _, text, _ in docs.items]
    office = handbook.form_by_id["office-environment-check"]
    assert len(office.items) == len(handbook.by_chapter["2.1"].rules)


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


@pytest.mark.browser
# Every form, in two halves: a PDF takes about a second, and make test's two workers print the halves side by side.
@pytest.mark.parametrize("part", [0, 1])
def test_every_printable_fits_its_pages_in_chromium(site_url, browser, handbook, tmp_path, part):
    context = browser.new_context()
    page = context.new_page()
    wrong = []
    for form in handbook.forms[part::2]:
        page.goto(site_url + artifact_paths(form)["print"])
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        if _pdf_pages(pdf) != form.paper.pages:
            wrong.append((form.id, _pdf_pages(pdf), form.paper.pages))
        if form.id == "complaint-log":
            (tmp_path / "complaint-log.pdf").write_bytes(pdf)
    context.close()
    assert wrong == []


def test_printable_carries_the_document_control_header(site_dir, handbook):
    form = handbook.form_by_id["complaint-log"]
    html = (site_dir / artifact_paths(form)["print"]).read_text(encoding="utf-8")
    assert handbook.organisation.company in html and form.number in html and f"<h1>{form.title}</h1>" in html
    for who in form.paper.signatures:
        assert f"{who}（签名）" in html
    assert html.count("<tr><td class=\"no\">") == form.paper.rows


def test_forms_and_procedures_link_both_ways(site_dir, handbook):
    index = (site_dir / "forms" / "index.html").read_text(encoding="utf-8")
    for form in handbook.forms:
        assert f"forms/{form.id}/" in index or f"{form.id}/" in index
        page = (site_dir / "forms" / form.id / "index.html").read_text(encoding="utf-8")
        owner = handbook.by_chapter[form.chapter]
        assert f"handbook/{owner.chapter}-{owner.slug}/" in page
    proc = handbook.by_chapter["3.8"]
    html = (site_dir / "handbook" / f"3.8-{proc.slug}" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../forms/complaint-log/"' in html


def test_missing_form_or_missing_clause_fails_the_build_naming_the_file(tmp_path, capsys):
    project = copy_project(tmp_path)
    (project / "forms" / "callback-log.yaml").unlink()
    f = project / "forms" / "complaint-log.yaml"
    f.write_text(re.sub(r'procedure: "?3\.8#[^"\n]*"?', 'procedure: "3.8#9.9"', f.read_text(encoding="utf-8")), encoding="utf-8")
    code = main(["--root", str(project), "build", "--site-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "记录中的表单“callback-log”在 forms/ 中没有定义" in err
    assert "forms/complaint-log.yaml" in err and "“3.8#9.9”不存在" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.browser
def test_printed_name_columns_fit_a_name(site_url, browser, handbook):
    """Columns sized to what is written in them: a name takes four handwritten characters (4 × 4 mm)."""
    from handbook.forms.printable import is_name

    context = browser.new_context()
    page = context.new_page()
    narrow, overflowing = [], []
    tabular = [f for f in handbook.forms if f.paper.rows and f.fields]
    for form in tabular:
        page.goto(site_url + artifact_paths(form)["print"])
        mm = page.evaluate("""() => ({
            cols: [...document.querySelectorAll('.grid th')].slice(1).map(th => th.getBoundingClientRect().width * 25.4 / 96),
            table: document.querySelector('.grid').getBoundingClientRect().width * 25.4 / 96,
            sheet: (() => { const s = document.querySelector('.sheet'), st = getComputedStyle(s);
                            return (s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight)) * 25.4 / 96; })(),
        })""")
        narrow += [(form.id, f.label, round(w, 1)) for f, w in zip(form.fields, mm["cols"]) if is_name(f) and w < 16]
        if mm["table"] > mm["sheet"] + 0.5:
            overflowing.append((form.id, round(mm["table"]), round(mm["sheet"])))
    context.close()
    assert narrow == [] and overflowing == []
    labels = [f.label for f in handbook.form_by_id["complaint-log"].fields]
    assert {"投诉人", "批准人", "受理人"} <= set(labels)
