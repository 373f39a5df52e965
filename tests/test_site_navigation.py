"""Finding the parts: four top-level sections, each reachable from the home page, the upload page linked."""

from __future__ import annotations

import pytest

SECTIONS = ["手册", "表单", "月度统计", "上传记录"]


@pytest.mark.browser
def test_wide_screen_shows_the_four_sections_as_tabs(page, site_url):
    page.goto(site_url + "handbook/3.1-duty-handover/")
    tabs = page.locator(".md-tabs__link")
    assert [t.strip() for t in tabs.all_inner_texts()] == SECTIONS
    assert tabs.nth(0).is_visible()
    assert page.locator(".md-tabs__item--active").inner_text().strip() == "手册"
    assert tabs.nth(3).get_attribute("href") == "/intake/"
    tabs.nth(1).click()
    page.wait_for_url("**/forms/")
    assert page.locator("h1").inner_text() == "表单"


@pytest.mark.browser
def test_statistics_is_listed_once_in_the_menu(page, site_url):
    page.goto(site_url + "statistics/")
    menu = page.locator(".md-nav--primary")
    entries = [t.strip() for t in menu.locator("a.md-nav__link").all_inner_texts()]
    assert entries.count("月度统计") == 1


@pytest.mark.browser
def test_phone_menu_lists_the_four_sections(browser, site_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(site_url)
    assert page.locator(".md-tabs").is_hidden()
    page.click("label.md-header__button[for='__drawer']")
    # The drawer opens at the current section (手册); its title leads back to the top level.
    page.locator(".md-nav--primary label.md-nav__title[for='__nav_1']").click()
    page.wait_for_timeout(400)
    top = page.locator(".md-nav--primary > ul > li > .md-nav__link")
    visible = [t.strip() for t in top.all_inner_texts()]
    assert visible == SECTIONS
    assert all(top.nth(i).is_visible() for i in range(4))
    context.close()


@pytest.mark.browser
def test_home_page_says_what_each_section_is_for_and_links_to_it(page, site_url):
    page.goto(site_url)
    parts = page.locator(".hb-parts li")
    assert parts.count() == 4
    for i, name in enumerate(SECTIONS):
        item = parts.nth(i)
        link = item.locator("a").first
        assert link.inner_text() == name
        assert len(item.inner_text()) > len(name) + 10  # a line saying what it is for
    hrefs = [parts.nth(i).locator("a").first.get_attribute("href") for i in range(4)]
    assert hrefs[1:] == ["forms/", "statistics/", "/intake/"]
    parts.nth(1).locator("a").click()
    page.wait_for_url("**/forms/")


@pytest.mark.browser
def test_forms_page_links_the_upload_page(page, site_url):
    page.goto(site_url + "forms/")
    link = page.locator("article a", has_text="上传页面")
    assert link.get_attribute("href") == "/intake/"
