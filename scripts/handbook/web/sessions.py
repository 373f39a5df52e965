"""Server-side login sessions: a `sessions` table in the data dir's SQLite catalogue.

The browser holds only a random id; logging out, a password change or removing the account
deletes the rows, so a copied cookie stops working at once."""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

DATABASE = "catalogue.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions(
    id TEXT PRIMARY KEY,
    user_name TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at REAL NOT NULL
)"""
USER_INDEX = "CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_name)"


@dataclass(frozen=True)
class Session:
    id: str
    user: str
    csrf: str
    created_at: float


def connect(data_dir: Path) -> sqlite3.Connection:
    """Open the shared catalogue database (created 0600: it sits beside personal data)."""
    path = Path(data_dir) / DATABASE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    db = sqlite3.connect(path, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=30000")
    return db


class Sessions:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self._ready = False

    @contextmanager
    def _db(self):
        with closing(connect(self.data_dir)) as db:
            if not self._ready:
                with db:
                    db.execute(SCHEMA)
                    db.execute(USER_INDEX)
                self._ready = True
            with db:
                yield db

    def create(self, user: str, max_age: float) -> Session:
        session = Session(secrets.token_urlsafe(32), user, secrets.token_urlsafe(32), time.time())
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE created_at < ?", (session.created_at - max_age,))
            db.execute("INSERT INTO sessions(id, user_name, csrf, created_at) VALUES (?, ?, ?, ?)",
                       (session.id, session.user, session.csrf, session.created_at))
        return session

    def get(self, session_id: str | None, max_age: float) -> Session | None:
        """The live session with this id; an expired one is deleted and counts as none."""
        if not session_id or len(session_id) > 100:
            return None
        with self._db() as db:
            row = db.execute("SELECT id, user_name, csrf, created_at FROM sessions WHERE id = ?",
                             (session_id,)).fetchone()
            if row is None:
                return None
            if time.time() - row[3] > max_age:
                db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
                return None
        return Session(*row)

    def end(self, session_id: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def end_user(self, user: str) -> int:
        """End every session of one account; returns how many there were."""
        with self._db() as db:
            return db.execute("DELETE FROM sessions WHERE user_name = ?", (user,)).rowcount
