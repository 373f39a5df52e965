"""The records store: content-addressed files, one manifest, an audit log.

    DIR/objects/ab/<sha256>.csv    validated rows, normalised (UTF-8, schema column order)
    DIR/uploads/ab/<sha256>.<ext>  the file exactly as uploaded
    DIR/manifest.json              form → site → month → current upload + history
    DIR/audit.jsonl                one line per ingest attempt (who, when, hash, rows, result)
    DIR/.lock                      fcntl lock serialising writers

Every write goes to a temporary file, is fsynced and renamed into place, and
the manifest rename is the single commit point: a crash before it leaves the
old state, after it the new one. Objects are immutable and named by their
hash, so a crash can at worst leave an unreferenced object. The audit line of
a committed ingest is also kept in the manifest and re-appended on the next
run if the crash came between the rename and the append.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
import socket
import uuid
from contextlib import contextmanager
from pathlib import Path

MANIFEST = "manifest.json"
AUDIT = "audit.jsonl"
LOCK = ".lock"
TMP_PREFIX = ".tmp-"
VERSION = 1


DEFAULT_DATA_DIR = Path("data/records")
DATA_DIR_ENV = "HANDBOOK_DATA_DIR"


def data_dir_for(root: Path, given: str | None = None) -> Path:
    """--data-dir if given, else $HANDBOOK_DATA_DIR, else data/records under the project."""
    chosen = given or os.environ.get(DATA_DIR_ENV)
    return Path(chosen) if chosen else Path(root) / DEFAULT_DATA_DIR


class StoreError(Exception):
    """The store cannot be read or written; carries a Chinese message."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}-{uuid.uuid4().hex}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    _fsync_dir(path.parent)


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


class Store:
    def __init__(self, root: Path):
        self.root = Path(root)

    # ------------------------------------------------------------ reading (no lock: the manifest is replaced atomically)
    def manifest(self) -> dict:
        path = self.root / MANIFEST
        if not path.exists():
            return {"version": VERSION, "records": {}}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}|{exc}")
        if not isinstance(data, dict) or not isinstance(data.get("records"), dict):
            raise StoreError(f"{path}|格式不对")
        return data

    def is_empty(self) -> bool:
        return not self.manifest()["records"]

    def current(self):
        """(form, site, month, upload) for every current upload, sorted."""
        records = self.manifest()["records"]
        for form in sorted(records):
            for site in sorted(records[form]):
                for month in sorted(records[form][site]):
                    yield form, site, month, records[form][site][month]["current"]

    def read(self, upload: dict) -> bytes:
        return (self.root / upload["object"]).read_bytes()

    def audit_log(self) -> list[dict]:
        path = self.root / AUDIT
        if not path.exists():
            return []
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out

    # ------------------------------------------------------------ writing
    @contextmanager
    def locked(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                self._recover()
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _recover(self) -> None:
        """Tidy what a crashed writer may have left; called with the lock held."""
        for folder in (self.root, self.root / "objects", self.root / "uploads"):
            if folder.is_dir():
                for tmp in folder.rglob(f"{TMP_PREFIX}*"):
                    tmp.unlink(missing_ok=True)
        audit = self.root / AUDIT
        if audit.exists():
            data = audit.read_bytes()
            if data and not data.endswith(b"\n"):          # a torn last line
                with open(audit, "r+b") as fh:
                    fh.truncate(data.rfind(b"\n") + 1)
                    os.fsync(fh.fileno())
        last = self.manifest().get("last_audit")
        if last and last["id"] not in {entry.get("id") for entry in self._audit_tail()}:
            self._append_audit(last)

    def _audit_tail(self, size: int = 65536) -> list[dict]:
        path = self.root / AUDIT
        if not path.exists():
            return []
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - size))
            lines = fh.read().decode("utf-8", "replace").splitlines()
        out = []
        for line in lines:
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out

    def _append_audit(self, entry: dict) -> None:
        with open(self.root / AUDIT, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def _put(self, folder: str, data: bytes, ext: str) -> str:
        digest = sha256(data)
        rel = f"{folder}/{digest[:2]}/{digest}{ext}"
        path = self.root / rel
        if not path.exists():
            write_atomic(path, data)
        return rel

    def audit(self, **entry) -> dict:
        """Record an attempt that changes nothing in the store (rejected or unchanged)."""
        record = {"id": uuid.uuid4().hex, "at": now(), "user": current_user(), "host": socket.gethostname(), **entry}
        with self.locked():
            self._append_audit(record)
        return record

    def ingest(self, *, form: str, site: str, month: str, original: bytes, filename: str,
               canonical: bytes, rows: int, user: str | None = None) -> tuple[str, dict, dict | None]:
        """Store a validated file. Returns (result, upload, previous current upload or None).

        result is "stored" (first upload), "superseded" (a correction) or "unchanged" (same data again).
        """
        file_sha, data_sha = sha256(original), sha256(canonical)
        base = {"id": uuid.uuid4().hex, "at": now(), "user": user or current_user(), "host": socket.gethostname(),
                "form": form, "site": site, "month": month, "file": filename, "file_sha256": file_sha,
                "data_sha256": data_sha, "rows": rows}
        with self.locked():
            manifest = self.manifest()
            slot = manifest["records"].setdefault(form, {}).setdefault(site, {}).get(month)
            previous = slot["current"] if slot else None
            if previous is not None and previous["data_sha256"] == data_sha:
                record = {**base, "result": "unchanged", "same_as": previous["id"]}
                self._append_audit(record)
                return "unchanged", previous, previous
            ext = Path(filename).suffix.lower() if Path(filename).suffix.lower() in (".csv", ".xlsx", ".xlsm", ".txt") else ".bin"
            upload = {
                "id": base["id"], "at": base["at"], "user": base["user"], "file": filename,
                "file_sha256": file_sha, "data_sha256": data_sha, "rows": rows,
                "object": self._put("objects", canonical, ".csv"),
                "original": self._put("uploads", original, ext),
            }
            result = "superseded" if previous else "stored"
            record = {**base, "result": result, **({"supersedes": previous["id"]} if previous else {})}
            history = ([previous] + slot["history"]) if slot else []
            manifest["records"][form][site][month] = {"current": upload, "history": history}
            manifest["version"] = VERSION
            manifest["last_audit"] = record
            write_atomic(self.root / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
            self._append_audit(record)
        return result, upload, previous
