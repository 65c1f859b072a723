"""Machine format, versioned with iaccert: one object with findings and a summary.

Strings are as the code and AWS give them (JSON escapes control characters), except that
lone surrogates become U+FFFD (escape.json_safe), so the document is always valid UTF-8.
"""

from __future__ import annotations

import json

from .. import __version__
from ..findings import Finding, Incomplete
from ..results import ScanResult
from .escape import json_safe, json_text


def related_dict(r) -> dict:
    """Another link of the chain: where, which resource, its role and what it is to the
    finding (both only when known)."""
    out = {"file": r.location.file, "line": r.location.line, "resource": r.resource}
    if r.role:
        out["role"] = r.role
    if r.annotation:
        out["annotation"] = r.annotation
    return out


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
        "related": [related_dict(r) for r in f.related],
    }
    if f.fix:  # how to fix it, apart from the message
        out["fix"] = f.fix
    if f.chain_id:  # the chain it concerns, and the role of the link it points at
        out.update(chain_id=f.chain_id, role=f.role)
    if f.logical_location is not None:  # live: an AWS resource, not a file
        out.update(file=None, line=None, end_line=None, logical_location=f.logical_location)
    if f.suppressed is not None:  # shown, but counted apart and never failing the run
        out["suppressed"] = {"kind": f.suppressed.kind, "reason": f.suppressed.reason}
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


def certificate_dict(c) -> dict:
    """One certificate of ``iaccert live``'s inventory (deployed.DeployedCertificate)."""
    return {
        "arn": c.arn,
        "account": c.account,
        "region": c.region,
        "type": c.type,
        "status": c.status,
        "domain_name": c.domain_name,
        "key_algorithm": c.key_algorithm,
        "not_after": c.not_after,
        "renewal_eligibility": c.renewal_eligibility,
        "in_use_by": list(c.in_use_by),
        "consumers": [
            {
                "kind": u.kind,
                "logical_location": u.key,
                "name": u.name,
                "names": list(u.names),
                "attribute": u.attribute or None,
                "status": u.status or None,
            }
            for u in c.consumers
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
    if getattr(result, "domain_states", None):
        doc["summary"].update(
            {f"domains_{s}": result.domains_in(s) for s in ("checked", "unknown", "latent")}
        )
    if getattr(result, "ignored_not_analysed", 0):
        doc["summary"]["ignored_not_analysed"] = result.ignored_not_analysed
    _add_suppressed(doc, result)
    configuration = getattr(result, "configuration", None)
    if configuration and configuration.get("file"):  # a file read: what it changed
        doc["configuration"] = configuration
    if result.live:  # only live runs carry these keys; static output is unchanged
        doc["incomplete"] = [incomplete_dict(i) for i in result.incomplete]
        doc["summary"]["incomplete"] = len(result.incomplete)
    certificates = getattr(result, "certificates", None)
    if certificates is not None:  # iaccert live: every certificate, used or not
        doc["certificates"] = [certificate_dict(c) for c in certificates]
        doc["summary"]["certificates"] = len(certificates)
        doc["summary"]["certificates_unused"] = sum(1 for c in certificates if not c.consumers)
    return json_text(json.dumps(json_safe(doc), indent=2)) + "\n"


def _add_suppressed(doc: dict, result: ScanResult) -> None:
    """Suppressed findings among the others (marked ``suppressed``), their counts in the
    summary and the stale baseline entries: keys present only when there are any, or
    (``baselined``, ``stale_baseline``) when a baseline was used."""
    hidden = getattr(result, "suppressed", [])
    if hidden:
        merged = sorted([*result.findings, *hidden], key=Finding.sort_key)
        doc["findings"] = [finding_dict(f) for f in merged]
    in_source = sum(1 for f in hidden if f.suppressed.kind == "inSource")
    if in_source:
        doc["summary"]["suppressed"] = in_source
    stale = getattr(result, "stale_baseline", None)
    if stale is not None:
        doc["summary"]["baselined"] = len(hidden) - in_source
        doc["stale_baseline"] = [
            {
                "rule_id": e.rule_id,
                "file": e.file or None,
                "resource": e.resource,
                "domain": e.domain,
                "count": e.count,
            }
            for e in stale
        ]
