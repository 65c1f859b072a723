"""Machine format, versioned with iaccert: one object with findings and a summary."""

from __future__ import annotations

import json

from .. import __version__
from ..findings import Finding, Incomplete
from ..scan import ScanResult


def finding_dict(f: Finding) -> dict:
    out = {
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
    if f.logical_location is not None:  # live: an AWS resource, not a file
        out.update(file=None, line=None, end_line=None, logical_location=f.logical_location)
    return out


def incomplete_dict(i: Incomplete) -> dict:
    """A "could not check" entry of a live run (never a pass)."""
    return {
        "account": i.account,
        "region": i.region,
        "domain": i.domain,
        "certificate": i.certificate,
        "operation": i.operation,
        "reason": i.reason,
        "code": i.code,
        "message": i.message,
        "logical_location": i.logical_location,
        "file": i.location.file if i.location else None,
        "line": i.location.line if i.location else None,
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
    if result.live:  # only live runs carry these keys; static output is unchanged
        doc["incomplete"] = [incomplete_dict(i) for i in result.incomplete]
        doc["summary"]["incomplete"] = len(result.incomplete)
    return json.dumps(doc, indent=2) + "\n"
