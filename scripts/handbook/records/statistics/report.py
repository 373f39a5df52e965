"""The 月度统计 of one month: KPIs per 管理处 and company-wide, counts, carry-over, submissions.

Company-wide ratios add the 管理处 numerators and denominators first (3.19#4.1.3).
Nothing here reads a personal field: rows are reduced to counts, sums and record numbers.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from .cache import CachedCalculator
from .compute import Calculator, Measure, met, percent_text, previous_month, rounded
from .dataset import Dataset
from .items import SOURCES
from .kpis import Definitions, load_definitions
from ..store.registry import RegistryError, load_registry
from ..store.catalogue import Store
from .workdays import WORKDAYS_FILE, Calendar

COMPANY = "全公司"
NOT_FILED = "未报送"
CARRY_LABELS = {
    "brought_forward": "前期遗留", "new": "本月新增", "completed": "本月完成", "cancelled": "本月取消",
    "open_at_end": "期末未完成", "completion_rate": "完成率", "overdue_open": "超时未完成", "in_transit": "在途",
}


def _money(value) -> float | int:
    if isinstance(value, Decimal):
        return float(value.quantize(Decimal("0.01")))
    return value


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value.quantize(Decimal("0.01")))


def _fraction(kpi, measure: Measure) -> str:
    """分子 / 分母 as shown: amounts in 元 with two decimals (3.19#4.1.6), counts as whole numbers."""
    if kpi.compute.method == "amount":
        return f"{measure.numerator:,.2f} / {measure.denominator:,.2f} 元"
    return f"{_number(measure.numerator)} / {_number(measure.denominator)}"


def filing_deadline(month: str, calendar: Calendar) -> dt.datetime:
    """3.19#4.6.1: the templates are handed in by 17:00 on the 3rd of the next month; a deadline on a
    holiday moves to the next working day (3.19#4.6.5)."""
    y, mo = map(int, month.split("-"))
    day = dt.date(y + (mo == 12), 1 if mo == 12 else mo + 1, 3)
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(17, 0))


def filing_state(month: str, calendar: Calendar, closed: dict | None, now: dt.datetime | None = None) -> str:
    if closed is not None:
        return "已关账"
    return "已截止" if (now or dt.datetime.now()) > filing_deadline(month, calendar) else "报送中"


