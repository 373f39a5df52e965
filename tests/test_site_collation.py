"""Transcription notes (校注) live on the 校勘记 page; chapters show only a small 校 mark linking there."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from handbook.model import REFERENCE


def plain(note_text: str) -> str:
    """A note as a reader sees it: references become link labels, so compare the text around them."""
    return max(REFERENCE.split(note_text), key=len)[:30]


def all_notes(handbook):
    return [n for p in handbook.procedures for n in p.collation_notes()]


def test_the_handbook_declares_its_notes(handbook):
    notes = all_notes(handbook)
    on_clauses = [n for n in notes if n.clause is not None]
    assert len(on_clauses) == 45
    assert len([n for n in on_clauses if n.chapter == "3.1"]) == 11
    assert {n.chapter for n in notes if n.clause is None} == {"0.2", "1.4", "1.5", "1.7"}
    assert len({n.key for n in notes}) == len(notes)


@pytest.mark.browser
def test_a_chapter_reads_clean_with_marks_to_the_collation_page(page, site_url, handbook):
    page.goto(site_url + "handbook/3.1-duty-handover/")
    article = page.locator("article").inner_text()
    assert "校注" not in article and "原文抽取" not in article
    for note in handbook.by_chapter["3.1"].collation_notes():
        assert plain(note.text) not in article
    marks = page.locator("article .hb-collation-mark a")
    assert marks.count() == 11
    assert [marks.nth(i).inner_text() for i in range(marks.count())] == ["校"] * 11
    # The mark sits at its clause: 4.1.2 (the restored dash of 7:30—20:00).
    mark = page.locator("#c-4\\.1\\.2 > p .hb-collation-mark a")
    assert mark.count() == 1
    mark.click()
    page.wait_for_url("**/handbook/collation/#k-3.1-4.1.2")
    target = page.locator("li:target")
    assert "早7:3020:00" in target.inner_text() and target.is_visible()
    # … and the note leads back to its clause.
    target.locator("a.hb-collation-ref").click()
    page.wait_for_url("**/handbook/3.1-duty-handover/#c-4.1.2")
    assert page.locator("#c-4\\.1\\.2").is_visible()


@pytest.mark.browser
def test_a_chapter_note_is_marked_at_the_title_not_shown_as_a_box(page, site_url):
    page.goto(site_url + "handbook/1.4-property-officer/")
    assert page.locator("article .admonition").count() == 0
    assert "页眉主题印作" not in page.locator("article").inner_text()
    assert page.locator("article h1 .hb-collation-mark a").get_attribute("href") == "../collation/#k-1.4"


@pytest.mark.browser
def test_the_collation_page_lists_every_note_by_chapter(page, site_url, handbook):
    page.goto(site_url + "handbook/collation/")
    assert page.locator("article h1").inner_text() == "校勘记"
    notes = all_notes(handbook)
    items = page.locator("li.hb-collation-note")
    assert items.count() == len(notes) == 49
    for note in notes:
        item = page.locator(f'li[id="k-{note.key}"]')
        assert plain(note.text) in item.inner_text(), note.key
        label = item.locator("a.hb-collation-ref").inner_text()
        assert label == f"{note.chapter} " + (f"第{note.sid}条" if note.clause else "全章")
    chapters = [t.strip() for t in page.locator("article h2").all_inner_texts()]
    assert chapters[0] == "0.2 客服中心岗位结构图" and "3.1 客服中心值班与交接班作业规程" in chapters
    assert len(chapters) == len({n.chapter for n in notes})
    # A reference inside a note is a working link.
    ref = page.locator('li[id="k-3.2-4.3.4"] a.hb-ref')
    assert ref.get_attribute("href") == "../3.19-statistics/#c-4.4"
    # It is found from the 手册 section of the menu.
    assert page.locator(".md-nav--primary a.md-nav__link--active").inner_text().strip() == "校勘记"


def test_every_link_between_chapters_and_notes_resolves(site_dir, handbook):
    collation = (site_dir / "handbook" / "collation" / "index.html").read_text(encoding="utf-8")
    for proc in handbook.procedures:
        html = (site_dir / proc.page_path[:-3] / "index.html").read_text(encoding="utf-8")
        marks = re.findall(r'class="hb-collation-mark" data-search-exclude><a href="\.\./collation/#([^"]+)"', html)
        assert marks == [f"k-{n.key}" for n in proc.collation_notes()], proc.chapter
        for anchor in marks:
            assert f'id="{anchor}"' in collation
    backs = re.findall(r'<a class="hb-collation-ref" href="\.\./([^"#]+)/(?:#([^"]+))?"', collation)
    assert len(backs) == 49
    for slug, anchor in backs:
        target = (site_dir / "handbook" / slug / "index.html").read_text(encoding="utf-8")
        assert not anchor or f'id="{anchor}"' in target, (slug, anchor)


def test_notes_are_kept_out_of_search_and_the_printed_book(site_dir, handbook):
    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not any(d["location"].startswith("handbook/collation/") for d in index["docs"])
    text = "".join(d["title"] + d["text"] for d in index["docs"]).replace("\u200b", "")
    html = (site_dir / "handbook" / "print" / "index.html").read_text(encoding="utf-8")
    book = unescape(re.search(r"<article.*?</article>", html, re.S).group(0))     # the menu names 校勘记
    assert "hb-collation-mark" not in book and "校勘记" not in book and "校注" not in book
    for note in all_notes(handbook):
        assert plain(note.text) not in text, note.key
        assert plain(note.text) not in book, note.key
