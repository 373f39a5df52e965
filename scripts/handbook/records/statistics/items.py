"""事项 for the time-limited KPIs and carry-over tables: start, 规定完成时间 (3.19#4.1.7), completion.

Each builder takes `rows(form_id)` — the rows of one 管理处 as known at the
month being reported — and returns Items. judge() applies 3.19#4.1.8.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from .workdays import Calendar

H = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
Rows = Callable[[str], list[dict]]


@dataclass
class Item:
    form: str
    no: str
    start: dt.datetime
    due: dt.datetime
    done: dt.datetime | None = None
    cancelled: dt.datetime | None = None
    row: dict = field(default_factory=dict, repr=False)
    scheduled: dt.datetime | None = None     # 规定上门时间 (4.1.7 G)
    arrived: dt.datetime | None = None
    provisional: bool = False                # its deadline counts working days of a year with no holiday table


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def _at(value) -> dt.datetime | None:
    """A completion written as a date only counts as that day's 24:00 (3.19#4.1.2)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return _midnight(value) + DAY


def _status(item: Item, row: dict) -> Item:
    """3.19#4.1.4: 已完成 needs a completion time; 已取消 uses the completion column as the cancel time."""
    status, when = row.get("status"), _at(row.get("completed_at"))
    if status == "已取消":
        item.cancelled = when or item.start
    elif status == "已完成":
        item.done = when
    return item


def _withdrawn(item: Item, row: dict) -> Item:
    """Forms without a completion column for cancellations: 已取消 counts from the start time."""
    if row.get("status") == "已取消":
        item.cancelled, item.done = item.start, None
    return item


# ---------------------------------------------------------------- builders
def complaints(rows: Rows, calendar: Calendar | None = None) -> list[Item]:
    out = []
    for r in rows("complaint-log"):
        start = r["received_at"]
        # 4.1.7 A: +24h, or the 约定完成时间 signed by the 客服主管
        due = r["agreed_at"] if r.get("agreed_at") and r.get("approved_by") else start + 24 * H
        out.append(_status(Item("complaint-log", r["no"], start, due, row=r), r))
    return out


def repairs(rows: Rows, calendar: Calendar | None = None) -> list[Item]:
    out = []
    for r in rows("repair-log"):
        start = r["received_at"]
        # 4.1.7 C: max(受理时间, 约定上门时间) + 24h, or the registered 约定完成时间
        due = r["agreed_at"] if r.get("agreed_at") else max(start, r.get("visit_at") or start) + 24 * H
        out.append(_status(Item("repair-log", r["no"], start, due, row=r), r))
    return out


def repair_arrivals(rows: Rows, calendar: Calendar | None = None) -> list[Item]:
    """3.19#4.3.13: on site within 15 minutes of the 派工 (3.11#4.3.1 A; no 派工时间: the 受理时间); the
    到场时间 is the completion of this 事项, and a completed repair without one arrived at its completion."""
    out = []
    for r in rows("repair-log"):
        start = r["received_at"]
        notified = r.get("dispatched_at") or start
        item = _status(Item("repair-log", r["no"], start, notified + 15 * MINUTE, row=r), r)
        if item.cancelled is None and r.get("arrived_at"):
            item.done = r["arrived_at"]
        out.append(item)
    return out


def _first_callbacks(rows: Rows, subject: str) -> dict[str, list[dt.datetime]]:
    out: dict[str, list[dt.datetime]] = {}
    for r in rows("callback-log"):
        if r.get("subject_type") == subject and r.get("related_no"):
            out.setdefault(r["related_no"], []).append(r["visited_at"])
    return out


def _callbacks(base: list[Item], rows: Rows, subject: str, hours: int) -> list[Item]:
    """4.3.3 B / 4.3.4 B: a completed item becomes a callback 事项 started at its completion."""
    visits = _first_callbacks(rows, subject)
    out = []
    due = hours * H
    for item in base:
        done = item.done
        if done is None or item.cancelled is not None:
            continue
        first = min((t for t in visits.get(item.no, ()) if t >= done), default=None)
        out.append(Item(item.form, item.no, done, done + due, first, row=item.row))
    return out


def complaint_callbacks(rows: Rows, calendar: Calendar | None = None, base: list[Item] | None = None) -> list[Item]:
    return _callbacks(complaints(rows) if base is None else base, rows, "投诉", 24)


