"""GitLab Code Quality report (``artifacts: reports: codequality:``): a JSON array of issues.

GitLab reads a subset of the Code Climate issue spec; every issue has ``description``,
``check_name``, ``fingerprint``, ``severity`` (info, minor, major, critical, blocker) and
``location.path`` with ``location.lines.begin``
(https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format).

- Severity: error -> ``critical``, warning -> ``major``, note -> ``info``.
- The fingerprint is line-independent, as SARIF's (rule, file, resource, domain), so an
  issue survives edits above it; GitLab keeps one issue per fingerprint, so a repeat
  within one report gets its occurrence number appended.
- Suppressed and baselined findings are left out: GitLab has no notion of them.
- Live findings have no file: their path is the AWS location (``account/region/domain``),
  line 1; a live "could not check" entry is a ``could-not-check`` issue of its own.
"""

from __future__ import annotations

import hashlib
import json

from ..findings import Finding, Incomplete
from ..results import ScanResult
from .escape import json_safe, json_text
from .text import incomplete_line

SEVERITY = {"error": "critical", "warning": "major", "note": "info"}


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def finding_issue(f: Finding) -> dict:
    path = f.location.file or f.logical_location or ""
    begin = max(1, f.location.line) if f.location.file else 1
    lines = {"begin": begin}
    end = f.location.end_line or begin
    if f.location.file and end > begin:
        lines["end"] = end
    return {
        "description": f"{f.rule.id}: {f.message_and_fix}",
        "check_name": f.rule.id,
        "fingerprint": _digest(f.rule.id, path, f.resource, f.domain or ""),
        "severity": SEVERITY[f.severity],
        "location": {"path": path, "lines": lines},
    }


def incomplete_issue(i: Incomplete) -> dict:
    """A live check that could not be made: never a pass, so an issue of its own."""
    located = i.location is not None and bool(i.location.file)
    path = i.location.file if located else i.logical_location
    return {
        "description": incomplete_line(i),
        "check_name": "could-not-check",
        "fingerprint": _digest(
            "could-not-check", i.logical_location, i.certificate or "", i.operation
        ),
        "severity": "major",
        "location": {"path": path, "lines": {"begin": max(1, i.location.line) if located else 1}},
    }


def issues(result: ScanResult) -> list[dict]:
    out = [finding_issue(f) for f in result.findings]
    out += [incomplete_issue(i) for i in getattr(result, "incomplete", [])]
    seen: dict[str, int] = {}
    for issue in out:  # GitLab shows one issue per fingerprint: number the repeats
        key = issue["fingerprint"]
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            issue["fingerprint"] = _digest(key, str(seen[key]))
    return out


def render(result: ScanResult) -> str:
    """Lone surrogates (a non-UTF-8 file name) and invisible characters escaped as in JSON."""
    return json_text(json.dumps(json_safe(issues(result)), indent=2, ensure_ascii=False)) + "\n"
