"""The 修订 page: every change to procedures/ from git history, newest first, wording before and after.

Each commit that touched a chapter file is compared with its parent clause by clause (the YAML of
both sides is parsed and clauses matched by their stable id), so staff see which clause changed and
how, not a text diff of YAML. One `git log --raw` lists the commits and the blob ids of both sides;
one `git cat-file --batch` reads the blobs of commits not seen before. A commit's changes never
change, so they are kept in .cache/ by commit id and later builds only ask git for the log.

Without git, outside a repository or in a clone without the history (shallow), the page says so.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import pickle
import subprocess
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Optional

import yaml

from ..model import Clause, assign_ids
from ..schema_problems import FIELD_LABELS
from ..yaml_source import FAST_LOADER
from .links import clause_anchor, relative

SRC = "handbook/revisions.md"
TITLE = "修订"
CACHE = Path(".cache") / "revisions.pickle"
ZERO = "0" * 40
CLAUSE_FIELDS = ("duties", "rules", "responsibilities", "procedure")
# Fields that are not wording: said by name when they change ("其他改动：记录、状态").
OTHER_LABELS = {**FIELD_LABELS, "note": "说明", "collation": "校注", "keywords": "搜索关键词",
                "procedure_title": "程序标题", "incomplete": "原文缺失说明", "owner": "负责岗位",
                "version": "版本号", "revision": "修订号"}
CLAUSE_PART_LABELS = {"note": "条款校注", "flow": "流程图", "draft": "草案标记", "added": "补写标记", "n": "条款编号"}


@dataclass
class ClauseChange:
    sid: str
    label: str                 # 第4.1.2条 / 1.0 目的 / 标题
    before: Optional[str]      # None: the clause is new
    after: Optional[str]       # None: the clause was removed


@dataclass
class ChapterChange:
    chapter: str
    name: str
    version: str               # from the chapter's 修订记录 at that commit ("" if none)
    status: str                # 新增 / 删除 / 修改
    clauses: list[ClauseChange] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    revision_note: str = ""    # 修订记录 entries added by the commit
    clause_count: int = 0

    @property
    def key(self) -> tuple[int, ...]:
        try:
            return tuple(int(p) for p in self.chapter.split("."))
        except ValueError:
            return (999,)


@dataclass
class Commit:
    sha: str
    date: str
    subject: str
    chapters: list[ChapterChange]


@dataclass
class History:
    commits: list[Commit]
    available: bool            # a git repository with history for procedures/
    complete: bool = True      # False in a shallow clone: changes before its first commit are unknown


# ---------------------------------------------------------------- git
def _git(folder: Path, *args: str, input: Optional[bytes] = None) -> bytes:
    return subprocess.run(["git", *args], cwd=folder, input=input, capture_output=True,
                          timeout=60, check=True).stdout


def _log(folder: Path) -> list[tuple[str, list[str], str, str, list[tuple[str, str, str, str]]]]:
    """Commits touching chapter files, newest first: (sha, parents, date, subject, [(old blob, new blob, old path, new path)])."""
    out = _git(folder, "log", "--root", "--raw", "--no-abbrev", "-M", "--relative", "--no-color",
               "--format=%x00%H%x1f%P%x1f%cs%x1f%s", "--", ".").decode("utf-8", "replace")
    commits = []
    for chunk in out.split("\0")[1:]:
        head, _, raw = chunk.partition("\n")
        sha, parents, date, subject = (head.split("\x1f") + ["", "", ""])[:4]
        files = []
        for line in raw.splitlines():
            if not line.startswith(":"):
                continue
            meta, *paths = line.split("\t")
            parts = meta.split()
            old, new, status = parts[2], parts[3], parts[4]
            old_path, new_path = (paths[0], paths[-1])
            if status.startswith("A"):
                old_path = ""
            if status.startswith("D"):
                new_path = ""
            if any(p and _is_chapter_file(p) for p in (old_path, new_path)):
                files.append((old, new, old_path, new_path))
        commits.append((sha, parents.split(), date, subject, files))
    return commits


def _is_chapter_file(path: str) -> bool:
    return "/" not in path and path.endswith((".yml", ".yaml"))


def _blobs(folder: Path, shas: set[str]) -> dict[str, bytes]:
    shas = {s for s in shas if s and s != ZERO}
    if not shas:
        return {}
    order = sorted(shas)
    out = _git(folder, "cat-file", "--batch", input="".join(s + "\n" for s in order).encode())
    blobs, pos = {}, 0
    for sha in order:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        blobs[sha] = out[pos:pos + size]
        pos += size + 1
    return blobs


def _shallow_commits(folder: Path) -> set[str]:
    try:
        path = _git(folder, "rev-parse", "--git-path", "shallow").decode().strip()
        shallow = Path(folder, path)
        return set(shallow.read_text().split()) if shallow.is_file() else set()
    except (OSError, subprocess.SubprocessError, ValueError):
        return set()


# ---------------------------------------------------------------- comparing one chapter
def _load(blob: Optional[bytes]) -> dict:
    if not blob:
        return {}
    try:
        data = yaml.load(blob.decode("utf-8"), Loader=FAST_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _clean(item) -> Optional[dict]:
    """The parts of a clause the comparison needs, from YAML of any past format."""
    if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
        return None
    out = {k: item[k] for k in ("n", "id", "text", "note", "draft", "added", "flow") if item.get(k) is not None}
    for k in ("n", "id"):
        if k in out:
            out[k] = str(out[k])
    kids = item.get("children") if isinstance(item.get("children"), list) else []
    out["children"] = [c for c in (_clean(k) for k in kids) if c]
    return out


def _clauses(data: dict) -> dict[str, tuple[str, str, dict]]:
    """Stable id → (label, wording, other parts) of every clause, plus 标题, 目的 and 适用范围."""
    out: dict[str, tuple[str, str, dict]] = {}
    if isinstance(data.get("title"), str):
        out["标题"] = ("标题", data["title"], {})
    for sid, key, label in (("1.0", "purpose", "1.0 目的"), ("2.0", "scope", "2.0 适用范围")):
        if isinstance(data.get(key), str):
            out[sid] = (label, data[key], {})
    tops: list[Clause] = []
    for name in CLAUSE_FIELDS:
        items = data.get(name) if isinstance(data.get(name), list) else []
        for cleaned in filter(None, map(_clean, items)):
            try:
                tops.append(Clause.model_validate(cleaned))
            except ValueError:            # a past format the model no longer reads: leave that clause out
                continue
    assign_ids(tops)
    unnumbered = 0
    for top in tops:
        for c in top.walk():
            sid = c.sid
            if not sid or sid in out:
                unnumbered += 1
                sid = f"~{unnumbered}"
            label = f"第{c.sid}条" if c.sid else "无编号段落"
            out[sid] = (label, c.text, {"note": c.note, "flow": c.flow, "draft": c.draft, "added": c.added, "n": c.n})
    return out


def _version(data: dict) -> str:
    revs = data.get("revisions")
    if isinstance(revs, list) and revs and isinstance(revs[-1], dict) and revs[-1].get("version"):
        return str(revs[-1]["version"])
    if "version" in data and "revision" in data:
        return f"{data['version']}/{data['revision']}"
    return ""


def compare(old: dict, new: dict, path: str) -> Optional[ChapterChange]:
    """What one commit changed in one chapter file (None: nothing a reader would see as a change)."""
    side = new or old
    chapter = str(side.get("chapter") or path.split("-")[0])
    name = str(side.get("toc_title") or side.get("title") or path)
    change = ChapterChange(chapter, name, _version(side), "新增" if not old else "删除" if not new else "修改")
    a, b = _clauses(old), _clauses(new)
    if not old or not new:
        change.clause_count = len([k for k in (a or b) if k not in ("标题", "1.0", "2.0")])
        return change
    parts: set[str] = set()
    for sid in list(a) + [s for s in b if s not in a]:
        before, after = a.get(sid), b.get(sid)
        if before and after and before[1] == after[1]:
            parts |= {CLAUSE_PART_LABELS[k] for k in before[2] if before[2].get(k) != after[2].get(k)}
            continue
        label = (after or before)[0]
        change.clauses.append(ClauseChange(sid, label, before[1] if before else None, after[1] if after else None))
    skip = {"title", "purpose", "scope", *CLAUSE_FIELDS, "revisions"}
    for key in [k for k in list(old) + [k for k in new if k not in old] if k not in skip]:
        if old.get(key) != new.get(key):
            parts.add(OTHER_LABELS.get(key, key))
    change.other = sorted(parts)
    old_revs = old.get("revisions") if isinstance(old.get("revisions"), list) else []
    new_revs = new.get("revisions") if isinstance(new.get("revisions"), list) else []
    added = [r for r in new_revs if r not in old_revs and isinstance(r, dict)]
    change.revision_note = "；".join(f"{r.get('version', '')} {r.get('date', '')} {r.get('change', '')}".strip() for r in added)
    if old_revs != new_revs and not added:
        parts.add("修订记录")
    if added:                              # the new entry says it, with the version shown beside the chapter
        parts -= {OTHER_LABELS["version"], OTHER_LABELS["revision"]}
    change.other = sorted(parts)
    if not change.clauses and not change.other and not change.revision_note:
        return None
    return change


# ---------------------------------------------------------------- history with a cache
def _code_key() -> str:
    here = Path(__file__)
    digest = hashlib.blake2b(digest_size=12)
    for path in (here, here.parent.parent / "model.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def history(folder: Path, cache: Optional[Path] = None) -> History:
    folder = Path(folder)
    try:
        log = _log(folder)
    except (OSError, subprocess.SubprocessError):
        return History([], available=False)
    shallow = _shallow_commits(folder) if log else set()
    code = _code_key()
    known: dict[str, Commit] = {}
    if cache is not None:
        try:
            with open(cache, "rb") as fh:
                stored = pickle.load(fh)
            if stored.get("code") == code:
                known = stored["commits"]
        except Exception:                 # missing, damaged or from another version: compare afresh
            known = {}
    todo = [c for c in log if c[0] not in known and c[0] not in shallow]
    try:
        blobs = _blobs(folder, {s for c in todo for f in c[4] for s in f[:2]})
    except (OSError, subprocess.SubprocessError, ValueError):
        return History([], available=False)
    for sha, parents, date, subject, files in todo:
        chapters = []
        for old, new, old_path, new_path in files:
            found = compare(_load(blobs.get(old)), _load(blobs.get(new)), new_path or old_path)
            if found:
                chapters.append(found)
        chapters.sort(key=lambda c: c.key)
        known[sha] = Commit(sha, date, subject, chapters)
    if cache is not None and todo:
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        try:
            cache.parent.mkdir(exist_ok=True)
            with open(tmp, "wb") as fh:
                pickle.dump({"code": code, "commits": known}, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache)
        except OSError:                   # a read-only checkout still builds, only slower
            tmp.unlink(missing_ok=True)
    # A shallow clone's first commit has no parent here: its "changes" would be the whole handbook.
    commits = [known[sha] for sha, *_ in log if sha not in shallow and known[sha].chapters]
    return History(commits, available=bool(commits), complete=not shallow)


# ---------------------------------------------------------------- the page
def _marked(before: str, after: str) -> tuple[str, str]:
    """The two wordings with what was deleted and inserted marked, character by character."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    a, b = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            a.append(escape(before[i1:i2]))
            b.append(escape(after[j1:j2]))
            continue
        if i2 > i1:
            a.append(f"<del>{escape(before[i1:i2])}</del>")
        if j2 > j1:
            b.append(f"<ins>{escape(after[j1:j2])}</ins>")
    return "".join(a), "".join(b)


