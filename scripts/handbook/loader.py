"""Load and validate the whole procedures/ tree once; publishers read the result.

Every problem is collected (not just the first) with its file and line, in
Chinese, so `handbook check` can list them all.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml
from pydantic import ValidationError

from . import messages as m
from .model import KIND_LABELS, REFERENCE, Procedure
from .organisation import Organisation, load_organisation

FILE_NAME = re.compile(r"^(\d+\.\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)\.ya?ml$")

FIELD_LABELS = {
    "chapter": "章节号", "title": "标题", "toc_title": "目录名称", "subject": "主题",
    "category": "类别", "kind": "条目类型", "version": "版本", "revision": "修订",
    "issued": "发布日期", "effective": "生效日期", "status": "状态", "owner": "负责岗位",
    "revisions": "修订记录", "purpose": "目的", "scope": "适用范围",
    "responsibilities": "职责", "procedure": "程序", "records": "记录",
    "duties": "职责列表", "rules": "规范条文", "org": "结构图", "text": "条文",
    "n": "编号", "form": "表单编号", "date": "日期", "change": "修改内容",
    "number": "表单编号", "fields": "栏目", "label": "中文列名", "type": "类型",
    "primary_key": "主键", "paper": "打印设置", "checklist": "检查表", "id": "编号",
    "required": "必填", "enum": "可选值", "pattern": "格式", "min": "最小值", "max": "最大值",
    "due": "报送要求", "statistics": "统计依据", "personal": "个人信息",
}


VALUE_ERRORS = {
    "bad-pattern": "正则表达式写错了",
    "enum-needs-string": "只有文字（string）栏目可以设可选值",
    "range-needs-number": "只有数字（integer/number）栏目可以设最小值、最大值",
}


@dataclass
class Handbook:
    """The validated handbook: organisation settings plus procedures in 目录 order."""

    root: Path
    organisation: Organisation
    procedures: list[Procedure]
    forms: list = field(default_factory=list)
    by_chapter: dict[str, Procedure] = field(default_factory=dict)
    form_by_id: dict = field(default_factory=dict)

    def __post_init__(self):
        self.procedures.sort(key=lambda p: p.key)
        self.by_chapter = {p.chapter: p for p in self.procedures}
        self.forms.sort(key=lambda f: (tuple(int(x) for x in f.chapter.split(".")), f.number))
        self.form_by_id = {f.id: f for f in self.forms}

    def record_forms(self) -> list:
        return [f for f in self.forms if f.is_record]

    def procedures_using(self, form) -> list[Procedure]:
        """The owning procedure first, then every other procedure that keeps this record."""
        owner = self.by_chapter.get(form.chapter)
        users = [p for p in self.procedures if form.id in (p.records or []) and p is not owner]
        return ([owner] if owner else []) + users

    def by_category(self) -> list[tuple[str, list[Procedure]]]:
        return [
            (cat, [p for p in self.procedures if p.category == cat])
            for cat in self.organisation.categories
            if any(p.category == cat for p in self.procedures)
        ]

    def resolve(self, chapter: str, clause: Optional[str] = None):
        proc = self.by_chapter.get(chapter)
        if proc is None or clause is None:
            return proc, None
        return proc, proc.clause(clause)


# ---------------------------------------------------------------- lines
def _line_of(node: yaml.Node | None, loc: tuple) -> Optional[int]:
    """Follow a pydantic error location through the composed YAML nodes."""
    if node is None:
        return None
    best = node
    for key in loc:
        if isinstance(best, yaml.MappingNode):
            nxt = next((v for k, v in best.value if k.value == key), None)
            if nxt is None:
                # the key itself is the problem (unknown field) or missing: point at the mapping
                knode = next((k for k, _ in best.value if k.value == key), None)
                return (knode or best).start_mark.line + 1
            best = nxt
        elif isinstance(best, yaml.SequenceNode) and isinstance(key, int) and key < len(best.value):
            best = best.value[key]
        else:
            break
    return best.start_mark.line + 1


def _field_label(loc: tuple) -> str:
    parts = []
    for key in loc:
        if isinstance(key, int):
            parts.append(f"第{key + 1}项")
        else:
            parts.append(FIELD_LABELS.get(key, key) + (f"（{key}）" if key in FIELD_LABELS else ""))
    return " → ".join(parts) or "文件"


def problem_from_pydantic(path: Path, root: yaml.Node, err: dict[str, Any]) -> m.Problem:
    loc = tuple(k for k in err["loc"] if k not in ("function-after",))
    line = _line_of(root, loc)
    etype = err["type"]
    label = _field_label(loc)
    value = err.get("input")
    if etype == "missing":
        return m.Problem(m.MissingField, path, line, {"field": label})
    if etype == "extra_forbidden":
        return m.Problem(m.UnknownField, path, line, {"field": label})
    if etype in ("literal_error", "enum"):
        expected = err.get("ctx", {}).get("expected", "")
        return m.Problem(m.BadChoice, path, line, {"field": label, "value": value, "choices": expected.replace("'", "").replace(" or ", "、").replace(", ", "、")})
    msg = err.get("msg", "")
    if etype == "value_error" and "missing-for-kind:" in msg:
        fields = msg.split("missing-for-kind:")[1].split(",")
        kind = value.get("kind") if isinstance(value, dict) else ""
        names = "、".join(f"{FIELD_LABELS.get(f, f)}（{f}）" for f in fields)
        return m.Problem(m.MissingForKind, path, line, {"kind_label": KIND_LABELS.get(kind, kind), "field": names})
    if etype == "value_error":
        for code, reason in VALUE_ERRORS.items():
            if code in msg:
                return m.Problem(m.BadValue, path, line, {"field": label, "value": "…", "reason": reason})
    reasons = {
        "string_pattern_mismatch": "格式不对" + _pattern_hint(loc),
        "string_type": "应为文字",
        "string_too_short": "不能为空",
        "int_type": "应为整数",
        "int_parsing": "应为整数",
        "greater_than_equal": "不能为负数",
        "list_type": "应为列表（每项以“- ”开头）",
        "too_short": "至少需要一项",
        "model_type": "应为“字段: 值”的形式",
        "bool_type": "应为 true 或 false",
        "dict_type": "应为“字段: 值”的形式",
    }
    reason = reasons.get(etype, err.get("msg", "取值不合法"))
    if etype == "string_type" and isinstance(value, bool):
        reason = "YAML 把 no、yes、on、off 读成了是/否，请给这个值加引号，例如 \"no\""
    shown = value if not isinstance(value, (dict, list)) else "…"
    return m.Problem(m.BadValue, path, line, {"field": label, "value": shown, "reason": reason})


def _pattern_hint(loc: tuple) -> str:
    last = loc[-1] if loc else ""
    return {
        "chapter": "，应写成带引号的“3.1”形式",
        "issued": "，应为 YYYY、YYYY-MM 或 YYYY-MM-DD",
        "effective": "，应为 YYYY、YYYY-MM 或 YYYY-MM-DD",
        "date": "，应为 YYYY、YYYY-MM 或 YYYY-MM-DD",
        "version": "，应写成“1/0”",
        "form": "，表单编号只用小写英文字母、数字和连字符，如 handover-log",
        "id": "，只用字母、数字、点和连字符",
    }.get(last, "")


# ---------------------------------------------------------------- loading
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

def load_yaml(path: Path, model):
    """Read one YAML file (safe loader only) into a pydantic model, or return its problems."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [m.Problem(m.FileUnreadable, path, None, {"detail": str(exc)})]
    try:
        # libyaml when built in: the same safe schema, ~10× faster, and YAML parsing was most of the start-up
        # time of every command. Syntax errors are re-read with the pure-Python loader so that messages and
        # line numbers stay what they were.
        data = yaml.load(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            detail = getattr(exc, "problem", None) or str(exc)
            return None, [m.Problem(m.YamlSyntax, path, mark.line + 1 if mark else None, {"detail": detail})]
    if not isinstance(data, dict):
        actual = "空文件" if data is None else "列表或单个值"
        return None, [m.Problem(m.NotAMapping, path, 1, {"actual": actual})]
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        node = yaml.compose(text, Loader=yaml.SafeLoader)     # only for the line numbers of the problems
        return None, [problem_from_pydantic(path, node, e) for e in exc.errors()]
    item._source = str(path)
    return item, []


def load_file(path: Path) -> tuple[Optional[Procedure], list[m.Problem]]:
    return load_yaml(path, Procedure)


def _git_dates(folder: Path) -> dict[str, str]:
    """Last commit date of every file under folder, in one git call."""
    try:
        out = subprocess.run(
            ["git", "log", "--format=@%cs", "--name-only", "--", "."],
            cwd=folder, capture_output=True, text=True, timeout=30, check=True,
        ).stdout
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=folder,
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    dates: dict[str, str] = {}
    current = ""
    for line in out.splitlines():
        if line.startswith("@"):
            current = line[1:]
        elif line.strip():
            dates.setdefault(str((Path(top) / line.strip()).resolve()), current)
    return dates


CACHE = Path(".cache") / "handbook-model.pickle"


def _fingerprint(root: Path, procedures_dir: str, organisation_file: str, forms_dir: str) -> bytes:
    """A digest of everything load_handbook reads (file contents, not times: an edit within the same
    clock tick must not hit a stale model), this package's code, and git's HEAD (for _git_dates)."""
    digest = hashlib.blake2b(digest_size=20)
    package = Path(__file__).parent
    files = [root / organisation_file, *sorted((root / procedures_dir).glob("*")), *sorted((root / forms_dir).glob("*")),
             *sorted(package.rglob("*.py"))]
    git = root / ".git"
    head = git / "HEAD"
    if head.is_file():
        files.append(head)
        ref = head.read_text(encoding="utf-8", errors="replace").strip()
        if ref.startswith("ref: "):
            files += [git / ref[5:], git / "packed-refs"]
    for path in files:
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes() if path.is_file() else b"-")
        except OSError:
            digest.update(b"?")
    return digest.digest()


