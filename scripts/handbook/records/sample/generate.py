"""`handbook sample`: realistic, obviously fictitious records for every record form.

Each 管理处 gets a simulated year: every 事项 has a start and, usually, an end
(some late, some open for weeks, some unhappy customers reopening a
complaint). A month's file is what the clerk would hand in on the 3rd of the
next month (3.19#4.2.3): the month's records plus earlier ones still open at
the 1st, with completions known by the hand-in date. Names are the textbook
placeholders 张三、李四…, phones are 1380013xxxx, ID numbers use region 110101
and a 9xx sequence.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ...forms.model import Form, FormField
from ...forms.schema import DATETIME_FORMAT
from . import world
from .events import Event
from ..statistics.compute import window

SITE_NAMES = ["东湖花园管理处", "翠微苑管理处", "锦绣城管理处", "滨河湾管理处", "南山郡管理处", "梧桐里管理处"]
SURNAMES = "张李王赵钱孙周吴郑冯陈褚卫蒋沈韩杨朱秦许"
PLACEHOLDERS = ["三", "四", "五", "六", "七", "八", "九", "十"]
STAFF = ["小陈", "小林", "小黄", "小何", "小罗", "小梁"]
HAND_IN = dt.timedelta(days=2, hours=12)       # the 3rd of the next month, 12:00


class Fake:
    """Plausible but obviously fictitious people, rooms, phones and ID numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(PLACEHOLDERS)

    def phone(self) -> str:
        return f"1380013{self.rng.randrange(10000):04d}"

    def staff(self) -> str:
        return self.rng.choice(STAFF)

    def cn_id(self) -> str:
        from ..rules.cells import cn_id_check_digit

        born = dt.date(1950, 1, 1) + dt.timedelta(days=self.rng.randrange(365 * 50))
        first = f"110101{born:%Y%m%d}9{self.rng.randrange(100):02d}"
        return first + cn_id_check_digit(first)

    def plate(self) -> str:
        return f"皖A{self.rng.choice('DF')}{self.rng.randrange(10000):04d}"


@dataclass
class Site:
    name: str
    index: int
    rooms: list[str]
    areas: dict[str, Decimal]
    pool: bool


def make_site(index: int, rng: random.Random) -> Site:
    name = SITE_NAMES[index] if index < len(SITE_NAMES) else f"第{index + 1}管理处"
    rooms = []
    for building in range(1, rng.randint(6, 10) + 1):
        for unit in (1, 2):
            for floor in range(1, rng.choice([6, 11, 18]) + 1, 2):
                rooms.append(f"{building}-{unit}-{floor}{rng.choice([1, 2]):02d}")
    rooms = sorted(set(rooms))
    areas = {r: Decimal(rng.choice([78, 89, 96, 108, 121, 135, 142])) for r in rooms}
    return Site(name, index, rooms, areas, pool=index == 0)


def month_list(end: str, count: int) -> list[str]:
    y, m = map(int, end.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{y}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def default_end(today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first:%Y-%m}"


# ---------------------------------------------------------------- writing
def cell(value, f: FormField) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_FORMAT if f.type == "datetime" else "%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal) or (isinstance(value, float) and f.type == "number"):
        return f"{Decimal(value):.2f}"
    return str(value)


def write_csv(path: Path, form: Form, rows: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([f.label for f in form.fields])
    for row in rows:
        writer.writerow([cell(row.get(f.id), f) for f in form.fields])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))


def _numbered(events: list[Event]) -> None:
    """年月-三位流水号 in order of time (3.19#4.1.3); reopened items keep their original number plus -2."""
    seq: dict[tuple[str, str], int] = {}
    for e in sorted(events, key=lambda e: e.start):
        if "no" in e.row and e.row["no"] is None:
            key = (e.form, e.start.strftime("%Y%m"))
            seq[key] = seq.get(key, 0) + 1
            e.row["no"] = f"{key[1]}-{seq[key]:03d}"
    for e in events:
        ref = e.row.pop("_of", None)
        if ref is not None:
            e.row["no"] = f"{ref.row['no']}-2"
        link = e.row.pop("_link", None)
        if link is not None:
            e.row["related_no"] = link.row.get("no")
        notice = e.row.pop("_notice", None)
        if notice is not None:
            e.row["notice_no"] = notice.row.get("no")


def _unique_keys(events: list[Event], form: Form) -> None:
    """Two simulated rows may meet on a composite key (the same room patrolled in the same minute): move the
    later one on by a minute, as a clerk would record two visits (3.19#4.1.3: a key is never repeated)."""
    keys = [k for k in form.primary_key if k != "no"]
    times = [k for k in keys if form.field(k).type == "datetime"]
    if not keys or not times:
        return
    seen = set()
    for e in sorted(events, key=lambda e: e.start):
        while (key := tuple(e.row.get(k) for k in keys)) in seen:
            e.row[times[0]] = e.row[times[0]] + dt.timedelta(minutes=1)
        seen.add(key)


def generate(handbook, out: Path, months: int, sites: int, seed: int, end: str | None = None) -> list[dict]:
    """Write one CSV per record form, 管理处 and month; return [{form, site, month, path}]."""
    rng = random.Random(seed)
    fake = Fake(rng)
    month_names = month_list(end or default_end(), months)
    files = []
    for index in range(sites):
        site = make_site(index, rng)
        events = world.simulate(site, month_names, rng, fake, handbook)
        _numbered(events)
        by_form: dict[str, list[Event]] = {}
        for e in events:
            by_form.setdefault(e.form, []).append(e)
        for form in handbook.record_forms():
            if form.due == "pool" and not site.pool:
                continue
            if form.id not in by_form and form.id not in world.SIMULATED:
                by_form[form.id] = world.generic(form, site, month_names, rng, fake)
            _unique_keys(by_form.get(form.id, []), form)
            for month in month_names:
                at = window(month)[1] + HAND_IN
                rows = [e.as_known(at) for e in sorted(by_form.get(form.id, []), key=lambda e: e.start) if e.in_file(month)]
                path = out / month / site.name / f"{form.id}.csv"
                write_csv(path, form, rows)
                files.append({"form": form.id, "site": site.name, "month": month, "path": str(path),
                              "households": len(site.rooms) * 10})
    return files
