"""The records store: content-addressed files and a SQLite catalogue.

    DIR/catalogue.sqlite3          uploads (every version), current (form, site, month → upload), audit
    DIR/objects/ab/<sha256>.csv    validated rows, normalised (UTF-8, schema column order): DuckDB reads these
    DIR/uploads/ab/<sha256>.<ext>  the file exactly as uploaded
    DIR/tmp/                       files being written; emptied by the next writer

A write takes SQLite's write lock (BEGIN IMMEDIATE), writes the objects (temporary file, fsync,
rename), then inserts the catalogue rows and the audit line in the same transaction: the commit is
the single commit point. A crash before it leaves the old state and at worst an unreferenced object;
after it, the new state with its audit line. WAL mode lets readers (the server, reports) go on while
a CLI command writes. The SQL is plain (no SQLite-only functions) so another database could hold
the catalogue. Files are 0600 and folders 0700: records carry personal data.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import socket
import sqlite3
import uuid
from contextlib import contextmanager
from pathlib import Path

from .migrate import migrate_if_needed
from .schema import SCHEMA, StoreError  # noqa: F401  (StoreError: part of this module's API)

CATALOGUE = "catalogue.sqlite3"
TMP = "tmp"

DEFAULT_DATA_DIR = Path("data/records")
DATA_DIR_ENV = "HANDBOOK_DATA_DIR"
UPLOAD_FIELDS = ("id", "at", "user", "file", "file_sha256", "data_sha256", "rows", "object", "original")
AUDIT_COLUMNS = ("id", "at", "user", "host", "form", "site", "month", "result")
# every current upload with its row, in (form, site, month) order: the tail of the queries that list them
CURRENT = "FROM current c JOIN uploads u ON u.id = c.upload_id ORDER BY c.form, c.site, c.month"


def data_dir_for(root: Path, given: str | None = None) -> Path:
    """--data-dir if given, else $HANDBOOK_DATA_DIR, else data/records under the project."""
    chosen = given or os.environ.get(DATA_DIR_ENV)
    return Path(chosen) if chosen else Path(root) / DEFAULT_DATA_DIR


class Closed(Exception):
    """The month was closed (已关账) by a manager: nothing is stored until it is reopened."""

    def __init__(self, month: str, closed: dict):
        super().__init__(month)
        self.month, self.closed = month, closed


class Stale(Exception):
    """A confirm arrived after a newer version of the same slot: nothing was replaced."""

    def __init__(self, newer: dict):
        super().__init__(newer["id"])
        self.newer = newer


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def current_user() -> str:
    user = os.environ.get("HANDBOOK_USER")
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _mkdir(path: Path) -> None:
    """Create path and any missing parents 0700 (mkdir(parents=True) gives parents the default mode)."""
    if path.is_dir():
        return
    _mkdir(path.parent)
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _upload(row) -> dict:
    return {k: row[k] for k in UPLOAD_FIELDS}


class Store:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.db = self.root / CATALOGUE
        self._ready = False

    # ------------------------------------------------------------ connection
    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if not self.db.exists():
            if not create:
                if (self.root / "manifest.json").exists():
                    create = True           # an old store: migrate it on first read
                else:
                    return None
            _mkdir(self.root)
            os.close(os.open(self.db, os.O_CREAT | os.O_RDWR, 0o600))
        try:
            con = sqlite3.connect(self.db, timeout=30, isolation_level=None)
            con.row_factory = sqlite3.Row
            con.execute("PRAGMA busy_timeout = 30000")
            if not self._ready:
                if con.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
                    raise sqlite3.OperationalError("WAL")
                con.executescript(SCHEMA)
                migrate_if_needed(self, con)
                self._ready = True
            con.execute("PRAGMA synchronous = FULL")
            return con
        except sqlite3.DatabaseError as exc:
            raise StoreError(self.db, exc)

    @contextmanager
    def reading(self):
        con = self._connect(create=False)
        try:
            yield con
        except sqlite3.DatabaseError as exc:
            raise StoreError(self.db, exc)
        finally:
            if con is not None:
                con.close()

    @contextmanager
    def writing(self):
        """One write transaction holding SQLite's write lock; rolled back on any error."""
        con = self._connect(create=True)
        try:
            con.execute("BEGIN IMMEDIATE")
            self._tidy_tmp()
            yield con
            self._commit(con)
        except BaseException as exc:
            if con.in_transaction:
                con.rollback()
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(self.db, exc)
            raise
        finally:
            con.close()

    def _commit(self, con) -> None:
        con.commit()

    def _tidy_tmp(self) -> None:
        """Temporary files of a crashed writer (we hold the write lock: nobody else is writing)."""
        folder = self.root / TMP
        if folder.is_dir():
            for tmp in folder.iterdir():
                tmp.unlink(missing_ok=True)

    # ------------------------------------------------------------ reading
    def current(self):
        """(form, site, month, upload) for every current upload, sorted."""
        with self.reading() as con:
            if con is None:
                return []
            rows = con.execute(f"SELECT c.form AS form, c.site AS site, c.month AS month, u.* {CURRENT}").fetchall()
        return [(r["form"], r["site"], r["month"], _upload(r)) for r in rows]

    def current_files(self) -> list[tuple[str, str, str, dict]]:
        """(form, site, month, {"id", "object"}) for every current upload: what the statistics read, without
        the rest of each upload's row (at 500 管理处 building the full rows took seconds)."""
        with self.reading() as con:
            if con is None:
                return []
            con.row_factory = None
            rows = con.execute(f"SELECT c.form, c.site, c.month, u.id, u.object {CURRENT}").fetchall()
        return [(form, site, month, {"id": uid, "object": obj}) for form, site, month, uid, obj in rows]

    def version(self) -> tuple:
        """(latest upload, current versions, closed months): any change to what a report reads changes it."""
        with self.reading() as con:
            if con is None:
                return ()
            row = con.execute("SELECT (SELECT max(seq) FROM uploads), (SELECT count(*) FROM current), "
                              "(SELECT group_concat(month) FROM closed_months)").fetchone()
        return tuple(row)

    def slot(self, form: str, site: str, month: str) -> dict | None:
        """{"current": upload or None, "history": earlier versions, newest first}; None if never uploaded."""
        with self.reading() as con:
            if con is None:
                return None
            rows = con.execute("SELECT * FROM uploads WHERE form = ? AND site = ? AND month = ? ORDER BY seq DESC",
                               (form, site, month)).fetchall()
            cur = con.execute("SELECT upload_id FROM current WHERE form = ? AND site = ? AND month = ?",
                              (form, site, month)).fetchone()
        if not rows:
            return None
        current_id = cur["upload_id"] if cur else None
        uploads = [_upload(r) for r in rows]
        return {"current": next((u for u in uploads if u["id"] == current_id), None),
                "history": [u for u in uploads if u["id"] != current_id]}

    def submitted(self, site: str, month: str) -> dict[str, dict]:
        """form id → current upload of one 管理处 and month."""
        with self.reading() as con:
            if con is None:
                return {}
            rows = con.execute("SELECT c.form AS form, u.* FROM current c JOIN uploads u ON u.id = c.upload_id "
                               "WHERE c.site = ? AND c.month = ?", (site, month)).fetchall()
        return {r["form"]: _upload(r) for r in rows}

    def versions(self, site: str, month: str) -> dict[str, int]:
        with self.reading() as con:
            if con is None:
                return {}
            rows = con.execute("SELECT form, COUNT(*) AS n FROM uploads WHERE site = ? AND month = ? GROUP BY form",
                               (site, month)).fetchall()
        return {r["form"]: r["n"] for r in rows}

    def is_empty(self) -> bool:
        with self.reading() as con:
            return con is None or con.execute("SELECT 1 FROM current LIMIT 1").fetchone() is None

    def read(self, upload: dict) -> bytes:
        return (self.root / upload["object"]).read_bytes()

    def audit_log(self) -> list[dict]:
        with self.reading() as con:
            if con is None:
                return []
            return [json.loads(r["entry"]) for r in con.execute("SELECT entry FROM audit ORDER BY seq")]

    # ------------------------------------------------------------ writing
    def _put(self, folder: str, data: bytes, ext: str) -> str:
        digest = sha256(data)
        rel = f"{folder}/{digest[:2]}/{digest}{ext}"
        path = self.root / rel
        if not path.exists():
            _mkdir(path.parent)
            _mkdir(self.root / TMP)
            tmp = self.root / TMP / uuid.uuid4().hex
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
            _fsync_dir(path.parent)
        return rel

    @staticmethod
    def _log(con, record: dict) -> None:
        con.execute("INSERT INTO audit (id, at, user, host, form, site, month, result, entry) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*(record.get(k, "" if k in ("at", "result") else None) for k in AUDIT_COLUMNS),
                     json.dumps(record, ensure_ascii=False, sort_keys=True)))

    def _entry(self, user: str | None, **entry) -> dict:
        return {"id": uuid.uuid4().hex, "at": now(), "user": user or current_user(), "host": socket.gethostname(),
                **entry}

    def audit(self, user: str | None = None, **entry) -> dict:
        """Record an attempt that changes nothing in the store (rejected or unusable)."""
        record = self._entry(user, **entry)
        with self.writing() as con:
            self._log(con, record)
        return record

    def _current(self, con, form: str, site: str, month: str) -> dict | None:
        row = con.execute("SELECT u.* FROM current c JOIN uploads u ON u.id = c.upload_id "
                          "WHERE c.form = ? AND c.site = ? AND c.month = ?", (form, site, month)).fetchone()
        return _upload(row) if row else None

    def ingest(self, *, form: str, site: str, month: str, original: bytes, filename: str,
               canonical: bytes, rows: int, user: str | None = None, expect: str | None = "any") -> tuple[str, dict, dict | None]:
        """Store a validated file. Returns (result, upload, previous current upload or None).

        result is "stored" (first upload), "superseded" (a correction) or "unchanged" (same data again).
        expect: the id of the version the user saw as current ("" for none); a different current
        version raises Stale and changes nothing. "any" (the CLI) replaces whatever is current.
        """
        base = self._entry(user, form=form, site=site, month=month, file=filename, file_sha256=sha256(original),
                           data_sha256=sha256(canonical), rows=rows)
        with self.writing() as con:
            closed = self._closed(con, month)
            if closed is None:
                return self._ingest(con, base, form, site, month, original, filename, canonical, rows, expect)
            self._log(con, {**base, "result": "refused-closed"})     # refused, and audited like any refusal
        raise Closed(month, closed)

    def _ingest(self, con, base, form, site, month, original, filename, canonical, rows, expect):
        previous = self._current(con, form, site, month)
        if expect != "any" and (previous["id"] if previous else "") != (expect or ""):
            raise Stale(previous or {"id": "", "at": "", "user": ""})
        if previous is not None and previous["data_sha256"] == base["data_sha256"]:
            self._log(con, {**base, "result": "unchanged", "same_as": previous["id"]})
            return "unchanged", previous, previous
        suffix = Path(filename).suffix.lower()
        ext = suffix if suffix in (".csv", ".xlsx", ".xlsm", ".txt") else ".bin"
        upload = {k: base[k] for k in ("id", "at", "user", "file", "file_sha256", "data_sha256", "rows")}
        upload["object"] = self._put("objects", canonical, ".csv")
        upload["original"] = self._put("uploads", original, ext)
        con.execute("INSERT INTO uploads (id, form, site, month, at, user, host, file, file_sha256, data_sha256, "
                    "rows, object, original) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (upload["id"], form, site, month, upload["at"], upload["user"], base["host"], filename,
                     upload["file_sha256"], upload["data_sha256"], rows, upload["object"], upload["original"]))
        con.execute("DELETE FROM current WHERE form = ? AND site = ? AND month = ?", (form, site, month))
        con.execute("INSERT INTO current (form, site, month, upload_id) VALUES (?, ?, ?, ?)",
                    (form, site, month, upload["id"]))
        result = "superseded" if previous else "stored"
        self._log(con, {**base, "result": result, **({"supersedes": previous["id"]} if previous else {})})
        return result, upload, previous

    def tidy(self, older_than: float = 3600) -> int:
        """Remove object and upload files no version names (left by a writer killed before its commit).

        Holds the write lock, and leaves files younger than older_than seconds alone all the same."""
        import time

        if not self.db.exists():
            return 0
        removed = 0
        with self.writing() as con:
            named = {r[0] for r in con.execute("SELECT object FROM uploads UNION SELECT original FROM uploads")}
            cutoff = time.time() - older_than
            for folder in ("objects", "uploads"):
                base = self.root / folder
                if not base.is_dir():
                    continue
                for path in base.glob("*/*"):
                    rel = f"{folder}/{path.parent.name}/{path.name}"
                    if rel not in named and path.is_file() and path.stat().st_mtime < cutoff:
                        path.unlink(missing_ok=True)
                        removed += 1
        return removed

    # ------------------------------------------------------------ closing a month (已关账)

    @staticmethod
    def _closed(con, month: str) -> dict | None:
        row = con.execute("SELECT closed_at, closed_by FROM closed_months WHERE month = ?", (month,)).fetchone()
        return {"at": row["closed_at"], "user": row["closed_by"]} if row else None

    def closed(self, month: str) -> dict | None:
        with self.reading() as con:
            return None if con is None else self._closed(con, month)

    def closed_months(self) -> dict[str, dict]:
        with self.reading() as con:
            if con is None:
                return {}
            return {r["month"]: {"at": r["closed_at"], "user": r["closed_by"]}
                    for r in con.execute("SELECT * FROM closed_months")}

    def close(self, month: str, user: str | None = None, reopen: bool = False) -> bool:
        """Close (or reopen) a month; False if it already was. Audited."""
        entry = self._entry(user, month=month, result="reopened" if reopen else "closed")
        with self.writing() as con:
            if (self._closed(con, month) is not None) != reopen:
                return False
            if reopen:
                con.execute("DELETE FROM closed_months WHERE month = ?", (month,))
            else:
                con.execute("INSERT INTO closed_months (month, closed_at, closed_by) VALUES (?, ?, ?)",
                            (month, entry["at"], entry["user"]))
            self._log(con, entry)
        return True

    def withdraw(self, form: str, site: str, month: str, user: str | None = None) -> dict | None:
        """Take the current version out of the statistics; it stays in history. None if nothing is current."""
        with self.writing() as con:
            closed = self._closed(con, month)
            if closed is not None:
                raise Closed(month, closed)
            previous = self._current(con, form, site, month)
            if previous is None:
                return None
            con.execute("DELETE FROM current WHERE form = ? AND site = ? AND month = ?", (form, site, month))
            self._log(con, self._entry(user, form=form, site=site, month=month, result="withdrawn",
                                       withdrawn=previous["id"], rows=previous["rows"],
                                       data_sha256=previous["data_sha256"]))
        return previous
