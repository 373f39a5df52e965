"""Search as staff use it: type an unsegmented Chinese query into the built site."""

from __future__ import annotations

import pytest

# query → chapter whose page must be the first result
QUERIES = {
    "交接班": "3.1",
    "值班时间": "3.1",
    "业主投诉": "3.8",
    "入伙资料": "3.2",
    "仪容仪表": "2.2",
    "电话": "2.5",
    "救生员": "1.7",
    "礼貌用语": "2.4",
    "收缴率": "1.1",
    "岗位结构图": "0.2",
}


def first_result(page, site_url: str, query: str) -> str:
    page.goto(site_url)
    page.click("input.md-search__input")
    # Material shows 正在初始化搜索引擎 until its worker has built the index; keys typed
    # before that are dropped, as they would be for a person typing that fast.
    page.wait_for_function(
        "document.querySelector('.md-search-result__meta').textContent.includes('键入以开始搜索')"
    )
    page.keyboard.type(query)
    # Chinese arrives through an IME, whose commit ends with a key-up; Playwright inserts
    # CJK text without key events, and Material reads the query on key-up.
    page.keyboard.press("End")
    page.wait_for_selector(".md-search-result__item > a", timeout=10_000)
    href = page.locator(".md-search-result__item > a").first.get_attribute("href")
    return href.split("?")[0].split("#")[0].replace(site_url, "")


@pytest.mark.browser
@pytest.mark.parametrize("query, chapter", QUERIES.items())
def test_query_finds_the_right_chapter_first(page, site_url, handbook, query, chapter):
    expected = handbook.by_chapter[chapter].page_path[:-3] + "/"
    assert first_result(page, site_url, query) == expected
