"""Default human format: each finding's line, a code frame, why it matters, the rest of the
chain and where its documentation is; then a summary line.

    main.tf:16:1: IAC101 [error] certificate ... is validated by EMAIL: ...
       |
    15 |   domain_name       = "partners.example.com"
    16 |   validation_method = "EMAIL"
       |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^
    17 | }
       |
       = why: An email-validated certificate is renewed only after ...
       = related: main.tf:20 aws_apigatewayv2_domain_name.partner_api
       = help: iaccert rule IAC101 or https://github.com/iaccert/iaccert/blob/v0.1.0/docs/rules.md#iac101-email-validation

A finding that says how to fix it apart from its message (``Finding.fix``) gets a
``= fix:`` note after ``= why:``; the one-line formats append it to the message.

Source files are read lazily, only for the findings shown. Colour only when asked
(the CLI decides: a terminal, ``NO_COLOR``, ``--color``).
"""

from __future__ import annotations

import re

from ..config import summary_text
from ..docs import help_uri
from ..findings import SEVERITY_ORDER, Finding, Incomplete
from ..lines import file_lines
from ..results import ScanResult
from ..safe_read import LARGE_LIMIT, read_text
from . import RenderOptions
from .escape import line_head, text

CONTEXT = 1  # lines of source shown on each side of the finding's line
MAX_WIDTH = 160  # longer source lines are cut
SEVERITY_COLOR = {"error": "31", "warning": "33", "note": "36"}  # red, yellow, cyan


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _domain_breakdown(result: ScanResult) -> str:
    """``(3 checked, 1 unknown, 1 latent) ``: how far each domain seen was checked."""
    states = getattr(result, "domain_states", None)
    if not states:
        return ""
    parts = [f"{result.domains_in('checked')} checked"]
    parts += [f"{result.domains_in(s)} {s}" for s in ("unknown", "latent") if result.domains_in(s)]
    return f"({', '.join(parts)}) "


def summary(result: ScanResult) -> str:
    counts = {s: 0 for s in SEVERITY_ORDER}
    for f in result.findings:
        counts[f.severity] += 1
    scanned = f"({_plural(result.files, 'file')} scanned)"
    if result.live and not result.files:
        scanned = "(live)"
    text = (
        f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}, "
        f"{_plural(counts['note'], 'note')} in {_plural(result.domains, 'domain')} "
        f"{_domain_breakdown(result)}{scanned}"
    )
    certificates = getattr(result, "certificates", None)
    if certificates is not None:
        unused = sum(1 for c in certificates if not c.consumers)
        text = text.replace(
            " (live)", f", {_plural(len(certificates), 'certificate')} ({unused} unused) (live)"
        )
    if result.live:
        text += f"; {len(result.incomplete)} could not be checked"
    hidden = getattr(result, "suppressed", [])
    in_source = sum(1 for f in hidden if f.suppressed.kind == "inSource")
    if in_source:
        text += f"; {in_source} suppressed"
    if len(hidden) > in_source:
        text += f"; {len(hidden) - in_source} baselined"
    ignored = getattr(result, "ignored_not_analysed", 0)
    if ignored:
        text += f"; {ignored} not-analysed findings (IAC000/IAC001/IAC004) ignored by selection"
    configuration = summary_text(getattr(result, "configuration", None))
    if configuration:  # a file that changes the verdict is never silent
        text += f"; {configuration}"
    return text


def fix_hint(result: ScanResult) -> str | None:
    """ruff's hint under the summary: what ``lint --fix`` would take care of."""
    safe, unsafe = getattr(result, "fixable", (0, 0))
    if not (safe or unsafe):
        return None
    if not safe:
        return f"[*] {unsafe} fixable with `iaccert lint --fix --unsafe-fixes`"
    more = f" ({unsafe} more with `--unsafe-fixes`)" if unsafe else ""
    return f"[*] {safe} fixable with `iaccert lint --fix`{more}"