@contextmanager
def no_cycle_collection():
    """Parsed rows, 事项 and measures are hundreds of thousands of small objects without reference cycles;
    Python's cycle collector kept rescanning them (a fifth of a 50-管理处 report). Reference counting
    still frees everything; the collector runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Statistics:
    """Everything the reports need, computed once per (KPI, 管理处, month)."""

    def __init__(self, handbook, data_dir: Path, defs: Definitions | None = None, registry=None,
                 previous: "Statistics | None" = None):
        """previous: the Statistics of the store's last state (a server keeps it): each 管理处 whose uploads
        did not change since reuses its figures as already read, so an upload costs its own 管理处."""
        self.handbook = handbook
        self.defs = defs or load_definitions(handbook)
        self.store = Store(data_dir)
        self.data = Dataset(handbook, self.store)
        if registry is None:
            try:
                registry = load_registry(Path(handbook.root), data_dir, handbook.record_forms())
            except RegistryError:
                registry = None         # a store without a readable registry: owed forms from what was filed
        self.registry = registry
        self._sent: dict[tuple[str, str], set[str]] = {}
        self._sites: dict[str, list[str]] = {}
        self.calendar = Calendar.load(Path(handbook.root) / WORKDAYS_FILE)
        homes = {s.name: s.households for s in registry.sites} if registry else {}
        self.calc = CachedCalculator(Calculator(self.data, self.calendar, homes.get), self.store, handbook,
                                     registry.path if registry else None)
        self._rows: dict[tuple[str, str, str], dict] = {}
        self._measures: dict[tuple, Measure] = {}
        self._submitted: dict[tuple[str, str, str], bool] = {}
        self._included: dict[tuple[str, str], list[str]] = {}
        self._counts: dict[tuple[str, str, str], Counter] = {}
        self._carry: dict[tuple[str, str, str], tuple[dict, list[dict]]] = {}
        self._unchanged: set[str] = set()
        if previous is not None and previous.calc.base == self.calc.base and previous.registry == self.registry:
            self._reuse(previous)

    def _reuse(self, previous: "Statistics") -> None:
        """Take over what the previous report computed for every 管理处 whose uploads are the same: its figures
        depend on nothing else (cache.py). Its KPI rows also read the store's months (last month, the year so
        far), so they are taken over only while those are the same too."""
        mine, theirs = self.calc.uploads_by_site, previous.calc.uploads_by_site
        self._unchanged = {site for site, ups in mine.items() if theirs.get(site) == ups}
        memos = [(self._measures, previous._measures), (self._submitted, previous._submitted),
                 (self._counts, previous._counts), (self._carry, previous._carry)]
        if previous.months() == self.months():
            memos.append((self._rows, previous._rows))
        for memo, old in memos:
            memo.update((k, v) for k, v in old.items() if k[1] in self._unchanged)
        self._sent.update((k, v) for k, v in previous._sent.items() if k[0] in self._unchanged)
        self.calendar.uncovered |= previous.calendar.uncovered     # the years those figures counted Monday–Friday

    def months(self) -> list[str]:
        return self.data.months()

    @staticmethod
    def version(data_dir: Path) -> tuple:
        """Changes whenever an upload, a withdrawal or a closing changes what a report would say."""
        return Store(data_dir).version()

    # ------------------------------------------------------------ who owes what
    def sites(self, month: str) -> list[str]:
        """The registered 管理处, then any other that filed up to this month (a store older than the registry)."""
        if month not in self._sites:
            named = self.registry.names if self.registry else []
            known = set(named)
            self._sites[month] = named + [s for s in self.data.sites(until=month) if s not in known]
        return self._sites[month]

    def owes(self, site: str, form_id: str, month: str) -> bool:
        if self.registry and site in self.registry.by_name:
            return self.registry.owes(site, form_id)
        form = self.handbook.form_by_id[form_id]
        return form.due == "monthly" or (form.due == "pool" and self.data.ever_submitted(site, form_id, month))

    def sent(self, site: str, month: str) -> set[str]:
        if (site, month) not in self._sent:
            self._sent[(site, month)] = self.data.submitted(site, month)
        return self._sent[(site, month)]

    def kpi_forms(self, kpi) -> tuple[str, ...]:
        return tuple(dict.fromkeys((kpi.form, *SOURCES.get(kpi.compute.items or "", ()))))

    def applies(self, kpi, site: str, month: str) -> bool:
        return self.owes(site, kpi.form, month)

    def submitted(self, kpi, site: str, month: str) -> bool:
        """Every form the KPI is computed from that the 管理处 owes was filed for the month."""
        key = (kpi.id, site, month)
        if key not in self._submitted:
            sent = self.sent(site, month)
            self._submitted[key] = all(f in sent for f in self.kpi_forms(kpi) if self.owes(site, f, month))
        return self._submitted[key]

    def included(self, kpi, month: str) -> list[str]:
        """The 管理处 a company figure adds up: those that owe the KPI's form and filed what it needs."""
        key = (kpi.id, month)
        if key not in self._included:
            self._included[key] = [s for s in self.sites(month)
                                   if self.applies(kpi, s, month) and self.submitted(kpi, s, month)]
        return self._included[key]

    # ------------------------------------------------------------ figures
    def measure(self, kpi, site: str, month: str) -> Measure:
        key = (kpi.id, site, month)
        if key not in self._measures:
            if site == COMPANY:
                self._measures[key] = Measure.total(self.measure(kpi, s, month) for s in self.included(kpi, month))
            else:
                self._measures[key] = self.calc.measure(kpi, site, month)
        return self._measures[key]

    def value(self, kpi, site: str, month: str):
        """The month's value, or None when it was not filed (a gap, never a zero)."""
        if site == COMPANY:
            return self.measure(kpi, site, month).value if self.included(kpi, month) else None
        if not (self.applies(kpi, site, month) and self.submitted(kpi, site, month)):
            return None
        return self.measure(kpi, site, month).value

    def count(self, spec, site: str, month: str) -> Counter:
        key = (spec.id, site, month)
        if key not in self._counts:
            self._counts[key] = self.calc.count(spec, site, month)
        return self._counts[key]

    def carryover(self, builder: str, site: str, month: str) -> tuple[dict, list[dict]]:
        key = (builder, site, month)
        if key not in self._carry:
            self._carry[key] = self.calc.carryover(builder, site, month)
        return self._carry[key]

    def year_to_date(self, kpi, site: str, month: str) -> Measure:
        """The months of the year so far that were filed (a month not filed adds nothing)."""
        year = month[:4]
        months = sorted({m for m in self.months() if m[:4] == year and m <= month} | {month})
        return Measure.total(self.measure(kpi, site, m) for m in months
                             if site == COMPANY or self.submitted(kpi, site, m))

    # ------------------------------------------------------------ one KPI row
    def kpi_row(self, kpi, site: str, month: str) -> dict:
        """One KPI row (a company row is built again each time a report is made: it adds up every 管理处)."""
        key = (kpi.id, site, month)
        if key not in self._rows:
            self._rows[key] = self._kpi_row(kpi, site, month)
        return self._rows[key]

    def _kpi_row(self, kpi, site: str, month: str) -> dict:
        measure = self.measure(kpi, site, month)
        submitted = (bool(self.included(kpi, month)) if site == COMPANY else self.submitted(kpi, site, month))
        value = measure.value if submitted else None
        prev_month = previous_month(month)
        prev = self.value(kpi, site, prev_month) if prev_month >= min(self.months(), default=month) else None
        ytd = self.year_to_date(kpi, site, month)
        form = self.handbook.form_by_id[kpi.form]
        row = {
            "id": kpi.id, "title": kpi.title, "site": site, "month": month, "form": kpi.form, "form_title": form.title,
            "value": rounded(value), "display": percent_text(value),
            "numerator": _number(measure.numerator), "denominator": _number(measure.denominator),
            "fraction": _fraction(kpi, measure),
            "in_transit": measure.in_transit,
            "target": kpi.target.value if kpi.target else None,
            "target_op": kpi.target.op if kpi.target else None,
            "target_display": kpi.target.display if kpi.target else "不设目标",
            "met": met(kpi, value),
            "clause": kpi.clause, "definition": kpi.definition,
            "previous": rounded(prev),
            "change": rounded(value - prev) if value is not None and prev is not None else None,
            "ytd": rounded(ytd.value), "ytd_display": percent_text(ytd.value),
            "ytd_numerator": _number(ytd.numerator), "ytd_denominator": _number(ytd.denominator),
            "submitted": submitted,
            "provisional": bool(submitted and measure.provisional),
        }
        if site == COMPANY:
            row["included"] = list(self.included(kpi, month))
            counted = set(row["included"])
            row["left_out"] = [s for s in self.sites(month) if self.applies(kpi, s, month) and s not in counted]
        if not submitted:
            row.update(numerator=None, denominator=None, fraction="—", in_transit=None, display=NOT_FILED,
                       change=None)
        if kpi.breakdown and measure.breakdown:
            field = self.handbook.form_by_id[kpi.form].field(kpi.breakdown)
            row["breakdown"] = {"field": field.label, "values": [
                {"category": k, "numerator": _number(n), "denominator": _number(d), "value": rounded(Measure(n, d).value)}
                for k, (n, d) in sorted(measure.breakdown.items())]}
        return row

    # ------------------------------------------------------------ the month
    def report(self, month: str, forms: set[str] | None = None) -> dict:
        """The month's statistics; forms limits them to those taken from these record forms."""
        with no_cycle_collection():
            report = self._report(month, forms)
        self.calc.save()
        return report

    def _prime(self, month: str, sites: list[str], wanted) -> None:
        """Compute (or read from the cache) every figure of the year so far, one 管理处 at a time, and let go of
        each 管理处's rows before the next: a store of 500 管理处 is never held in memory at once."""
        months = [m for m in self.months() if m[:4] == month[:4] and m <= month] + [previous_month(month)]
        self.calc.preload([s for s in sites if s not in self._unchanged])
        for site in sites:
            if site in self._unchanged:             # its figures came with the previous report
                continue
            for m in months:
                for k in self.defs.kpis:
                    if wanted(k.form) and self.applies(k, site, m):
                        self.measure(k, site, m)
                if m == month:
                    for spec in self.defs.counts:
                        if wanted(spec.form):
                            self.count(spec, site, m)
                    for co in self.defs.carryover:
                        if wanted(co.form):
                            self.carryover(co.items, site, m)
            self.calc.forget(site)

    def _report(self, month: str, forms: set[str] | None) -> dict:
        def wanted(form_id: str) -> bool:
            return forms is None or form_id in forms

        sites = self.sites(month)
        self._prime(month, sites, wanted)
        kpis = [self.kpi_row(k, s, month) for k in self.defs.kpis if wanted(k.form)
                for s in [s for s in sites if self.applies(k, s, month)] + [COMPANY]]

        counts = []
        for spec in (c for c in self.defs.counts if wanted(c.form)):
            total: Counter = Counter()
            for s in sites:
                c = self.count(spec, s, month)
                total.update(c)
                counts += self._count_rows(spec, s, c)
            counts += self._count_rows(spec, COMPANY, total)

        carry, overdue = [], []
        for co in (c for c in self.defs.carryover if wanted(c.form)):
            form = self.handbook.form_by_id[co.form]
            total: Counter = Counter()
            for s in sites:
                c, late = self.carryover(co.items, s, month)
                total.update({k: v for k, v in c.items() if k != "completion_rate"})
                carry.append(self._carry_row(form, s, c))
                overdue += [{**o, "site": s, "form_title": form.title} for o in late]
            base = total["brought_forward"] + total["new"] - total["cancelled"]
            total_dict = {k: total.get(k, 0) for k in CARRY_LABELS if k != "completion_rate"}
            total_dict["completion_rate"] = None if base == 0 else Decimal(total["completed"]) * 100 / base
            carry.append(self._carry_row(form, COMPANY, total_dict))

        submissions, missing = [], []
        for s in sites:
            sent = self.sent(s, month)
            due = [f for f in self.handbook.record_forms() if wanted(f.id) and f.due != "none" and self.owes(s, f.id, month)]
            submissions.append({"site": s, "submitted": len([f for f in due if f.id in sent]), "due": len(due),
                                "missing": [f.title for f in due if f.id not in sent]})
            missing += [{"site": s, "form": f.id} for f in due if f.id not in sent]
        notes = []
        if self.calendar.uncovered:
            years = "、".join(str(y) for y in sorted(self.calendar.uncovered))
            notes.append(f"{years}年的法定节假日安排未录入 data/workdays.yml，工作日按周一至周五计算。")
        closed = self.store.closed(month)
        return {"month": month, "forms": sorted(forms) if forms else None, "sites": sites,
                "complete": not missing, "missing": missing,
                "state": filing_state(month, self.calendar, closed),
                "deadline": filing_deadline(month, self.calendar).isoformat(timespec="minutes"),
                "closed": closed, "kpis": kpis,
                "counts": counts, "carryover": carry,
                "overdue": sorted(overdue, key=lambda o: (-o["days_overdue"], o["site"], o["form"], o["no"])),
                "submissions": submissions, "notes": notes}

    def _count_rows(self, spec, site: str, counter: Counter) -> list[dict]:
        field = self.handbook.form_by_id[spec.form].field(spec.by) if spec.by else None
        order = [spec.labels.get(v, v) for v in (field.enum or [])] if field is not None else []
        order += [spec.labels.get(v, v) for v in ("是", "否")] if field is not None and field.type == "boolean" else []
        rank = lambda k: (order.index(k) if k in order else len(order), k)
        rows = [{"id": spec.id, "title": spec.title, "site": site, "category": k or None, "value": _money(v),
                 "clause": spec.clause} for k, v in sorted(counter.items(), key=lambda kv: rank(kv[0]))]
        if not rows:
            rows = [{"id": spec.id, "title": spec.title, "site": site, "category": None, "value": 0, "clause": spec.clause}]
        return rows

    @staticmethod
    def _carry_row(form, site: str, counts: dict) -> dict:
        rate = counts.get("completion_rate")
        return {"form": form.id, "title": form.title, "site": site,
                **{k: counts.get(k, 0) for k in CARRY_LABELS if k != "completion_rate"},
                "completion_rate": rounded(rate), "completion_display": percent_text(rate)}

    def latest(self) -> str | None:
        months = self.months()
        return months[-1] if months else None
