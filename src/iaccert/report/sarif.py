"""SARIF 2.1.0, shaped for GitHub code scanning (``github/codeql-action/upload-sarif``).

One run. ``tool.driver.rules`` describes every enabled rule from the catalog (summary,
why, the full documentation as ``help``, a ``helpUri`` into this release's docs/rules.md,
the default level, tags, ``precision`` and, for security rules only, GitHub's
``security-severity``). Each result points at the line where the fix goes, with start and
end columns, a repository-relative URI under ``%SRCROOT%`` (the working directory), the
other links of the domain's chain as ``relatedLocations`` referenced from the message
(``[certificate](1)``: GitHub links only the related locations a message embeds), and a
line-independent ``partialFingerprints`` key so that alerts survive edits above them.

GitHub ignores ``suppressions``: a suppressed result would be an open alert. Suppressed
and baselined findings are therefore left out, unless ``--sarif-include-suppressed`` keeps
them (marked with ``suppressions``) for viewers that honour it.

security-severity (GitHub: > 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low):
error 8.0 (high), warning 5.0 (medium), note 2.0 (low). Rules that are not about security
(parse errors, analysis limits, suppression notes, unresolved certificates) carry no
``security`` tag and GitHub's ``problem.severity`` instead.

GitHub's limits ("SARIF results exceed limits"): 25,000 results per run and 1,000
locations per result are accepted; 100 locations per result and 10 tags per rule are
shown. Beyond 25,000 the least severe results are left out, with a tool notification;
related locations stop at 100, the message saying how many more there are.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path, PurePosixPath

from .. import __version__
from ..catalog import Rule, rules
from ..docs import REPOSITORY_URL, SECURITY_SEVERITY, help_uri
from ..findings import SEVERITY_ORDER, Finding
from ..model import Location
from ..results import ScanResult
from . import RenderOptions
from .chains import ChainIndex, links, role_word
from .escape import json_safe, json_text, sarif_text, uri_path

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "iaccertFindingHash/v1"
MAX_RESULTS = 25_000  # GitHub rejects a run with more
MAX_RELATED = 100  # GitHub shows no more locations per result
MAX_TAGS = 10  # GitHub shows no more tags per rule
MAX_COLUMN_FILE = 5 * 1024 * 1024  # as the loaders: larger files are not parsed, get no columns
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}


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
    tags = list(dict.fromkeys([*rule.tags, *rule.applies_to, rule.mode]))[:MAX_TAGS]
    docs = rule.doc_text or rule.why or rule.summary
    props: dict = {"tags": tags, "precision": rule.precision}
    if rule.security:
        props["security-severity"] = SECURITY_SEVERITY[rule.severity]
    else:
        props["problem.severity"] = PROBLEM_SEVERITY[rule.severity]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why or rule.summary},
        "help": {"text": docs, "markdown": docs},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": rule.severity},
        "properties": props,
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


class SourceLines:
    """Source lines by file, read once, for region columns; an unreadable or oversized file
    gives none. Lines split at ``\\n`` only, as the parsers count them."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def get(self, path: str) -> list[str] | None:
        if path not in self._files:
            self._files[path] = _read_lines(path)
        return self._files[path]


def _read_lines(path: str) -> list[str] | None:
    try:
        if os.path.getsize(path) > MAX_COLUMN_FILE:
            return None
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            return [line.removesuffix("\r") for line in fh.read().split("\n")]
    except (OSError, ValueError):
        return None


def region(loc: Location, sources: SourceLines | None = None) -> dict:
    """Lines, and columns (1-based code points, the end exclusive) that span the text on them
    without the surrounding blanks, as the text format underlines it; a known column (a parse
    error's) is the start."""
    start = max(1, loc.line)
    out = {"startLine": start, "endLine": max(start, loc.end_line or start)}
    known = loc.column if loc.column and loc.column > 1 else None
    lines = sources.get(loc.file) if sources is not None and loc.file else None
    if lines is None or out["endLine"] > len(lines):
        if known:
            out["startColumn"] = known
        return out
    first, last = lines[start - 1], lines[out["endLine"] - 1]
    column = known or len(first) - len(first.lstrip()) + 1
    end = len(last.rstrip()) + 1
    out["startColumn"] = column
    out["endColumn"] = max(end, column) if out["endLine"] == start else end
    return out


def physical_location(loc: Location, sources: SourceLines | None = None) -> dict:
    return {"artifactLocation": artifact_location(loc.file), "region": region(loc, sources)}


def live_location(logical: str) -> dict:
    """A live finding's stable pseudo-file ``aws/account/region/domain``, line 1: GitHub
    code scanning needs a physical location for every result, and a file need not exist."""
    return {
        "artifactLocation": artifact_location(f"aws/{logical}"),
        "region": {"startLine": 1, "endLine": 1},
    }


def message_text(f: Finding) -> str:
    """The first sentence is the alert's title: the message (and its fix), closed with a
    full stop."""
    text = f.message_and_fix.strip()
    if not text.endswith((".", "!", "?")):
        text += "."
    return f"{sarif_text(text)} See `iaccert rule {f.rule.id}`."


def links_sentence(related: list[tuple[str, dict]], left_out: int = 0) -> str:
    """The related locations as SARIF embedded links (``[certificate](1)``), which GitHub
    turns into links to them. The link texts are role names, nothing from a scanned file."""
    if not related:
        return ""
    refs = ", ".join(f"[{role}]({location['id']})" for role, location in related)
    more = f" and {left_out} more not listed" if left_out else ""
    return f" Chain: {refs}{more}."


