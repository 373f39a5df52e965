"""KPI numerators and denominators, counts and carry-over items for one 管理处 and month (3.19#4.3–4.5)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .dataset import Dataset, as_text
from .items import BASED_ON, BUILDERS, COUNTED, TRANSIT, Item, done_by, judge, on_time
from .kpis import Count, Kpi
from .workdays import Calendar

DEPARTMENT_FIELDS = ("department", "borrower_dept", "team")


def window(month: str) -> tuple[dt.datetime, dt.datetime]:
    """[本月1日0:00, 次月1日0:00) — the second value is the 统计截止时点 (3.19#4.1.1)."""
    y, m = map(int, month.split("-"))
    start = dt.datetime(y, m, 1)
    end = dt.datetime(y + (m == 12), m % 12 + 1, 1)
    return start, end


def previous_month(month: str) -> str:
    y, m = map(int, month.split("-"))
    return f"{y - (m == 1)}-{(m - 2) % 12 + 1:02d}"


def _at(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day)


def matches(row: dict, where: dict[str, list[str]]) -> bool:
    for fid, allowed in where.items():
        if as_text(row.get(fid)) not in allowed:
            return False
    return True


# ---------------------------------------------------------------- measures
@dataclass
class Measure:
    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)
    in_transit: int = 0
    breakdown: dict[str, list[Decimal]] = field(default_factory=dict)
    provisional: bool = False          # some 事项's deadline was counted Monday–Friday (暂按周一至周五)

    @staticmethod
    def total(measures) -> "Measure":
        """The sum of many measures (管理处 into the company, months into the year so far), in one pass."""
        out = Measure()
        n = d = Decimal(0)
        for m in measures:
            n += m.numerator
            d += m.denominator
            out.in_transit += m.in_transit
            out.provisional = out.provisional or m.provisional
            for k, (bn, bd) in m.breakdown.items():
                cur = out.breakdown.setdefault(k, [Decimal(0), Decimal(0)])
                cur[0] += bn
                cur[1] += bd
        out.numerator, out.denominator = n, d
        return out

    @property
    def value(self) -> Decimal | None:
        """Unrounded percentage; None when the denominator is 0 (3.19#4.1.6)."""
        return None if self.denominator == 0 else self.numerator * 100 / self.denominator


def rounded(value: Decimal | None, places: str = "0.1") -> float | None:
    return None if value is None else float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def percent_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{rounded(value):.1f}%"


def met(kpi: Kpi, value: Decimal | None) -> bool | None:
    if kpi.target is None or value is None:
        return None
    target = Decimal(str(kpi.target.value))
    return value >= target if kpi.target.op == ">=" else value <= target


