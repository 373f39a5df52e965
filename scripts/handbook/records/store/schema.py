"""The catalogue's tables and the store's error, shared by the store and its one-time migration."""

from __future__ import annotations

SCHEMA_VERSION = "2"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS uploads (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, form TEXT NOT NULL, site TEXT NOT NULL,
    month TEXT NOT NULL, at TEXT NOT NULL, user TEXT NOT NULL, host TEXT, file TEXT NOT NULL,
    file_sha256 TEXT NOT NULL, data_sha256 TEXT NOT NULL, rows INTEGER NOT NULL,
    object TEXT NOT NULL, original TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS uploads_slot ON uploads (form, site, month);
CREATE TABLE IF NOT EXISTS current (
    form TEXT NOT NULL, site TEXT NOT NULL, month TEXT NOT NULL, upload_id TEXT NOT NULL,
    PRIMARY KEY (form, site, month));
CREATE TABLE IF NOT EXISTS closed_months (
    month TEXT PRIMARY KEY, closed_at TEXT NOT NULL, closed_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, at TEXT NOT NULL, user TEXT, host TEXT,
    form TEXT, site TEXT, month TEXT, result TEXT NOT NULL, entry TEXT NOT NULL);
"""


class StoreError(Exception):
    """The store cannot be read or written."""

    def __init__(self, path, detail):
        super().__init__(f"{path}: {detail}")
        self.path, self.detail = path, detail
