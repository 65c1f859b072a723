"""``--statistics``: how many findings each rule reported, most frequent first (as ruff's
``--statistics``), instead of the findings themselves; then the summary line.

    12  IAC110  warning  certificate-replacement-unsafe
     3  IAC101  error    email-validation

With ``--format json``: ``[{"rule_id", "rule_name", "severity", "count"}]``. Severities are
the findings' own (after the configuration's overrides); suppressed findings do not count.
"""

from __future__ import annotations

import json
from collections import Counter

from ..findings import SEVERITY_ORDER
from ..results import ScanResult
from . import RenderOptions
from .text import summary


def rows(result: ScanResult) -> list[dict]:
    counts = Counter((f.rule.id, f.rule.name, f.severity) for f in result.findings)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], SEVERITY_ORDER[kv[0][2]], kv[0][0]))
    return [
        {"rule_id": rid, "rule_name": name, "severity": severity, "count": count}
        for (rid, name, severity), count in ordered
    ]


def render(result: ScanResult, options: RenderOptions | None = None, as_json: bool = False) -> str:
    table = rows(result)
    if as_json:
        return json.dumps(table, indent=2) + "\n"
    width = max((len(str(r["count"])) for r in table), default=1)
    lines = [
        f"{r['count']:>{width}}  {r['rule_id']}  {r['severity']:<7}  {r['rule_name']}"
        for r in table
    ]
    if not (options and options.quiet):
        lines.append(summary(result))
    return "".join(line + "\n" for line in lines)
