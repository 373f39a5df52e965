"""The `handbook` MkDocs plugin: pages generated from procedures/ at build time.

Plain `mkdocs build` / `mkdocs serve` work; under serve, editing a YAML file
rebuilds the site because on_serve watches the sources.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import jieba
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from ..loader import load_handbook
from ..model import Handbook
from ..messages import ProblemsFound
from ..records.store.catalogue import DATA_DIR_ENV
from . import collation, pending, revisions
from .config import HandbookConfig
from ..forms.publish import DATA_PACKAGE, artifacts, bulk_artifacts, package_descriptor
from .form_pages import INDEX as FORMS_INDEX, FormPages, bulk_links, form_src
from .links import INTAKE_URL, href_to
from .notfound import add_not_found_page
from .pages import PageWriter, table_of_contents
from .print_book import SRC as BOOK_SRC, print_book
from .search import patch_worker, tidy_index

log = logging.getLogger("mkdocs.plugins.handbook")
ASSETS = Path(__file__).parent
CSS = "assets/handbook/handbook.css"
TOC_MARKER = "<!-- 目录 -->"
BULK_MARKER = "<!-- 整本打印与全部下载 -->"
_loaded_dictionaries: set[str] = set()


class HandbookPlugin(BasePlugin[HandbookConfig]):
    handbook: Handbook | None = None

    def _root(self, config) -> Path:
        return Path(config.config_file_path).resolve().parent

    def on_config(self, config):
        root = self._root(config)
        try:
            self.handbook = load_handbook(root, self.config.procedures_dir, self.config.organisation)
        except ProblemsFound as exc:
            raise PluginError("手册条目有误，未生成网站。\n" + exc.report(root))
        org = self.handbook.organisation
        config.site_name = org.site_title
        config.copyright = f"{org.company} · {org.handbook_title}"
        self._load_dictionary(root / self.config.dictionary)
        config.extra_css = [CSS, *config.extra_css]
        self.statistics = self._statistics(root, config)
        config.nav = self._nav(config)
        return config

    def _data_dir(self, root: Path) -> Path:
        return root / (os.environ.get(DATA_DIR_ENV) or self.config.data_dir)

    def _statistics(self, root: Path, config):
        """The 月度统计 section; with no records yet it says so instead of failing."""
        from ..records.statistics.kpis import KpiDefinitionError
        from ..records.statistics.pages import StatisticsPages
        from ..records.statistics.report import Statistics
        from ..records.store.catalogue import StoreError
        from ..records.statistics.workdays import WorkdaysInvalid

        try:
            stats = Statistics(self.handbook, self._data_dir(root))
        except (KpiDefinitionError, WorkdaysInvalid) as exc:
            raise PluginError("月度统计的配置有误，未生成网站。\n" + exc.report())
        except StoreError as exc:
            raise PluginError(f"月度统计的数据目录无法读取：{str(exc).replace('|', '：')}")
        return StatisticsPages(self.handbook, stats, config.use_directory_urls, shells=self.config.live_statistics)

    def _load_dictionary(self, path: Path) -> None:
        # jieba is process-global and Material's search plugin uses it: load once.
        jieba.setLogLevel(logging.WARNING)
        if path.exists() and str(path) not in _loaded_dictionaries:
            jieba.load_userdict(str(path))
            _loaded_dictionaries.add(str(path))

    def _nav(self, config) -> list:
        """The four top-level sections; each is a tab on wide screens and a level of the menu on phones."""
        handbook: list = [self.config.home]
        for category, procs in self.handbook.by_category():
            handbook.append({category: [{f"{p.chapter} {p.name}": p.page_path} for p in procs]})
        handbook.append({revisions.TITLE: revisions.SRC})
        handbook.append({collation.TITLE: collation.SRC})
        handbook.append({pending.TITLE: pending.SRC})
        nav: list = [{"手册": handbook}]
        if self.handbook.forms:
            nav.append({"表单": [FORMS_INDEX]})
        nav.append({"月度统计": self.statistics.nav()})
        nav.append({"上传记录": INTAKE_URL})
        return nav

    def on_files(self, files: Files, config) -> Files:
        writer = PageWriter(self.handbook, config.use_directory_urls)
        writer.clause_notes = self.statistics.clause_notes(lambda chapter: self.handbook.by_chapter[chapter].page_path)
        for path, content in self.statistics.files().items():
            files.append(File.generated(config, path, content=content))
        for proc in self.handbook.procedures:
            files.append(File.generated(config, proc.page_path, content=writer.page(proc)))
        files.append(File.generated(config, BOOK_SRC, content=print_book(self.handbook, writer)))
        files.append(File.generated(config, collation.SRC, content=collation.page(self.handbook, config.use_directory_urls)))
        files.append(File.generated(config, pending.SRC, content=pending.page(self.handbook, config.use_directory_urls)))
        root = self._root(config)
        history = revisions.history(root / self.config.procedures_dir, root / revisions.CACHE)
        files.append(File.generated(config, revisions.SRC, content=revisions.page(self.handbook, history, config.use_directory_urls)))
        if self.handbook.forms:
            form_pages = FormPages(self.handbook, config.use_directory_urls)
            files.append(File.generated(config, FORMS_INDEX, content=form_pages.index()))
            built: dict[str, bytes | str] = {}
            for form in self.handbook.forms:
                files.append(File.generated(config, form_src(form), content=form_pages.page(form)))
                built |= artifacts(form, self.handbook)
            built |= bulk_artifacts(self.handbook, built)
            for path, content in built.items():
                files.append(File.generated(config, path, content=content))
            files.append(File.generated(config, DATA_PACKAGE, content=package_descriptor(self.handbook)))
        files.append(File.generated(config, CSS, abs_src_path=str(ASSETS / "handbook.css")))
        return files

    def on_env(self, env, config, files):
        return add_not_found_page(env)

    def on_page_markdown(self, markdown: str, page, config, files):
        if page.file.src_uri == self.config.home and TOC_MARKER in markdown:
            toc = table_of_contents(self.handbook, page.file.src_uri, config.use_directory_urls)
            markdown = markdown.replace(TOC_MARKER, toc)
        if page.file.src_uri == self.config.home and BULK_MARKER in markdown:
            src = page.file.src_uri
            markdown = markdown.replace(BULK_MARKER, bulk_links(lambda target: href_to(target, src, config.use_directory_urls)))
        return markdown

    def on_post_build(self, config):
        site_dir = Path(config.site_dir)
        patch_worker(site_dir, self.handbook, config.use_directory_urls)
        tidy_index(site_dir)

    @event_priority(-100)
    def on_serve(self, server, config, builder):
        root = self._root(config)
        server.watch(str(root / self.config.procedures_dir))
        server.watch(str(root / self.config.organisation))
        if (root / self.config.dictionary).exists():
            server.watch(str(root / self.config.dictionary))
        data_dir = self._data_dir(root)
        if (data_dir / "catalogue.sqlite3").exists():
            server.watch(str(data_dir))          # the catalogue and its WAL change on every ingest
        return server
