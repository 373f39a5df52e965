"""Login throttling: guessing is stopped per address, a clerk cannot be locked out from elsewhere."""

from __future__ import annotations

import time
import tracemalloc

from starlette.testclient import TestClient

from handbook.web import throttle
from handbook.web.throttle import LoginThrottle
from test_intake import app, data_dir, login  # noqa: F401  (fixtures)


def from_address(app, ip: str) -> TestClient:
    return TestClient(app, client=(ip, 40000))


def test_failures_elsewhere_do_not_lock_the_clerk_out(app):
    attacker = from_address(app, "10.9.9.9")
    for _ in range(5):
        assert login(attacker, password="guess-guess").status_code == 401
    r = login(attacker)                                   # the attacker's address is stopped for 10 minutes
    assert r.status_code == 429 and "请10分钟后再试" in r.text

    clerk = from_address(app, "10.0.0.7")
    start = time.monotonic()
    while (r := login(clerk)).status_code == 429:         # at most a short pause, measured in seconds
        assert "秒后再试" in r.text and "10分钟" not in r.text
        time.sleep(0.5)
        assert time.monotonic() - start < 5
    assert r.status_code == 303


def test_guessing_from_one_address_is_stopped_whatever_the_user_name(app):
    client = from_address(app, "10.1.1.1")
    for n in range(5):
        assert login(client, name=f"user{n}", password="guess-guess").status_code == 401
    r = login(client, name="other", password="password-2")
    assert r.status_code == 429 and "请10分钟后再试" in r.text
    assert login(from_address(app, "10.1.1.2"), name="other", password="password-2").status_code == 303


def test_the_per_account_pause_grows_but_never_exceeds_a_minute(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(throttle.time, "monotonic", lambda: clock[0])
    t = LoginThrottle()
    waits = []
    for n in range(200):                                  # 200 addresses, one guess each, as fast as allowed
        wait = t.wait(f"10.2.{n // 250}.{n % 250}", "clerk")
        if wait:
            assert wait[0] == "user"
            waits.append(wait[1])
            clock[0] += wait[1]
        t.fail(f"10.2.{n // 250}.{n % 250}", "clerk")
    assert waits == sorted(waits) and waits[0] <= 2 and max(waits) == 60


def test_limiter_memory_stays_bounded_whatever_is_typed():
    t = LoginThrottle()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(50):                               # 1 MB user names
            t.fail(f"10.3.0.{n}", f"{n}" + "名" * (1024 * 1024 // 3))
        after_big = tracemalloc.get_traced_memory()[0]
        for n in range(3 * throttle.MAX_KEYS):            # far more addresses and names than the cap
            t.fail(f"10.4.{n // 256}.{n % 256}", f"user-{n}")
        after_many = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after_big - before < 100_000                   # the names themselves are not kept
    assert len(t) <= 2 * throttle.MAX_KEYS
    assert after_many - before < 10 * 1024 * 1024
