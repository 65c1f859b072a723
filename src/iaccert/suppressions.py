"""In-source suppressions: comments (and CloudFormation ``Metadata``) that hide findings.

    # iaccert: ignore[IAC104] validated by the platform team's pipeline
    resource "aws_apigatewayv2_domain_name" "api" {      # or on this line
    # iaccert: ignore-file[IAC109] certificates come from the shared account

A comment (``#`` or ``//`` in HCL, ``#`` in YAML) on a resource's header line, or on the
comment lines directly above it, suppresses the findings it names (codes, code prefixes
such as ``IAC1`` or rule names, comma separated) whose primary location lies within that
resource's block. Written inside a block, it applies to the enclosing resource. On a
Terraform ``module`` block it applies to the findings that call produces: those located in
the block (a caller's argument that set the deciding value, a downloaded module's resource)
or whose value passed through it, for that caller only. Findings whose value was set outside
the resource (terraform/origins.py) are also hidden by a suppression on the resource. In
``.tf.json`` the comment is a ``"//"`` key whose value is ``iaccert: ignore[...] reason``.
``ignore-file`` before the first block applies to the whole file. CloudFormation
resources may say it in ``Metadata: {iaccert: {ignore: [{id: IAC104, reason: ...}]}}``.

Comments are not in the parsed blocks, so each file is scanned line by line here, its
lines numbered as its parser numbered them (src/iaccert/lines.py); the resources of the
model give the blocks' line ranges. A suppression without a reason is reported (IAC002),
and so is one that hides nothing (IAC003). Five rules are never suppressed in source,
only by ``--ignore`` or the configuration: IAC000, IAC001 and IAC004 say that part of
the code was not analysed (a comment there would make its domains vanish with a green
run), IAC002 and IAC003 report on the suppressions themselves. A comment that names one
of them is IAC003.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import rules, select_rules
from .findings import Finding, Suppression, make
from .lines import file_lines
from .model import Location, Project, Resource
from .safe_read import LARGE_LIMIT, read_text

REASONLESS, UNUSED = "IAC002", "IAC003"
META_RULES = (REASONLESS, UNUSED)
# what was not analysed, and the reports on suppressions: selected or ignored, never hidden
NOT_IN_SOURCE = frozenset({"IAC000", "IAC001", "IAC004", *META_RULES})

_COMMENT = {  # a comment starts the line or follows whitespace
    "hcl": re.compile(r"(?:^|\s)(?:#|//)\s*(iaccert\s*:.*)$"),
    "yaml": re.compile(r"(?:^|\s)#\s*(iaccert\s*:.*)$"),
}
_JSON_COMMENT = re.compile(r'"//"\s*:\s*"(iaccert\s*:(?:[^"\\]|\\.)*)"')
_DIRECTIVE = re.compile(
    r"iaccert\s*:\s*(?P<kind>ignore-file|ignore)(?![\w-])(?P<rest>.*)$", re.IGNORECASE | re.DOTALL
)
_CODES = re.compile(r"\s*\[(?P<codes>[^\]]*)\](?P<reason>.*)$", re.DOTALL)


@dataclass
class Directive:
    """One suppression: where it is written, what it names, and the lines it covers."""

    file: str
    line: int  # where it is written; IAC002 and IAC003 point here
    selectors: list[str]
    reason: str
    file_level: bool = False
    metadata: bool = False  # CloudFormation Metadata rather than a comment
    start: int = 0  # the lines it covers (a resource's block); unused for file_level
    end: int = 0
    resource: str = ""  # the resource it applies to
    problem: str = ""  # why it cannot apply (misplaced, malformed): reported as IAC003
    rules: dict[str, set[str]] = field(default_factory=dict)  # selector -> rule ids
    used: set[str] = field(default_factory=set)  # selectors that hid a finding

    def covers(self, finding: Finding) -> bool:
        if self.problem or finding.rule.id in NOT_IN_SOURCE:
            return False
        if not any(self._holds(where) for where in (finding.location, *finding.trail)):
            return False
        hit = [s for s, ids in self.rules.items() if finding.rule.id in ids]
        self.used.update(hit)
        return bool(hit)

    def _holds(self, where: Location) -> bool:
        if where.file != self.file:
            return False
        return self.file_level or self.start <= where.line <= self.end

    @property
    def text(self) -> str:
        kind = "ignore-file" if self.file_level else "ignore"
        return f"{kind}[{', '.join(self.selectors)}]"

    @property
    def target(self) -> str:
        return "this file" if self.file_level else (self.resource or "this block")


@dataclass
class _Block:
    start: int
    end: int
    address: str
    suppress: list[tuple[str, str]]


# -- reading the files ---------------------------------------------------------------------
def _syntax(path: str, text: str) -> str:
    name = path.lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith((".tf", ".hcl", ".tfvars")):
        return "hcl"
    return "json" if text.lstrip().startswith("{") else "yaml"


def _is_comment(line: str, syntax: str) -> bool:
    stripped = line.strip()
    if syntax == "hcl":
        return stripped.startswith(("#", "//"))
    return syntax == "yaml" and stripped.startswith("#")


def _is_preamble(line: str, syntax: str) -> bool:
    """Blank lines, comments and YAML document markers: what may precede the first block."""
    stripped = line.strip()
    return not stripped or _is_comment(line, syntax) or (syntax == "yaml" and stripped == "---")


def _parse(text: str) -> tuple[str, list[str], str] | None:
    """``iaccert: ignore[A, B] reason`` -> (kind, selectors, reason); None if not ours."""
    match = _DIRECTIVE.match(text.strip())
    if match is None:
        return None
    kind = match.group("kind").lower()
    codes = _CODES.match(match.group("rest"))
    if codes is None:
        return kind, [], ""
    selectors = [s.strip() for s in codes.group("codes").split(",") if s.strip()]
    reason = codes.group("reason").strip().lstrip("-:–—").strip()
    return kind, selectors, reason


def _blocks(project: Project | None) -> dict[str, list[_Block]]:
    """Each file's resource and module blocks (one per block, however many instances)."""
    out: dict[str, dict[tuple[int, int], _Block]] = {}
    for loc, address in project.module_calls if project is not None else []:
        span = (loc.line, max(loc.line, loc.end_line or loc.line))
        out.setdefault(loc.file, {}).setdefault(span, _Block(span[0], span[1], address, []))
    for res in project.resources if project is not None else []:
        loc: Location = res.location
        if not loc.file:
            continue
        span = (loc.line, max(loc.line, loc.end_line or loc.line))
        blocks = out.setdefault(loc.file, {})
        if span not in blocks:
            blocks[span] = _Block(span[0], span[1], res.address, [])
        _merge_metadata(blocks[span], res)
    return {file: sorted(b.values(), key=lambda b: (b.start, -b.end)) for file, b in out.items()}


