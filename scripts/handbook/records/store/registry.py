"""The 管理处 registry: which 管理处 exist, which record forms each owes, which months may be filed.

Defined once, in sites.yml. A data directory may carry its own sites.yml (sample and test stores
hold fictional 管理处); otherwise the project's sites.yml beside organisation.yml is used. Every
entry point (ingest, uploads, user accounts, sample) asks this module, so a typo never becomes a
new 管理处 and a mistyped month never becomes data.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ... import messages as m
from ...yaml_source import FAST_LOADER

FILE = "sites.yml"
SUFFIX = "管理处"
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# Letters, digits, CJK and a little punctuation: nothing Markdown or HTML could act on.
NAME = re.compile(r"^[0-9A-Za-z\u3400-\u9fff（）()·\-]{1,40}$")


class RegistryError(Exception):
    """A Chinese message for the user; nothing has been changed."""


def well_formed(value: str) -> str:
    """A month written 年-月 (any year): for commands that must reach months outside the filing range."""
    value = (value or "").strip()
    if not MONTH.match(value):
        raise RegistryError(m.BadMonth.render(value=value[:20]))
    return value


@dataclass(frozen=True)
class Site:
    name: str
    forms: tuple[str, ...]
    households: int | None = None       # 总户数, the base of per-household rates (3.19#4.3.13)


@dataclass
class Registry:
    sites: list[Site]
    first_month: str
    path: Path
    by_name: dict[str, Site] = field(init=False)

    def __post_init__(self):
        self.by_name = {s.name: s for s in self.sites}

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sites]

    def site(self, name: str) -> Site:
        """The registered 管理处, or RegistryError naming the known ones and the nearest match."""
        name = (name or "").strip()
        if name in self.by_name:
            return self.by_name[name]
        # compare without the common suffix, or every "…管理处" would look alike
        stems = {n.removesuffix(SUFFIX): n for n in self.names}
        near = difflib.get_close_matches(name.removesuffix(SUFFIX), list(stems), n=1, cutoff=0.6) if name else []
        hint = m.SiteSuggestion.render(name=stems[near[0]]) if near else ""
        raise RegistryError(m.SiteUnknown.render(value=name[:60], hint=hint,
                                                          known="、".join(self.names) or "（无）", path=self.path.name))

    def owes(self, site: str, form: str) -> bool:
        return site in self.by_name and form in self.by_name[site].forms

    def last_month(self, today: dt.date | None = None) -> str:
        return (today or dt.date.today()).strftime("%Y-%m")

    def months(self, today: dt.date | None = None) -> list[str]:
        """Every month that may be filed, oldest first."""
        out, (y, mo) = [], map(int, self.first_month.split("-"))
        last = self.last_month(today)
        while f"{y}-{mo:02d}" <= last:
            out.append(f"{y}-{mo:02d}")
            y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
        return out

    def month(self, value: str, today: dt.date | None = None) -> str:
        """The month if it may be filed, else RegistryError saying which months may."""
        value = well_formed(value)
        last = self.last_month(today)
        if not self.first_month <= value <= last:
            raise RegistryError(m.MonthOutOfRange.render(value=value, first=self.first_month, last=last))
        return value


def registry_path(root: Path, data_dir: Path | None = None) -> Path:
    own = Path(data_dir) / FILE if data_dir is not None else None
    return own if own is not None and own.exists() else Path(root) / FILE


def load_registry(root: Path, data_dir: Path | None = None, record_forms=()) -> Registry:
    """Read and check sites.yml; record_forms (the model's record forms) gives each site's forms."""
    path = registry_path(root, data_dir)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    except OSError:
        raise RegistryError(m.RegistryInvalid.render(path=path, detail="找不到文件或无法读取"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"第 {line + 1} 行" if line is not None else "文件"
        raise RegistryError(m.RegistryInvalid.render(path=path, detail=f"{where} YAML 语法错误"))
    return parse_registry(data, path, record_forms)


def parse_registry(data, path: Path, record_forms=()) -> Registry:
    def bad(detail: str):
        raise RegistryError(m.RegistryInvalid.render(path=path, detail=detail))

    if not isinstance(data, dict) or not isinstance(data.get("sites"), list) or not data["sites"]:
        bad("应有 sites: 列出至少一个管理处")
    unknown = set(data) - {"first_month", "sites"}
    if unknown:
        bad(f"不认识的设置 {'、'.join(sorted(map(str, unknown)))}")
    first = str(data.get("first_month", ""))
    if not MONTH.match(first):
        bad("first_month 应写成“年-月”，如 2025-01（最早可报送的月份）")
    owed = {f.id: f.due for f in record_forms}
    sites, seen = [], set()
    for i, entry in enumerate(data["sites"], 1):
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or set(entry) - {"name", "pool", "skip", "households"}:
            bad(f"第 {i} 个管理处应写 name（名称），可选 pool（有泳馆：是/否）、skip（不报送的记录表）、"
                "households（总户数）")
        name = str(entry.get("name", "")).strip()
        if not NAME.match(name):
            bad(f"第 {i} 个管理处名称“{name[:40]}”不合适：只能用汉字、字母、数字和括号，不超过40个字")
        if name in seen:
            bad(f"管理处“{name}”写了两次")
        seen.add(name)
        skip = entry.get("skip") or []
        if not isinstance(skip, list) or (owed and any(s not in owed for s in skip)):
            bad(f"管理处“{name}”的 skip 应列出记录表编号（如 complaint-log）")
        pool = entry.get("pool", False)
        if not isinstance(pool, bool):
            bad(f"管理处“{name}”的 pool 应为 true 或 false")
        households = entry.get("households")
        if households is not None and (type(households) is not int or not 0 < households <= 1_000_000):
            bad(f"管理处“{name}”的 households（总户数）应为正整数")
        forms = tuple(fid for fid, due in owed.items()
                      if (due == "monthly" or (due == "pool" and pool)) and fid not in skip)
        sites.append(Site(name, forms, households))
    return Registry(sites, first, path)


def write_registry(path: Path, names: list[str], first_month: str, pool: set[str] = frozenset(),
                   comment: str = "", households: dict[str, int] | None = None) -> None:
    """Write a registry file (used by `handbook sample` for its fictional 管理处)."""
    households = households or {}
    entries = [{"name": n, **({"pool": True} if n in pool else {}),
                **({"households": households[n]} if n in households else {})} for n in names]
    text = (f"# {comment}\n" if comment else "") + yaml.safe_dump(
        {"first_month": first_month, "sites": entries}, allow_unicode=True, sort_keys=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
