"""Baselines: accept today's findings, fail only on new ones.

``--write-baseline FILE`` records the current (unsuppressed) findings; ``--baseline FILE``
hides the findings it records. A finding is keyed by (rule, file, resource address,
domain), never by line, so edits above a resource do not break the match. Files are
stored relative to the baseline's own directory, so the baseline works from any working
directory. Entries that no finding matches any more are *stale*: reported, never failing.

    {"version": 1, "tool": "iaccert",
     "findings": [{"rule_id": "IAC104", "file": "infra/api.tf",
                   "resource": "aws_apigatewayv2_domain_name.api",
                   "domain": "aws_apigatewayv2_domain_name.api", "count": 1}]}
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .findings import Finding, Suppression
from .safe_read import LARGE_LIMIT, quote, read_named

VERSION = 1


class BaselineError(Exception):
    """A baseline that cannot be read or written: one line naming the file."""


@dataclass(frozen=True)
class Entry:
    """A baseline entry no current finding matches (``file`` relative to the working
    directory, as findings show it)."""

    rule_id: str
    file: str
    resource: str
    domain: str | None
    count: int
    baseline: str  # the baseline file, as given


Key = tuple[str, str, str, str]


def _key(f: Finding, base: Path) -> Key:
    where = ""  # a live finding has no file: its resource and domain name the AWS resource
    if f.location.file:
        where = os.path.relpath(os.path.abspath(f.location.file), base).replace(os.sep, "/")
    return (f.rule.id, where, f.resource, f.domain or "")


def write(path: Path, findings: list[Finding]) -> int:
    """Record ``findings``; returns how many."""
    base = Path(os.path.abspath(path)).parent
    counts = Counter(_key(f, base) for f in findings)
    entries = [
        {"rule_id": r, "file": file or None, "resource": res, "domain": dom or None, "count": n}
        for (r, file, res, dom), n in sorted(counts.items())
    ]
    doc = {"version": VERSION, "tool": "iaccert", "findings": entries}
    try:
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None
    return len(findings)


def load(path: Path) -> Counter:
    try:
        doc = json.loads(read_named(path, LARGE_LIMIT).decode("utf-8-sig"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file (see --write-baseline)") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a baseline: invalid JSON ({exc})") from None
    except RecursionError:
        raise BaselineError(f"{path}: not a baseline: JSON nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise BaselineError(f"{path}: not an iaccert baseline of version {VERSION}")
    out: Counter = Counter()
    for entry in doc.get("findings") if isinstance(doc.get("findings"), list) else []:
        try:
            key = (entry["rule_id"], entry["file"] or "", entry["resource"], entry["domain"] or "")
            count = int(entry.get("count", 1))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BaselineError(f"{path}: malformed entry {quote(entry)}") from None
        if not all(isinstance(k, str) for k in key):
            raise BaselineError(f"{path}: malformed entry {quote(entry)}")
        out[key] += max(count, 0)
    return out


def apply(findings: list[Finding], path: Path) -> tuple[list[Finding], list[Finding], list[Entry]]:
    """(findings left, findings in the baseline, stale entries)."""
    from .discover import display_path

    recorded = load(path)
    base = Path(os.path.abspath(path)).parent
    kept, hidden = [], []
    for f in findings:
        key = _key(f, base)
        if recorded[key] > 0:
            recorded[key] -= 1
            f.suppressed = Suppression("external", f"in baseline {path}")
            hidden.append(f)
        else:
            kept.append(f)
    stale = []
    for (rule_id, file, resource, domain), n in sorted(recorded.items()):
        if n <= 0:
            continue
        shown = display_path(base / file) if file else ""
        stale.append(Entry(rule_id, shown, resource, domain or None, n, str(path)))
    return kept, hidden, stale
