"""Document control as data: who drafted (编制), reviewed (审核) and approved (批准) each chapter and form, and
its status in the workflow 草案 → 待审 → 现行 (→ 作废).

`check_chapter_control` is part of `handbook check`: a 现行 chapter has no draft clauses and cites only 现行 forms,
its header version is the last row of its revision table, and a clause added after the first issue (`added:
"1/1"`, 补写) names a later row of it; such text is not a draft but is approved with that version.
`check_form_control`: a form's version is the last row of its revision table. `approve` records a review or an
approval: it rewrites the few header lines it changes (comments and layout of the rest of the file untouched),
adds a row to the chapter's or form's revision table (a form's first row starts the table), and keeps the change
only if the whole handbook still passes `check`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import yaml

from . import messages as m
from .model import Handbook, Procedure
from .yaml_source import FAST_LOADER, SourceTree


# ---------------------------------------------------------------- check
def check_chapter_control(proc: Procedure, handbook: Handbook) -> list[m.Problem]:
    path = Path(proc.source)
    tree = SourceTree(path)
    problems = []
    if proc.revisions and proc.revisions[-1].version != proc.version_label:
        problems.append(m.Problem(m.RevisionTableBehind, path, tree.line("revisions", len(proc.revisions) - 1, "version"),
                                  {"chapter": proc.chapter, "version": proc.version_label,
                                   "last": proc.revisions[-1].version}))
    problems += _additions(proc, path, tree)
    if not proc.is_current:
        return problems
    drafts = [(loc, clause) for loc, clause in proc.clause_locations() if clause.draft]
    if drafts:                       # one problem, at the first draft clause: the rest are the same decision
        names = [c.sid or f"“{c.text[:10]}…”" for _, c in drafts]
        listed = "、".join(names[:5]) + (f" 等 {len(names)} 条" if len(names) > 5 else "")
        problems.append(m.Problem(m.CurrentWithDraftClause, path, tree.line(*drafts[0][0], "draft"),
                                  {"chapter": proc.chapter, "clause": listed}))
    for i, form_id in enumerate(proc.records or []):
        form = handbook.form_by_id.get(form_id)
        if form is not None and not form.is_current:
            problems.append(m.Problem(m.CurrentCitesDraftForm, path, tree.line("records", i),
                                      {"chapter": proc.chapter, "form": f"{form.number} {form.title}（{form.id}）",
                                       "status": form.status, "form_id": form.id}))
    return problems


def _additions(proc: Procedure, path: Path, tree: SourceTree) -> list[m.Problem]:
    """A 补写 clause names a version of the revision table after the first issue (text the first issue had
    is not an addition)."""
    versions = [r.version for r in proc.revisions]
    problems = []
    for loc, clause in proc.clause_locations():
        if clause.added is None or clause.added in versions[1:]:
            continue
        reason = "它是首次发布的版本" if clause.added == versions[0] else f"没有 {clause.added} 版"
        problems.append(m.Problem(m.AddedVersionUnknown, path, tree.line(*loc, "added"),
                                  {"chapter": proc.chapter, "clause": clause.sid or f"“{clause.text[:10]}…”",
                                   "added": clause.added, "reason": reason}))
    return problems


def check_form_control(form) -> list[m.Problem]:
    """A form's version is the last row of its revision table (when it has one)."""
    if not form.revisions or form.revisions[-1].version == form.version:
        return []
    path = Path(form.source)
    return [m.Problem(m.FormRevisionTableBehind, path,
                      SourceTree(path).line("revisions", len(form.revisions) - 1, "version"),
                      {"form": f"{form.number} {form.title}（{form.id}）", "version": form.version,
                       "last": form.revisions[-1].version})]


# ---------------------------------------------------------------- approve
class Refused(Exception):
    """The request cannot be carried out (exit code 2); the file is not touched."""


@dataclass
class Target:
    """The chapter or form `approve` was asked about, read from its file."""

    kind: str              # "chapter" or "form"
    id: str
    path: Path
    text: str
    data: dict

    @property
    def what(self) -> str:
        if self.kind == "chapter":
            return f"第 {self.id} 章《{self.data.get('title', '')}》"
        return f"表单 {self.data.get('number', '')}《{self.data.get('title', '')}》（{self.id}）"

    @property
    def version(self) -> str:
        if self.kind == "chapter":
            return f"{self.data.get('version')}/{self.data.get('revision')}"
        return str(self.data.get("version", "0/1"))


