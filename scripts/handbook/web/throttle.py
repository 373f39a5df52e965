"""Login throttling: a firm limit per client address, only a short back-off per account.

A per-account lockout would let anyone lock a clerk out from elsewhere, so an account only gets
a growing pause of a few seconds (at most MAX_BACKOFF); repeated guessing is stopped by the
per-address limit. Keys are hashed and the tables are LRU-capped, so memory stays bounded
whatever names are typed."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict

IP_LIMIT = 5             # failures per address ...
IP_WINDOW = 600.0        # ... within this many seconds
FREE_USER_FAILURES = 5   # failures for one account before it pauses
MAX_BACKOFF = 60.0
MAX_KEYS = 10_000


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).digest()


class _Lru(OrderedDict):
    def __init__(self, cap: int):
        super().__init__()
        self.cap = cap

    def touch(self, key: bytes, default):
        value = self.pop(key, None)
        self[key] = default if value is None else value
        while len(self) > self.cap:
            self.popitem(last=False)
        return self[key]


class LoginThrottle:
    def __init__(self, max_keys: int = MAX_KEYS):
        self._ips = _Lru(max_keys)     # key -> list of failure times within the window
        self._users = _Lru(max_keys)   # key -> [failures, time of the last one]
        self._lock = threading.Lock()

    def wait(self, ip: str, user: str) -> tuple[str, int] | None:
        """("ip", seconds) or ("user", seconds) while a login must wait; None when it may go ahead."""
        now = time.monotonic()
        with self._lock:
            times = self._ips.get(_key(ip))
            if times:
                times[:] = [t for t in times if now - t < IP_WINDOW]
                if len(times) >= IP_LIMIT:
                    return "ip", math.ceil(IP_WINDOW - (now - times[0]))
            entry = self._users.get(_key(user))
            if entry:
                left = entry[1] + self.backoff(entry[0]) - now
                if left > 0:
                    return "user", math.ceil(left)
        return None

    @staticmethod
    def backoff(failures: int) -> float:
        if failures < FREE_USER_FAILURES:
            return 0.0
        return min(2.0 ** (failures - FREE_USER_FAILURES), MAX_BACKOFF)

    def fail(self, ip: str, user: str) -> None:
        now = time.monotonic()
        with self._lock:
            times = self._ips.touch(_key(ip), [])
            times[:] = [t for t in times if now - t < IP_WINDOW][-(IP_LIMIT - 1):] + [now]
            entry = self._users.touch(_key(user), [0, now])
            if now - entry[1] > IP_WINDOW:      # an old run of failures is forgotten
                entry[0] = 0
            entry[0] += 1
            entry[1] = now

    def succeeded(self, user: str) -> None:
        with self._lock:
            self._users.pop(_key(user), None)

    def __len__(self) -> int:
        return len(self._ips) + len(self._users)
