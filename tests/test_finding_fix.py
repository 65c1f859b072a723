"""A finding's fix text (``Finding.fix``), apart from its message, reaches every format:
a ``= fix:`` note in text, appended to the message on one-line formats, its own key in JSON
and SARIF; a finding without one reads as before."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from snapshots import FIXTURES, ROOT

from iaccert.findings import make
from iaccert.model import Location
from iaccert.registry import Hit
from iaccert.report import FORMATS, render
from iaccert.results import ScanResult
from iaccert.scan import _finding, scan

MESSAGE = "certificate aws_acm_certificate.api is validated by EMAIL"
FIX = 'set validation_method = "DNS" and add the validation records'
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))


def _result(fix: str) -> ScanResult:
    where = Location("main.tf", 3, 3, 3)
    finding = make("IAC101", MESSAGE, where, "aws_acm_certificate.api", "d.api", fix=fix)
    return ScanResult(findings=[finding], files=1, domains=1)


@pytest.fixture
def outputs() -> dict[str, str]:
    return {fmt: render(fmt, _result(FIX)) for fmt in FORMATS}


def test_every_format_shows_the_fix(outputs):
    assert set(outputs) == set(FORMATS)
    for fmt, out in outputs.items():
        assert "validation_method" in out and "add the validation records" in out, fmt


def test_text_gives_the_fix_a_note_of_its_own(outputs):
    lines = outputs["text"].splitlines()
    assert lines[0].endswith(f"IAC101 [error] {MESSAGE}")  # the message alone
    notes = [line.strip() for line in lines if line.strip().startswith("= ")]
    assert notes[0].startswith("= why: ")
    assert notes[1] == f"= fix: {FIX}"


def test_one_line_formats_append_it_to_the_message(outputs):
    assert outputs["concise"].splitlines()[0].endswith(f"[error] {MESSAGE}; {FIX}")
    assert outputs["github"].splitlines()[0].endswith(f"::{MESSAGE}; {FIX}")
    (issue,) = json.loads(outputs["gitlab"])
    assert issue["description"] == f"IAC101: {MESSAGE}; {FIX}"
    root = ET.fromstring(outputs["junit"].split("\n", 1)[1])
    failure = next(root.iter("failure"))
    assert failure.get("message") == f"IAC101 email-validation: {MESSAGE}; {FIX}"
    assert failure.text.strip().endswith(f"{MESSAGE}; {FIX}")


def test_json_and_sarif_carry_it_as_its_own_value(outputs):
    (finding,) = json.loads(outputs["json"])["findings"]
    assert finding["message"] == MESSAGE and finding["fix"] == FIX
    log = json.loads(outputs["sarif"])
    assert not list(Draft4Validator(SCHEMA).iter_errors(log))
    (result,) = log["runs"][0]["results"]
    assert result["properties"]["fix"] == FIX
    assert result["message"]["text"].startswith(f"{MESSAGE}; {FIX}. See ")


def test_a_finding_without_fix_reads_as_before():
    result = _result("")
    assert "fix" not in json.loads(render("json", result))["findings"][0]
    assert "= fix:" not in render("text", result)
    assert render("concise", result).splitlines()[0].endswith(f"[error] {MESSAGE}")
    (sarif,) = json.loads(render("sarif", result))["runs"][0]["results"]
    assert "fix" not in sarif["properties"]


def test_a_check_that_gives_a_fix_gets_it_on_its_finding(monkeypatch):
    """scan.py takes ``fix`` from a check's hit, and "" when it has none."""
    monkeypatch.chdir(FIXTURES)
    (chain,) = scan([Path("tf_iac101_email")]).chains
    hit = Hit("certificate.validation_method", MESSAGE)
    assert _finding("IAC101", hit, chain).fix == ""
    hit.fix = FIX
    finding = _finding("IAC101", hit, chain)
    assert finding.fix == FIX and finding.message == MESSAGE


def test_the_checks_say_what_is_wrong_and_how_to_fix_it_apart(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    [finding] = [f for f in scan([Path("tf_iac101_email")]).findings if f.rule.id == "IAC101"]
    assert finding.fix == "use DNS validation"
    assert finding.message.endswith("waits for a person to approve an email")
