"""Rule documentation: ``iaccert rule``, its JSON and Markdown forms, and docs/rules.md,
all generated from the catalog."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from snapshots import ROOT, run_cli

from iaccert.catalog import DOC_SECTIONS, rules
from iaccert.docs import anchor, help_uri, rules_markdown

DOCS_FILE = ROOT / "docs" / "rules.md"

HEADINGS = (
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## References",
)


def github_anchor(heading: str) -> str:
    """GitHub's heading slug: lower case, punctuation dropped (not ``-``), spaces to ``-``."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_docs_rules_md_is_up_to_date():
    current = DOCS_FILE.read_text(encoding="utf-8") if DOCS_FILE.is_file() else ""
    assert current == rules_markdown(), "docs/rules.md is out of date: run `python -m iaccert.docs`"


def test_every_rule_has_a_heading_whose_anchor_sarif_uses():
    text = DOCS_FILE.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    anchors = {github_anchor(h) for h in headings}
    for rule in rules().values():
        assert f"{rule.id} {rule.name}" in headings
        assert anchor(rule) == github_anchor(f"{rule.id} {rule.name}") in anchors
        assert help_uri(rule).endswith(f"docs/rules.md#{anchor(rule)}")
    # the rules' own sections are one level down, so they never collide with a rule heading
    assert "\n### What it does\n" in text and "\n## What it does\n" not in text


@pytest.mark.parametrize("key", ["IAC104", "validation-not-awaited", "iac104"])
def test_rule_prints_the_full_doc_by_code_or_name(key, tmp_path):
    proc = run_cli(["rule", key], tmp_path)
    assert proc.returncode == 0, proc.stderr
    rule = rules()["IAC104"]
    assert proc.stdout.startswith("# IAC104 validation-not-awaited (warning)\n")
    assert rule.summary in proc.stdout and rule.doc_text in proc.stdout
    for heading in HEADINGS:
        assert heading in proc.stdout
    assert help_uri(rule) in proc.stdout


def test_rule_all_lists_every_rule(tmp_path):
    proc = run_cli(["rule", "--all"], tmp_path)
    assert proc.returncode == 0
    listed = [line.split()[0] for line in proc.stdout.splitlines()]
    assert listed == list(rules())


def test_rule_json(tmp_path):
    proc = run_cli(["rule", "--all", "--format", "json"], tmp_path)
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert [r["id"] for r in data] == list(rules())
    for item in data:
        rule = rules()[item["id"]]
        assert item["name"] == rule.name and item["severity"] == rule.severity
        assert item["summary"] == rule.summary and item["docs"] == rule.doc_text
        assert item["help_uri"] == help_uri(rule)
        assert item["tags"] == list(rule.tags) and item["precision"] == rule.precision
        breaks = {"link": rule.breaks.link, "label": rule.breaks.label} if rule.breaks else None
        assert item["breaks"] == breaks
    assert {r["id"]: r["breaks"]["link"] for r in data if r["breaks"]}["IAC103"] == "records"
    one = json.loads(run_cli(["rule", "email-validation", "-f", "json"], tmp_path).stdout)
    assert one["id"] == "IAC101" and all(h in one["docs"] for h in HEADINGS)


def test_rule_markdown_is_docs_rules_md(tmp_path):
    proc = run_cli(["rule", "--all", "--format", "markdown"], tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == DOCS_FILE.read_text(encoding="utf-8")


def test_unknown_rule_is_a_usage_error(tmp_path):
    proc = run_cli(["rule", "IAC999", "-f", "json"], tmp_path)
    assert proc.returncode == 2 and "IAC999" in proc.stderr and proc.stdout == ""


def test_docs_check_command():
    proc = subprocess.run(
        [sys.executable, "-m", "iaccert.docs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr


def test_every_doc_section_is_in_docs_rules_md():
    text = DOCS_FILE.read_text(encoding="utf-8")
    for rule in rules().values():
        section = text.split(f"\n## {rule.id} {rule.name}\n", 1)[1].split("\n## ", 1)[0]
        for key in DOC_SECTIONS:
            for line in rule.docs.get(key, "").strip().splitlines():
                assert line in section, (rule.id, key, line)  # "## X" is within "### X"


def test_readme_says_how_to_regenerate():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python -m iaccert.docs" in readme
