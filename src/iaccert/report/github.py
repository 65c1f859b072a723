"""GitHub Actions workflow commands: one annotation per finding, then a summary line.

    ::error file=main.tf,line=16,endLine=16,title=IAC101 email-validation::certificate ...

Severity maps to the command: error -> ``error``, warning -> ``warning``, note -> ``notice``.
Values are escaped as the Actions toolkit does: ``%``, CR and LF in the message; also ``:``
and ``,`` in properties; before that, control characters are made visible (escape.py), so
every line of this format is one of our commands or the summary.
"""

from __future__ import annotations

from ..config import summary_text
from ..findings import Finding
from ..results import ScanResult
from . import RenderOptions
from .escape import actions_data as escape_data
from .escape import actions_property as escape_property
from .escape import text
from .text import incomplete_line, summary

COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def annotation(f: Finding) -> str:
    props = []
    message = f.message_and_fix
    if f.location.file:
        line = max(1, f.location.line)
        end = max(line, f.location.end_line or line)
        file = escape_property(text(f.location.file))
        props += [f"file={file}", f"line={line}", f"endLine={end}"]
    elif f.logical_location:  # live finding: an AWS resource, not a file
        message = f"{f.logical_location}: {message}"
    props.append(f"title={escape_property(f'{f.rule.id} {f.rule.name}')}")
    return f"::{COMMAND[f.severity]} {','.join(props)}::{escape_data(text(message))}"


def render(result: ScanResult, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    lines = [annotation(f) for f in result.findings]
    lines.extend(
        f"::warning title=iaccert could not check::{escape_data(incomplete_line(i))}"
        for i in getattr(result, "incomplete", [])
    )
    configuration = getattr(result, "configuration", None)
    if configuration and configuration.get("changes"):  # shown on the run, not only in its log
        title = escape_property("iaccert configuration")
        lines.append(f"::notice title={title}::{escape_data(summary_text(configuration))}")
    if not options.quiet:
        lines.append(summary(result))
    return "".join(line + "\n" for line in lines)
