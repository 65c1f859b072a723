"""``lint --fix`` / ``--diff``: mechanical fixes for findings, as text edits at known ranges.

A fix is a set of edits to source files, computed from a finding and its chain; every byte
outside the edited ranges is kept. Fixes are *safe* (they keep what the code means and only
add what the rule asks for) or *unsafe* (they change what gets deployed, e.g. a new DNS record);
ruff's model: safe ones by default, unsafe ones with ``--unsafe-fixes``. Fixers live beside the
front end whose text they write (``fix/terraform.py``); the checks never know about them.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SAFE, UNSAFE = "safe", "unsafe"
MAX_SOURCE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` of one file (offsets into its decoded text)."""

    file: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    rule_id: str
    applicability: str  # SAFE | UNSAFE
    title: str
    edits: tuple[Edit, ...]


Fixer = Callable[..., "Fix | None"]
FIXERS: dict[str, list[Fixer]] = {}


def fixer(rule_id: str):
    """Register a fixer for a rule: ``fn(finding, chain, sources, project) -> Fix | None``."""

    def register(fn: Fixer) -> Fixer:
        FIXERS.setdefault(rule_id, []).append(fn)
        return fn

    return register


class Sources:
    """The text of the files fixes edit: regular files under the working directory only.

    A fix never writes through a symbolic link or outside the tree being linted, and never
    edits a file it cannot decode as UTF-8.
    """

    def __init__(self, root: Path | None = None):
        self.root = os.path.realpath(root or os.getcwd())
        self._texts: dict[str, str | None] = {}

    def _path(self, file: str) -> str | None:
        path = os.path.join(self.root, file)
        real = os.path.realpath(path)
        if real != os.path.normpath(path) or not real.startswith(self.root + os.sep):
            return None  # through a symlink, or outside the tree
        return real

    def text(self, file: str) -> str | None:
        if file not in self._texts:
            self._texts[file] = self._read(file)
        return self._texts[file]

    def _read(self, file: str) -> str | None:
        path = self._path(file)
        if path is None:
            return None
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SOURCE_BYTES:
                return None
            data = fh.read(MAX_SOURCE_BYTES + 1)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def write(self, file: str, text: str) -> None:
        """Replace the file atomically (a temporary file beside it, then rename), mode kept."""
        path = self._path(file)
        if path is None:
            raise OSError(f"{file}: not a file iaccert may edit")
        mode = stat.S_IMODE(os.stat(path).st_mode)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".iaccert-fix-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        self._texts[file] = text


def _load_fixers() -> None:
    from . import terraform  # noqa: F401  registers the Terraform fixers


def fixes_for(result, sources: Sources, unsafe: bool) -> list[Fix]:
    """The fixes for the findings a run reports (never for suppressed ones), one per finding."""
    _load_fixers()
    chains: dict[str, list] = {}
    for chain in result.chains:
        chains.setdefault(chain.domain.address, []).append(chain)
    by_id = {chain.chain_id: chain for chain in result.chains}
    project = result.project
    out: list[Fix] = []
    for finding in result.findings:
        for fn in FIXERS.get(finding.rule.id, []):
            chain = by_id.get(finding.chain_id) or _chain_of(finding, chains)
            if chain is None:
                continue
            fix = fn(finding, chain, sources, project)
            if fix is not None and (unsafe or fix.applicability == SAFE):
                out.append(fix)
                break
    return out


def _chain_of(finding, chains: dict) -> object | None:
    """The chain of a finding made without a chain id: its domain, in one of its files."""
    candidates = chains.get(finding.domain or "", [])
    files = {finding.location.file} | {r.location.file for r in finding.related}
    for chain in candidates:
        if chain.domain.location.file in files:
            return chain
    return candidates[0] if len(candidates) == 1 else None


def apply(fixes: list[Fix], sources: Sources) -> tuple[dict[str, str], list[Fix]]:
    """New text per file, and the fixes it holds. Identical edits count once; a fix whose edits
    clash with one already taken waits for the next round (the caller lints again)."""
    taken: dict[str, list[Edit]] = {}
    applied: list[Fix] = []
    for fix in fixes:
        new = [e for e in fix.edits if e not in taken.get(e.file, [])]
        if any(_clash(e, o) for e in new for o in taken.get(e.file, [])):
            continue
        applied.append(fix)
        for edit in new:
            taken.setdefault(edit.file, []).append(edit)
    out = {}
    for file, edits in taken.items():
        text = sources.text(file)
        if text is None:
            continue
        for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
            text = text[: edit.start] + edit.text + text[edit.end :]
        out[file] = text
    return out, applied


def _clash(a: Edit, b: Edit) -> bool:
    """Two edits touch the same text (two insertions at one point: their order is unclear)."""
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    return a.start < b.end and b.start < a.end


def unified_diff(new_texts: dict[str, str], sources: Sources) -> str:
    parts = []
    for file in sorted(new_texts):
        old = sources.text(file) or ""
        parts.extend(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new_texts[file].splitlines(keepends=True),
                fromfile=f"a/{file}",
                tofile=f"b/{file}",
            )
        )
    return "".join(parts)


def fix_until_clean(result, relint: Callable, unsafe: bool, rounds: int = 4):
    """Apply fixes, lint again, and repeat while fixes change something (a fix can make
    another one possible). Returns the last result and how many findings were fixed."""
    fixed = 0
    for _ in range(rounds):
        sources = Sources()
        new_texts, applied = apply(fixes_for(result, sources, unsafe), sources)
        changed = {f: t for f, t in new_texts.items() if t != sources.text(f)}
        if not changed:
            break
        for file, text in changed.items():
            sources.write(file, text)
        fixed += len(applied)
        result = relint()
    return result, fixed


def preview(result, unsafe: bool) -> tuple[str, int]:
    """``--diff``: the unified diff of one round of fixes, and how many findings it fixes."""
    sources = Sources()
    new_texts, applied = apply(fixes_for(result, sources, unsafe), sources)
    changed = {f: t for f, t in new_texts.items() if t != sources.text(f)}
    return unified_diff(changed, sources), len(applied) if changed else 0


def fixable(result) -> tuple[int, int]:
    """(safe, unsafe-only) fix counts for the findings of a run: the text summary's hint."""
    sources = Sources()
    fixes = fixes_for(result, sources, unsafe=True)
    safe = sum(1 for f in fixes if f.applicability == SAFE)
    return safe, len(fixes) - safe