def _clause_html(change: ClauseChange, href: Optional[str]) -> str:
    where = f'<a href="{escape(href)}">{escape(change.label)}</a>' if href else escape(change.label)
    if change.before is None:
        what, rows = "新增", [("条文", f"<ins>{escape(change.after)}</ins>", "hb-rev-after")]
    elif change.after is None:
        what, rows = "删除", [("原条文", f"<del>{escape(change.before)}</del>", "hb-rev-before")]
    else:
        before, after = _marked(change.before, change.after)
        what, rows = "修改", [("修改前", before, "hb-rev-before"), ("修改后", after, "hb-rev-after")]
    body = "".join(f'<div class="{cls}"><span class="hb-rev-label">{label}</span><span class="hb-rev-text">{text}</span></div>'
                   for label, text, cls in rows)
    return f'<div class="hb-rev-clause"><p class="hb-rev-where">{where} <span class="hb-rev-what">{what}</span></p>{body}</div>'


def _chapters_label(chapters: list[ChapterChange]) -> str:
    names = [c.chapter for c in chapters]
    return "、".join(names) if len(names) <= 4 else "、".join(names[:3]) + f" 等 {len(names)} 章"


def page(handbook, hist: History, directory_urls: bool) -> str:
    parts = [
        "---", f"title: {TITLE}", "search:", "  exclude: true", "---", "",
        f"# {TITLE}", "",
        '<p class="hb-para">本页按时间从新到旧列出手册各章的每一次修改（取自版本库的提交记录），'
        "每项写明日期、章节、版本和修改说明；改动了条文的，列出修改前和修改后的文字，"
        '<del>删去的字</del>和<ins>新增的字</ins>另有标记。从上往下看到上次阅读的日期，就是这以后的全部修改。'
        "各章自己的修订记录在该章页面的末尾。</p>",
        "",
    ]
    if not hist.available:
        parts += ['<div class="admonition note hb-rev-none"><p class="admonition-title">无版本历史</p>'
                  "<p>本副本没有手册条目的版本库历史（例如直接复制的文件，或只下载了最新版本的克隆），"
                  "无法列出修改。各章的修订记录见各章页面的末尾。</p></div>", ""]
        return "\n".join(parts)
    if not hist.complete:
        parts += ['<div class="admonition note hb-rev-partial"><p class="admonition-title">版本历史不完整</p>'
                  "<p>本副本只下载了部分版本库历史，更早的修改没有列出。</p></div>", ""]
    for commit in hist.commits:
        parts += [f"## {escape(commit.date)} · {escape(_chapters_label(commit.chapters))} {{#r-{commit.sha[:10]}}}", ""]
        html = [f'<p class="hb-rev-meta">修改说明：<span class="hb-rev-message">{escape(commit.subject)}</span>'
                f' · 提交 <code>{escape(commit.sha[:7])}</code></p>']
        minor = []
        for ch in commit.chapters:
            proc = handbook.by_chapter.get(ch.chapter)
            href = relative(proc.page_path, SRC, directory_urls) if proc else None
            title = f"{ch.chapter} {ch.name}"
            title_html = f'<a href="{escape(href)}">{escape(title)}</a>' if href else escape(title)
            version = f'<span class="hb-rev-version">版本 {escape(ch.version)}</span>' if ch.version else ""
            if ch.status == "新增":
                count = f"（{ch.clause_count} 条条款）" if ch.clause_count else ""
                minor.append(f"<li>{title_html} {version} 新增本章{count}</li>")
                continue
            if ch.status == "删除":
                minor.append(f"<li>{title_html} {version} 删除本章</li>")
                continue
            if not ch.clauses:
                others = "、".join(ch.other) or "修订记录"
                note = f"（修订记录：{escape(ch.revision_note)}）" if ch.revision_note else ""
                minor.append(f"<li>{title_html} {version} 条文未改，改动了：{escape(others)}{note}</li>")
                continue
            block = [f'<div class="hb-rev-chapter" data-chapter="{escape(ch.chapter)}">'
                     f'<p class="hb-rev-title"><strong>{title_html}</strong> {version} '
                     f'<span class="hb-rev-status">{escape(ch.status)}</span></p>']
            if ch.revision_note:
                block.append(f'<p class="hb-rev-note">修订记录：{escape(ch.revision_note)}</p>')
            for c in ch.clauses:
                link = None
                if href and proc and c.after is not None and proc.clause(c.sid) is not None:
                    link = href + "#" + clause_anchor(c.sid)
                block.append(_clause_html(c, link))
            if ch.other:
                block.append(f'<p class="hb-rev-note">其他改动：{escape("、".join(ch.other))}</p>')
            block.append("</div>")
            html.append("".join(block))
        if minor:
            html.append(f'<ul class="hb-rev-minor">{"".join(minor)}</ul>')
        parts += ["\n".join(html), ""]
    return "\n".join(parts)
