"""One line per finding, ``path:line:col: IAC101 [error] message``, then a summary line."""

from __future__ import annotations

from ..results import ScanResult
from . import RenderOptions
from .text import finding_line, incomplete_line, stale_line, summary


def render(result: ScanResult, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    lines = [finding_line(f) for f in result.findings]
    lines.extend(incomplete_line(i) for i in getattr(result, "incomplete", []))
    lines.extend(stale_line(e) for e in getattr(result, "stale_baseline", None) or [])
    if not options.quiet:
        lines.append(summary(result))
    return "".join(line + "\n" for line in lines)
