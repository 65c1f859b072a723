"""Decide, from file text alone, which Terraform modules can hold an API Gateway domain.

A monorepo is mostly ordinary infrastructure. Modules are grouped with the modules
they call or are called by (through local ``source`` paths); a group is parsed only if
one of its files names a domain resource type, or it calls a registry/git module that
can create one (a known-module model that does, or a downloaded copy that names one).
Every other group cannot produce a chain, so it is never parsed.

The text is searched as Terraform will read it: escapes that can spell any character
(``\u005f`` in an HCL string or label, every JSON escape in ``.tf.json``) are decoded
first, so a spelling never hides a domain type or a module source from the filter.

What a directory's text says is remembered in the cache under its files' names, sizes
and modification times, so an unchanged tree is only listed, not read, on the next run.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..cache import cache_file, read_json, write_json
from ..roles import roles
from ..safe_read import SOURCE_LIMIT, Roots, read_bytes
from .downloaded import read_modules_json
from .known_modules import family_creates_domains

_SOURCE = re.compile(r'["\']?source["\']?\s*[=:]\s*"([^"]+)"')
# HCL strings and labels spell any character as \uNNNN or \UNNNNNNNN; JSON as \uNNNN, and
# it escapes a few more. Decoding an escape where it is not one (a literal backslash)
# only makes the filter keep more files, never fewer.
_HCL_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")
_JSON_ESCAPE = re.compile(r'\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))')
_JSON_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


@dataclass
class ModuleFacts:
    """What the prefilter knows of one module directory, from its text."""

    files: list[str] = field(default_factory=list)  # file names
    names_domain: bool = False
    local_sources: list[str] = field(default_factory=list)
    remote_sources: list[str] = field(default_factory=list)
    unreadable: bool = False


def _domain_pattern() -> re.Pattern:
    names = sorted({*roles().consumers, *roles().attachment_types})
    return re.compile("|".join(re.escape(n) for n in names))


def _listing(directory: Path, suffixes: tuple[str, ...]) -> tuple | None:
    """(name, size, mtime) of each Terraform file: the key under which facts are remembered.
    Anything with a Terraform name but a directory is listed (a FIFO, a link out of the
    repository): reading it is refused, which makes its group parsed and reported."""
    try:
        with os.scandir(directory) as entries:
            found = []
            for entry in entries:
                if entry.name.endswith(suffixes) and not entry.is_dir():
                    try:
                        info = entry.stat()
                    except OSError:
                        info = entry.stat(follow_symlinks=False)
                    found.append((entry.name, info.st_size, info.st_mtime_ns))
    except OSError:
        return None
    return tuple(sorted(found))


def _code_point(digits: str) -> str:
    value = int(digits, 16)
    return chr(value) if value <= 0x10FFFF else "\ufffd"


def _hcl_unescaped(match: re.Match) -> str:
    return _code_point(match.group(1) or match.group(2))


def _json_unescaped(match: re.Match) -> str:
    if match.group(1):
        return _code_point(match.group(1))
    return _JSON_SIMPLE.get(match.group(2), match.group(2))


def searchable_text(name: str, text: str) -> str:
    """The file's text with the escapes Terraform decodes decoded (same length or shorter)."""
    if "\\" not in text:
        return text
    if name.endswith(".json"):
        return _JSON_ESCAPE.sub(_json_unescaped, text)
    return _HCL_ESCAPE.sub(_hcl_unescaped, text)


def read_facts(
    directory: Path, listing: tuple | None, pattern: re.Pattern, roots: Roots | None = None
) -> ModuleFacts:
    facts = ModuleFacts(unreadable=listing is None)
    texts = []
    for name, _, _ in listing or ():
        facts.files.append(name)
        try:  # the size limit applies before reading: a 1 GiB sparse file is never read
            data = read_bytes(directory / name, roots, SOURCE_LIMIT)
            texts.append(searchable_text(name, data.decode("utf-8", "replace")))
        except OSError:  # refused or unreadable: the group is parsed, and the file reported
            facts.unreadable = True
    text = "\n".join(texts)
    facts.names_domain = bool(pattern.search(text))
    if "source" in text:
        for source in _SOURCE.findall(text):
            local = source.startswith(("./", "../"))
            (facts.local_sources if local else facts.remote_sources).append(source)
    if "terragrunt.hcl" in facts.files:
        _terragrunt_facts(directory, facts)
    return facts