def find_target(root: Path, ident: str) -> Target:
    ident = ident.strip()
    candidates = []
    if re.fullmatch(r"\d+\.\d+", ident):
        candidates = [p for p in sorted((root / "procedures").glob(f"{ident}-*.y*ml"))]
        kind = "chapter"
    elif re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", ident):
        candidates = [p for p in (root / "forms" / f"{ident}.yaml", root / "forms" / f"{ident}.yml") if p.is_file()]
        kind = "form"
    if not candidates:
        raise Refused(f"找不到“{ident}”：请写章节号（如 3.8）或表单编号（如 complaint-log，见 handbook forms list）。")
    path = candidates[0]
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.load(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict) or (kind == "chapter" and str(data.get("chapter")) != ident):
        raise Refused(f"{path.name} 无法读取或内容有误，请先运行 handbook check 改正。")
    return Target(kind, ident, path, text, data)


def _signed(value) -> Optional[str]:
    return value.get("name") if isinstance(value, dict) and value.get("name") else None


def plan(target: Target, by: str, review: bool, date: str) -> tuple[dict, Optional[dict], str]:
    """What recording this step changes: (header keys → new values, revision row or None, what to say).
    Raises Refused for an illegal step."""
    status = target.data.get("status", "草案")
    reviewer = _signed(target.data.get("reviewed"))
    step = "审核" if review else "批准"
    if status in ("现行", "作废"):
        raise Refused(f"{target.what}的状态是“{status}”，不能再{step}。"
                      + ("修订时先把状态改为“草案”，改好后再送审。" if status == "现行" else ""))
    signoff = {"name": by, "date": date}
    if review:
        if status == "待审" and reviewer:
            raise Refused(f"{target.what}已由 {reviewer} 审核，正等待批准；不能重复审核。"
                          "如需重新审核，请先把状态改回“草案”并删去“审核”。")
        changes = {"status": "待审", "reviewed": signoff}
        row = {"version": target.version, "date": date, "change": f"审核通过，送批准（审核：{by}）"}
        return changes, row, f"已记录审核：{target.what}，审核人 {by}，状态改为“待审”（等待批准）。"
    if status == "草案" or not reviewer:
        raise Refused(f"{target.what}尚未审核（状态“{status}”），不能批准：请先由审核人运行 "
                      f"handbook approve {target.id} --by 姓名 --review。")
    if reviewer == by:
        raise Refused(f"{target.what}由 {by} 审核，批准须由另一人签署。")
    changes: dict = {"status": "现行", "approved": signoff}
    version = target.version
    if target.kind == "chapter":
        if target.data.get("version") == 0:            # a first draft is issued as 1/0
            changes |= {"version": 1, "revision": 0}
            version = "1/0"
        if version != target.version or not target.data.get("effective"):
            changes |= {"issued": date, "effective": date}     # a version takes effect when approved
    elif version.startswith("0/"):
        version = "1/0"
        changes["version"] = version
    row = {"version": version, "date": date, "change": f"批准发布（批准：{by}）"}
    said = f"已记录批准：{target.what}，批准人 {by}，版本 {version}，状态改为“现行”。"
    if target.data.get("note"):
        said += "本章有说明（note），请核对其中关于审批的文字是否需要更新。"
    return changes, row, said


# ----- writing the YAML in place: only the lines of the keys that change
ORDER = ("version", "revision", "issued", "effective", "status", "prepared", "reviewed", "approved")
TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


PLAIN = re.compile(r"^[\u4e00-\u9fff][^:#{}\[\],&*!|>'\"%@`]*$")


def _scalar(value) -> str:
    """As the files write them: Chinese words plain (status: 现行), dates and version numbers quoted."""
    if isinstance(value, int):
        return str(value)
    if PLAIN.match(value) and value == value.strip():
        return value
    return json.dumps(value, ensure_ascii=False)        # a JSON string is a YAML double-quoted scalar


