"""Every catalog rule is implemented and seen to fire; every check has a catalog entry."""

from __future__ import annotations

import json
from pathlib import Path

from iaccert.catalog import rules
from iaccert.registry import NEEDS, registered

RULES = registered()

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "iaccert"
# Rules about the scan itself, not a chain: reported by the loaders and the policy.
SCAN_RULES = {"IAC000", "IAC001", "IAC002", "IAC003", "IAC004", "IAC005"}
# Fired by a limit no small fixture reaches; tests/test_limits.py makes it fire.
NO_FIXTURE = {"IAC001": "tests/test_limits.py"}


def fired_in_fixtures() -> set[str]:
    found: set[str] = set()
    for expected in (ROOT / "fixtures").glob("*/expected.json"):
        found |= {f["rule_id"] for f in json.loads(expected.read_text())["findings"]}
    return found


def test_every_registered_rule_has_a_catalog_entry_and_every_rule_is_registered():
    """Static and live rules alike: one registry, one implementation per id."""
    assert set(RULES) == set(rules()) - SCAN_RULES


def test_a_rule_needs_the_facts_of_its_mode():
    """A static rule reads the code (or facts both providers give: the region); a live rule
    reads only what AWS says, so a static scan skips it."""
    live_facts = {"deployed", "deployed.missing", "uploaded", "status"}
    for rule_id, entry in RULES.items():
        assert entry.needs <= NEEDS
        if rules()[rule_id].mode == "live":
            assert entry.needs <= live_facts, rule_id
        else:
            assert not entry.needs & live_facts, rule_id


def test_registering_an_id_twice_or_an_unknown_fact_is_an_error():
    import pytest

    from iaccert.registry import rule

    with pytest.raises(ValueError, match="registered twice"):
        rule("IAC101", needs=("code",))(lambda facts: [])
    with pytest.raises(ValueError, match="unknown"):
        rule("IAC999", needs=("code", "colour"))


def test_scan_rules_are_reported_by_the_code():
    code = "\n".join(p.read_text() for p in SRC.rglob("*.py") if p.name != "catalog.py")
    for rule_id in SCAN_RULES:
        assert f'"{rule_id}"' in code, rule_id


def test_every_static_rule_fires_in_a_fixture():
    static = {r.id for r in rules().values() if r.mode == "static"}
    missing = static - fired_in_fixtures() - set(NO_FIXTURE)
    assert not missing, f"no fixture fires {sorted(missing)}"
    for rule_id, test in NO_FIXTURE.items():
        assert rule_id in (ROOT / test).read_text(), (rule_id, test)


# (fixture, rule): the property the finding's line must show. A fact the code writes is
# reported on its own line, not on the resource header (CloudFormation: ValidationMethod,
# not the logical id); a fact the code leaves out is reported on the resource.
WHERE_THE_FIX_GOES = {
    ("cfn_iac101_email_json", "IAC101"): ['"ValidationMethod": "EMAIL"'],
    ("cfn_iac101_email_missing_method", "IAC101"): ["CatalogCertificate:"],
    ("cfn_iac102_no_hostedzone", "IAC102"): ["ValidationMethod: DNS", "DomainValidationOptions:"],
    ("cfn_iac102_san_not_covered", "IAC102"): ['"DomainValidationOptions"'],
    ("cfn_iac106_not_covered", "IAC106"): ["DomainName: www.example.com", 'DomainName: "*.'],
    ("cfn_iac109_parameter", "IAC109"): ["- CertificateArn:", "CertificateArn:"],
    ("cfn_iac111_wrong_attribute", "IAC111"): ["RegionalCertificateArn:", "CertificateArn:"],
    # a rule that points where the value is set: the parameter's Default (the property is
    # a related location)
    ("cfn_iac112_private_ca", "IAC112"): ["Default: arn:aws:acm-pca:"],
    ("cfn_cloudfront_aliases", "IAC106"): ["DomainName: www.example.com"],
    ("cfn_cloudfront_aliases", "IAC108"): ["IamCertificateId:"],
    ("cfn_lb_listener_certificate", "IAC101"): ["ValidationMethod: EMAIL"],
    # the certificate's region is its stack's: no property holds it, the resource is the fix
    ("cfn_appsync_cognito_region", "IAC105"): ["AppsCertificate:", "AppsCertificate:"],
    ("cfn_cdk_out", "IAC105"): ['"Certificate4E7ABB08":'],
    ("cfn_iac109_import", "IAC109"): ["CertificateArn:", "RegionalCertificateArn:"],
    ("cfn_iac111_wrong_attribute", "IAC109"): ["RegionalCertificateArn:"],
    ("cfn_if_one_bad_branch", "IAC101"): ["ValidationMethod:"],
    ("cfn_misleading_answers", "IAC109"): ["CertificateArn:", "RegionalCertificateArn:"],
    # no certificate property, no ValidationMethod written: the resource
    ("cfn_misleading_answers", "IAC113"): ["ExportsDomain:"],
    ("cfn_nested_stack", "IAC101"): ["PlatformCertificate:"],
    ("cfn_opensearch_custom_endpoint", "IAC101"): ["ValidationMethod:"],
    # the value comes from a parameter: where it is set (its Default, the parent's argument)
    ("cfn_parameter_origin", "IAC101"): ["Default:", "Method:"],
    ("cfn_parse_error", "IAC109"): ["- CertificateArn:"],
    ("cfn_parse_error", "IAC101"): ["ValidationMethod:"],
    ("cfn_sam_globals", "IAC101"): ["ValidationMethod:"],
    ("cfn_sam_implicit_api_email", "IAC101"): ["ValidationMethod:"],
    ("cfn_wildcard_domain", "IAC106"): ["DomainName:"],
    ("cfn_yaml_escaped_types", "IAC101"): ["ValidationMethod:"],
    ("sls_domain_manager", "IAC109"): [
        "- domainName:",
        "certificateArn:",
        "certificateArn:",
        "certificateName:",
    ],
    ("sls_domain_manager", "IAC105"): ["certificateArn:"],
    ("sls_resources_domain", "IAC102"): ["ValidationMethod:"],
}