_TG_SOURCE = re.compile(r'^\s*source\s*=\s*"([^"]*)"', re.MULTILINE)
_TG_PATH = re.compile(r'^\s*config_path\s*=\s*"([^"]*)"', re.MULTILINE)
_TG_DIR = "${get_terragrunt_dir()}/"


def _terragrunt_facts(directory: Path, facts: ModuleFacts) -> None:
    """A Terragrunt unit is grouped with the module it runs and the units it depends on; a
    unit whose module the text does not name plainly (an include, a function) is parsed."""
    try:
        with open(directory / "terragrunt.hcl", "rb") as fh:
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        facts.unreadable = True
        return
    sources = _TG_SOURCE.findall(text)
    if not sources:
        facts.unreadable = True  # the module comes from an include, or the unit dir itself
    for raw in sources + _TG_PATH.findall(text):
        path = raw.removeprefix(_TG_DIR)
        if path.startswith(("./", "../")) and "${" not in path and "::" not in path:
            facts.local_sources.append(path.replace("//", "/").split("?")[0])
        elif "${" in path:
            facts.unreadable = True
        elif raw in sources:
            facts.remote_sources.append(raw)


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

    def facts(
        self, directory: Path, suffixes: tuple[str, ...], pattern: re.Pattern, roots: Roots
    ) -> ModuleFacts:
        listing = _listing(directory, suffixes)
        key = str(directory)
        if listing is not None:
            remembered = _decode_entry(self.entries.get(key), listing)
            if remembered is not None:
                return remembered
        facts = read_facts(directory, listing, pattern, roots)
        if listing is not None and not (directory / ".terraform").exists():
            self.entries[key] = [[list(item) for item in listing], _encode_facts(facts)]
            self.changed = True
        return facts

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        write_json(self.path, {"entries": self.entries})


_FACT_LISTS = ("files", "local_sources", "remote_sources")
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


def _downloaded(directory: Path, roots: Roots) -> tuple[list[Path], bool]:
    """The downloaded module directories that may be read, and whether modules.json was
    refused (then the directory is parsed, and the refusal reported)."""
    if not (directory / ".terraform").is_dir():
        return [], False
    found = read_modules_json(directory, roots, str)
    return [d for d in found.dirs.values() if isinstance(d, Path)], found.problem is not None


def relevant_directories(
    directories: list[Path],
    suffixes: tuple[str, ...],
    cache_dir: Path | None = None,
    roots: Roots | None = None,
    resolved: bool = False,
) -> tuple[set[Path], dict[Path, ModuleFacts]]:
    """The directories whose group can hold a domain, and the facts learnt on the way.
    Nothing outside ``roots`` (default: the directories' repositories) is read;
    ``resolved``: the caller's directories are real paths already, not resolved again."""
    roots = roots if roots is not None else Roots.of(directories)
    pattern = _domain_pattern()
    cache = FactsCache(cache_dir)
    modules: dict[Path, ModuleFacts] = {}
    edges: dict[Path, set[Path]] = {}
    pending = list(directories) if resolved else [d.resolve() for d in directories]
    while pending:
        directory = pending.pop()
        if directory in modules:
            continue
        facts = modules[directory] = cache.facts(directory, suffixes, pattern, roots)
        edges.setdefault(directory, set())
        for source in facts.local_sources:
            target = (directory / source).resolve()
            if target.is_dir() and roots.contains(target):
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
        if any(_matters(d, modules[d], pattern, suffixes, roots) for d in group if d in modules):
            relevant |= group
    return relevant, modules


def _matters(
    directory: Path, facts: ModuleFacts, pattern: re.Pattern, suffixes, roots: Roots
) -> bool:
    if facts.unreadable or facts.names_domain:
        return True
    if any(family_creates_domains(source) for source in facts.remote_sources):
        return True  # whichever model the version picks, or none (then IAC004 says so)
    downloaded_dirs, refused = _downloaded(directory, roots)
    if refused:
        return True
    for path in downloaded_dirs:
        downloaded = read_facts(path, _listing(path, suffixes), pattern, roots)
        if downloaded.unreadable or downloaded.names_domain:
            return True
    return False
