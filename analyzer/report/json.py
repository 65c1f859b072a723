"""Machine format, versioned with iaccert: one object with findings and a summary."""

from __future__ import annotations

import json

from .. import __version__
from ..findings import Finding
from ..scan import ScanResult


def finding_dict(f: Finding) -> dict:
    return {
        "rule_id": f.rule.id,
        "rule_name": f.rule.name,
        "severity": f.severity,
        "message": f.message,
        "file": f.location.file,
        "line": f.location.line,
        "end_line": f.location.end_line or f.location.line,
        "resource": f.resource,
        "domain": f.domain,
        "related": [
            {"file": r.location.file, "line": r.location.line, "resource": r.resource}
            for r in f.related
        ],
    }


def render(result: ScanResult) -> str:
    counts = {"errors": 0, "warnings": 0, "notes": 0}
    for f in result.findings:
        counts[f.severity + "s"] += 1
    doc = {
        "version": __version__,
        "findings": [finding_dict(f) for f in result.findings],
        "summary": {"files": result.files, "domains": result.domains, **counts},
    }
    return json.dumps(doc, indent=2) + "\n"
