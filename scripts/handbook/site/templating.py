"""Page HTML from the Jinja templates in site/templates/, autoescaped, rendered by one helper.

The HTML goes into Markdown, where a blank line ends an HTML block. So a template's own line breaks and
the indentation after them are layout only and are dropped when the template is read: what a template
renders is one line unless a value holds a line break. Write a space that matters inside a line.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.ext import Extension
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"
_LAYOUT = re.compile(r"[ \t]*\n[ \t]*")


class _OneLine(Extension):
    """Drops the template source's line breaks and indentation (never a rendered value's)."""

    def preprocess(self, source, name, filename=None):
        return _LAYOUT.sub("", source)


def _escaped(value):
    """Text escaped the way the pages always were (html.escape: &quot; and &#x27;), so the HTML is unchanged."""
    return Markup(escape(value)) if isinstance(value, str) and not isinstance(value, Markup) else value


_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                   extensions=[_OneLine], finalize=_escaped)


def render(name: str, **context) -> str:
    """The template site/templates/<name>.html with context; values are escaped unless marked safe
    (HTML this package built itself is passed as `safe(html)`)."""
    return _env.get_template(f"{name}.html").render(**context)


def safe(html: str) -> Markup:
    """HTML built by this package (a clause's linked text, a chart), inserted as it is."""
    return Markup(html)
