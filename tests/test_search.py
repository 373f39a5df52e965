"""Search as staff use it: type an unsegmented Chinese query into the built site."""

from __future__ import annotations

import pytest

# query → chapter whose page must be the first result: the words staff type for each chapter
QUERIES = {
    "岗位结构图": "0.2",
    "客服主管": "1.1",
    "前台岗位职责": "1.2",
    "内勤": "1.3",
    "物业管理员": "1.4",
    "泳馆主管": "1.5",
    "泳馆前台": "1.6",
    "救生员": "1.7",
    "办公环境": "2.1",
    "仪容仪表": "2.2",
    "行为举止": "2.3",
    "礼貌用语": "2.4",
    "接听电话": "2.5",
    "接待客户": "2.6",
    "交接班": "3.1",
    "值班时间": "3.1",
    "入伙资料": "3.2",
    "入伙": "3.2",
    "入住": "3.3",
    "装修押金": "3.4",
    "装修申请": "3.4",
    "楼宇巡查": "3.5",
    "违章": "3.6",
    "来电来访": "3.7",
    "业主投诉": "3.8",
    "投诉处理": "3.8",
    "回访": "3.9",
    "业主恳谈会": "3.10",
    "工作联系单": "3.11",
    "收费": "3.12",
    "收缴率": "3.12",
    "催缴": "3.13",
    "欠费": "3.13",
    "押金": "3.14",
    "特约服务": "3.15",
    "重点户": "3.16",
    "钥匙借用": "3.17",
    "车位": "3.18",
    "月度统计": "3.19",
    "档案借阅": "3.20",
    "满意度调查": "3.21",
    "社区活动": "3.22",
    "家政": "3.23",
    # The procedure before the form it owns (报修登记表 belongs to 3.7), and no ranking by a lone 位.
    "报修": "3.7",
    "停车位": "3.18",
}
FURNITURE = ["章节号", "版本/修订", "生效日期", "表单编号", "本章为草案", "打印空白表", "下载 Excel 模板"]


READY = "document.querySelector('.md-search-result__meta').textContent.includes('键入以开始搜索')"
EMPTY = READY + " && document.querySelectorAll('.md-search-result__item').length === 0"


@pytest.fixture(scope="module")
def search_page(browser):
    """One tab for every search in this module: Material's worker builds the index once per page load
    (a few seconds), and each search starts from a cleared box, as a person types a new query."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def search(page, site_url: str, query: str):
    """The result items shown for a query typed into the search box."""
    box = page.locator("input.md-search__input")
    if page.url != site_url or not box.is_visible():
        page.goto(site_url)
        page.click("input.md-search__input")
    else:
        # Clear the previous query; Material empties the list and shows its prompt again.
        box.fill("")
        page.keyboard.press("End")
        page.wait_for_function(EMPTY)
    # Material shows 正在初始化搜索引擎 until its worker has built the index; keys typed
    # before that are dropped, as they would be for a person typing that fast.
    page.wait_for_function(READY)
    page.keyboard.type(query)
    # Chinese arrives through an IME, whose commit ends with a key-up; Playwright inserts
    # CJK text without key events, and Material reads the query on key-up.
    page.keyboard.press("End")
    page.wait_for_selector(".md-search-result__item > a", timeout=10_000)
    return page.locator(".md-search-result__item")


def result_pages(items, site_url: str) -> list[str]:
    hrefs = [items.nth(i).locator("a").first.get_attribute("href") for i in range(items.count())]
    return [h.split("?")[0].split("#")[0].replace(site_url, "") for h in hrefs]


def first_result(page, site_url: str, query: str) -> str:
    return result_pages(search(page, site_url, query), site_url)[0]


def test_every_chapter_has_a_query(handbook):
    assert {p.chapter for p in handbook.procedures} <= set(QUERIES.values())


@pytest.mark.browser
@pytest.mark.parametrize("query, chapter", QUERIES.items())
def test_query_finds_the_right_chapter_first(search_page, site_url, handbook, query, chapter):
    expected = handbook.by_chapter[chapter].page_path[:-3] + "/"
    assert first_result(search_page, site_url, query) == expected


@pytest.mark.browser
@pytest.mark.parametrize("query", ["投诉处理", "报修", "入伙"])
def test_snippets_show_no_page_furniture(search_page, site_url, query):
    text = search(search_page, site_url, query).all_inner_texts()
    assert [w for w in FURNITURE if any(w in t for t in text)] == []


@pytest.mark.browser
@pytest.mark.parametrize("query", ["停车位", "业主投诉怎么", "投诉处理记录表"])
def test_missing_terms_line_shows_words_not_query_syntax(search_page, site_url, query):
    search(search_page, site_url, query)
    missing = search_page.locator(".md-search-result__terms").all_inner_texts()
    assert [m for m in missing if "*" in m or "~" in m] == []
    # The best match has every word of the query: no 缺少 line on it.
    assert search_page.locator(".md-search-result__item").first.locator(".md-search-result__terms").count() == 0


@pytest.mark.browser
def test_a_lone_character_does_not_rank_pages(search_page, site_url, handbook):
    pages = result_pages(search(search_page, site_url, "停车位"), site_url)
    statistics = handbook.by_chapter["3.19"].page_path[:-3] + "/"
    assert statistics not in pages[:3]  # it says 保留1位小数; it has nothing on parking
    search(search_page, site_url, "位")
    after_digit = search_page.evaluate("""() => [...document.querySelectorAll('.md-search-result mark')]
        .filter(m => /[0-9]\u200b?$/.test((m.previousSibling || {}).textContent || '')).map(m => m.parentNode.textContent)""")
    assert after_digit == []


@pytest.mark.browser
def test_a_form_ranks_below_its_procedure_unless_named(search_page, site_url, handbook):
    owner = handbook.by_chapter["3.7"].page_path[:-3] + "/"
    assert result_pages(search(search_page, site_url, "报修"), site_url)[:2] == [owner, "forms/repair-log/"]
    assert first_result(search_page, site_url, "报修登记表") == "forms/repair-log/"
    assert first_result(search_page, site_url, "投诉处理记录表") == "forms/complaint-log/"
