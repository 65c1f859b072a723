"""Which paths a scan leaves out: ``exclude`` globs (configuration, ``--exclude``) and, by
default, what ``.gitignore`` files ignore. Everything has gitignore semantics (pathspec's
``GitIgnoreSpec``): ``*`` stays within one path segment, ``**`` crosses them, a pattern
without a slash matches at any depth, ``dir/`` matches directories only, ``!`` re-includes.

- ``exclude`` globs apply to every path, also one named on the command line (pre-commit
  passes files by name): a path is excluded when a glob matches it or a directory above it.
- ``.gitignore`` files apply to what the walk finds below a path named on the command line,
  never to that path itself: ``iaccert lint build/`` scans ``build/`` even when it is
  ignored, as ruff does. They are read from the repository root (the directory holding
  ``.git``) down to each directory, deeper files first, then ``.git/info/exclude``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pathspec is imported only when there is a pattern to compile
    from pathspec import GitIgnoreSpec

MAX_IGNORE_FILE = 1024 * 1024  # a larger .gitignore is not read
BAD_PATTERN = (ValueError, re.error)  # pathspec's pattern errors are ValueErrors


class PatternError(ValueError):
    """An exclude glob that is not a valid gitignore pattern."""


@dataclass(frozen=True)
class PatternSet:
    """Gitignore patterns relative to one directory (a .gitignore's, a config file's, the
    working directory for ``--exclude``)."""

    base: Path
    spec: GitIgnoreSpec

    @classmethod
    def parse(cls, base: Path, patterns: list[str]) -> PatternSet:
        from pathspec import GitIgnoreSpec

        lines = [p.replace("\\", "/") for p in patterns]
        try:
            return cls(Path(os.path.abspath(base)), GitIgnoreSpec.from_lines(lines))
        except BAD_PATTERN as exc:
            raise PatternError(str(exc)) from None

    def decides(self, path: Path, is_dir: bool) -> bool | None:
        """True: ignored, False: re-included (``!``), None: no pattern matches."""
        try:
            rel = path.relative_to(self.base)
        except ValueError:
            return None
        if not rel.parts:
            return None
        return self.spec.check_file(rel.as_posix() + ("/" if is_dir else "")).include


def matches(sets: list[PatternSet], path: Path) -> bool:
    """Whether a glob matches ``path`` or one of the directories above it."""
    if not sets:
        return False
    path = Path(os.path.abspath(path))
    candidates = [(path, path.is_dir()), *((parent, True) for parent in path.parents)]
    return any(s.decides(p, is_dir) for s in sets for p, is_dir in candidates)


@dataclass
class Exclusions:
    """What discovery leaves out; ``gitignore=False`` is ``--no-gitignore``."""

    globs: list[PatternSet] = field(default_factory=list)
    gitignore: bool = True
    _ignore_files: dict[Path, PatternSet | None] = field(default_factory=dict, repr=False)
    _roots: dict[Path, Path | None] = field(default_factory=dict, repr=False)
    _has_patterns: dict[str, bool] = field(default_factory=dict, repr=False)

    def excluded(self, path: Path) -> bool:
        """An exclude glob matches the path or a directory above it (any path, also one
        named on the command line)."""
        return matches(self.globs, path)

    def walker(self, top: Path) -> Callable[[Path, bool], bool]:
        """``skip(path, is_dir)`` for the walk below ``top`` (whose parents were kept): an
        exclude glob, or a .gitignore unless ``top`` itself is ignored (the user named an
        ignored directory: scan it)."""
        top = Path(os.path.abspath(top))
        root = self._repository_root(top) if self.gitignore else None
        if root is not None and top != root:
            rel = top.relative_to(root).parts
            named = [root.joinpath(*rel[: n + 1]) for n in range(len(rel))]
            if any(self._decided(p, True, root) for p in named):
                root = None

        def skip(path: Path | str, is_dir: bool) -> bool:
            text = os.path.abspath(path)
            if not self.globs and (
                root is None or not self._any_ignore(os.path.dirname(text), root)
            ):
                return False  # no pattern can apply: no Path built (10,000 files a walk)
            path = Path(text)
            if any(s.decides(path, is_dir) for s in self.globs):
                return True
            return root is not None and self._decided(path, is_dir, root)

        return skip

    def _decided(self, path: Path, is_dir: bool, root: Path) -> bool:
        """The deepest .gitignore with a matching pattern decides, then .git/info/exclude."""
        directory = path.parent
        while True:
            spec = self._ignore_file(directory / ".gitignore")
            verdict = spec.decides(path, is_dir) if spec is not None else None
            if verdict is not None:
                return verdict
            if directory == root or directory.parent == directory:
                break
            directory = directory.parent
        info = self._ignore_file(root / ".git" / "info" / "exclude", base=root)
        return bool(info is not None and info.decides(path, is_dir))

    def _any_ignore(self, directory: str, root: Path) -> bool:
        """Whether a .gitignore at or above ``directory`` (up to ``root``) or
        ``.git/info/exclude`` has patterns: what ``_decided`` would read, remembered per
        directory."""
        known = self._has_patterns.get(directory)
        if known is not None:
            return known
        here = Path(directory)
        found = self._ignore_file(here / ".gitignore") is not None
        if not found:
            parent = os.path.dirname(directory)
            if here == root or parent == directory:
                found = self._ignore_file(root / ".git" / "info" / "exclude", base=root) is not None
            else:
                found = self._any_ignore(parent, root)
        self._has_patterns[directory] = found
        return found

    def _ignore_file(self, file: Path, base: Path | None = None) -> PatternSet | None:
        if file not in self._ignore_files:
            self._ignore_files[file] = _read_ignore_file(file, base or file.parent)
        return self._ignore_files[file]

    def _repository_root(self, start: Path) -> Path | None:
        """The nearest directory at or above ``start`` holding ``.git``."""
        if start not in self._roots:
            directory, found = start, None
            while True:
                if (directory / ".git").exists():
                    found = directory
                    break
                if directory.parent == directory:
                    break
                directory = directory.parent
            self._roots[start] = found
        return self._roots[start]


def _read_ignore_file(file: Path, base: Path) -> PatternSet | None:
    """A .gitignore's patterns; an unreadable or oversized file counts as empty and a bad
    line is skipped (a scan must not fail on one). Like git (2.32 and later), a symbolic
    link named .gitignore is not followed: it could lead outside the repository."""
    try:
        if file.is_symlink() or not file.is_file() or file.stat().st_size > MAX_IGNORE_FILE:
            return None
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    from pathspec import GitIgnoreSpec

    try:
        return PatternSet(base, GitIgnoreSpec.from_lines(text.splitlines()))
    except BAD_PATTERN:
        pass
    lines = []
    for line in text.splitlines():
        try:
            GitIgnoreSpec.from_lines([line])
        except BAD_PATTERN:
            continue
        lines.append(line)
    return PatternSet(base, GitIgnoreSpec.from_lines(lines))
