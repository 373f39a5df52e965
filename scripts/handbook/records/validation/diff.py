"""What a replacement changes: rows added, removed and changed, by record number (the primary key)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

SHOWN = 20
BIG_DROP = 0.5          # warn when a correction keeps less than half the rows


@dataclass
class Changes:
    before: int
    after: int
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def big_drop(self) -> bool:
        return self.before >= 4 and self.after < self.before * BIG_DROP


def _keyed(form, canonical: bytes) -> dict[str, tuple]:
    reader = csv.reader(io.StringIO(canonical.decode("utf-8"), newline=""))
    header = next(reader, [])
    ids = [f.id for f in form.fields]
    at = [header.index(form.field(k).label) for k in form.primary_key if form.field(k).label in header] \
        if all(form.field(k) is not None for k in form.primary_key) else []
    rows = {}
    for n, cells in enumerate(reader, 2):
        key = " ".join(cells[i] for i in at) if at else f"第{n}行"
        rows[key] = tuple(cells[:len(ids)])
    return rows


def compare(form, old: bytes, new: bytes) -> Changes:
    before, after = _keyed(form, old), _keyed(form, new)
    return Changes(len(before), len(after),
                   added=[k for k in after if k not in before],
                   removed=[k for k in before if k not in after],
                   changed=[k for k in after if k in before and after[k] != before[k]])
