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
    if options.prefilter:
        relevant, facts = relevant_directories(directories, TF_SUFFIXES, options.cache_dir)
        project.files |= {display(d / name) for d, module in facts.items() for name in module.files}
        directories = [d for d in directories if d.resolve() in relevant]
    configs = {d.resolve(): loader.load(d) for d in directories}
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
        project.module_calls.extend(analysis.module_calls())
        project.problems.extend(analysis.problems)
    seen = set()
    for problem in loader.problems():
        if (problem.file, problem.line) not in seen:
            seen.add((problem.file, problem.line))
            project.problems.append(problem)
    project.files |= loader.files()
    project.parsed_files = len(loader.files())
    return project
