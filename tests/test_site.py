"""The built staff site: strict build, intranet-ready, headers from YAML, segmented index."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

from conftest import ROOT


def page_html(site_dir: Path, proc) -> str:
    return (site_dir / proc.page_path[:-3] / "index.html").read_text(encoding="utf-8")


def test_plain_mkdocs_build_strict_passes(tmp_path):
    out = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "handbook" / "3.1-duty-handover" / "index.html").exists()


def test_every_procedure_has_a_page_in_handbook_order(site_dir, handbook):
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    toc = re.search(r'<div class="hb-toc">(.*?)</div>', home, re.S).group(1)
    chapters = re.findall(r'<span class="hb-toc-no">([\d.]+)</span>', toc)
    assert chapters == [p.chapter for p in handbook.procedures]
    assert chapters[:3] == ["0.2", "1.1", "1.2"] and chapters.index("3.2") < chapters.index("3.10")
    for proc in handbook.procedures:
        assert (site_dir / proc.page_path[:-3] / "index.html").exists(), proc.chapter


EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//(?!127\.0\.0\.1|localhost)""", re.I)
CSS_EXTERNAL = re.compile(r"""(?:@import\s+(?:url\()?|url\()\s*["']?(?:https?:)?//""", re.I)


def test_no_page_loads_anything_from_another_host(site_dir):
    offenders = []
    for f in site_dir.rglob("*"):
        if f.suffix == ".html" and EXTERNAL.search(f.read_text(encoding="utf-8")):
            offenders.append((f.relative_to(site_dir), EXTERNAL.search(f.read_text(encoding="utf-8")).group(0)))
        if f.suffix == ".css" and CSS_EXTERNAL.search(f.read_text(encoding="utf-8")):
            offenders.append(f.relative_to(site_dir))
    assert offenders == []
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in home and "fonts.gstatic" not in home


def _header_cells(html: str) -> dict[str, str]:
    block = re.search(r'<div class="hb-doc-header".*?</div>', html, re.S).group(0)
    pairs = re.findall(r'hb-h-label">(.*?)</span><span class="hb-h-value">(.*?)</span>', block)
    return {k: unescape(v) for k, v in pairs}


def test_each_page_header_matches_its_yaml(site_dir, handbook):
    company = handbook.organisation.company
    for proc in handbook.procedures:
        cells = _header_cells(page_html(site_dir, proc))
        assert cells == {
            "公司": company,
            "章节号": proc.chapter,
            "主题": proc.subject or f"{proc.category}之{proc.name}",
            "版本/修订": f"{proc.version}/{proc.revision}",
            "生效日期": proc.effective or "未生效",
            "状态": proc.status,
            # document control: name and date once signed, else a blank line to sign
            **{label: f"{signed.name} {signed.date}" if signed else "" for label, signed in proc.signoffs()},
        }, proc.chapter


def test_drafts_carry_a_visible_banner_and_current_chapters_do_not(site_dir, handbook):
    for proc in handbook.procedures:
        html = page_html(site_dir, proc)
        assert ('class="admonition warning hb-draft"' in html) == (proc.status == "草案"), proc.chapter


def test_seed_text_and_numbers_show_on_the_page(site_dir, handbook):
    html = unescape(page_html(site_dir, handbook.by_chapter["3.1"]))
    assert "正常的值班时间为早7:30—20:00" in html
    assert 'id="c-4.2.1"' in html and "提前5分钟" in html
    html = unescape(page_html(site_dir, handbook.by_chapter["1.1"]))
    assert "投诉处理率达100%" in html and "收缴率达95%以上" in html


def test_org_chart_is_an_svg_diagram_with_text(site_dir, handbook):
    html = page_html(site_dir, handbook.by_chapter["0.2"])
    svg = re.search(r"<svg[^>]*hb-org.*?</svg>", html, re.S).group(0)
    labels = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    assert labels == ["客服主管", "前台", "收费员", "内勤", "物管员"]
    assert svg.count("<path") == 4  # one connector per subordinate


def test_revision_table_and_last_change_date(site_dir, handbook):
    proc = handbook.by_chapter["1.1"]
    html = page_html(site_dir, proc)
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", html)
    assert rows == [(r.version, r.date, r.change) for r in proc.revisions]
    shown = re.search(r"本页最后修改：<time>(.*?)</time>", html).group(1)
    assert shown == (proc.last_changed or "尚未提交到版本库")


def test_cross_references_are_links_to_existing_pages(site_dir, handbook):
    checked = 0
    for proc in handbook.procedures:
        html = page_html(site_dir, proc)
        for href in re.findall(r'<a class="hb-ref" href="([^"]+)"', html):
            path, _, anchor = href.partition("#")
            target = (site_dir / proc.page_path[:-3] / path / "index.html").resolve()
            assert target.exists(), (proc.chapter, href)
            if anchor:
                assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), (proc.chapter, href)
            checked += 1
    assert checked > 0


def test_search_index_is_segmented_chinese(site_dir):
    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(d["title"] + " " + d["text"] for d in index["docs"])
    assert "\u200b交接班\u200b" in text  # a project-dictionary term kept whole
    assert "\u200b值班\u200b" in text
    # No header boilerplate in the index: every page would match the company name.
    assert not any(d["text"].startswith("公司\u200b") for d in index["docs"])
    duty = next(d for d in index["docs"] if d["location"] == "handbook/3.1-duty-handover/")
    assert duty["title"].replace("\u200b", "") == "3.1 客服中心值班与交接班作业规程"


def test_a_procedure_page_prints_on_a4_with_its_header(site_url, page, tmp_path):
    page.goto(site_url + "handbook/3.1-duty-handover/")
    page.emulate_media(media="print")
    assert page.locator(".md-header").is_hidden()
    assert page.locator(".md-sidebar--primary").is_hidden()
    assert page.locator(".hb-doc-header").is_visible()
    pdf = tmp_path / "3.1.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert 2 <= pages <= 5  # three printed pages in the paper handbook
    assert b"/MediaBox [0 0 594.96 841.92]" in data or b"/MediaBox [0 0 595" in data