def fingerprint(f: Finding) -> str:
    where = f.location.file or f.logical_location or ""
    key = "\0".join((f.rule.id, where, f.resource, f.domain or ""))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _related(f: Finding, index: ChainIndex, sources: SourceLines) -> list[tuple[str, dict]]:
    """(role word, relatedLocation): the finding's related locations first, each with the
    role and annotation the finding gives it, then the other links of its chain (found by
    its chain id). A location's message names its role in a reader's words and its
    ``properties.role`` the role itself."""
    chain = index.chain_of(f)
    chain_links = links(chain) if chain is not None else []
    link_role = {res.address: role for role, res in chain_links}
    items = [(r.location, r.resource, r.role, r.annotation) for r in f.related]
    items += [(res.location, res.address, role, "") for role, res in chain_links]
    out, seen = [], {f.resource}
    for loc, address, role, annotation in items:
        if not loc.file or address in seen:
            continue
        seen.add(address)
        role = role or link_role.get(address, "")  # a step of a value's way: its link's role
        word = role_word(role, chain) if role else ""
        text = f"{word} {address}" if word else address
        if annotation:
            text += f" ({annotation})"
        location = {
            "id": len(out) + 1,
            "physicalLocation": physical_location(loc, sources),
            "message": {"text": sarif_text(text)},
        }
        if role:
            location["properties"] = {"role": role}
        out.append((word or "related", location))
    return out


def result_dict(
    f: Finding, rule_index: dict[str, int], index: ChainIndex, sources: SourceLines | None = None
) -> dict:
    sources = sources if sources is not None else SourceLines()
    location: dict = {}
    if f.location.file:
        location["physicalLocation"] = physical_location(f.location, sources)
    elif f.logical_location:  # GitHub rejects a result without a physical location
        location["physicalLocation"] = live_location(f.logical_location)
    # live findings have no file: an AWS resource ("account/region/domain") is their location
    logical = f.logical_location or f.resource or f.domain or f.rule.id
    location["logicalLocations"] = [{"fullyQualifiedName": logical, "kind": "resource"}]
    related = _related(f, index, sources)
    shown = related[:MAX_RELATED]
    out = {
        "ruleId": f.rule.id,
        "ruleIndex": rule_index[f.rule.id],
        "level": f.severity,
        "message": {"text": message_text(f) + links_sentence(shown, len(related) - len(shown))},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
    }
    if shown:
        out["relatedLocations"] = [location for _, location in shown]
    if f.suppressed is not None:  # only with --sarif-include-suppressed
        suppression = {"kind": f.suppressed.kind}
        if f.suppressed.reason:
            suppression["justification"] = f.suppressed.reason
        out["suppressions"] = [suppression]
    props = {"domain": f.domain} if f.domain else {}
    if f.resource:
        props["resource"] = f.resource
    if f.role:
        props["role"] = f.role  # the chain role of the primary location
    if f.chain_id:
        props["chainId"] = f.chain_id  # results of one chain share it
    if f.fix:  # SARIF's own ``fixes`` are artifact changes: the text goes here
        props["fix"] = f.fix
    if props:
        out["properties"] = props
    return out


def _notification(i, sources: SourceLines) -> dict:
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
        note["locations"] = [{"physicalLocation": physical_location(i.location, sources)}]
    return note


def _left_out_notification(count: int) -> dict:
    results = f"{count} result{'' if count == 1 else 's'}"
    return {
        "level": "warning",
        "message": {
            "text": f"{results} left out: GitHub accepts at most {MAX_RESULTS} per run; the "
            "most severe are kept (run iaccert with --format json for all of them)"
        },
        "descriptor": {"id": "too-many-results"},
    }


def sarif_log(result: ScanResult, include_suppressed: bool = False) -> dict:
    enabled = enabled_rules(result)
    rule_index = {r.id: n for n, r in enumerate(enabled)}
    index = ChainIndex(result.chains)
    sources = SourceLines()
    findings, left_out = _within_limit(_reported(result, include_suppressed))
    notes = [_notification(i, sources) for i in getattr(result, "incomplete", [])]
    if left_out:
        notes.append(_left_out_notification(left_out))
    invocation: dict = {"executionSuccessful": True}
    configuration = getattr(result, "configuration", None)
    if configuration and configuration.get("file"):  # a file read: what it changed
        invocation["properties"] = {"configuration": configuration}
    if notes:
        invocation["toolExecutionNotifications"] = notes
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
        "results": [result_dict(f, rule_index, index, sources) for f in findings],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _reported(result: ScanResult, include_suppressed: bool) -> list[Finding]:
    """The open findings; with ``include_suppressed`` the suppressed and baselined ones too."""
    hidden = getattr(result, "suppressed", []) if include_suppressed else []
    return sorted([*result.findings, *hidden], key=Finding.sort_key) if hidden else result.findings


def _within_limit(findings: list[Finding]) -> tuple[list[Finding], int]:
    """At most MAX_RESULTS, the most severe first kept, in their order; and how many were cut."""
    if len(findings) <= MAX_RESULTS:
        return findings, 0
    ranked = sorted(range(len(findings)), key=lambda n: SEVERITY_ORDER[findings[n].severity])
    kept = sorted(ranked[:MAX_RESULTS])
    return [findings[n] for n in kept], len(findings) - MAX_RESULTS


def render(result: ScanResult, options: RenderOptions | None = None) -> str:
    include = options is not None and options.sarif_include_suppressed
    log = json_safe(sarif_log(result, include))
    return json_text(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"