def _merge_metadata(block: _Block, res: Resource) -> None:
    for item in res.suppress:
        if item not in block.suppress:
            block.suppress.append(item)


def _attach(directive: Directive, line: int, blocks: list[_Block], lines: list[str], syntax: str):
    """The resource a comment at ``line`` applies to: the header that follows it (over
    comment lines only), else the innermost block around it."""
    target = line
    if _is_comment(lines[line - 1], syntax):  # a comment line of its own: what follows it
        target = line + 1
        while target <= len(lines) and _is_comment(lines[target - 1], syntax):
            target += 1
    chosen = next((b for b in blocks if b.start == target), None)
    if chosen is None:
        inner = [b for b in blocks if b.start <= target <= b.end]
        chosen = min(inner, key=lambda b: b.end - b.start, default=None)
    if chosen is None:
        directive.problem = "it is not on or directly above a resource or module block"
        return
    directive.start, directive.end, directive.resource = chosen.start, chosen.end, chosen.address


def _comment_of(line: str, syntax: str) -> str | None:
    pattern = _JSON_COMMENT if syntax == "json" else _COMMENT[syntax]
    match = pattern.search(line)
    if match is None:
        return None
    text = match.group(1)
    return text.replace('\\"', '"') if syntax == "json" else text


def collect(file: str, text: str, blocks: list[_Block]) -> list[Directive]:
    """Every suppression written in one file: comments, then resources' Metadata."""
    lines = file_lines(file, text)  # numbered as the parser numbered the blocks' lines
    syntax = _syntax(file, text)
    out: list[Directive] = []
    if syntax == "json":
        first_block = min((b.start for b in blocks), default=len(lines) + 1)
    else:
        first_block = next(
            (n for n, line in enumerate(lines, 1) if not _is_preamble(line, syntax)),
            len(lines) + 1,
        )
    if "iaccert" in text.lower():
        for number, line in enumerate(lines, 1):
            comment = _comment_of(line, syntax) if "iaccert" in line.lower() else None
            parsed = _parse(comment) if comment else None
            if parsed is None:
                continue
            kind, selectors, reason = parsed
            directive = Directive(file, number, selectors, reason, kind == "ignore-file")
            if not selectors:
                directive.problem = f"write the rules it hides: `iaccert: {kind}[IAC104] reason`"
            elif directive.file_level and number >= first_block:
                directive.problem = "ignore-file must come before the first block of the file"
            elif not directive.file_level:
                _attach(directive, number, blocks, lines, syntax)
            out.append(directive)
    for block in blocks:
        for selector, reason in block.suppress:
            where = _metadata_line(lines, block, selector)
            directive = Directive(file, where, [selector], reason, metadata=True)
            directive.start, directive.end = block.start, block.end
            directive.resource = block.address
            out.append(directive)
    for directive in out:
        directive.rules = {s: {r.id for r in select_rules(s)} for s in directive.selectors}
    return out