def _render(key: str, value) -> list[str]:
    if isinstance(value, dict):
        inner = ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items())
        return [f"{key}: {{{inner}}}"]
    return [f"{key}: {_scalar(value)}"]


def _blocks(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Top-level key → (first line, end line) of its block: the key line and the indented lines after it."""
    starts = [(i, TOP_KEY.match(line).group(1)) for i, line in enumerate(lines) if TOP_KEY.match(line)]
    blocks = {}
    for n, (i, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        while end > i + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")) \
                and not lines[end - 1].startswith((" ", "\t")):
            end -= 1                                   # blank lines and column-0 comments belong to what follows
        blocks.setdefault(key, (i, end))
    return blocks


def edit_text(text: str, changes: dict, row: Optional[dict]) -> str:
    lines = text.split("\n")
    for key, value in changes.items():
        blocks = _blocks(lines)
        new = _render(key, value)
        if key in blocks:
            start, end = blocks[key]
            lines[start:end] = new
            continue
        # a new key goes after the nearest key before it in ORDER that the file has, else after `status`/`version`
        before = [k for k in ORDER[:ORDER.index(key)] if k in blocks] if key in ORDER else []
        anchor = blocks[before[-1]][1] if before else (blocks.get("status") or blocks.get("version") or (0, 0))[1]
        lines[anchor:anchor] = new
    if row is not None:
        if "revisions" not in _blocks(lines):          # a form's first row: the table goes after its header keys
            blocks = _blocks(lines)
            anchor = max(blocks[k][1] for k in ORDER if k in blocks)
            lines[anchor:anchor] = ["revisions:"]
        start, end = _blocks(lines)["revisions"]
        items = [line for line in lines[start + 1:end] if line.lstrip().startswith("- ")]
        indent = (len(items[0]) - len(items[0].lstrip())) if items else 2
        pad = " " * indent
        last = end
        while last > start + 1 and not lines[last - 1].strip():
            last -= 1
        lines[last:last] = [f"{pad}- version: {_scalar(row['version'])}",
                            f"{pad}  date: {_scalar(row['date'])}",
                            f"{pad}  change: {_scalar(row['change'])}"]
    return "\n".join(lines)


def _expected(data: dict, changes: dict, row: Optional[dict]) -> dict:
    out = dict(data) | changes
    if row is not None:
        out["revisions"] = [*data.get("revisions", []), row]
    return out


def write_atomic(path: Path, text: str) -> None:
    """Whole or not at all: a temporary file beside it, flushed, then renamed over it (its mode kept)."""
    mode = path.stat().st_mode & 0o777
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parse_date(value: Optional[str]) -> str:
    if value is None:
        return dt.date.today().isoformat()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise Refused(f"日期“{value}”不对，应写成 YYYY-MM-DD，如 {dt.date.today().isoformat()}。") from None


def approve(root: Path, ident: str, by: Optional[str], review: bool, date: Optional[str],
            check: Callable[[], Optional[m.ProblemsFound]]) -> tuple[int, str]:
    """(exit code, message). check() loads the whole handbook and returns its problems, or None."""
    try:
        if by is None or not by.strip():
            raise Refused("请用 --by 写明" + ("审核人" if review else "批准人") + "的姓名，例如 --by 张三。")
        by = by.strip()
        if len(by) > 20 or re.search(r"[\s{}\[\]:#,\"'`<>&|]", by):
            raise Refused(f"姓名“{by}”不合适：只写姓名（不超过20个字，不含空格和标点）。")
        when = parse_date(date)
        target = find_target(root, ident)
        changes, row, said = plan(target, by, review, when)
    except Refused as exc:
        return 2, f"未记录：{exc}"
    new_text = edit_text(target.text, changes, row)
    try:
        reread = yaml.load(new_text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        reread = None
    if reread != _expected(target.data, changes, row):
        return 2, f"未记录：{target.path.name} 的写法特殊，无法只改动这几行而不影响其他内容；请手工修改。"
    write_atomic(target.path, new_text)
    problems = check()
    if problems is not None:
        write_atomic(target.path, target.text)          # back as it was
        step = "审核" if review else "批准"
        return 1, f"未记录：记下这次{step}后，手册无法通过检查，{target.path.name} 已恢复原样。\n{problems.report(root)}"
    return 0, said