class Calculator:
    def __init__(self, data: Dataset, calendar: Calendar | None = None, households=None):
        """households(site): the 管理处's 总户数 from sites.yml, or None."""
        self.data = data
        self.calendar = calendar or Calendar()
        self.households = households or (lambda site: None)
        self._items: dict[tuple, list[Item]] = {}
        self._judged: dict[tuple, list[tuple[Item, str | None]]] = {}

    def forget(self, site: str) -> None:
        """Drop one 管理处's 事项 and its rows (see Dataset.forget)."""
        for memo in (self._items, self._judged):
            for key in [k for k in memo if k[-2] == site]:
                del memo[key]
        self.data.forget(site)

    def items(self, builder: str, site: str, month: str) -> list[Item]:
        key = (builder, site, month)
        if key not in self._items:
            extra = {"base": self.items(BASED_ON[builder], site, month)} if builder in BASED_ON else {}
            self._items[key] = BUILDERS[builder](self.data.rows_for(site, month), self.calendar, **extra)
        return self._items[key]

    def judged(self, builder: str, where: dict, site: str, month: str) -> list[tuple[Item, str | None]]:
        """The 事项 that match where, each with its 4.1.8 verdict (shared by KPIs on the same 事项)."""
        key = (builder, tuple(sorted((k, tuple(v)) for k, v in where.items())), site, month)
        if key not in self._judged:
            start, cutoff = window(month)
            self._judged[key] = [(item, judge(item, start, cutoff)) for item in self.items(builder, site, month)
                                 if matches(item.row, where)]
        return self._judged[key]

    # ------------------------------------------------------------ KPIs
    def measure(self, kpi: Kpi, site: str, month: str) -> Measure:
        c = kpi.compute
        start, cutoff = window(month)
        out = Measure()
        if c.method == "timely":
            for item, verdict in self.judged(c.items, c.where, site, month):
                if verdict in (TRANSIT, COUNTED) and item.provisional:
                    out.provisional = True
                if verdict == TRANSIT:
                    out.in_transit += 1
                elif verdict == COUNTED:
                    out.denominator += 1
                    hit = on_time(item, cutoff) if c.count == "on-time" else done_by(item, cutoff) is not None
                    out.numerator += hit
        elif c.method == "arrival":
            for item in self.items(c.items, site, month):
                if item.arrived is not None and start <= item.arrived < cutoff and matches(item.row, c.where):
                    out.denominator += 1
                    out.numerator += item.arrived <= item.scheduled
        elif c.method == "share":
            where = dict(c.where)
            where |= c.month_where.get(str(int(month[5:])), c.month_where.get("other", {}))
            chosen: dict = {}
            for i, row in enumerate(self.data.rows(kpi.form, site, month)):
                when = _at(row.get(c.date))
                if when is None or not start <= when < cutoff or not matches(row, where):
                    continue
                key = tuple(as_text(row.get(f)) for f in c.latest_per) if c.latest_per else i
                if key not in chosen or _at(chosen[key].get(c.date)) <= when:
                    chosen[key] = row
            for row in chosen.values():
                hit = matches(row, c.numerator_where)
                out.denominator += 1
                out.numerator += hit
                if kpi.breakdown:
                    cell = out.breakdown.setdefault(as_text(row.get(kpi.breakdown)), [Decimal(0), Decimal(0)])
                    cell[0] += hit
                    cell[1] += 1
        elif c.method == "amount":
            first = month[:4] + "-01" if c.months == "year-to-date" else month
            for row in self.data.rows(kpi.form, site, month):
                if not first <= as_text(row.get(c.month_field)) <= month or not matches(row, c.where):
                    continue
                due = row.get(c.due) or Decimal(0)
                paid = max((row.get(p) or Decimal(0) for p in c.paid), default=Decimal(0))
                settled = _at(row.get(c.settled)) if c.settled else None
                if settled is not None and settled < cutoff:
                    paid = due
                out.denominator += due
                out.numerator += max(Decimal(0), min(paid, due))
        elif c.method == "per-households":
            homes = self.households(site)
            if homes:           # no 总户数 registered: no figure, rather than a rate over nothing
                out.denominator = Decimal(homes)
                for row in self.data.rows(kpi.form, site, month):
                    when = _at(row.get(c.date))
                    out.numerator += when is not None and start <= when < cutoff and matches(row, c.where)
        return out

    # ------------------------------------------------------------ 4.4 counts
    def count(self, spec: Count, site: str, month: str) -> Counter:
        start, cutoff = window(month)
        out: Counter = Counter()
        for row in self.data.rows(spec.form, site, month):
            when = _at(row.get(spec.date))
            if when is None or not start <= when < cutoff or not matches(row, spec.where):
                continue
            key = spec.labels.get(as_text(row.get(spec.by)), as_text(row.get(spec.by)) or "未填") if spec.by else ""
            out[key] += (row.get(spec.sum) or 0) if spec.sum else 1
        return out

    # ------------------------------------------------------------ 4.5 carry-over
    def carryover(self, builder: str, site: str, month: str) -> tuple[dict, list[dict]]:
        start, cutoff = window(month)
        counts = dict.fromkeys(("brought_forward", "new", "completed", "cancelled", "open_at_end", "overdue_open", "in_transit"), 0)
        overdue: list[dict] = []

        def open_at(item: Item, t: dt.datetime) -> bool:
            return (item.start < t and not (item.done is not None and item.done < t)
                    and not (item.cancelled is not None and item.cancelled < t))

        for item in self.items(builder, site, month):
            if item.start >= cutoff:
                continue
            counts["brought_forward"] += open_at(item, start)
            counts["new"] += start <= item.start
            counts["completed"] += item.cancelled is None and item.done is not None and start <= item.done < cutoff
            counts["cancelled"] += item.cancelled is not None and start <= item.cancelled < cutoff
            if open_at(item, cutoff):
                counts["open_at_end"] += 1
                if item.due <= cutoff:
                    counts["overdue_open"] += 1
                    overdue.append(self._overdue_row(item, cutoff))
                else:
                    counts["in_transit"] += 1
        base = counts["brought_forward"] + counts["new"] - counts["cancelled"]
        counts["completion_rate"] = None if base == 0 else Decimal(counts["completed"]) * 100 / base
        return counts, overdue

    def _overdue_row(self, item: Item, cutoff: dt.datetime) -> dict:
        department = next((as_text(item.row.get(f)) for f in DEPARTMENT_FIELDS if item.row.get(f)), "")
        return {
            "form": item.form, "no": item.no, "received_at": as_text(item.start), "due_at": as_text(item.due),
            "days_overdue": math.ceil((cutoff - item.due) / dt.timedelta(days=1)), "department": department,
        }
