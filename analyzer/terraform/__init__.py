"""Terraform front end: module directories in, model Resources out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..model import Project
from .project import ConfigLoader, RootAnalysis, TfOptions

__all__ = ["TfOptions", "load_terraform"]


def load_terraform(
    directories: list[Path], options: TfOptions, display: Callable[[Path], str]
) -> Project:
    """Analyse every root among ``directories``; a directory another one calls is not a root."""
    loader = ConfigLoader(display)
    configs = {d.resolve(): loader.load(d) for d in directories}
    called = {path for c in configs.values() for path in c.local_sources().values()}
    project = Project()
    seen_addresses: set[tuple[str, str]] = set()
    for directory in sorted(configs):
        if directory in called:
            continue
        analysis = RootAnalysis(directory, loader, options)
        project.problems.extend(analysis.problems)
        for resource in analysis.resources():
            resource.root = loader.display(directory)
            key = (resource.root, resource.address)
            if key not in seen_addresses:
                seen_addresses.add(key)
                project.resources.append(resource)
    seen = set()
    for problem in loader.problems():
        if (problem.file, problem.line) not in seen:
            seen.add((problem.file, problem.line))
            project.problems.append(problem)
    project.files |= loader.files()
    return project
