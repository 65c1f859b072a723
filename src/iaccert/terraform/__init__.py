"""Terraform front end: module directories in, model Resources out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..cache import ParseCache
from ..model import Project
from ..safe_read import Roots
from .prefilter import relevant_directories
from .project import ConfigLoader, RootAnalysis, TfOptions, unit_analysis
from .terragrunt import UNIT_FILE, Unit, repository_root

TF_SUFFIXES = (".tf", ".tf.json")

__all__ = ["TfOptions", "load_terraform"]


def load_terraform(
    directories: list[Path], options: TfOptions, display: Callable[[Path], str]
) -> Project:
    """Analyse every root among ``directories``; a directory another one calls is not a root.

    With the prefilter (the default) only module groups that can hold a domain are parsed.
    Files are read only inside ``options.roots`` (default: the directories' repositories).
    """
    if options.roots is None:
        options = replace(options, roots=Roots.of(directories))
    cache = ParseCache(options.cache_dir) if options.cache_dir else None
    loader = ConfigLoader(display, cache, options.roots)
    project = Project()
    directories = [d.resolve() for d in directories]  # once (discovery's are real already)
    if options.prefilter:
        relevant, facts = relevant_directories(
            directories, (*TF_SUFFIXES, UNIT_FILE), options.cache_dir, options.roots, resolved=True
        )
        project.files |= _shown_files(facts, display)
        directories = [d for d in directories if d in relevant]
    units = terragrunt_units(directories, display)
    configs = {d: loader.load(d) for d in directories if d not in units}
    called = {path for c in configs.values() for path in c.local_sources().values()}
    called |= {u.target()[0] for u in units.values()}  # a unit is its module's caller
    seen_addresses: set[tuple[str, str]] = set()
    for directory in sorted({*configs, *units}):
        if directory in called:
            continue
        if directory in units:
            analysis = unit_analysis(units[directory], loader, options)
            if analysis is None:
                project.problems.extend(units[directory].problems)
                continue
        else:
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
    project.problems = _unique(project.problems)
    seen = set()
    for problem in loader.problems():
        if (problem.file, problem.line) not in seen:
            seen.add((problem.file, problem.line))
            project.problems.append(problem)
    project.files |= loader.files()
    project.parsed_files = len(loader.files())
    return project


def terragrunt_units(directories: list[Path], display: Callable[[Path], str]) -> dict[Path, Unit]:
    """Directories holding a ``terragrunt.hcl`` that runs a module: its own ``terraform {
    source }`` (or an included one), or ``.tf`` files beside it. A root ``terragrunt.hcl``
    that only holds settings for others to include runs nothing."""
    units = {}
    for directory in directories:
        directory = directory.resolve()
        if not (directory / UNIT_FILE).is_file():
            continue
        unit = Unit(directory, repository_root(directory), display)
        try:
            has_tf = any(p.name.endswith(TF_SUFFIXES) for p in directory.iterdir())
        except OSError:
            has_tf = False
        if unit.terraform_block()[0] is not None or has_tf or unit.problems:
            units[directory] = unit
    return units


def _unique(problems: list) -> list:
    """A module analysed from several roots reports each of its notes once."""
    out = []
    for problem in problems:
        if problem not in out:
            out.append(problem)
    return out


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