def load_handbook(root: Path, procedures_dir: str = "procedures",
                  organisation_file: str = "organisation.yml", forms_dir: str = "forms") -> Handbook:
    """Load everything; raise ProblemsFound listing every problem.

    A handbook without problems is kept in .cache/ under a digest of its sources, so the next command
    (validate, report, a rebuild under serve) unpickles it in 20 ms instead of parsing 96 YAML files."""
    root = Path(root)
    key = _fingerprint(root, procedures_dir, organisation_file, forms_dir)
    cache = root / CACHE
    try:
        with open(cache, "rb") as fh:
            if fh.read(len(key)) == key:
                return pickle.load(fh)
    except Exception:                     # missing, unreadable or from another version: load afresh
        pass
    handbook = _load_handbook(root, procedures_dir, organisation_file, forms_dir)
    tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(key)
            pickle.dump(handbook, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)           # whole or not at all, also with two commands at once
    except Exception:                     # a read-only checkout still works, only slower
        tmp.unlink(missing_ok=True)
    return handbook


def _load_handbook(root: Path, procedures_dir: str, organisation_file: str, forms_dir: str) -> Handbook:
    org = load_organisation(root / organisation_file)
    folder = root / procedures_dir
    files = sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml"))
    if not files:
        raise m.ProblemsFound([m.Problem(m.NoProcedures, folder, None, {"path": folder})])

    problems: list[m.Problem] = []
    procs: list[Procedure] = []
    seen: dict[str, Path] = {}
    dates = _git_dates(folder)
    for path in files:
        proc, errs = load_file(path)
        problems += errs
        match = FILE_NAME.match(path.name)
        if not match:
            problems.append(m.Problem(m.BadFileName, path, None, {}))
        if proc is None:
            continue
        if match and match.group(1) != proc.chapter:
            problems.append(m.Problem(m.ChapterMismatch, path, 1, {"chapter": proc.chapter}))
        proc._slug = match.group(2) if match else re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
        proc._last_changed = dates.get(str(path.resolve()))
        if proc.chapter in seen:
            problems.append(m.Problem(m.DuplicateChapter, path, 1, {"chapter": proc.chapter, "other": seen[proc.chapter].name}))
            continue
        seen[proc.chapter] = path
        problems += _check_local(proc, path, org)
        procs.append(proc)

    from .forms.loader import check_forms, load_forms

    forms, form_problems = load_forms(root / forms_dir)
    problems += form_problems
    handbook = Handbook(root=root, organisation=org, procedures=procs, forms=forms)
    for proc in procs:
        problems += _check_references(proc, handbook)
    problems += check_forms(handbook)
    if problems:
        raise m.ProblemsFound(problems)
    return handbook


