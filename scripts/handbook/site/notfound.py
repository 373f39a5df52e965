"""A Chinese 404 page in place of Material's "404 - Not found" (a theme template served from memory)."""

from __future__ import annotations

from jinja2 import ChoiceLoader, DictLoader

TEMPLATE = """{% extends "main.html" %}
{% block content %}
  <h1>找不到这个页面</h1>
  <p>您要打开的页面不存在：可能是链接或地址有误，也可能该页面已经改名或删除。</p>
  <ul>
    <li><a href="{{ base_url.rstrip('/') }}/">回到首页</a>，从手册目录、表单或月度统计中查找；</li>
    <li>或者在页面上方的搜索框中输入要找的内容。</li>
  </ul>
{% endblock %}
"""


def add_not_found_page(env):
    """Put the Chinese 404.html in front of the theme's own."""
    env.loader = ChoiceLoader([DictLoader({"404.html": TEMPLATE}), env.loader])
    return env
