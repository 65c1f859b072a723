"""Decide, from file text alone, which Terraform modules can hold an API Gateway domain.

A monorepo is mostly ordinary infrastructure. Modules are grouped with the modules
they call or are called by (through local ``source`` paths); a group is parsed only if
one of its files names a domain resource type, or it calls a registry/git module that
can create one (a known-module model that does, or a downloaded copy that names one).
Every other group cannot produce a chain, so it is never parsed.

What a directory's text says is remembered in the cache under its files' names, sizes
and modification times, so an unchanged tree is only listed, not read, on the next run.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..cache import cache_file, read_json, write_json
from ..roles import roles
from .known_modules import find_model

_SOURCE = re.compile(r'["\']?source["\']?\s*[=:]\s*"([^"]+)"')
_VERSION_NEAR = re.compile(r'["\']?version["\']?\s*[=:]\s*"([^"]+)"')


@dataclass
class ModuleFacts:
    """What the prefilter knows of one module directory, from its text."""

    files: list[str] = field(default_factory=list)  # file names
    names_domain: bool = False
    local_sources: list[str] = field(default_factory=list)
    remote_sources: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    unreadable: bool = False


def _domain_pattern() -> re.Pattern:
    names = sorted({*roles().consumers, *roles().attachment_types})
    return re.compile("|".join(re.escape(n) for n in names))


def _listing(directory: Path, suffixes: tuple[str, ...]) -> tuple | None:
    """(name, size, mtime) of each Terraform file: the key under which facts are remembered."""
    try:
        with os.scandir(directory) as entries:
            found = []
            for entry in entries:
                if entry.name.endswith(suffixes) and entry.is_file():
                    info = entry.stat()
                    found.append((entry.name, info.st_size, info.st_mtime_ns))
    except OSError:
        return None
    return tuple(sorted(found))


def read_facts(directory: Path, listing: tuple | None, pattern: re.Pattern) -> ModuleFacts:
    facts = ModuleFacts(unreadable=listing is None)
    texts = []
    for name, _, _ in listing or ():
        facts.files.append(name)
        try:
            with open(directory / name, "rb") as fh:
                texts.append(fh.read().decode("utf-8", "replace"))
        except OSError:
            facts.unreadable = True
    text = "\n".join(texts)
    facts.names_domain = bool(pattern.search(text))
    if "source" in text:
        for source in _SOURCE.findall(text):
            local = source.startswith(("./", "../"))
            (facts.local_sources if local else facts.remote_sources).append(source)
        facts.versions = _VERSION_NEAR.findall(text)
    return facts


class FactsCache:
    """Facts by directory, remembered under the directory's listing (one JSON file).

    Entries stay JSON data until a directory asks for them; each is checked then, and one of
    a wrong shape is a miss (its facts are read again).
    """

    def __init__(self, cache_dir: Path | None):
        self.path = cache_file(cache_dir, f"prefilter-v{__version__}.json")
        self.entries: dict[str, list] = {}
        self.changed = False
        loaded = read_json(self.path) if self.path is not None else None
        if isinstance(loaded, dict) and isinstance(loaded.get("entries"), dict):
            self.entries = loaded["entries"]

    def facts(self, directory: Path, suffixes: tuple[str, ...], pattern: re.Pattern) -> ModuleFacts:
        listing = _listing(directory, suffixes)
        key = str(directory)
        if listing is not None:
            remembered = _decode_entry(self.entries.get(key), listing)
            if remembered is not None:
                return remembered
        facts = read_facts(directory, listing, pattern)
        if listing is not None and not (directory / ".terraform").exists():
            self.entries[key] = [[list(item) for item in listing], _encode_facts(facts)]
            self.changed = True
        return facts

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        write_json(self.path, {"entries": self.entries})


_FACT_LISTS = ("files", "local_sources", "remote_sources", "versions")
_FACT_FLAGS = ("names_domain", "unreadable")


def _encode_facts(facts: ModuleFacts) -> dict:
    return {name: getattr(facts, name) for name in (*_FACT_LISTS, *_FACT_FLAGS)}


def _decode_entry(entry: object, listing: tuple) -> ModuleFacts | None:
    """The remembered facts if ``entry`` is well formed and was taken under ``listing``."""
    if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], dict)):
        return None
    if entry[0] != [list(item) for item in listing]:
        return None
    data = entry[1]
    lists = {name: data.get(name) for name in _FACT_LISTS}
    flags = {name: data.get(name) for name in _FACT_FLAGS}
    if not all(
        isinstance(value, list) and all(type(item) is str for item in value)
        for value in lists.values()
    ):
        return None
    if not all(type(value) is bool for value in flags.values()):
        return None
    return ModuleFacts(**{name: list(value) for name, value in lists.items()}, **flags)


def _downloaded(directory: Path) -> dict[str, Path]:
    if not (directory / ".terraform").is_dir():
        return {}
    try:
        data = json.loads((directory / ".terraform" / "modules" / "modules.json").read_text())
        return {m["Key"]: (directory / m["Dir"]).resolve() for m in data.get("Modules", [])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def relevant_directories(
    directories: list[Path], suffixes: tuple[str, ...], cache_dir: Path | None = None
) -> tuple[set[Path], dict[Path, ModuleFacts]]:
    """The directories whose group can hold a domain, and the facts learnt on the way."""
    pattern = _domain_pattern()
    cache = FactsCache(cache_dir)
    modules: dict[Path, ModuleFacts] = {}
    edges: dict[Path, set[Path]] = {}
    pending = [d.resolve() for d in directories]
    while pending:
        directory = pending.pop()
        if directory in modules:
            continue
        facts = modules[directory] = cache.facts(directory, suffixes, pattern)
        edges.setdefault(directory, set())
        for source in facts.local_sources:
            target = (directory / source).resolve()
            if target.is_dir():
                edges[directory].add(target)
                edges.setdefault(target, set()).add(directory)
                pending.append(target)
    cache.save()
    relevant: set[Path] = set()
    seen: set[Path] = set()
    for start in modules:
        if start in seen:
            continue
        group, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node in group:
                continue
            group.add(node)
            stack.extend(edges.get(node, ()))
        seen |= group
        if any(_matters(d, modules[d], pattern, suffixes) for d in group if d in modules):
            relevant |= group
    return relevant, modules


def _matters(directory: Path, facts: ModuleFacts, pattern: re.Pattern, suffixes) -> bool:
    if facts.unreadable or facts.names_domain:
        return True
    for source in facts.remote_sources:
        for version in [None, *facts.versions]:
            model = find_model(source, version)
            if model and pattern.search(model.hcl):
                return True
    for path in _downloaded(directory).values():
        downloaded = read_facts(path, _listing(path, suffixes), pattern)
        if downloaded.unreadable or downloaded.names_domain:
            return True
    return False
