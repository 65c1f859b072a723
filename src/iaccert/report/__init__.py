"""Output formats: one module per format, each a ``render(result) -> str``.

Formats that have presentation options (colour, ``--quiet``) take a second argument,
``RenderOptions``; the others ignore them. Every format reports the same findings, and
the exit code never depends on the format.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from dataclasses import dataclass
from pathlib import Path

#: ``--format`` values of ``iaccert lint``, each the name of a module in this package.
FORMATS = ("text", "concise", "json", "sarif", "github", "junit", "gitlab")


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False  # ANSI colours (text format only)
    quiet: bool = False  # findings only: no summary line
    sarif_include_suppressed: bool = False  # SARIF: list suppressed/baselined results too


def render(fmt: str, result, options: RenderOptions | None = None) -> str:
    """The report of ``result`` in format ``fmt`` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(f"{__name__}.{fmt}")
    if len(inspect.signature(module.render).parameters) > 1:
        return module.render(result, options or RenderOptions())
    return module.render(result)


def want_color(choice: str, output_file: Path | None = None, stream=None) -> bool:
    """``--color auto|always|never``: auto means a terminal or ``FORCE_COLOR``, never a
    ``-o`` file, and never with ``NO_COLOR``.

    An explicit ``always`` wins over NO_COLOR (https://no-color.org: user-level
    configuration overrides it); NO_COLOR wins over FORCE_COLOR (https://force-color.org),
    as in Python 3.13's own colour handling.
    """
    if choice == "always":
        return True
    if choice == "never" or output_file is not None or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream if stream is not None else sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
