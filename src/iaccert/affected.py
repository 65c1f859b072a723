"""Files on the command line -> everything they can break (what pre-commit passes).

A commit that changes only a shared local module breaks the roots that call it, and the module
alone has no domain. So a Terraform file given directly stands for every module connected to its
module through local ``source`` paths, found from the repository root: its callers (however far
up), what it calls, and so the roots that analyse it with their inputs. A ``.tfvars`` file
stands for the module it gives values to; a template for the templates that nest it.
Directories given on the command line keep their meaning (that tree, nothing more).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .discover import SKIP_DIRS, TF_SUFFIXES

TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")
_TEMPLATE_URL = re.compile(rb"TemplateURL|Location|aws:asset:path")


def repository_root(path: Path) -> Path | None:
    """The nearest directory above ``path`` that holds ``.git`` (a repository or worktree)."""
    current = path.resolve().parent if path.is_file() else path.resolve()
    for directory in (current, *current.parents):
        if (directory / ".git").exists():
            return directory
    return None


def _walk(root: Path):
    """(directory, file names) under root, skipping what discovery skips, no symlinked dirs."""
    for current, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        yield Path(current), files


def _module_of(tfvars: Path, module_dirs: set[Path], root: Path) -> Path | None:
    """The module a variables file gives values to: its own directory, else the nearest
    directory above it (inside the repository) that is a module."""
    for directory in (tfvars.parent, *tfvars.parent.parents):
        if directory in module_dirs:
            return directory
        if directory == root:
            break
    return None


def _connected(starts: set[Path], module_dirs: list[Path], cache_dir: Path | None) -> set[Path]:
    """Every module linked to a start through local module calls, in either direction."""
    from .terraform.prefilter import relevant_directories

    _, facts = relevant_directories(module_dirs, TF_SUFFIXES, cache_dir)
    edges: dict[Path, set[Path]] = {}
    for directory, module in facts.items():
        for source in module.local_sources:
            target = (directory / source).resolve()
            edges.setdefault(directory, set()).add(target)
            edges.setdefault(target, set()).add(directory)
    found, stack = set(), list(starts)
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(edges.get(node, ()))
    return found


def _nesting_templates(changed: list[Path], root: Path) -> set[Path]:
    """Templates under root that name a changed template as a nested stack or application."""
    names = {p.name.encode() for p in changed}
    out: set[Path] = set()
    for directory, files in _walk(root):
        for name in files:
            if not name.endswith((".yaml", ".yml", ".json", ".template")):
                continue
            path = directory / name
            try:
                if path.is_symlink() or path.stat().st_size > 5 * 1024 * 1024:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if _TEMPLATE_URL.search(data) and any(n in data for n in names):
                out.add(path.resolve())
    return out - {p.resolve() for p in changed}


def widen(
    paths: list[Path], cache_dir: Path | None = None
) -> tuple[list[Path], dict[Path, list[Path]]]:
    """(paths to scan, variables files per root module): given files widened to what they
    affect; a variables file Terraform does not load by itself is read for its module only."""
    files = [p for p in paths if p.is_file()]
    root = repository_root(files[0]) if files else None
    if root is None:
        return paths, {}
    module_dirs = {
        directory.resolve()
        for directory, names in _walk(root)
        if any(n.endswith(TF_SUFFIXES) for n in names)
    }
    starts: set[Path] = set()
    var_files: dict[Path, list[Path]] = {}
    templates: list[Path] = []
    for path in files:
        if path.name.endswith(TF_SUFFIXES):
            starts.add(path.parent.resolve())
        elif path.name.endswith(TFVARS_SUFFIXES):
            module = _module_of(path.resolve(), module_dirs, root)
            if module is not None:
                starts.add(module)
                if not _auto_loaded(path):
                    var_files.setdefault(module, []).append(path.resolve())
        else:
            templates.append(path)
    widened = [p for p in paths if not p.is_file()] + templates
    if starts:
        widened += sorted(_connected(starts, sorted(module_dirs), cache_dir))
    if templates:
        widened += sorted(_nesting_templates(templates, root))
    return widened, var_files


def _auto_loaded(path: Path) -> bool:
    """Terraform reads these by itself; any other variables file must be passed explicitly."""
    name = path.name
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith(
        (".auto.tfvars", ".auto.tfvars.json")
    )
