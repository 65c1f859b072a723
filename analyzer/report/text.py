"""Default human format: ``path:line:col: IAC101 [error] message`` and a summary line."""

from __future__ import annotations

from ..findings import SEVERITY_ORDER
from ..scan import ScanResult


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(result: ScanResult) -> str:
    counts = {s: 0 for s in SEVERITY_ORDER}
    for f in result.findings:
        counts[f.severity] += 1
    return (
        f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}, "
        f"{_plural(counts['note'], 'note')} in {_plural(result.domains, 'domain')} "
        f"({_plural(result.files, 'file')} scanned)"
    )


def render(result: ScanResult) -> str:
    lines = [
        f"{f.location.file}:{f.location.line}:{f.location.column}: "
        f"{f.rule.id} [{f.severity}] {f.message}"
        for f in result.findings
    ]
    lines.append(summary(result))
    return "\n".join(lines) + "\n"
