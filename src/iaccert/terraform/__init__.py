"""Terraform front end: module directories in, model Resources out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..cache import ParseCache
from ..model import Project
from .prefilter import relevant_directories
from .project import ConfigLoader, RootAnalysis, TfOptions

TF_SUFFIXES = (".tf", ".tf.json")

__all__ = ["TfOptions", "load_terraform"]


def load_terraform(
    directories: list[Path], options: TfOptions, display: Callable[[Path], str]
) -> Project:
    """Analyse every root among ``directories``; a directory another one calls is not a root.

    With the prefilter (the default) only module groups that can hold a domain are parsed.
    """
    loader = ConfigLoader(display, ParseCache(options.cache_dir) if options.cache_dir else None)
    project = Project()
    directories = [d.resolve() for d in directories]  # once (discovery's are real already)
    if options.prefilter:
        relevant, facts = relevant_directories(
            directories, TF_SUFFIXES, options.cache_dir, resolved=True
        )
        project.files |= _shown_files(facts, display)
        directories = [d for d in directories if d in relevant]
    configs = {d: loader.load(d) for d in directories}
    called = {path for c in configs.values() for path in c.local_sources().values()}
    seen_addresses: set[tuple[str, str]] = set()
    for directory in sorted(configs):
        if directory in called:
            continue
        analysis = RootAnalysis(directory, loader, options)
        root = loader.display(directory)
        for resource in analysis.resources():
            resource.root = root
            key = (resource.root, resource.address)
            if key not in seen_addresses:
                seen_addresses.add(key)
                project.resources.append(resource)
        project.problems.extend(analysis.problems)
    seen = set()
    for problem in loader.problems():
        if (problem.file, problem.line) not in seen:
            seen.add((problem.file, problem.line))
            project.problems.append(problem)
    project.files |= loader.files()
    project.parsed_files = len(loader.files())
    return project


def _shown_files(facts: dict, display: Callable[[Path], str]) -> set[str]:
    """Every Terraform file the prefilter listed, as reports show it: each directory's
    display path once, then its file names (a directory outside the working directory,
    shown resolved, has each file shown by ``display`` itself)."""
    out = set()
    for directory, module in facts.items():
        shown = display(directory)
        if shown.startswith("/") or ":" in shown:
            out.update(display(directory / name) for name in module.files)
        elif shown == ".":
            out.update(module.files)
        else:
            out.update(f"{shown}/{name}" for name in module.files)
    return out
