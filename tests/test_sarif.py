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
from iaccert.results import ScanResult
from iaccert.scan import scan

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
        assert len(props["tags"]) <= 10 and props["precision"] == rule.precision
        assert props["precision"] in ("very-high", "high", "medium", "low")
        if rule.security:  # GitHub ranks these as Critical/High/Medium/Low
            assert "security" in props["tags"]
            assert props["security-severity"] == SECURITY_SEVERITY[rule.severity]
            assert isinstance(props["security-severity"], str)
            assert float(props["security-severity"])
        else:  # a parse error is not a "High" security alert
            assert "security" not in props["tags"] and "security-severity" not in props
            assert props["problem.severity"] in ("error", "warning", "recommendation")
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
        assert len(ids) == len(set(ids)) and len(ids) <= 100
        # GitHub links a related location only when the message embeds it: [text](id)
        embedded = [int(n) for n in re.findall(r"\]\((\d+)\)", result["message"]["text"])]
        assert embedded == ids
        for related in result.get("relatedLocations", []):
            assert related["message"]["text"]
            _check_physical(related["physicalLocation"])
        assert "suppressions" not in result  # GitHub ignores them: left out by default


def _check_physical(physical: dict) -> None:
    artifact = physical["artifactLocation"]
    uri = artifact["uri"]
    assert uri and not uri.startswith("/") and "\\" not in uri and ":" not in uri
    assert artifact["uriBaseId"] == SRCROOT
    region = physical["region"]
    assert region["startLine"] >= 1 and region["endLine"] >= region["startLine"]
    assert region["startColumn"] >= 1 and region["endColumn"] >= 1  # every fixture file reads
    if region["endLine"] == region["startLine"]:
        assert region["endColumn"] >= region["startColumn"]


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
    line = (ROOT / "tests/data/format_fixture/infra/main.tf").read_text().splitlines()[59]
    indent = len(line) - len(line.lstrip())
    assert location["region"] == {
        "startLine": 60,
        "endLine": 60,
        "startColumn": indent + 1,
        "endColumn": len(line.rstrip()) + 1,
    }
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
    assert billing["message"]["text"].endswith(
        "See `iaccert rule IAC104`. Chain: [certificate](1), [validation](2), [DNS record](3)."
    )
    links = re.findall(r"\[([a-zA-Z ]+)\]\((\d+)\)", billing["message"]["text"])
    for role, n in links:  # each link leads to the related location of that role
        (target,) = [r for r in billing["relatedLocations"] if r["id"] == int(n)]
        assert target["message"]["text"].startswith(role + " ")
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
    # GitHub rejects a result without a physical location: a stable pseudo-file, never ""
    assert location["physicalLocation"]["artifactLocation"]["uri"] == (
        "aws/123456789012/us-east-1/api.example.com"
    )
    assert location["physicalLocation"]["region"] == {"startLine": 1, "endLine": 1}
    assert location["physicalLocation"]["artifactLocation"]["uriBaseId"] == SRCROOT
    assert location["logicalLocations"][0]["fullyQualifiedName"].endswith("/api.example.com")
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert "access-denied" in notes[0]["message"]["text"]
    assert "IAC203" in {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    for fmt in FORMATS:
        text = render(fmt, result)
        assert "expires in 12 days" in text and "pay.example.com" in text, fmt


def _results(proc) -> list[dict]:
    assert proc.stderr == "", proc.stderr
    log = json.loads(proc.stdout)
    assert not list(VALIDATOR.iter_errors(log))
    return log["runs"][0]["results"]


def test_suppressed_and_baselined_results_are_left_out_unless_asked_for(tmp_path):
    """GitHub ignores SARIF suppressions: a suppressed result would be an open alert."""
    shutil.copytree(FIXTURES / "tf_suppressions", tmp_path / "s")
    shutil.copytree(FIXTURES / "tf_iac110_no_cbd", tmp_path / "b")
    assert run_cli(["lint", "b", "--write-baseline", "base.json"], tmp_path).returncode == 0
    args = ["lint", "s", "b", "--baseline", "base.json", "-f", "sarif"]
    default = _results(run_cli(args, tmp_path))
    assert all("suppressions" not in r for r in default)
    assert not any(r["ruleId"] == "IAC101" for r in default)  # suppressed in source
    assert not any(r["ruleId"] == "IAC110" and "b/" in json.dumps(r) for r in default)
    kept = _results(run_cli([*args, "--sarif-include-suppressed"], tmp_path))
    kinds = {r["ruleId"]: r["suppressions"][0] for r in kept if "suppressions" in r}
    assert kinds["IAC101"] == {
        "kind": "inSource",
        "justification": "partner-owned zone, renewals approved by mail (OPS-1234)",
    }
    assert any(s["kind"] == "external" for s in kinds.values())  # the baselined one
    assert len(kept) > len(default)
    # the other formats never list them, option or not
    text = run_cli([*args[:-2], "--sarif-include-suppressed", "-f", "concise"], tmp_path).stdout
    assert "IAC101" not in text


def test_columns_span_the_attribute_in_code_points(tmp_path):
    case = tmp_path / "m"
    shutil.copytree(FIXTURES / "tf_iac101_email", case)
    tf = next(p for p in case.glob("*.tf") if 'validation_method = "EMAIL"' in p.read_text())
    text = tf.read_text().replace('domain_name       = "partners.example.com"',
                                  'domain_name       = "partners.example.com" # bücher ✓')  # fmt: skip
    text = text.replace('  validation_method = "EMAIL"', '\tvalidation_method = "EMAIL"   ')
    tf.write_text(text, encoding="utf-8")
    (result,) = _results(run_cli(["lint", "m", "-f", "sarif"], tmp_path))
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startColumn"] == 2  # after the tab
    assert region["endColumn"] == 2 + len('validation_method = "EMAIL"')  # trailing blanks cut
    name_line = next(n for n, t in enumerate(text.split("\n"), 1) if "bücher" in t)
    (line,) = [t for t in text.split("\n") if "bücher" in t]
    from iaccert.model import Location as Loc
    from iaccert.report.sarif import SourceLines
    from iaccert.report.sarif import region as region_of

    got = region_of(Loc(str(tf), name_line, name_line), SourceLines())
    assert got["endColumn"] == len(line) + 1  # code points: ü and ✓ count one each
    assert region_of(Loc(str(tf), 9999, 9999), SourceLines()) == {
        "startLine": 9999,
        "endLine": 9999,
    }


def test_rules_not_about_security_get_no_security_severity(monkeypatch):
    log = _scan_log(ROOT / "tests/data/format_fixture", monkeypatch)
    rules_by_id = {d["id"]: d for d in log["runs"][0]["tool"]["driver"]["rules"]}
    parse = rules_by_id["IAC000"]["properties"]
    assert "security" not in parse["tags"] and "security-severity" not in parse
    assert parse["problem.severity"] == "error"
    email = rules_by_id["IAC101"]["properties"]
    assert "security" in email["tags"] and email["security-severity"] == "8.0"
    assert rules_by_id["IAC104"]["properties"]["precision"] == "medium"


def test_related_locations_stop_at_githubs_limit():
    from iaccert.findings import Related
    from iaccert.report.chains import ChainIndex
    from iaccert.report.sarif import result_dict

    related = [Related(Location(f"r{n}.tf", 1), f"aws_route53_record.r{n}") for n in range(150)]
    f = Finding(rules()["IAC103"], "no records", Location("main.tf", 1), "c", "d", related=related)
    out = result_dict(f, {"IAC103": 0}, ChainIndex([]))
    assert len(out["relatedLocations"]) == 100
    assert out["message"]["text"].endswith("[related](100) and 50 more not listed.")


def test_results_beyond_githubs_limit_keep_the_most_severe(monkeypatch):
    import iaccert.report.sarif as sarif

    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    make = lambda rid, line: Finding(rules()[rid], "m", Location("a.tf", line), f"r{line}", "d")  # noqa: E731
    result = ScanResult(findings=[make("IAC109", 1), make("IAC101", 2), make("IAC110", 3)])
    log = sarif.sarif_log(result)
    assert not list(VALIDATOR.iter_errors(log))
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["IAC101", "IAC110"]  # the note went
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("1 result left out")
