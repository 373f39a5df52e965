"""Server-side sessions: logout, a password change and `user remove` really end a login."""

from __future__ import annotations

import io
import re
import sqlite3
import time

from starlette.testclient import TestClient

from conftest import ROOT
from handbook.cli import main as handbook_main
from test_intake import SITE, app, csrf, data_dir, login  # noqa: F401  (fixtures)


def copied(client: TestClient, app) -> TestClient:
    """A second browser holding a copy of the first one's cookies (as a thief would)."""
    thief = TestClient(app)
    for cookie in client.cookies.jar:
        thief.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)
    return thief


def logged_in(client: TestClient) -> bool:
    return client.get("/intake/", follow_redirects=False).status_code == 200


def rows(data_dir, sql="SELECT user_name, csrf, created_at FROM sessions"):
    with sqlite3.connect(data_dir / "catalogue.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_cookie_holds_only_a_random_id_and_the_session_lives_in_sqlite(app, data_dir):
    client = TestClient(app)
    assert login(client).status_code == 303
    value = client.cookies["handbook_session"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value)          # 256 random bits, nothing else
    (user, token, _), = rows(data_dir)
    assert user == "clerk"
    assert csrf(client, "/intake/") == token                   # the CSRF token is kept with the session
    assert rows(data_dir, "PRAGMA journal_mode") == [("wal",)]


def test_a_cookie_copied_before_logout_no_longer_works(app):
    clerk = TestClient(app)
    login(clerk)
    thief = copied(clerk, app)
    assert logged_in(thief)
    clerk.post("/intake/logout", data={"csrf": csrf(clerk, "/intake/")})
    assert not logged_in(clerk)
    assert not logged_in(thief)


def test_a_password_change_ends_the_users_sessions(app, data_dir, monkeypatch, capsys):
    clerk, other = TestClient(app), TestClient(app)
    login(clerk)
    login(other, "other", "password-2")
    monkeypatch.setattr("sys.stdin", io.StringIO("new-password-1\n"))
    assert handbook_main(["--root", str(ROOT), "user", "add", "clerk", "--site", SITE,
                          "--data-dir", str(data_dir)]) == 0
    assert "重新登录" in capsys.readouterr().out
    assert not logged_in(clerk)
    assert logged_in(other)                                    # other accounts are not affected
    assert login(clerk, password="password-1").status_code == 401
    assert login(clerk, password="new-password-1").status_code == 303


def test_user_remove_ends_the_users_sessions(app, data_dir):
    clerk = TestClient(app)
    login(clerk)
    assert handbook_main(["--root", str(ROOT), "user", "remove", "clerk", "--data-dir", str(data_dir)]) == 0
    assert not logged_in(clerk)
    assert rows(data_dir) == []


def test_expiry_is_enforced_by_the_server(app, data_dir):
    clerk = TestClient(app)
    login(clerk)
    with sqlite3.connect(data_dir / "catalogue.sqlite3") as db:
        db.execute("UPDATE sessions SET created_at = ?", (time.time() - 8 * 3600 - 1,))
    # The browser still sends the cookie; the server no longer accepts it.
    assert not logged_in(clerk)
    assert rows(data_dir) == []


def test_a_made_up_session_id_is_not_accepted(app):
    client = TestClient(app)
    client.cookies.set("handbook_session", "A" * 43)
    assert not logged_in(client)