def stale_line(entry) -> str:
    """A baseline entry no finding matches any more: a note, never a failure."""
    what = text(" ".join(p for p in (entry.rule_id, entry.resource) if p))
    where = f" in {text(entry.file)}" if entry.file else ""
    domain = f" (domain {text(entry.domain)})" if entry.domain else ""
    times = f" ({entry.count} findings)" if entry.count > 1 else ""
    return (
        f"{line_head(entry.baseline)}: note: stale baseline entry: {what}{where}{domain}{times} "
        "is no longer reported; rewrite the baseline with --write-baseline"
    )


def incomplete_line(i: Incomplete) -> str:
    """A "could not check" entry of a live run: where, what, and the AWS error."""
    where = f"{i.location.file}:{i.location.line}:{i.location.column}" if i.location else ""
    where = line_head(where or i.logical_location)
    what = f" certificate {i.certificate}" if i.certificate else ""
    if i.location and i.domain:
        what += f" of {i.logical_location}"
    return text(f"{where}: could not check{what}: {i.operation} {i.reason} ({i.code}): {i.message}")


def certificate_line(c) -> str:
    """One certificate of ``iaccert live``'s inventory: what it is and who serves it."""
    facts = [c.status, c.type]
    facts += [x for x in (c.key_algorithm, c.domain_name) if x]
    if c.not_after:
        facts.append(f"until {c.not_after[:10]}")
    if c.renewal_eligibility:
        facts.append(f"renewal {c.renewal_eligibility}")
    users = [_consumer(u) for u in c.consumers]
    served = f"; served by {', '.join(users)}" if users else "; no consumer found"
    return text(f"  {c.arn} ({c.account}/{c.region}): {', '.join(facts)}{served}")


def _consumer(u) -> str:
    """``acct/region/api.example.com [AVAILABLE]``, a distribution with its aliases."""
    names = f" ({', '.join(u.names)})" if u.names else ""
    return u.key + names + (f" [{u.status}]" if u.status else "")


def inventory_block(certificates: list) -> str:
    """``iaccert live``: every certificate seen, one line each, under a heading."""
    lines = [f"certificates ({len(certificates)}):"]
    lines += [certificate_line(c) for c in certificates]
    return "\n".join(lines)


def finding_line(f: Finding) -> str:
    """``path:line:col: IAC101 [error] message`` (the concise format's whole line)."""
    return f"{_where(f)}: {f.rule.id} [{f.severity}] {text(f.message_and_fix)}"


def _where(f: Finding) -> str:
    where = f.logical_location or f"{f.location.file}:{f.location.line}:{f.location.column}"
    return line_head(where)


class _Style:
    def __init__(self, color: bool):
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color and text else text


class SourceCache:
    """Source lines by file, read on first use; unreadable files give no frame, nor do files
    the scan would not read (outside its roots, not regular: src/iaccert/safe_read.py)."""

    def __init__(self, roots=None) -> None:
        self.roots = roots
        self._files: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if not path:  # a live finding: an AWS resource, no file
            return None
        if path not in self._files:
            try:
                text = read_text(path, self.roots, LARGE_LIMIT, errors="replace")
                self._files[path] = redact(file_lines(path, text))
            except OSError:
                self._files[path] = None
        return self._files[path]


# An attribute, key or parameter name and what assigns to it: ``  "name" =`` / ``Name:``.
# Written so that matching is linear in the line's length (no nested quantifiers that can
# try every split of one long word); the name is then searched for a secret's word.
_ASSIGNMENT = re.compile(r"""(\s*["']?)([\w.-]+)(["']?\s*[=:])""")
_SECRET_WORD = re.compile(
    r"private_?key|certificate_?body|certificate_?chain|secret|password|token", re.IGNORECASE
)


