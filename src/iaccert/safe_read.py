"""Every file iaccert reads from a scanned repository is read here, and only here.

The repository is untrusted (pull requests, pre-commit hooks, CI runners that hold secrets):
a committed symbolic link can point at the runner's credentials, ``/proc/self/environ``,
``/dev/zero`` or a FIFO. So a file is read only when

- its real path is inside one of the scan's *roots* (the scanned path's git work tree, the
  directory holding ``.git``, else the scanned path itself; ``--allow-root`` adds more), or
  it is a file the user named on the command line (``--var-file``, ``--plan``…);
- it is a regular file, checked before opening and again on the opened descriptor (opened
  non-blocking and without following a last symbolic link, so a FIFO never blocks and a
  swapped link is not followed), never under ``/proc``, ``/sys`` or ``/dev``;
- it is no larger than the caller's limit, checked on the descriptor before reading, and at
  most limit + 1 bytes are read.

A refusal is ``Refused`` (an ``OSError``) whose ``reason`` says why in a few words; it never
carries any of the file's content. ``quote`` bounds what a message may quote of a file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

MIB = 1024 * 1024
SOURCE_LIMIT = 5 * MIB  # .tf, .tfvars, templates, manifests, parameter files
LARGE_LIMIT = 64 * MIB  # state files, baselines, code frames
PLAN_LIMIT = 256 * MIB  # `terraform show -json` of a large root
QUOTE_LIMIT = 60  # characters of a file a message may quote
SYSTEM_DIRS = ("/proc", "/sys", "/dev")
OUTSIDE = "outside the repository"


class Refused(OSError):
    """A file iaccert does not read, and why (never the file's content)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
        self.strerror = reason

    def __str__(self) -> str:
        return self.reason


class TooLarge(Refused):
    """A file over the caller's size limit (refused before a byte is read)."""


def repository_root(path: Path) -> Path:
    """The real directory holding ``.git`` at or above ``path`` (a file: the directory it is
    in, not where a symbolic link leads), else that directory itself."""
    start = Path(os.path.realpath(path))
    if not start.is_dir():
        start = Path(os.path.realpath(Path(os.path.abspath(path)).parent))
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def _under(real: str, directory: str) -> bool:
    """``real`` is ``directory`` or inside it (both real, absolute paths as strings)."""
    prefix = directory if directory.endswith(os.sep) else directory + os.sep
    return real == directory or real.startswith(prefix)


@dataclass(frozen=True)
class Roots:
    """Where a scan may read: directories (real paths) and single files the user named."""

    dirs: tuple[Path, ...] = ()
    files: frozenset[Path] = frozenset()
    # each directory's real path, found once per scan: a scan reads many files of one
    # directory (a file that is itself a symbolic link is still followed every time)
    _real_dirs: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, paths: Iterable[Path], extra: Iterable[Path] = ()) -> Roots:
        """The repository root of each scanned path, plus ``extra`` directories as they are."""
        dirs = {repository_root(p) for p in paths}
        dirs |= {Path(os.path.realpath(d)) for d in extra}
        return cls(tuple(sorted(dirs)))

    def with_files(self, files: Iterable[Path | None]) -> Roots:
        """These roots and files named on the command line, wherever they are."""
        named = {Path(os.path.realpath(f)) for f in files if f is not None}
        return Roots(self.dirs, self.files | named)

    def contains(self, path: Path) -> bool:
        """Whether the real path (every symbolic link followed) may be read."""
        return self.outside(path) is None

    def real_path(self, path: Path | str) -> str:
        """``os.path.realpath(path)``, each parent directory resolved once per scan."""
        text = os.fspath(path)
        absolute = text if os.path.isabs(text) else os.path.join(os.getcwd(), text)
        parent, name = os.path.split(absolute)
        if name in ("", ".", ".."):
            return os.path.realpath(absolute)
        real_parent = self._real_dirs.get(parent)
        if real_parent is None:
            real_parent = self._real_dirs[parent] = os.path.realpath(parent)
        joined = os.path.join(real_parent, name)
        return os.path.realpath(joined) if os.path.islink(joined) else joined

    def outside(self, path: Path) -> str | None:
        """Why ``path`` (a file or a directory) may not be read, or None when it may."""
        return self.check(path)[0]

    def check(self, path: Path) -> tuple[str | None, str]:
        """(why ``path`` may not be read or None, its real path)."""
        real = self.real_path(path)
        if self.files and Path(real) in self.files:
            return None, real
        if not any(_under(real, str(d)) for d in self.dirs):
            lexical = os.path.abspath(path)
            if any(_under(lexical, str(d)) for d in self.dirs):
                return f"a symbolic link that leads {OUTSIDE}", real
            return OUTSIDE, real
        if any(_under(real, s) for s in SYSTEM_DIRS):
            return "a system file (/proc, /sys, /dev)", real
        return None, real