def line_finder(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()

    def find(needle: str, start: int = 1) -> Optional[int]:
        for i, line in enumerate(lines[start - 1:], start):
            if needle in line:
                return i
        return find(needle) if start > 1 else None
    return find


def _check_local(proc: Procedure, path: Path, org: Organisation) -> list[m.Problem]:
    find = line_finder(path)
    problems = []
    if proc.owner not in org.roles:
        problems.append(m.Problem(m.UnknownRole, path, find("owner:"), {"role": proc.owner, "choices": "、".join(org.roles)}))
    if proc.category not in org.categories:
        problems.append(m.Problem(m.UnknownCategory, path, find("category:"), {"category": proc.category, "choices": "、".join(org.categories)}))
    seen: set[str] = set()
    for clause in proc.clauses():
        if not clause.sid:
            continue
        if clause.sid in seen:
            problems.append(m.Problem(m.DuplicateClause, path, find(f'"{clause.n}"') if clause.n else None, {"clause": clause.sid}))
        seen.add(clause.sid)
    return problems


def _check_references(proc: Procedure, handbook: Handbook) -> list[m.Problem]:
    path = Path(proc.source)
    find = line_finder(path)
    problems = []
    texts = [(c.sid or "正文", c.text, find(f'"{c.n}"') if c.n else 1) for c in proc.clauses()]
    texts += [(f"{c.sid or '正文'} 待修订", c.review, find(f'"{c.n}"') if c.n else 1) for c in proc.clauses() if c.review]
    texts += [("1.0", proc.purpose or "", 1), ("2.0", proc.scope or "", 1)]
    # 校注 are published too (on the 校勘记 page), with their references as links
    texts += [(f"{note.sid or '全章'} 校注", note.text, find(f'"{note.clause.n}"') if note.clause and note.clause.n else 1)
              for note in proc.collation_notes()]
    for sid, text, start in texts:
        for match in REFERENCE.finditer(text):
            chapter, clause = match.group(1), match.group(2)
            target_proc, target_clause = handbook.resolve(chapter, clause)
            what = None
            if target_proc is None:
                what = f"章节 {chapter} "
            elif clause and target_clause is None:
                what = f"章节 {chapter} 中的条款 {clause} "
            if what:
                problems.append(m.Problem(m.BrokenReference, path, find(match.group(0), start or 1),
                                          {"clause": f"{proc.chapter}#{sid}", "target": match.group(0)[2:-2], "what": what}))
    return problems
