"""The 月度统计 pages, rendered from the store when they are asked for, inside the built site's page.

The site build (MkDocs) lays out every page once: header, navigation, search, print styles. An upload
does not rebuild it. A statistics page is the built page with its article replaced by the month's
report as it is now — computed through the per-管理处 cache (records/statistics/cache.py), so one
upload costs one 管理处's figures — and restricted to the 管理处 the signed-in account may read.
The text goes through the same Markdown extensions as the build, so the page looks the same.
"""

from __future__ import annotations

import logging
import re
import threading
from html import escape
from pathlib import Path

import markdown

from ..records.statistics.pages import Blocks, StatisticsPages
from ..records.statistics.report import Statistics

log = logging.getLogger("handbook.web")
MONTH_PATH = re.compile(r"^/statistics/(\d{4}-\d{2})/?$")
INDEX_PATH = re.compile(r"^/statistics/?$")
DOWNLOAD_PATH = re.compile(r"^/statistics/月度统计-(\d{4}-\d{2})\.(xlsx|csv)$")
TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}
ARTICLE = re.compile(r'(<article class="md-content__inner md-typeset">)(.*?)(</article>)', re.S)
TITLE = re.compile(r"<title>.*?</title>", re.S)


def visible(user) -> list[str] | None:
    """The 管理处 an account may read; None for all (administrators, viewers without a 管理处)."""
    if user.admin or (user.viewer and not user.sites):
        return None
    return list(user.sites)


def restrict(report: dict, sites: list[str] | None) -> dict:
    """The report as one account may read it: only its own 管理处, no company figures of others."""
    if sites is None:
        return report
    keep = lambda row: row["site"] in sites
    out = dict(report)
    out["sites"] = [s for s in report["sites"] if s in sites]
    for key in ("kpis", "counts", "carryover", "overdue", "submissions"):
        out[key] = [r for r in report[key] if keep(r)]
    out["missing"] = [m for m in report["missing"] if m["site"] in sites]
    out["complete"] = not out["missing"]
    out["company"] = False
    return out


