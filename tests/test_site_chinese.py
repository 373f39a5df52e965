"""What a Chinese-only reader sees: the 404 page, every command's --help and errors, the build's own lines."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import pytest

from conftest import copy_project
from handbook.cli import build_parser, main

ENGLISH = ["usage:", "options:", "positional arguments", "optional arguments", "show this help message", "error:"]
HAN = re.compile(r"[\u4e00-\u9fff]")


def commands(parser: argparse.ArgumentParser, prefix=()):
    """Every command path, e.g. (), ("build",), ("forms", "list")."""
    yield prefix
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, prefix + (name,))


def test_every_command_has_chinese_help(capsys):
    paths = list(commands(build_parser()))
    assert ("forms", "list") in paths and ("user", "add") in paths and len(paths) >= 13
    for path in paths:
        with pytest.raises(SystemExit) as done:
            main([*path, "--help"])
        assert done.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("用法：handbook"), path
        assert "选项:" in out and "显示本帮助并退出" in out, path
        assert [w for w in ENGLISH if w in out.lower()] == [], path
        # Value placeholders are Chinese, not the option name in capitals (--site-dir SITE_DIR).
        assert not re.search(r"--[a-z-]+ [A-Z_]{2,}\b", out), (path, out)


def test_wrong_arguments_are_explained_in_chinese(capsys):
    with pytest.raises(SystemExit) as done:
        main(["report"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("用法：handbook report")
    assert "参数有误：缺少必需的参数：--month" in err
    assert [w for w in ENGLISH if w in err.lower()] == []


def test_build_prints_only_its_own_chinese_lines(tmp_path):
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    with open(project / "docs" / "index.md", "a", encoding="utf-8") as f:
        f.write("\n[旧链接](nowhere.md)\n")
    proc = subprocess.run([sys.executable, "-m", "handbook", "--root", str(project), "build", "--site-dir", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == ["警告：页面 index.md 中的链接 nowhere.md 指向不存在的页面。"]
    out = proc.stdout.splitlines()
    assert out[1:-1] == ["正在生成网站……"] and out[-1].startswith(f"网站已生成：{tmp_path / 'out'}（用时 ")
    lines = out + proc.stderr.splitlines()
    assert [line for line in lines if not HAN.search(line)] == []
    assert "INFO" not in proc.stdout + proc.stderr


@pytest.mark.browser
def test_not_found_page_is_chinese(page, site_url):
    page.goto(site_url + "404.html")
    assert page.locator("article h1").inner_text() == "找不到这个页面"
    text = page.locator("article").inner_text()
    assert "Not found" not in text and "404" not in text
    home = page.locator("article a", has_text="回到首页")
    assert home.get_attribute("href") == "/"
