"""``.terraform/modules/modules.json``: where ``terraform init`` put each downloaded module.

The file is committed content like any other (a pull request can add one), so its
directories are trusted no more than a module ``source``: a ``Dir`` that is absolute (terraform
writes them relative to the root module) or that leads outside the repository is refused, and
the module call's outputs are then unknown with that reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..model import ParseProblem
from ..safe_read import OUTSIDE, SOURCE_LIMIT, Refused, Roots, quote, read_text

MODULES_JSON = Path(".terraform") / "modules" / "modules.json"


@dataclass
class Downloaded:
    """Module key path -> its directory, or the reason it is not followed."""

    dirs: dict[str, Path | str] = field(default_factory=dict)
    problem: ParseProblem | None = None  # modules.json exists but was refused


def read_modules_json(root_module: Path, roots: Roots, display) -> Downloaded:
    """The downloaded modules of one root module (none when it was never initialised)."""
    path = root_module / MODULES_JSON
    out = Downloaded()
    try:
        data = json.loads(read_text(path, roots, SOURCE_LIMIT))
    except Refused as exc:
        out.problem = ParseProblem(display(path), 1, 1, f"not read: {exc.reason}")
        return out
    except (OSError, ValueError, RecursionError):
        return out
    modules = data.get("Modules") if isinstance(data, dict) else None
    for entry in modules if isinstance(modules, list) else []:
        if not isinstance(entry, dict):
            continue
        key, directory = entry.get("Key"), entry.get("Dir")
        if isinstance(key, str) and key and isinstance(directory, str) and directory:
            out.dirs[key] = _directory(root_module, directory, roots)
    return out


def _directory(root_module: Path, directory: str, roots: Roots) -> Path | str:
    if Path(directory).is_absolute():
        return f"an absolute directory {quote(directory)} (terraform init writes relative ones)"
    path = (root_module / directory).resolve()
    if not roots.contains(path):
        return f"the directory {quote(directory)}, {OUTSIDE}"
    return path
