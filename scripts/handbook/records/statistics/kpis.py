"""KPI, count and carry-over definitions (data/kpis.yml), checked against the handbook on load."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ... import messages as m
from ...loader import FAST_LOADER
from .items import BUILDERS

KPI_FILE = Path("data/kpis.yml")
CLAUSE = r"^\d+\.\d+#[0-9A-Za-z.\-]+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Target(_Strict):
    op: Literal[">=", "<="] = ">="
    value: float

    @property
    def display(self) -> str:
        return f"{'≥' if self.op == '>=' else '≤'}{self.value:g}%" if self.value != 100 or self.op != ">=" else "100%"


class Compute(_Strict):
    method: Literal["timely", "share", "amount", "arrival", "per-households"]
    items: Optional[str] = None
    count: Optional[Literal["done-by-cutoff", "on-time"]] = None
    where: dict[str, list[str]] = {}
    date: Optional[str] = None
    numerator_where: dict[str, list[str]] = {}
    latest_per: list[str] = []
    month_where: dict[str, dict[str, list[str]]] = {}
    month_field: Optional[str] = None
    months: Literal["month", "year-to-date"] = "month"     # amount: the month's rows, or January to the month
    paid: list[str] = []            # amount: the paid columns (the largest counts, never above due)
    settled: Optional[str] = None   # amount: a date column; settled by the month's end counts as paid in full
    due: Optional[str] = None

    @field_validator("paid", mode="before")
    @classmethod
    def _one_or_more(cls, value):
        return [value] if isinstance(value, str) else value


class Kpi(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    form: str
    numerator: str
    denominator: str
    grouping: list[str] = ["管理处", "全公司"]
    breakdown: Optional[str] = None
    target: Optional[Target]
    clause: str = Field(pattern=CLAUSE)
    definition: str = Field(pattern=CLAUSE)
    compute: Compute


class Count(_Strict):
    id: str
    title: str
    form: str
    date: str
    by: Optional[str] = None
    where: dict[str, list[str]] = {}
    sum: Optional[str] = None
    labels: dict[str, str] = {}
    clause: str = Field(pattern=CLAUSE)


class Carryover(_Strict):
    form: str
    items: str


class Definitions(_Strict):
    kpis: list[Kpi]
    counts: list[Count] = []
    carryover: list[Carryover] = []

    def kpi(self, kpi_id: str) -> Kpi | None:
        return next((k for k in self.kpis if k.id == kpi_id), None)


class KpiDefinitionError(Exception):
    def __init__(self, path: Path, details: list[str]):
        super().__init__("; ".join(details))
        self.path, self.details = path, details

    def report(self) -> str:
        return "\n".join(m.KpiDefinitionProblem.render(path=self.path, detail=d) for d in self.details)


def load_definitions(handbook, path: Path | None = None) -> Definitions:
    path = Path(path) if path else Path(handbook.root) / KPI_FILE
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise KpiDefinitionError(path, [f"无法读取（{exc}）"])
    try:
        defs = Definitions.model_validate(data)
    except ValidationError as exc:
        raise KpiDefinitionError(path, [f"{'.'.join(map(str, e['loc']))}：{e['msg']}" for e in exc.errors()])
    problems = check(defs, handbook)
    if problems:
        raise KpiDefinitionError(path, problems)
    return defs


def _clause_ok(handbook, ref: str) -> bool:
    chapter, _, sid = ref.partition("#")
    proc, clause = handbook.resolve(chapter, sid)
    return proc is not None and clause is not None


def check(defs: Definitions, handbook) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()

    def form_of(owner: str, form_id: str):
        form = handbook.form_by_id.get(form_id)
        if form is None or not form.is_record:
            problems.append(f"{owner}：表单“{form_id}”不存在或不是记录表")
            return None
        return form

    def fields_exist(owner: str, form, ids, personal_ok: bool = True):
        for fid in ids:
            f = form.field(fid)
            if f is None:
                problems.append(f"{owner}：表单“{form.id}”没有栏目“{fid}”")
            elif not personal_ok and f.personal:
                problems.append(f"{owner}：栏目“{f.label}”是个人信息，不能用于分组")

    for k in defs.kpis:
        owner = f"指标 {k.id}（{k.title}）"
        if k.id in seen:
            problems.append(f"{owner}：编号重复")
        seen.add(k.id)
        for ref in (k.clause, k.definition):
            if not _clause_ok(handbook, ref):
                problems.append(f"{owner}：条款“{ref}”在手册中不存在")
        form = form_of(owner, k.form)
        if form is None:
            continue
        c = k.compute
        ids = list(c.where) + list(c.numerator_where) + list(c.latest_per)
        ids += [f for f in (c.date, c.month_field, *c.paid, c.settled, c.due) if f]
        ids += [fid for w in c.month_where.values() for fid in w]
        fields_exist(owner, form, ids)
        if k.breakdown:
            fields_exist(owner, form, [k.breakdown], personal_ok=False)
        if c.method in ("timely", "arrival") and c.items not in BUILDERS:
            problems.append(f"{owner}：事项取法“{c.items}”不存在，可选：{'、'.join(BUILDERS)}")
        if c.method == "timely" and c.count is None:
            problems.append(f"{owner}：时效类指标须写 count（done-by-cutoff 或 on-time）")
        if c.method in ("share", "per-households") and not c.date:
            problems.append(f"{owner}：比例指标须写 date")
        if c.method == "amount" and not (c.month_field and c.paid and c.due):
            problems.append(f"{owner}：金额比指标须写 month_field、paid 和 due")
    for cnt in defs.counts:
        owner = f"业务量 {cnt.id}（{cnt.title}）"
        if not _clause_ok(handbook, cnt.clause):
            problems.append(f"{owner}：条款“{cnt.clause}”在手册中不存在")
        form = form_of(owner, cnt.form)
        if form is not None:
            fields_exist(owner, form, [cnt.date, *cnt.where, *([cnt.sum] if cnt.sum else [])])
            if cnt.by:
                fields_exist(owner, form, [cnt.by], personal_ok=False)
    for co in defs.carryover:
        owner = f"跨月事项 {co.form}"
        form_of(owner, co.form)
        if co.items not in BUILDERS:
            problems.append(f"{owner}：事项取法“{co.items}”不存在")
    return problems
