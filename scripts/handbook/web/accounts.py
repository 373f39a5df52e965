"""Clerk accounts: a small JSON file in the data dir, passwords stored only as scrypt hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

USERS_FILE = "users.json"
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MIN_PASSWORD = 8


@dataclass
class User:
    name: str
    sites: list[str] = field(default_factory=list)
    admin: bool = False
    password: str = ""
    viewer: bool = False            # reads the 月度统计, uploads nothing

    def can_use(self, site: str) -> bool:
        """May upload for this 管理处."""
        return not self.viewer and (self.admin or site in self.sites)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, maxmem=64 * 1024 * 1024, **SCRYPT)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(expected), maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A hash to spend the same time on when the user does not exist (no user enumeration by timing).
_DUMMY = None


def dummy_hash() -> str:
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = hash_password(secrets.token_hex(8))
    return _DUMMY


class Accounts:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / USERS_FILE

    def load(self) -> dict[str, User]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {name: User(name=name, **{k: v for k, v in u.items() if k != "name"}) for name, u in data.items()}

    def _save(self, users: dict[str, User]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".users-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({n: asdict(u) for n, u in users.items()}, f, ensure_ascii=False, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def add(self, name: str, password: str, sites: list[str], admin: bool, viewer: bool = False) -> User:
        users = self.load()
        user = User(name=name, sites=sorted(set(sites)), admin=admin, password=hash_password(password),
                    viewer=viewer and not admin)
        users[name] = user
        self._save(users)
        return user

    def remove(self, name: str) -> bool:
        users = self.load()
        if users.pop(name, None) is None:
            return False
        self._save(users)
        return True

    def authenticate(self, name: str, password: str) -> User | None:
        user = self.load().get(name)
        ok = verify_password(password, user.password if user else dummy_hash())
        return user if user and ok else None