def default_roots(path: Path) -> Roots:
    """The roots of a read that no scan configured: the repository of the directory the
    file is in (where a symbolic link leads does not count)."""
    return Roots.of([Path(os.path.abspath(path)).parent])


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"


def _size_text(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB and limit % MIB == 0 else f"{limit} bytes"


def _check(info: os.stat_result, limit: int | None) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"{_kind(info.st_mode)}, not a regular file")
    if limit is not None and info.st_size > limit:
        raise TooLarge(f"larger than {_size_text(limit)}")


def read_bytes(path: Path, roots: Roots | None, limit: int = SOURCE_LIMIT) -> bytes:
    """The file's bytes, if the rules above allow it; else ``Refused`` (other failures are
    the usual ``OSError``)."""
    return _read(path, roots, limit, limit)


def read_named(path: Path, limit: int = SOURCE_LIMIT) -> bytes:
    """A file the user named on the command line (``--baseline``…): wherever it is, but still
    a regular file (a FIFO never blocks) no larger than ``limit``."""
    return read_bytes(path, Roots().with_files([path]), limit)


def read_head(path: Path, roots: Roots | None, size: int) -> bytes:
    """At most the first ``size`` bytes of an allowed file, whatever its length."""
    return _read(path, roots, None, size)


def read_text(
    path: Path,
    roots: Roots | None,
    limit: int = SOURCE_LIMIT,
    encoding: str = "utf-8-sig",
    errors: str = "strict",
) -> str:
    """``read_bytes`` decoded (``UnicodeDecodeError`` on bad text unless ``errors`` says)."""
    return read_bytes(path, roots, limit).decode(encoding, errors)


def _read(path: Path, roots: Roots | None, limit: int | None, most: int) -> bytes:
    roots = roots if roots is not None else default_roots(path)
    why, real = roots.check(path)
    if why is not None:
        raise Refused(why)
    _check(os.stat(real), limit)  # a FIFO or device is refused before it is ever opened
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(real, flags | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        _check(os.fstat(fd), limit)  # what was opened, not what the name pointed at before
        chunks, left = [], most + 1 if limit is not None else most
        while left > 0:
            chunk = os.read(fd, min(left, MIB))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if limit is not None and len(data) > limit:
        raise TooLarge(f"larger than {_size_text(limit)}")
    return data


def quote(token: object, limit: int = QUOTE_LIMIT) -> str:
    """A token of a file as a message may quote it: a string repr-quoted, anything else as
    its repr, cut after ``limit`` characters (with an ellipsis): never a file's content."""
    if isinstance(token, str):
        line = token.split("\n", 1)[0].split("\r", 1)[0]  # one line of it at most
        return repr(line[:limit]) + ("…" if len(line) > limit or line != token else "")
    shown = repr(token)
    return shown[:limit] + ("…" if len(shown) > limit else "")


def bound(message: str, limit: int = 200) -> str:
    """A message's first line, at most ``limit`` characters (a decoder's own messages may
    quote the input)."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    return first if len(first) <= limit else first[:limit] + "…"
