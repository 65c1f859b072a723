"""A persistent parse cache: file content hash -> parsed blocks, per iaccert version.

Lives in the user cache directory (``$IACCERT_CACHE_DIR``, else ``$XDG_CACHE_HOME/iaccert``,
else ``~/.cache/iaccert``), never in the scanned repository. Entries are written to a
temporary file and renamed into place, so two iaccert processes can share the cache: a
reader sees a whole entry or none. An entry that cannot be read is ignored and rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from . import __version__


def default_cache_dir() -> Path:
    explicit = os.environ.get("IACCERT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "iaccert"


_UNREADABLE = (
    OSError,
    pickle.UnpicklingError,
    EOFError,
    AttributeError,
    ImportError,
    IndexError,
    TypeError,
    ValueError,
)


def read_pickle(path: Path) -> Any:
    """A cache entry, or None when it is missing or cannot be read (it is then rewritten)."""
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except _UNREADABLE:
        return None


def write_pickle(path: Path, value: Any) -> None:
    """Write atomically (temporary file, then rename): readers see a whole entry or none."""
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
    except (OSError, pickle.PicklingError, RecursionError):
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


class ParseCache:
    """Parsed results keyed by (kind, content); callers relabel what depends on the path."""

    def __init__(self, directory: Path | None):
        self.directory = directory / f"parse-v{__version__}" if directory else None
        self.hits = 0

    def _path(self, kind: str, content: bytes) -> Path | None:
        if self.directory is None:
            return None
        digest = hashlib.sha256(f"{kind}\0".encode() + content).hexdigest()
        return self.directory / digest[:2] / f"{digest}.pickle"

    def get(self, kind: str, content: bytes) -> Any:
        path = self._path(kind, content)
        if path is None:
            return None
        value = read_pickle(path)
        if value is None:
            return None
        self.hits += 1
        return value

    def put(self, kind: str, content: bytes, value: Any) -> None:
        path = self._path(kind, content)
        if path is None:
            return
        write_pickle(path, value)
