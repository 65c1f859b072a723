"""Decide, from file text alone, which Terraform modules can hold an API Gateway domain.

A monorepo is mostly ordinary infrastructure. Modules are grouped with the modules
they call or are called by (through local ``source`` paths); a group is parsed only if
one of its files names a domain resource type, or it calls a registry/git module that
can create one (a known-module model that does, or a downloaded copy that names one).
Every other group cannot produce a chain, so it is never parsed.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..bindings import bindings
from .known_modules import find_model

_SOURCE = re.compile(r'["\']?source["\']?\s*[=:]\s*"([^"]+)"')
_VERSION_NEAR = re.compile(r'["\']?version["\']?\s*[=:]\s*"([^"]+)"')


@dataclass
class ModuleText:
    """What the prefilter knows of one module directory."""

    directory: Path
    texts: dict[Path, str] = field(default_factory=dict)
    unreadable: bool = False

    @property
    def joined(self) -> str:
        return "\n".join(self.texts.values())


def _domain_pattern() -> re.Pattern:
    names = sorted(bindings()["domains"])
    return re.compile("|".join(re.escape(n) for n in names))


def read_module_texts(directory: Path, suffixes: tuple[str, ...]) -> ModuleText:
    """Every Terraform file of a directory as text (undecodable bytes replaced)."""
    module = ModuleText(directory)
    try:
        with os.scandir(directory) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(suffixes) and e.is_file())
    except OSError:
        module.unreadable = True
        return module
    for name in names:
        path = directory / name
        try:
            with open(path, "rb") as fh:
                module.texts[path] = fh.read().decode("utf-8", "replace")
        except OSError:
            module.unreadable = True
    return module


def _downloaded(directory: Path) -> dict[str, Path]:
    if not (directory / ".terraform").is_dir():
        return {}
    try:
        data = json.loads((directory / ".terraform" / "modules" / "modules.json").read_text())
        return {m["Key"]: (directory / m["Dir"]).resolve() for m in data.get("Modules", [])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _model_has_domain(source: str, version: str | None, pattern: re.Pattern) -> bool:
    model = find_model(source, version)
    return bool(model and pattern.search(model.hcl))


def relevant_directories(
    directories: list[Path], suffixes: tuple[str, ...]
) -> tuple[set[Path], dict[Path, ModuleText]]:
    """The directories whose group can hold a domain, and the texts read on the way."""
    pattern = _domain_pattern()
    modules: dict[Path, ModuleText] = {}
    edges: dict[Path, set[Path]] = {}
    pending = [d.resolve() for d in directories]
    while pending:
        directory = pending.pop()
        if directory in modules:
            continue
        module = modules[directory] = read_module_texts(directory, suffixes)
        edges.setdefault(directory, set())
        for source in _SOURCE.findall(module.joined):
            if source.startswith(("./", "../")):
                target = (directory / source).resolve()
                if target.is_dir():
                    edges[directory].add(target)
                    edges.setdefault(target, set()).add(directory)
                    pending.append(target)
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
        if any(_group_member_matters(modules[d], pattern) for d in group if d in modules):
            relevant |= group
    return relevant, modules


def _group_member_matters(module: ModuleText, pattern: re.Pattern) -> bool:
    text = module.joined
    if module.unreadable or pattern.search(text):
        return True
    if "source" not in text:
        return False
    for source in _SOURCE.findall(text):
        if source.startswith(("./", "../")):
            continue
        versions = _VERSION_NEAR.findall(text)
        if any(_model_has_domain(source, v, pattern) for v in [None, *versions]):
            return True
    for path in _downloaded(module.directory).values():
        downloaded = read_module_texts(path, (".tf", ".tf.json"))
        if downloaded.unreadable or pattern.search(downloaded.joined):
            return True
    return False
