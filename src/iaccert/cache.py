"""The cache directory and its JSON entries: what iaccert remembers between runs.

Lives in the user cache directory (``$IACCERT_CACHE_DIR``, else ``$XDG_CACHE_HOME/iaccert``,
else ``~/.cache/iaccert``), never in the scanned repository. Whoever can write the cache
could otherwise steer the next scan, so:

- entries are JSON, decoded without running code and checked by their reader (a wrong
  shape is a miss, never a crash); nothing is ever unpickled;
- the directory is created private to the user (0700) and refused, with a one-line note,
  when it or one of its parents can be written by another user, as ssh refuses a
  group-writable key;
- an entry is read only if it is a regular file of ours (never through a symlink, never a
  FIFO or device) and written to a fresh temporary file (``O_EXCL``, no symlink followed)
  that is then renamed into place, so a reader sees a whole entry or none.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import __version__

MAX_ENTRY_BYTES = 64 * 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def default_cache_dir() -> Path:
    explicit = os.environ.get("IACCERT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "iaccert"


class UnsafeCacheDir(Exception):
    """The cache directory (or a parent) could be replaced or written by another user."""


def _check_directory(path: Path, uid: int, *, ancestor: bool) -> None:
    """Ours (an ancestor may also be root's), a real directory, writable by nobody else.

    A sticky ancestor (``/tmp``) may be world-writable: others cannot rename what is ours.
    """
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeCacheDir(f"{path} is not a directory")
    if not (info.st_uid == uid or (ancestor and info.st_uid == 0)):
        raise UnsafeCacheDir(f"{path} is owned by another user")
    others_write = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if others_write and not (ancestor and info.st_mode & stat.S_ISVTX):
        raise UnsafeCacheDir(f"{path} is writable by other users (chmod go-w it)")


def _make_private(path: Path) -> None:
    """Create ``path`` and any missing parent, each 0700."""
    missing = []
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            break
        missing.append(candidate)
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(directory, 0o700)


def _uid() -> int | None:
    """The effective user, or None where the system has no owners (Windows)."""
    return os.geteuid() if hasattr(os, "geteuid") else None


def secure_directory(path: Path) -> Path:
    """``path`` created private if missing, then resolved and checked with every parent."""
    _make_private(Path(os.path.abspath(path)))
    real = Path(os.path.realpath(path))
    uid = _uid()
    if uid is None:
        return real
    _check_directory(real, uid, ancestor=False)
    for parent in real.parents:
        _check_directory(parent, uid, ancestor=True)
    return real


@functools.cache
def usable_cache_dir(directory: Path) -> Path | None:
    """The checked cache directory, or None (and one note on stderr) when it is refused."""
    try:
        return secure_directory(directory)
    except (OSError, UnsafeCacheDir) as exc:
        reason = f"{exc.filename}: {exc.strerror}" if isinstance(exc, OSError) else str(exc)
        print(f"iaccert: cache disabled for this run: {reason}", file=sys.stderr)
        return None


def _own_subdirectory(root: Path, relative: str) -> Path | None:
    """``root/relative`` created 0700; None unless each level is a real directory of ours."""
    path, uid = root, _uid()
    try:
        for part in relative.split("/"):
            path = path / part
            with contextlib.suppress(FileExistsError):
                os.mkdir(path, 0o700)
            if uid is not None:
                _check_directory(path, uid, ancestor=False)
    except (OSError, UnsafeCacheDir):
        return None
    return path


def read_json(path: Path, limit: int = MAX_ENTRY_BYTES) -> Any:
    """A JSON entry, or None when missing, not a regular file of ours, too large or not JSON."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        uid = _uid()
        if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
            return None
        if info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            return None
        return json.loads(data)
    except (OSError, ValueError, RecursionError):
        return None
    finally:
        os.close(fd)


def write_json(path: Path, value: Any) -> None:
    """Write atomically: a new ``O_EXCL`` temporary file beside it, then rename over it.

    The rename replaces whatever sits at ``path`` (a planted symlink included) without
    following it. A value JSON cannot hold is simply not written.
    """
    try:
        data = json.dumps(value, separators=(",", ":"), allow_nan=True).encode()
    except (TypeError, ValueError, RecursionError):
        return
    temp = None
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(temp, path)
        temp = None
    except OSError:
        pass
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def cache_file(cache_dir: Path | None, relative: str) -> Path | None:
    """Where an entry lives under a usable cache directory; None when caching is off."""
    if cache_dir is None:
        return None
    root = usable_cache_dir(cache_dir)
    if root is None:
        return None
    parent, _, name = relative.rpartition("/")
    directory = _own_subdirectory(root, parent) if parent else root
    return directory / name if directory is not None else None


class ParseCache:
    """JSON data keyed by (kind, content); callers encode, decode and relabel by path."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.hits = 0

    def entry_path(self, kind: str, content: bytes) -> Path | None:
        digest = hashlib.sha256(f"{kind}\0".encode() + content).hexdigest()
        return cache_file(self.directory, f"parse-v{__version__}/{digest[:2]}/{digest}.json")

    def get(self, kind: str, content: bytes, decode: Callable[[Any], Any]) -> Any:
        """``decode(data)`` of the entry, or None when it is missing or of a wrong shape
        (``decode`` raises ``ValueError``, ``TypeError``, ``KeyError`` or ``IndexError``)."""
        path = self.entry_path(kind, content)
        data = read_json(path) if path is not None else None
        if data is None:
            return None
        try:
            value = decode(data)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
            return None
        self.hits += 1
        return value

    def put(self, kind: str, content: bytes, data: Any) -> None:
        path = self.entry_path(kind, content)
        if path is not None:
            write_json(path, data)