class LiveStatistics:
    def __init__(self, root: Path, data_dir: Path, handbook):
        self.root, self.data_dir = Path(root), Path(data_dir)
        self.handbook = handbook            # a callable: the current handbook model
        self._lock = threading.Lock()
        self._computing = threading.Lock()      # one report at a time: they share the Statistics' memos
        self._stats: Statistics | None = None
        self._pages: StatisticsPages | None = None
        self._version = None
        self._md = None

    def pages(self) -> StatisticsPages:
        """One Statistics (and its pages) per state of the store: a report is computed once and reused until
        an upload, a withdrawal or a closing changes the store."""
        with self._lock:
            hb = self.handbook()
            version = (id(hb), Statistics.version(self.data_dir))
            if self._pages is None or version != self._version:
                previous = self._pages.stats if self._pages is not None and self._version[0] == id(hb) else None
                self._pages = StatisticsPages(hb, Statistics(hb, self.data_dir, previous=previous), directory_urls=True)
                self._version = version
            return self._pages

    def markdown(self):
        if self._md is None:
            from mkdocs.config import load_config

            config = load_config(str(self.root / "mkdocs.yml"))
            self._md = (config["markdown_extensions"], config["mdx_configs"])
        extensions, configs = self._md
        return markdown.Markdown(extensions=extensions, extension_configs=configs)

    def render(self, path: str, user, site_dir: Path | None) -> tuple[bytes, str, str | None] | None:
        """(body, media type, download name) for a statistics page or download as it is now, restricted to
        what the account may read; None for anything else (the built file is served)."""
        with self._computing:
            return self._render(path, user, site_dir)

    def _render(self, path: str, user, site_dir: Path | None):
        download = DOWNLOAD_PATH.match(path)
        month_page = MONTH_PATH.match(path)
        if not (download or month_page or INDEX_PATH.match(path)):
            return None
        pages = self.pages()
        stats = pages.stats
        sites = visible(user)
        if download:
            month, kind = download.groups()
            if month not in stats.months():
                return None
            from ..records.statistics.exports import report_csv, report_xlsx

            report = restrict(pages.report(month), sites)
            body = report_xlsx(report, self.handbook().organisation.company) if kind == "xlsx" else report_csv(report)
            return (body if isinstance(body, bytes) else body.encode("utf-8")), TYPES[kind], path.rsplit("/", 1)[-1]
        if site_dir is None:
            return None
        blocks = Blocks()         # the tables stay out of Markdown: converting their HTML again cost seconds
        if month_page:
            month = month_page.group(1)
            if month not in stats.months():
                return None
            text = pages.month_page(month, restrict(pages.report(month), sites), blocks)
            shell = site_dir / "statistics" / month / "index.html"
            if not shell.is_file():        # a month whose first upload came after the last build
                shell = next(iter(sorted((site_dir / "statistics").glob("*/index.html"), reverse=True)), None)
        else:
            text = pages.index(company=sites is None)
            shell = site_dir / "statistics" / "index.html"
        if shell is None or not shell.is_file():
            return None
        body = text.split("---\n", 2)[-1] if text.startswith("---\n") else text
        md = self.markdown()
        html = blocks.restore(md.convert(body))
        page = shell.read_text(encoding="utf-8")
        if not ARTICLE.search(page):
            return None
        page = ARTICLE.sub(lambda m: m.group(1) + html + m.group(3), page, count=1)
        page = replace_toc(page, md.toc_tokens)
        title = next((line[2:] for line in body.splitlines() if line.startswith("# ")), None)
        if title:
            page = TITLE.sub(lambda m: f"<title>{escape(title)} - {escape(self.handbook().organisation.company)}</title>",
                             page, count=1)
        return page.encode("utf-8"), "text/html; charset=utf-8", None

    def warm(self, month: str) -> None:
        """Compute a month after an upload, so the next reader does not wait (errors are only logged)."""
        try:
            with self._computing:
                self.pages().report(month)
        except Exception:
            log.exception("月度统计预先计算失败")


TOC_START = '<nav class="md-nav md-nav--secondary"'
TOC_LIST = re.compile(r'<ul class="md-nav__list" data-md-component="toc"[^>]*>')


def _toc_items(tokens) -> str:
    out = []
    for t in tokens:
        name = t["name"]            # already escaped by the toc extension
        sub = ""
        if t["children"]:
            sub = (f'<nav class="md-nav" aria-label="{name}"><ul class="md-nav__list">'
                   f'{_toc_items(t["children"])}</ul></nav>')
        out.append(f'<li class="md-nav__item"><a href="#{t["id"]}" class="md-nav__link">'
                   f'<span class="md-ellipsis">{name}</span></a>{sub}</li>')
    return "".join(out)


def replace_toc(page: str, tokens) -> str:
    """Material's table of contents (in both sidebars) for the new article: the built one lists the
    headings of the page as built, which may name 管理处 the reader may not see."""
    if len(tokens) == 1 and tokens[0]["level"] == 1:
        tokens = tokens[0]["children"]
    items = _toc_items(tokens)
    out, at = [], 0
    while (start := page.find(TOC_START, at)) != -1:
        depth, i = 0, start
        while True:                        # the matching </nav>: sub-levels nest their own <nav>
            nxt_open, nxt_close = page.find("<nav", i + 1), page.find("</nav>", i + 1)
            if nxt_close == -1:
                return page
            if nxt_open != -1 and nxt_open < nxt_close:
                depth, i = depth + 1, nxt_open
            elif depth:
                depth, i = depth - 1, nxt_close
            else:
                end = nxt_close + len("</nav>")
                break
        block = page[start:end]
        head = TOC_LIST.search(block)
        new = block[:head.end()] + items + "</ul></nav>" if head else block
        out += [page[at:start], new]
        at = end
    out.append(page[at:])
    return "".join(out)