def repair_callbacks(rows: Rows, calendar: Calendar | None = None, base: list[Item] | None = None) -> list[Item]:
    return _callbacks(repairs(rows) if base is None else base, rows, "维修", 72)


ITEM_NAMES = ("物业管理费", "水电费", "车位租金", "其他")


def _reminders(rows: Rows) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows("fee-reminder-log"):
        out.setdefault(r["room"], []).append(r)
    return out


def _concerns(reminder: dict, item: str) -> bool:
    """A reminder concerns an arrears item when its 欠费项目及期间 names that item, or names no item at all."""
    text = reminder.get("arrears") or ""
    named = [name for name in ITEM_NAMES if name in text]
    return not named or item in named


def arrears_phone(rows: Rows, calendar: Calendar | None = None) -> list[Item]:
    """4.3.8: 逾期第1日0:00 → 逾期第7日24:00; done at the first phone reminder or settlement."""
    reminders = _reminders(rows)
    out = []
    for r in rows("arrears-list"):
        start = _midnight(r["due_date"]) + DAY
        due = _midnight(r["due_date"]) + 8 * DAY
        calls = [x["reminded_at"] for x in reminders.get(r["room"], [])
                 if x.get("method") == "电话" and x["reminded_at"] >= start and _concerns(x, r["item"])]
        done = min([t for t in [*calls, _at(r.get("settled_at"))] if t is not None], default=None)
        out.append(Item("arrears-list", f"{r['item']} {r['period']}", start, due, done, row=r))
    return out


def arrears_written(rows: Rows, calendar: Calendar | None = None) -> list[Item]:
    """4.3.9: unpaid at 逾期满30日之日0:00 → 3rd working day after it, 24:00; done at delivery or settlement."""
    calendar = calendar or Calendar()
    reminders = _reminders(rows)
    out = []
    for r in rows("arrears-list"):
        overdue = _midnight(r["due_date"]) + DAY
        start = _midnight(r["due_date"]) + 30 * DAY
        settled = _at(r.get("settled_at"))
        if settled is not None and settled < start:
            continue
        due = _midnight(calendar.nth_workday_after(start.date(), 3)) + DAY
        provisional = not calendar.covers(start.date(), due.date())
        notices = [x["delivered_at"] for x in reminders.get(r["room"], [])
                   if x.get("method") == "书面通知书" and x.get("delivered_at") and x["delivered_at"] >= overdue
                   and _concerns(x, r["item"])]
        done = min([t for t in [*notices, settled] if t is not None], default=None)
        out.append(Item("arrears-list", f"{r['item']} {r['period']}", start, due, done, row=r, provisional=provisional))
    return out


def violations(rows: Rows, calendar: Calendar | None = None) -> list[Item]:
    """4.3.10: one 事项 per first notice; due at the end of its 整改期限 day; second notices do not count."""
    all_rows = rows("violation-notice")
    seconds: dict[str, list[dict]] = {}
    for r in all_rows:
        if r.get("related_no"):
            seconds.setdefault(r["related_no"], []).append(r)
    out = []
    for r in all_rows:
        if r.get("related_no"):
            continue
        times = [_at(x["rectified_at"]) for x in [r, *seconds.get(r["no"], [])] if x.get("rectified_at")]
        item = Item("violation-notice", r["no"], r["issued_at"], _midnight(r["deadline"]) + DAY,
                    min(times) if times else None, row=r)
        out.append(_withdrawn(item, r))
    return out


def key_loans(rows: Rows, calendar: Calendar | None = None) -> list[Item]:
    out = []
    for r in rows("key-loan-log"):
        item = Item("key-loan-log", r["no"], r["lent_at"], r["due_back_at"], _at(r.get("returned_at")), row=r)
        out.append(_withdrawn(item, r))
    return out


def housekeeping(rows: Rows, calendar: Calendar | None = None) -> list[Item]:
    out = []
    for r in rows("housekeeping-log"):
        item = Item("housekeeping-log", r["no"], r["received_at"], r["agreed_at"], row=r,
                    scheduled=r["visit_at"], arrived=r.get("arrived_at"))
        out.append(_status(item, r))
    return out


def special_services(rows: Rows, calendar: Calendar | None = None) -> list[Item]:
    out = []
    for r in rows("special-service-log"):
        start = r["received_at"]
        # 4.1.7 G: 规定上门时间 — emergency +30 min, booked at the booking, otherwise +24h
        if r.get("urgent"):
            scheduled = start + dt.timedelta(minutes=30)
        else:
            scheduled = r.get("visit_at") or start + 24 * H
        due = r.get("agreed_at") or scheduled + 24 * H
        item = Item("special-service-log", r["no"], start, due, row=r, scheduled=scheduled, arrived=r.get("arrived_at"))
        out.append(_status(item, r))
    return out


