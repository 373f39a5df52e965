"""One simulated row and when its cells become known (shared by the simulation and the file writer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..statistics.compute import window


@dataclass
class Event:
    """One row of one form, with the time it starts and the times later cells become known."""

    form: str
    start: dt.datetime
    row: dict
    end: dt.datetime | None = None              # closed (done, returned, settled…); None = stays open
    known: dict[str, dt.datetime] = field(default_factory=dict)   # field id → when the value is written down
    carry: bool = True                          # listed again while open (3.19#4.2.3)
    period: str | None = None                   # for monthly ledgers: the month this row belongs to

    def in_file(self, month: str) -> bool:
        if self.period is not None:
            return self.period == month
        start, cutoff = window(month)
        if start <= self.start < cutoff:
            return True
        return self.carry and self.start < start and (self.end is None or self.end >= start)

    def as_known(self, at: dt.datetime) -> dict:
        row = dict(self.row)
        for fid, when in self.known.items():
            if when > at:
                row[fid] = None
                if fid in ("completed_at", "returned_at", "rectified_at") and row.get("status") in ("已完成", "已取消"):
                    row["status"] = "处理中"
        return row