def test_every_cloudformation_finding_is_listed_above():
    """A new CloudFormation or Serverless fixture says where each of its findings points."""
    fired = set()
    for prefix in ("cfn_", "sls_"):
        for expected in (ROOT / "fixtures").glob(f"{prefix}*/expected.json"):
            for f in json.loads(expected.read_text())["findings"]:
                if f["rule_id"].startswith("IAC1"):
                    fired.add((expected.parent.name, f["rule_id"]))
    assert fired == set(WHERE_THE_FIX_GOES)


def test_cloudformation_findings_point_at_the_property():
    for (case, rule_id), wanted in WHERE_THE_FIX_GOES.items():
        directory = ROOT / "fixtures" / case
        findings = json.loads((directory / "expected.json").read_text())["findings"]
        lines = [
            (directory / f["file"]).read_text().splitlines()[f["line"] - 1].strip()
            for f in findings
            if f["rule_id"] == rule_id
        ]
        assert len(lines) == len(wanted), (case, rule_id, lines)
        for line, text in zip(sorted(lines), sorted(wanted), strict=True):
            assert line.startswith(text), (case, rule_id, line, text)


def test_each_uncovered_alias_is_related_at_its_own_line():
    directory = ROOT / "fixtures" / "cfn_cloudfront_aliases"
    text = (directory / "template.yaml").read_text().splitlines()
    findings = json.loads((directory / "expected.json").read_text())["findings"]
    [iac106] = [f for f in findings if f["rule_id"] == "IAC106"]
    assert "'shop.example.com'" in iac106["message"]
    assert [text[r["line"] - 1].strip() for r in iac106["related"]] == ["- shop.example.com"]


def _deployed_facts(**info):
    """The facts of one deployed certificate: ISSUED, DNS-validated, eligible, with ``info``
    changing what one rule looks at."""
    import datetime as dt

    from iaccert.facts import Consumer, Deployed, Facts

    now = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    base = {
        "DomainName": "api.example.com",
        "Status": "ISSUED",
        "Type": "AMAZON_ISSUED",
        "NotAfter": now + dt.timedelta(days=200),
        "RenewalEligibility": "ELIGIBLE",
        "DomainValidationOptions": [
            {
                "DomainName": "api.example.com",
                "ValidationStatus": "SUCCESS",
                "ValidationMethod": "DNS",
            }
        ],
    }
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    deployed = Deployed(arn, "acm", {**base, **info})
    return Facts(Consumer("domain", "'api.example.com' (a/r)"), deployed=deployed, now=now)


def _live_cases():
    """A deployed answer that makes each live rule fire (a live rule's "fixture")."""
    import datetime as dt

    from iaccert.facts import Deployed, Uploaded

    missing = _deployed_facts()
    missing.deployed = Deployed(missing.deployed.arn, missing=True)
    uploaded = _deployed_facts()
    uploaded.uploaded = [Uploaded("certificate 'partner'", uploaded.now - dt.timedelta(days=3))]
    status = _deployed_facts()
    status.statuses = [("PENDING_CERTIFICATE_REIMPORT", "")]
    email = [
        {
            "DomainName": "api.example.com",
            "ValidationStatus": "SUCCESS",
            "ValidationMethod": "EMAIL",
        }
    ]
    return {
        "IAC201": _deployed_facts(Status="PENDING_VALIDATION"),
        "IAC202": _deployed_facts(DomainValidationOptions=email),
        "IAC203": _deployed_facts(NotAfter=missing.now + dt.timedelta(days=5)),
        "IAC204": _deployed_facts(RenewalEligibility="INELIGIBLE"),
        "IAC205": _deployed_facts(Type="IMPORTED"),
        "IAC206": uploaded,
        "IAC207": missing,
        "IAC208": status,
    }


def test_every_live_rule_fires_on_a_deployed_answer_and_not_on_a_sound_one():
    from iaccert import registry

    cases = _live_cases()
    assert set(cases) == {r.id for r in rules().values() if r.mode == "live"}
    assert list(registry.run(_deployed_facts())) == []
    for rule_id, facts in cases.items():
        assert rule_id in {r for r, _ in registry.run(facts)}, rule_id