# the record forms each builder reads: a KPI counts for a 管理处 and month only when all of them were submitted
SOURCES: dict[str, tuple[str, ...]] = {
    "complaint": ("complaint-log",),
    "complaint-callback": ("complaint-log", "callback-log"),
    "repair": ("repair-log",),
    "repair-callback": ("repair-log", "callback-log"),
    "repair-arrival": ("repair-log",),
    "arrears-phone": ("arrears-list", "fee-reminder-log"),
    "arrears-written": ("arrears-list", "fee-reminder-log"),
    "violation": ("violation-notice",),
    "key-loan": ("key-loan-log",),
    "housekeeping": ("housekeeping-log",),
    "special-service": ("special-service-log",),
}

# builders whose 事项 derive from another builder's (passed as base= so they are built once)
BASED_ON = {"complaint-callback": "complaint", "repair-callback": "repair"}
BUILDERS: dict[str, Callable[..., list[Item]]] = {
    "complaint": complaints,
    "complaint-callback": complaint_callbacks,
    "repair": repairs,
    "repair-callback": repair_callbacks,
    "repair-arrival": repair_arrivals,
    "arrears-phone": arrears_phone,
    "arrears-written": arrears_written,
    "violation": violations,
    "key-loan": key_loans,
    "housekeeping": housekeeping,
    "special-service": special_services,
}


# ---------------------------------------------------------------- 3.19#4.1.8
COUNTED, TRANSIT = "counted", "transit"


def judge(item: Item, month_start: dt.datetime, cutoff: dt.datetime) -> str | None:
    """COUNTED if the item belongs to this month's KPI, TRANSIT if 在途, else None."""
    if item.start >= cutoff:
        return None
    if item.cancelled is not None and item.cancelled <= cutoff:
        return None
    done = done_by(item, cutoff)
    if done is not None and done <= item.due:
        point = done
    elif item.due <= cutoff:
        point = item.due
    else:
        return TRANSIT
    return COUNTED if month_start < point <= cutoff else None


def done_by(item: Item, cutoff: dt.datetime) -> dt.datetime | None:
    return item.done if item.done is not None and item.done <= cutoff else None


def on_time(item: Item, cutoff: dt.datetime) -> bool:
    done = done_by(item, cutoff)
    return done is not None and done <= item.due


# ---------------------------------------------------------------- `handbook check`: do the builders find their columns?
class MissingColumn(KeyError):
    def __init__(self, form: str, field: str):
        super().__init__(field)
        self.form, self.field = form, field


class _Row(dict):
    """A synthetic row that refuses a column its form does not have, also through .get()."""

    def __init__(self, form: str, values: dict):
        super().__init__(values)
        self.form = form

    def __getitem__(self, key):
        if key not in self:
            raise MissingColumn(self.form, key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        return self[key]


def _sample_value(f):
    start = dt.datetime(2026, 1, 5, 9, 0)
    return {"datetime": start, "date": start.date(), "time": start.time(), "integer": 1, "number": 1,
            "boolean": False}.get(f.type, (f.enum or ["1-1-101"])[0])


def dry_run(handbook) -> list[str]:
    """Run every builder on one synthetic row per record form: a builder that reads a column its form does
    not have (renamed in the YAML, say) is named here instead of failing — or silently reading None — in `report`."""
    forms = handbook.form_by_id
    rows = {fid: [_Row(fid, {f.id: _sample_value(f) for f in form.fields})] for fid, form in forms.items() if form.is_record}
    problems = []
    for name, builder in BUILDERS.items():
        try:
            builder(lambda form_id: rows.get(form_id, []))
        except MissingColumn as exc:
            title = forms[exc.form].title if exc.form in forms else exc.form
            problems.append(f"统计程序“{name}”要读取表单 {exc.form}（{title}）的栏目“{exc.field}”，"
                            f"但表单里没有这个栏目（是否改了栏目 id？）")
        except (TypeError, AttributeError, ValueError) as exc:
            problems.append(f"统计程序“{name}”无法用表单 {'、'.join(SOURCES.get(name, ()))} 的栏目类型计算（{exc}）")
    return problems
