"""Per 管理处 and month: what the Calculator computed, kept in the catalogue database.

A 管理处's figures for month M depend only on its own uploads for months ≤ M (dataset.py), the KPI
definitions, the holiday table and the statistics code. Each entry is keyed by a digest of exactly
those, so an upload recomputes its own 管理处 (from its month on) and nothing else: a company of
500 管理处 gets a new report in the time of one. A key that no longer matches is simply recomputed;
the table can be deleted at any time.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

from .compute import Calculator, Measure

SCHEMA = """CREATE TABLE IF NOT EXISTS statistics_cache (
    site TEXT NOT NULL, month TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (site, month))"""
CODE = ("compute.py", "items.py", "dataset.py", "kpis.py", "workdays.py", "cache.py")


def _encode(value):
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, Measure):
        return {"$m": [value.numerator, value.denominator, value.in_transit, value.breakdown, value.provisional]}
    raise TypeError(type(value))


def _decode(obj):
    if "$d" in obj:
        return Decimal(obj["$d"])
    if "$m" in obj:
        n, d, t, b, p = obj["$m"]
        return Measure(n, d, t, {k: list(v) for k, v in b.items()}, p)
    return obj


def global_key(handbook, registry: Path | None = None) -> str:
    """The definitions, the holiday table, the 管理处 registry (总户数), the record forms and this code, as one digest."""
    h = hashlib.sha256()
    root = Path(handbook.root)
    for path in [root / "data/kpis.yml", root / "data/workdays.yml", *([registry] if registry else []),
                 *sorted(Path(f.source) for f in handbook.forms if f.is_record),
                 *(Path(__file__).parent / name for name in CODE)]:
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"-")
    return h.hexdigest()


class CachedCalculator:
    """The Calculator's measure / count / carryover per (管理处, month), read from and written to the cache."""

    def __init__(self, calc: Calculator, store, handbook, registry: Path | None = None):
        self.calc = calc
        self.store = store
        self.base = global_key(handbook, registry)
        self._snapshots: dict[str, tuple[list[str], list[str], str]] = {}
        self._raw: dict[tuple[str, str], tuple[str, str]] = {}
        self._entries: dict[tuple[str, str], dict] = {}
        self._loaded: set[str] = set()
        self._dirty: set[tuple[str, str]] = set()
        self.uploads_by_site: dict[str, list[tuple[str, str, str]]] = {}
        for (form, site), ups in calc.data.uploads.items():
            self.uploads_by_site.setdefault(site, []).extend((m, form, u["id"]) for m, u in ups)
        for ups in self.uploads_by_site.values():
            ups.sort()

    def key(self, site: str, month: str) -> str:
        """A digest of the global key and the 管理处's uploads of months ≤ month, in (month, form) order."""
        if site not in self._snapshots:
            # one running digest per 管理处, read off after each month (hashing every month's prefix
            # again cost a second at 500 管理处)
            h = hashlib.sha256(self.base.encode())
            snaps: list[tuple[str, str]] = []
            for m, form, upload in self.uploads_by_site.get(site, []):
                h.update(f"{m}|{form}|{upload};".encode())
                if snaps and snaps[-1][0] == m:
                    snaps[-1] = (m, h.hexdigest())
                else:
                    snaps.append((m, h.hexdigest()))
            self._snapshots[site] = ([m for m, _ in snaps], [d for _, d in snaps],
                                     hashlib.sha256(self.base.encode()).hexdigest())
        months, digests, empty = self._snapshots[site]
        at = bisect.bisect_right(months, month)
        return digests[at - 1] if at else empty

    def preload(self, sites: list[str]) -> None:
        """Read these 管理处's stored entries (decoded only when asked for) on one connection: a full report
        reads them all, a server that kept the last report only the one that uploaded."""
        sites = [s for s in sites if s not in self._loaded]
        if not sites:
            return
        self._loaded.update(sites)
        try:
            with self.store.reading() as con:
                if con is None:
                    return
                con.execute(SCHEMA)
                for site in sites:
                    rows = con.execute("SELECT month, key, data FROM statistics_cache WHERE site = ?", (site,))
                    for month, key, data in rows:
                        self._raw[(site, month)] = (key, data)
        except Exception:           # a cache that cannot be read is only slower
            return

    def _entry(self, site: str, month: str) -> dict:
        k = (site, month)
        if k not in self._entries:
            self.preload([site])
            stored = self._raw.pop(k, None)
            entry = json.loads(stored[1], object_hook=_decode) if stored and stored[0] == self.key(site, month) else None
            self._entries[k] = entry or {"measure": {}, "count": {}, "carry": {}, "uncovered": []}
        return self._entries[k]

    def _cached(self, kind: str, name: str, site: str, month: str, compute):
        entry = self._entry(site, month)
        if name in entry[kind]:
            self.calc.calendar.uncovered.update(entry["uncovered"])
            return entry[kind][name]
        before = set(self.calc.calendar.uncovered)
        value = compute()
        entry[kind][name] = value
        entry["uncovered"] = sorted(set(entry["uncovered"]) | (self.calc.calendar.uncovered - before))
        self._dirty.add((site, month))
        return value

    def measure(self, kpi, site: str, month: str) -> Measure:
        return self._cached("measure", kpi.id, site, month, lambda: self.calc.measure(kpi, site, month))

    def count(self, spec, site: str, month: str) -> Counter:
        return Counter(self._cached("count", spec.id, site, month, lambda: dict(self.calc.count(spec, site, month))))

    def carryover(self, builder: str, site: str, month: str):
        counts, overdue = self._cached("carry", builder, site, month,
                                       lambda: list(self.calc.carryover(builder, site, month)))
        return counts, overdue

    def forget(self, site: str) -> None:
        self.calc.forget(site)

    def save(self) -> None:
        """Write what was computed (best effort: a read-only or busy store only means no cache)."""
        if not self._dirty or not self.store.db.exists():
            return
        rows = [(site, month, self.key(site, month), json.dumps(self._entries[(site, month)], default=_encode,
                                                              ensure_ascii=False))
                for site, month in sorted(self._dirty)]
        try:
            with self.store.writing() as con:
                con.execute(SCHEMA)
                con.executemany("INSERT OR REPLACE INTO statistics_cache (site, month, key, data) VALUES (?, ?, ?, ?)", rows)
        except Exception:
            return
        self._dirty.clear()
