"""After the build: the search worker learns Chinese queries and form owners; the index loses lone measure words."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

from .links import page_url

ASSETS = Path(__file__).parent
# The query segmentation call inside Material 9.8's search worker, and its replacement.
WORKER_GLOB = "assets/javascripts/workers/search.*.min.js"
WORKER_SEGMENT = 's=>[...fe(s,this.index.invertedIndex)].join("* ")'
WORKER_PATCHED = "s=>self.__handbookSegment(s,this.index.invertedIndex)"
INDEX = "search/search_index.json"
# jieba cuts "保留1位小数" into 保留|1|位|小数; the lone 位 after a number is part of the number.
MEASURE_AFTER_NUMBER = re.compile("(?<=[0-9])\u200b([\u4e00-\u9fff])(?=\u200b|[^\u4e00-\u9fff]|$)")


def form_owners(handbook, directory_urls: bool) -> dict[str, list[str]]:
    """Form page location → [owner procedure location, form title, form number]."""
    return {
        page_url(f"forms/{f.id}.md", directory_urls): [
            page_url(handbook.by_chapter[f.chapter].page_path, directory_urls), f.title, f.number]
        for f in handbook.forms
    }


def patch_worker(site_dir: Path, handbook, directory_urls: bool) -> None:
    workers = list(site_dir.glob(WORKER_GLOB))
    if len(workers) != 1:
        raise PluginError(f"找不到 Material 的搜索程序（{WORKER_GLOB}），无法启用中文查询分词。")
    worker = workers[0]
    code = worker.read_text(encoding="utf-8")
    if WORKER_PATCHED in code:
        return
    if code.count(WORKER_SEGMENT) != 1:
        raise PluginError("Material 搜索程序的版本与本插件不符，无法启用中文查询分词；请使用 pyproject.toml 中固定的 mkdocs-material 版本。")
    owners = json.dumps(form_owners(handbook, directory_urls), ensure_ascii=False)
    segmenter = (ASSETS / "search_segment.js").read_text(encoding="utf-8")
    worker.write_text(f"self.__handbookForms={owners};\n{segmenter}\n" + code.replace(WORKER_SEGMENT, WORKER_PATCHED),
                      encoding="utf-8")


def tidy_index(site_dir: Path) -> None:
    path = site_dir / INDEX
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index["docs"]:
        doc["text"] = MEASURE_AFTER_NUMBER.sub(r"\1", doc["text"])
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
