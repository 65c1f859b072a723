"""The rule catalog is the rules' whole identity: complete, consistent with the checks."""

from __future__ import annotations

import re

import pytest

from iaccert.catalog import DOC_SECTIONS, PRECISIONS, SEVERITIES, find_rule, rules
from iaccert.registry import registered

HEADINGS = {
    "what": "## What it does",
    "why": "## Why is this bad?",
    "example": "## Example",
    "use_instead": "## Use instead",
    "references": "## References",
}


def test_every_check_has_a_catalog_entry():
    assert set(registered()) <= set(rules())


@pytest.mark.parametrize("rule", list(rules().values()), ids=lambda r: r.id)
def test_entry_is_complete(rule):
    assert re.fullmatch(r"IAC\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.severity in SEVERITIES
    assert rule.summary and rule.why
    assert rule.precision in PRECISIONS and rule.tags and len(rule.tags) <= 5
    for section in DOC_SECTIONS:
        text = rule.docs.get(section, "")
        assert text.strip().startswith(HEADINGS[section]), f"{rule.id}: section {section}"
    example = rule.docs["example"] + rule.docs["use_instead"]
    if "terraform" in rule.applies_to:
        assert "```hcl" in example, f"{rule.id}: no Terraform example"
    if "cloudformation" in rule.applies_to:
        assert "```yaml" in example or "```json" in example, f"{rule.id}: no CloudFormation example"


def test_names_are_unique_and_resolve_both_ways():
    names = [r.name for r in rules().values()]
    assert len(names) == len(set(names))
    for rule in rules().values():
        assert find_rule(rule.id) is rule
        assert find_rule(rule.name) is rule
        assert find_rule(rule.id.lower()) is rule


def test_readme_rule_table_matches_catalog():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (IAC\d{3}) \| ([a-z0-9-]+) \| (\w+) \|", readme, re.M)
    static = {r.id: (r.name, r.severity) for r in rules().values() if r.mode == "static"}
    assert {code: (name, sev) for code, name, sev in rows} == static


def test_only_rules_about_security_are_tagged_security():
    """GitHub ranks a security rule's alerts as Critical/High/...: a parse error, an analysis
    limit, a suppression note or a certificate iaccert cannot see is not a vulnerability."""
    # IAC004 not analysed, IAC005 a model assumed; IAC113/IAC114 a domain or certificate AWS
    # refuses to create
    not_security = {
        "IAC000",
        "IAC001",
        "IAC002",
        "IAC003",
        "IAC004",
        "IAC005",
        "IAC109",
        "IAC113",
        "IAC114",
    }
    assert {r.id for r in rules().values() if not r.security} == not_security