def _metadata_line(lines: list[str], block: _Block, selector: str) -> int:
    """The line of a Metadata entry's id, else the resource's header."""
    for number in range(block.start, min(block.end, len(lines)) + 1):
        if selector in lines[number - 1] and "iaccert" not in lines[number - 1]:
            return number
    return block.start


def _read(path: str, roots) -> str | None:
    """A file's text, read as the scan reads (src/iaccert/safe_read.py), else None."""
    try:
        # bytes decoded as they are: the text as the parser saw it (a lone \r is no line break
        # in HCL)
        return read_text(Path(path), roots, LARGE_LIMIT, errors="replace")
    except OSError:
        return None


def directives(findings: list[Finding], project: Project | None) -> list[Directive]:
    """The suppressions of every file that has a finding or a resource the analysis read,
    each file read once (a file the prefilter skipped can hide no finding)."""
    blocks = _blocks(project)
    files = set(blocks) | {
        where.file for f in findings for where in (f.location, *f.trail) if where.file
    }
    out: list[Directive] = []
    for file in sorted(files):
        text = _read(file, getattr(project, "roots", None))
        if text is not None:
            out.extend(collect(file, text, blocks.get(file, [])))
    return out


# -- applying them ---------------------------------------------------------------------------
def apply(
    findings: list[Finding], project: Project | None, live: bool = False
) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """(findings left, findings suppressed, reports on the suppressions themselves)."""
    found = directives(findings, project)
    by_file: dict[str, list[Directive]] = {}
    for directive in found:
        by_file.setdefault(directive.file, []).append(directive)
    for items in by_file.values():  # a resource's own suppression before the file's
        items.sort(key=lambda d: (d.file_level, d.line))
    kept, hidden = [], []
    for finding in findings:
        files = dict.fromkeys(where.file for where in (finding.location, *finding.trail))
        candidates = [d for file in files for d in by_file.get(file, [])]
        matching = [d for d in candidates if d.covers(finding)]
        if matching:
            finding.suppressed = Suppression("inSource", matching[0].reason)
            hidden.append(finding)
        else:
            kept.append(finding)
    return kept, hidden, _reports(found, live)


def _reports(found: list[Directive], live: bool) -> list[Finding]:
    out = []
    catalog = rules()
    for d in found:
        where = Location(d.file, d.line, d.line)
        if not d.reason and d.selectors:
            how = (
                "add a `reason` to its Metadata.iaccert.ignore entry"
                if d.metadata
                else f"say why after the brackets: `iaccert: {d.text} reason`"
            )
            message = f"suppression without a reason: {d.text} on {d.target}; {how}"
            out.append(make(REASONLESS, message, where, d.resource, None))
        problems = []
        if d.problem:
            problems.append(f"{d.text} is not applied: {d.problem}")
        else:
            unknown = [s for s, ids in d.rules.items() if not ids]
            problems += [f"'{s}' is not a rule code, code prefix or name" for s in unknown]
            fixed = [s for s, ids in d.rules.items() if ids and ids <= NOT_IN_SOURCE]
            if fixed:
                problems.append(
                    f"{', '.join(fixed)} cannot be suppressed in source (what was not analysed "
                    f"must stay visible): use --ignore or the configuration's ignore"
                )
            idle = [
                s
                for s, ids in d.rules.items()
                if ids
                and s not in fixed
                and s not in d.used
                and (live or any(catalog[i].mode != "live" for i in ids))
            ]
            if idle:
                problems.append(f"no {', '.join(idle)} finding in {d.target}")
        if problems:
            message = f"unused suppression: {'; '.join(problems)}"
            out.append(make(UNUSED, message, where, d.resource, None))
    return out
