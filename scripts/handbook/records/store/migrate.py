"""Move a store written before the catalogue (manifest.json + audit.jsonl) into SQLite, once.

Runs inside the first connection's write transaction, so two processes starting at once migrate
once. The old files are renamed, not deleted (*.migrated), after the commit; the objects stay where
they are, since the catalogue names them by the same relative paths.
"""

from __future__ import annotations

import json
import socket
import sys

from ... import messages as m
from .schema import SCHEMA_VERSION, StoreError

MANIFEST = "manifest.json"
AUDIT = "audit.jsonl"
DONE = ".migrated"


def migrate_if_needed(store, con) -> None:
    manifest = store.root / MANIFEST
    if con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() is not None:
        _rename_leftovers(store)
        return
    con.execute("BEGIN IMMEDIATE")
    try:
        if con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() is None:
            uploads, audit = _copy(store, con) if manifest.exists() else (0, 0)

            con.execute("INSERT INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
            con.commit()
            if manifest.exists():
                _rename_leftovers(store)
                print(m.MigrationDone.render(uploads=uploads, audit=audit, backup=MANIFEST + DONE),
                      file=sys.stderr)
        else:
            con.rollback()
    except BaseException:
        if con.in_transaction:
            con.rollback()
        raise


def _rename_leftovers(store) -> None:
    for name in (MANIFEST, AUDIT):
        path = store.root / name
        if path.exists():
            path.replace(path.with_name(name + DONE))


def _copy(store, con) -> tuple[int, int]:

    try:
        data = json.loads((store.root / MANIFEST).read_text(encoding="utf-8"))
        records = data["records"]
        assert isinstance(records, dict)
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise StoreError(store.root / MANIFEST, f"旧清单无法读取：{exc}")
    host = socket.gethostname()
    uploads = 0
    for form, by_site in sorted(records.items()):
        for site, by_month in sorted(by_site.items()):
            for month, slot in sorted(by_month.items()):
                versions = list(reversed(slot.get("history", []))) + [slot["current"]]
                for u in versions:
                    con.execute(
                        "INSERT INTO uploads (id, form, site, month, at, user, host, file, file_sha256, data_sha256, "
                        "rows, object, original) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (u["id"], form, site, month, u["at"], u.get("user", ""), host, u.get("file", ""),
                         u["file_sha256"], u["data_sha256"], u.get("rows", 0), u["object"], u["original"]))
                    uploads += 1
                con.execute("INSERT INTO current (form, site, month, upload_id) VALUES (?, ?, ?, ?)",
                            (form, site, month, slot["current"]["id"]))
    entries = []
    path = store.root / AUDIT
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue                    # a torn last line of a crashed writer
    last = data.get("last_audit")
    if last and last.get("id") not in {e.get("id") for e in entries}:
        entries.append(last)                # the old store's crash window between rename and append
    seen = set()
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("id") in seen:
            continue
        seen.add(entry.get("id"))
        store._log(con, entry)
    return uploads, len(seen)
