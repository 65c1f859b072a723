"""SARIF 2.1.0, shaped for GitHub code scanning (``github/codeql-action/upload-sarif``).

One run. ``tool.driver.rules`` describes every enabled rule from the catalog (summary,
why, the full documentation as ``help``, a ``helpUri`` into docs/rules.md, the default
level, tags and GitHub's ``security-severity``). Each result points at the line where the
fix goes, with a repository-relative URI under ``%SRCROOT%`` (the working directory), the
other links of the domain's chain as ``relatedLocations``, and a line-independent
``partialFingerprints`` key so that alerts survive edits above them.

security-severity (GitHub: > 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low):
error 8.0 (high), warning 5.0 (medium), note 2.0 (low).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath

from .. import __version__
from ..catalog import Rule, rules
from ..docs import REPOSITORY_URL, SECURITY_SEVERITY, help_uri
from ..findings import Finding
from ..model import Location
from ..scan import ScanResult
from .chains import ChainIndex, links
from .escape import json_safe, json_text, sarif_text, uri_path

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "iaccertFindingHash/v1"
BASE_TAGS = ("security", "acm", "api-gateway")


def enabled_rules(result: ScanResult) -> list[Rule]:
    """Static rules always; live rules when live mode ran; and any rule that reported."""
    live = getattr(result, "live", False)
    used = {f.rule.id for f in [*result.findings, *getattr(result, "suppressed", [])]}
    return [
        r
        for r in rules().values()
        if r.mode == "static" or (live and r.mode == "live") or r.id in used
    ]


def rule_descriptor(rule: Rule) -> dict:
    tags = list(dict.fromkeys([*BASE_TAGS, *rule.applies_to, rule.mode]))[:10]
    docs = rule.doc_text or rule.why or rule.summary
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why or rule.summary},
        "help": {"text": docs, "markdown": docs},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": rule.severity},
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def artifact_location(path: str) -> dict:
    """Repository-relative (``%SRCROOT%``) when under the working directory, else a file URI."""
    if Path(path).is_absolute():
        try:
            return {"uri": Path(path).as_uri()}
        except UnicodeEncodeError:  # a surrogate that is no byte of a file name
            return {"uri": "file://" + uri_path(Path(path).as_posix())}
    posix = PurePosixPath(path.replace("\\", "/"))
    return {"uri": uri_path(str(posix)), "uriBaseId": SRCROOT}


def physical_location(loc: Location) -> dict:
    start = max(1, loc.line)
    region = {"startLine": start, "endLine": max(start, loc.end_line or start)}
    if loc.column and loc.column > 1:
        region["startColumn"] = loc.column
    return {"artifactLocation": artifact_location(loc.file), "region": region}


def message_text(f: Finding) -> str:
    """The first sentence is the alert's title: the message, closed with a full stop."""
    text = f.message.strip()
    if not text.endswith((".", "!", "?")):
        text += "."
    return f"{sarif_text(text)} See `iaccert rule {f.rule.id}`."


def fingerprint(f: Finding) -> str:
    where = f.location.file or f.logical_location or ""
    key = "\0".join((f.rule.id, where, f.resource, f.domain or ""))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _related(f: Finding, index: ChainIndex) -> list[dict]:
    """The finding's related resources first, then the other links of its domain's chain."""
    chain = index.chain_of(f)
    chain_links = links(chain) if chain is not None else []
    role = {res.address: name for name, res in chain_links}
    items = [(r.location, r.resource) for r in f.related]
    items += [(res.location, res.address) for _, res in chain_links]
    out, seen = [], {f.resource}
    for loc, address in items:
        if not loc.file or address in seen:
            continue
        seen.add(address)
        text = f"{role[address]} {address}" if address in role else address
        out.append(
            {
                "id": len(out) + 1,
                "physicalLocation": physical_location(loc),
                "message": {"text": sarif_text(text)},
            }
        )
    return out


def result_dict(f: Finding, rule_index: dict[str, int], index: ChainIndex) -> dict:
    location: dict = {}
    if f.location.file:
        location["physicalLocation"] = physical_location(f.location)
    # live findings have no file: an AWS resource ("account/region/domain") is their location
    logical = f.logical_location or f.resource or f.domain or f.rule.id
    location["logicalLocations"] = [{"fullyQualifiedName": logical, "kind": "resource"}]
    out = {
        "ruleId": f.rule.id,
        "ruleIndex": rule_index[f.rule.id],
        "level": f.severity,
        "message": {"text": message_text(f)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
    }
    related = _related(f, index)
    if related:
        out["relatedLocations"] = related
    if f.suppressed is not None:  # a closed alert on GitHub, not an open one
        suppression = {"kind": f.suppressed.kind}
        if f.suppressed.reason:
            suppression["justification"] = f.suppressed.reason
        out["suppressions"] = [suppression]
    props = {"domain": f.domain} if f.domain else {}
    if f.resource:
        props["resource"] = f.resource
    if props:
        out["properties"] = props
    return out


def _notification(i) -> dict:
    """A live "could not check" entry: a tool execution notification, never a result."""
    note = {
        "level": "warning",
        "message": {
            "text": sarif_text(
                f"could not check {i.logical_location}: {i.operation} "
                f"{i.reason} ({i.code}): {i.message}"
            )
        },
        "descriptor": {"id": "could-not-check"},
    }
    if i.location is not None and i.location.file:
        note["locations"] = [{"physicalLocation": physical_location(i.location)}]
    return note


def sarif_log(result: ScanResult) -> dict:
    enabled = enabled_rules(result)
    rule_index = {r.id: n for n, r in enumerate(enabled)}
    index = ChainIndex(result.chains)
    invocation: dict = {"executionSuccessful": True}
    configuration = getattr(result, "configuration", None)
    if configuration and configuration.get("file"):  # a file read: what it changed
        invocation["properties"] = {"configuration": configuration}
    incomplete = getattr(result, "incomplete", [])
    if incomplete:
        invocation["toolExecutionNotifications"] = [_notification(i) for i in incomplete]
    run = {
        "tool": {
            "driver": {
                "name": "iaccert",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": REPOSITORY_URL,
                "rules": [rule_descriptor(r) for r in enabled],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().resolve().as_uri().rstrip("/") + "/"}},
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": [result_dict(f, rule_index, index) for f in _all_findings(result)],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _all_findings(result: ScanResult) -> list[Finding]:
    """Open and suppressed results alike: code scanning shows suppressed ones as closed."""
    hidden = getattr(result, "suppressed", [])
    return sorted([*result.findings, *hidden], key=Finding.sort_key) if hidden else result.findings


def render(result: ScanResult) -> str:
    return json_text(json.dumps(json_safe(sarif_log(result)), indent=2, ensure_ascii=False)) + "\n"
