"""The validated handbook kept in .cache/ under a digest of everything it was read from."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Callable

CACHE = Path(".cache") / "handbook-model.pickle"


def fingerprint(root: Path, procedures_dir: str, organisation_file: str, forms_dir: str) -> bytes:
    """A digest of everything load_handbook reads (file contents, not times: an edit within the same
    clock tick must not hit a stale model), this package's code, and git's HEAD (for _git_dates)."""
    digest = hashlib.blake2b(digest_size=20)
    package = Path(__file__).parent
    files = [root / organisation_file, *sorted((root / procedures_dir).glob("*")), *sorted((root / forms_dir).glob("*")),
             *sorted(package.rglob("*.py"))]
    git = root / ".git"
    head = git / "HEAD"
    if head.is_file():
        files.append(head)
        ref = head.read_text(encoding="utf-8", errors="replace").strip()
        if ref.startswith("ref: "):
            files += [git / ref[5:], git / "packed-refs"]
    for path in files:
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes() if path.is_file() else b"-")
        except OSError:
            digest.update(b"?")
    return digest.digest()


def cached(root: Path, key: bytes, load: Callable):
    """The handbook pickled under key, else load() pickled for next time (whole or not at all)."""
    cache = root / CACHE
    try:
        with open(cache, "rb") as fh:
            if fh.read(len(key)) == key:
                return pickle.load(fh)
    except Exception:                     # missing, unreadable or from another version: load afresh
        pass
    handbook = load()
    tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(key)
            pickle.dump(handbook, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)           # whole or not at all, also with two commands at once
    except Exception:                     # a read-only checkout still works, only slower
        tmp.unlink(missing_ok=True)
    return handbook
