"""SARIF output: valid against the official SARIF 2.1.0 schema for every fixture, and shaped
the way GitHub code scanning reads it (see tests/data/README.md for the schema's source)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from snapshots import FIXTURES, ROOT, run_cli

from iaccert import __version__
from iaccert.catalog import rules
from iaccert.docs import SECURITY_SEVERITY, anchor
from iaccert.findings import Finding, Incomplete
from iaccert.model import Location
from iaccert.report import FORMATS, render
from iaccert.report.sarif import FINGERPRINT_KEY, SRCROOT, sarif_log
from iaccert.scan import ScanResult, scan

DOCS_FILE = ROOT / "docs" / "rules.md"
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
VALIDATOR = Draft4Validator(SCHEMA)
CASES = sorted(p for p in FIXTURES.iterdir() if p.is_dir()) + [ROOT / "tests/data/format_fixture"]


def _scan_log(case: Path, monkeypatch) -> dict:
    """SARIF for one fixture, scanned from the repository root like a CI job would."""
    monkeypatch.chdir(ROOT)
    for name in [k for k in os.environ if k.startswith("TF_VAR_")]:
        monkeypatch.delenv(name)
    return sarif_log(scan([case.relative_to(ROOT)]))


def check_github_shape(log: dict) -> None:
    """What GitHub code scanning needs, beyond the schema."""
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]  # exactly one run
    driver = run["tool"]["driver"]
    assert driver["name"] == "iaccert"
    assert driver["semanticVersion"] == __version__
    assert driver["informationUri"].startswith("https://")
    catalog = rules()
    anchors = set(re.findall(r"^## (IAC\d{3} [a-z0-9-]+)$", DOCS_FILE.read_text("utf-8"), re.M))
    for descriptor in driver["rules"]:
        rule = catalog[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] == rule.why
        assert descriptor["help"]["text"] == rule.doc_text
        assert descriptor["help"]["markdown"] == rule.doc_text
        assert descriptor["helpUri"].endswith(f"/docs/rules.md#{anchor(rule)}")
        assert f"{rule.id} {rule.name}" in anchors  # the anchor exists in docs/rules.md
        assert descriptor["defaultConfiguration"]["level"] == rule.severity
        props = descriptor["properties"]
        assert "security" in props["tags"] and len(props["tags"]) <= 10
        assert props["security-severity"] == SECURITY_SEVERITY[rule.severity]
        assert isinstance(props["security-severity"], str) and float(props["security-severity"])
    static = {r.id for r in catalog.values() if r.mode == "static"}
    assert static <= {d["id"] for d in driver["rules"]}

    assert set(run["originalUriBaseIds"]) == {SRCROOT}
    assert run["originalUriBaseIds"][SRCROOT]["uri"].startswith("file:///")
    assert run["originalUriBaseIds"][SRCROOT]["uri"].endswith("/")
    assert len(run["results"]) <= 5000
    for result in run["results"]:
        descriptor = driver["rules"][result["ruleIndex"]]
        assert descriptor["id"] == result["ruleId"]
        assert result["level"] == catalog[result["ruleId"]].severity
        title = result["message"]["text"].split(". ")[0]
        assert len(title) > 20 and not title[0].isspace()
        assert result["locations"], "a result without a location"
        physical = result["locations"][0]["physicalLocation"]
        _check_physical(physical)
        fingerprint = result["partialFingerprints"][FINGERPRINT_KEY]
        assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
        ids = [r["id"] for r in result.get("relatedLocations", [])]
        assert len(ids) == len(set(ids))
        for related in result.get("relatedLocations", []):
            assert related["message"]["text"]
            _check_physical(related["physicalLocation"])


def _check_physical(physical: dict) -> None:
    artifact = physical["artifactLocation"]
    uri = artifact["uri"]
    assert uri and not uri.startswith("/") and "\\" not in uri and ":" not in uri
    assert artifact["uriBaseId"] == SRCROOT
    region = physical["region"]
    assert region["startLine"] >= 1 and region["endLine"] >= region["startLine"]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_every_fixture_validates_against_the_schema(case, monkeypatch):
    log = _scan_log(case, monkeypatch)
    errors = sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    check_github_shape(log)


def test_cli_output_validates_and_is_repository_relative():
    proc = run_cli(["lint", "tests/data/format_fixture", "--format", "sarif"], ROOT)
    assert proc.returncode == 1 and proc.stderr == ""
    log = json.loads(proc.stdout)
    assert not list(VALIDATOR.iter_errors(log))
    check_github_shape(log)
    run = log["runs"][0]
    assert run["originalUriBaseIds"][SRCROOT]["uri"] == ROOT.resolve().as_uri() + "/"
    results = {r["ruleId"]: r for r in run["results"]}
    assert set(results) == {"IAC000", "IAC101", "IAC104", "IAC109"}
    billing = results["IAC104"]
    assert billing["level"] == "warning"
    location = billing["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "tests/data/format_fixture/infra/main.tf"
    assert location["region"] == {"startLine": 60, "endLine": 60}
    related = {r["message"]["text"]: r for r in billing["relatedLocations"]}
    assert set(related) == {
        "certificate aws_acm_certificate.billing",
        "validation aws_acm_certificate_validation.billing",
        "DNS record aws_route53_record.billing_validation",
    }
    record = related["DNS record aws_route53_record.billing_validation"]
    assert (
        record["physicalLocation"]["artifactLocation"]["uri"]
        == "tests/data/format_fixture/infra/dns%20records.tf"
    )
    assert billing["message"]["text"].startswith("domain 'billing.example.com' ")
    assert results["IAC109"]["level"] == "note"
    assert results["IAC000"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1


def test_fingerprint_survives_moving_lines(tmp_path):
    case = tmp_path / "m"
    shutil.copytree(FIXTURES / "tf_iac104_not_awaited", case)

    def result() -> dict:
        proc = run_cli(["lint", "m", "-f", "sarif"], tmp_path)
        (only,) = json.loads(proc.stdout)["runs"][0]["results"]
        return only

    before = result()
    domain_file = next(
        p for p in case.glob("*.tf") if "aws_api_gateway_domain_name" in p.read_text()
    )
    domain_file.write_text("# moved\n\n\n" + domain_file.read_text())
    after = result()
    line = before["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert after["locations"][0]["physicalLocation"]["region"]["startLine"] == line + 3
    assert after["partialFingerprints"] == before["partialFingerprints"]


def test_no_finding_is_still_one_run_with_the_rules(monkeypatch):
    log = _scan_log(FIXTURES / "tf_pass_regional_v2", monkeypatch)
    assert log["runs"][0]["results"] == []
    assert not list(VALIDATOR.iter_errors(log))
    check_github_shape(log)


def test_live_findings_and_could_not_check_entries_in_every_format():
    """A live finding has no file (a logical AWS location); a "could not check" entry is a
    tool notification in SARIF, never a result. No format may lose or break on either."""
    live = Finding(
        rules()["IAC203"],
        "certificate of api.example.com expires in 12 days",
        Location("", 0),
        "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        "api.example.com",
        logical_location="123456789012/us-east-1/api.example.com",
    )
    denied = Incomplete(
        "123456789012", "eu-west-1", "pay.example.com", None,
        "acm:DescribeCertificate", "access-denied", "AccessDeniedException", "not allowed",
    )  # fmt: skip
    result = ScanResult(findings=[live], live=True, incomplete=[denied])
    log = sarif_log(result)
    assert not list(VALIDATOR.iter_errors(log))
    (sarif_result,) = log["runs"][0]["results"]
    (location,) = sarif_result["locations"]
    assert "physicalLocation" not in location  # never an empty URI
    assert location["logicalLocations"][0]["fullyQualifiedName"].endswith("/api.example.com")
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert "access-denied" in notes[0]["message"]["text"]
    assert "IAC203" in {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    for fmt in FORMATS:
        text = render(fmt, result)
        assert "expires in 12 days" in text and "pay.example.com" in text, fmt
