"""Bulk work: every template in one ZIP, every blank form in one print, the whole handbook as a controlled copy."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
import zlib

import pytest
from openpyxl import load_workbook

from handbook.forms.publish import ALL_TEMPLATES_NAME, artifact_paths


# ---------------------------------------------------------------- reading text out of Chromium's PDFs
def _objects(data):
    return {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}

def _stream(body):
    start = body.index(b"stream") + 6
    start += 2 if body[start:start + 2] == b"\r\n" else 1
    raw = body[start:start + int(re.search(rb"/Length (\d+)", body).group(1))]
    return zlib.decompress(raw) if b"/FlateDecode" in body else raw

def _cmap(text):
    table = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int.from_bytes(bytes.fromhex(dst.decode()), "big")
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[code] = chr(start + i)
    return table

def pdf_pages_text(data):
    objs = _objects(data)
    root = re.search(rb"/Type\s*/Catalog\s*/Pages\s*(\d+) 0 R", data).group(1)

    def leaves(n):
        node = objs[n]
        if re.search(rb"/Type\s*/Pages\b", node):
            kids = re.search(rb"/Kids\s*\[(.*?)\]", node, re.S).group(1)
            for ref in re.findall(rb"(\d+) 0 R", kids):
                yield from leaves(int(ref))
        else:
            yield node

    pages = []
    for page in leaves(int(root)):
        fonts = {}
        fdict = re.search(rb"/Font <<(.*?)>>", page, re.S)
        for name, fref in re.findall(rb"/(\w+) (\d+) 0 R", fdict.group(1) if fdict else b""):
            tu = re.search(rb"/ToUnicode (\d+) 0 R", objs[int(fref)])
            width = 1 if b"/Type3" in objs[int(fref)] else 2
            fonts[name] = (_cmap(_stream(objs[int(tu.group(1))])) if tu else {}, width)
        contents = b"".join(_stream(objs[int(r)]) for r in re.findall(rb"(\d+) 0 R", re.search(rb"/Contents (\[.*?\]|\d+ 0 R)", page).group(1)))
        out, font = [], ({}, 2)
        for tok in re.finditer(rb"/(\w+) [\d.]+ Tf|<([0-9A-Fa-f]*)>|\((.*?)(?<!\\)\)|(T[Jj]|ET)", contents):
            if tok.group(1):
                font = fonts.get(tok.group(1), ({}, 2))
            elif tok.group(2) is not None:
                h = bytes.fromhex(tok.group(2).decode()); w = font[1]
                out.append("".join(font[0].get(int.from_bytes(h[i:i + w], "big"), "") for i in range(0, len(h), w)))
            elif tok.group(4) == b"ET":
                out.append("\n")
        pages.append("".join(out))
    return pages


def pdf_pages(data: bytes) -> list[str]:
    """Text of each printed page (NFKC: the fonts map some characters to CJK radicals)."""
    return [unicodedata.normalize("NFKC", t) for t in pdf_pages_text(data)]


# ---------------------------------------------------------------- tests
def test_one_zip_holds_every_template_under_chinese_names(site_dir, handbook):
    with zipfile.ZipFile(site_dir / "downloads" / "templates.zip") as zf:
        names = zf.namelist()
        expected = [f"{f.number} {f.title}.{ext}" for f in handbook.record_forms() for ext in ("xlsx", "csv")]
        assert names == expected and "KF-3.8-01 投诉处理记录表.xlsx" in names
        for form in handbook.record_forms():
            book = load_workbook(io.BytesIO(zf.read(f"{form.number} {form.title}.xlsx")))
            assert [c.value for c in book["填报"][1]] == [f.label for f in form.fields]
            header = next(csv.reader(io.StringIO(zf.read(f"{form.number} {form.title}.csv").decode("utf-8-sig"))))
            assert header == [f.label for f in form.fields]


@pytest.mark.browser
def test_downloads_are_saved_under_chinese_names(page, site_url):
    page.goto(site_url + "forms/complaint-log/")
    with page.expect_download() as saved:
        page.locator("a", has_text="下载 Excel 模板").click()
    assert saved.value.suggested_filename == "KF-3.8-01 投诉处理记录表.xlsx"
    page.goto(site_url + "forms/")
    with page.expect_download() as saved:
        page.locator("tr", has_text="KF-3.8-01").locator("a", has_text="CSV").click()
    assert saved.value.suggested_filename == "KF-3.8-01 投诉处理记录表.csv"
    with page.expect_download() as saved:
        page.locator("a", has_text="下载全部记录表模板").click()
    assert saved.value.suggested_filename == ALL_TEMPLATES_NAME


@pytest.mark.browser
@pytest.mark.parametrize("where", ["", "forms/"])
def test_home_and_forms_pages_offer_the_bulk_downloads(page, site_url, where):
    page.goto(site_url + where)
    for text, target in (("打印整本手册", "handbook/print/"), ("打印全部空白表单", "print/all-forms.html"),
                         ("下载全部记录表模板", "downloads/templates.zip")):
        link = page.locator(".hb-bulk a", has_text=text)
        assert link.evaluate("a => a.href") == site_url + target
        assert page.request.get(site_url + target).ok


@pytest.mark.browser
def test_all_blank_forms_print_as_one_document(browser, site_url, handbook):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site_url + "print/all-forms.html")
    pages = pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True))
    context.close()
    assert len(pages) == sum(f.paper.pages for f in handbook.forms)
    # Each form starts on a page of its own, in handbook order.
    firsts = [i for i, text in enumerate(pages) if "表单编号" in text]
    numbers = [re.search(r"表单编号\s*(\S+)", pages[i]).group(1) for i in firsts]
    assert numbers == [f.number for f in handbook.forms]


@pytest.mark.browser
def test_whole_handbook_prints_with_its_header_on_every_page(browser, site_url, handbook):
    from handbook.site.print_book import edition

    context = browser.new_context()
    page = context.new_page()
    page.goto(site_url + "handbook/print/")
    pages = pdf_pages(page.pdf(format="A4", prefer_css_page_size=True))
    context.close()
    printed = edition(handbook)
    assert len(pages) > len(handbook.procedures) + 1  # chapters run over several pages
    assert all(f"印制版次 {printed}" in text for text in pages)
    chapters = []
    for text in pages[1:]:  # page 1 is the cover
        header = re.search(r"章节号\s*([\d.]+)\s*主题.*?版本\s*/\s*修订\s*(\d+/\d+)", text, re.S)
        assert header, text[:200]
        chapters.append(header.groups())
    # Every chapter's header, with its own version, on each of its pages, in handbook order.
    expected = [(p.chapter, p.version_label) for p in handbook.procedures]
    assert list(dict.fromkeys(chapters)) == expected
