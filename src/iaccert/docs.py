"""Rule documentation generated from the catalog (``rules/IAC*.yaml``), never edited by hand.

``docs/rules.md`` is this module's output; regenerate it after changing a catalog file:

    python -m iaccert.docs            # writes docs/rules.md (run from the repository root)
    python -m iaccert.docs --check    # exit 1 when docs/rules.md is out of date

The same text is ``iaccert rule --all --format markdown``. Each rule has a heading
``## IAC101 email-validation``, whose anchor (``#iac101-email-validation``) SARIF's
``helpUri`` points at.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import __version__
from .catalog import Rule, rules

#: Where the project lives; the one place to change when the repository moves.
REPOSITORY_URL = "https://github.com/iaccert/iaccert"
#: The rule docs of this release (its tag ``v{__version__}``), not of a branch that moves on:
#: a rule's text, severity or fix may change in a later release.
DOCS_URL = f"{REPOSITORY_URL}/blob/v{__version__}/docs/rules.md"
#: Relative to the repository root, where the command runs (an installed package has no docs/).
DOCS_FILE = Path("docs") / "rules.md"

#: GitHub code scanning's ``security-severity`` per default severity (> 9.0 critical,
#: 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low): errors are high, warnings medium, notes low.
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "note": "2.0"}

APPLIES_TO = {
    "terraform": "Terraform",
    "cloudformation": "CloudFormation",
    "serverless": "Serverless Framework",
    "cdk": "AWS CDK",
    "pulumi": "Pulumi",
    "live": "live mode (what is deployed)",
}


def anchor(rule: Rule) -> str:
    """GitHub's anchor for the heading ``IAC101 email-validation``."""
    return f"{rule.id.lower()}-{rule.name}"


def help_uri(rule: Rule) -> str:
    return f"{DOCS_URL}#{anchor(rule)}"


def _demote(markdown: str) -> str:
    """Section headings one level down (``##`` -> ``###``), code blocks untouched."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            line = "#" + line
        out.append(line)
    return "\n".join(out)


def rule_markdown(rule: Rule) -> str:
    severity = f"**Severity:** {rule.severity}"
    if rule.security:
        severity += f" (SARIF security-severity {SECURITY_SEVERITY[rule.severity]})"
    facts = [severity, f"**Mode:** {rule.mode}", f"**Precision:** {rule.precision}"]
    if rule.applies_to:
        facts.append("**Applies to:** " + ", ".join(APPLIES_TO.get(a, a) for a in rule.applies_to))
    if rule.fix:
        facts.append(f"**Fix:** {rule.fix}")
    if rule.points_at_origin:
        facts.append(
            "**Points at:** where the deciding value is set (a caller's argument, `.tfvars`)"
        )
    parts = [f"## {rule.id} {rule.name}", f"_{rule.summary}_", " · ".join(facts)]
    if rule.doc_text:
        parts.append(_demote(rule.doc_text))
    return "\n\n".join(parts) + "\n"


def rules_markdown() -> str:
    """The whole ``docs/rules.md``: an index table, then every rule's documentation."""
    catalog = list(rules().values())
    head = [
        "# iaccert rules",
        "",
        "<!-- Generated from rules/IAC*.yaml by `python -m iaccert.docs`; do not edit. -->",
        "",
        "Every rule's code is stable; its name says the problem. Select, ignore or suppress a",
        "rule by either. `iaccert rule CODE` prints the same documentation in a terminal.",
        "",
        "| code | name | severity | mode | summary |",
        "|---|---|---|---|---|",
    ]
    for r in catalog:
        summary = r.summary.replace("|", "\\|")
        head.append(f"| [{r.id}](#{anchor(r)}) | {r.name} | {r.severity} | {r.mode} | {summary} |")
    return "\n".join(head) + "\n\n" + "\n".join(rule_markdown(r) for r in catalog)


def rule_dict(rule: Rule) -> dict:
    """A rule as ``iaccert rule --format json`` shows it."""
    return {
        "id": rule.id,
        "name": rule.name,
        "severity": rule.severity,
        "mode": rule.mode,
        "applies_to": list(rule.applies_to),
        "tags": list(rule.tags),
        "precision": rule.precision,
        "points_at_origin": rule.points_at_origin,
        # the chain link its findings say is missing (what `iaccert graph` draws), or None
        "breaks": {"link": rule.breaks.link, "label": rule.breaks.label} if rule.breaks else None,
        "summary": rule.summary,
        "why": rule.why,
        "docs": rule.doc_text,
        "help_uri": help_uri(rule),
        "fix": rule.fix or None,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = rules_markdown()
    current = DOCS_FILE.read_text(encoding="utf-8") if DOCS_FILE.is_file() else None
    if "--check" in args:
        if current != text:
            print(f"{DOCS_FILE} is out of date: run `python -m iaccert.docs`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        DOCS_FILE.parent.mkdir(parents=True, exist_ok=True)
        DOCS_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {DOCS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