def _secret_assignment(line: str) -> str | None:
    """``  private_key = `` when the line assigns to a name that says it holds a secret."""
    match = _ASSIGNMENT.match(line)
    if match and _SECRET_WORD.search(match.group(2)):
        return match.group(0)
    return None


def redact(lines: list[str]) -> list[str]:
    """Hide secret values from code frames: PEM blocks whole, and the value of any attribute,
    key or parameter whose name says it holds a key, certificate body, secret or token."""
    out, in_pem = [], False
    for line in lines:
        if "-----BEGIN" in line:
            in_pem = True
        assignment = _secret_assignment(line)
        if assignment is not None:
            out.append(assignment + " <redacted>")
        elif in_pem:
            out.append(line[: len(line) - len(line.lstrip())] + "<redacted>")
        else:
            out.append(line)
        if "-----END" in line:
            in_pem = False
    return out


def _clip(line: str) -> str:
    line = text(line.rstrip().expandtabs(4))
    return line if len(line) <= MAX_WIDTH else line[: MAX_WIDTH - 1] + "…"


def code_frame(path: str, line: int, sources: SourceCache, style: _Style, sev: str) -> list[str]:
    """The finding's line with CONTEXT lines each side, the line underlined with carets."""
    lines = sources.lines(path)
    if not lines or not 1 <= line <= len(lines):
        return []
    first, last = max(1, line - CONTEXT), min(len(lines), line + CONTEXT)
    width = max(2, len(str(last)))  # the notes below line up with it
    bar = style(" " * width + " |", "34;1")
    out = [bar]
    for n in range(first, last + 1):
        text = _clip(lines[n - 1])
        out.append(f"{style(str(n).rjust(width) + ' |', '34;1')} {text}".rstrip())
        if n == line:
            start = len(text) - len(text.lstrip())
            carets = "^" * max(1, len(text) - start)
            out.append(f"{bar} {' ' * start}{style(carets, SEVERITY_COLOR[sev] + ';1')}")
    out.append(bar)
    return out


def finding_block(f: Finding, sources: SourceCache, style: _Style) -> str:
    head = (
        f"{style(_where(f), '1')}: {style(f.rule.id, '1')} "
        f"{style('[' + f.severity + ']', SEVERITY_COLOR[f.severity] + ';1')} {text(f.message)}"
    )
    lines = [head]
    if not f.logical_location:
        lines += code_frame(f.location.file, f.location.line, sources, style, f.severity)
    # the notes line up under the frame's bar: as wide as its line numbers (at least 2)
    shown = min(f.location.line + CONTEXT, len(sources.lines(f.location.file) or []))
    pad = " " * (max(2, len(str(shown))) + 1)

    def note(label: str, text: str) -> None:
        lines.append(f"{pad}{style('=', '34;1')} {style(label, '1')}: {text}")

    if f.rule.why:
        note("why", f.rule.why)
    if f.fix:
        note("fix", text(f.fix))
    for r in f.related:
        note("related", text(f"{r.location.file}:{r.location.line} {r.resource}"))
    note("help", f"iaccert rule {f.rule.id} or {help_uri(f.rule)}")
    return "\n".join(lines)


def render(result: ScanResult, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    project = getattr(result, "project", None)
    style, sources = _Style(options.color), SourceCache(getattr(project, "roots", None))
    blocks = [finding_block(f, sources, style) for f in result.findings]
    blocks.extend(incomplete_line(i) for i in getattr(result, "incomplete", []))
    blocks.extend(stale_line(e) for e in getattr(result, "stale_baseline", None) or [])
    certificates = getattr(result, "certificates", None)
    if certificates and not options.quiet:
        blocks.append(inventory_block(certificates))
    if not options.quiet:
        hint = fix_hint(result)  # above the summary, which stays the last line
        blocks.append(
            style(summary(result), "1") if not hint else f"{hint}\n{style(summary(result), '1')}"
        )
    return "\n\n".join(blocks) + "\n" if blocks else ""
