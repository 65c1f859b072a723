"""Reports read the chain from the findings (chain id, roles, annotations), not by guessing
it from a domain's address or a file."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from jsonschema import Draft4Validator
from snapshots import FIXTURES, ROOT

from iaccert.report import render
from iaccert.report.chains import ChainIndex
from iaccert.report.sarif import sarif_log
from iaccert.scan import scan

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
VALIDATOR = Draft4Validator(SCHEMA)


def _scan(case: str, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    return scan([Path(case)])


def test_each_sarif_result_carries_its_chain_id_and_role(monkeypatch):
    result = _scan("tf_iac104_not_awaited", monkeypatch)
    log = sarif_log(result)
    assert not list(VALIDATOR.iter_errors(log))
    (finding,) = result.findings
    (out,) = log["runs"][0]["results"]
    assert finding.chain_id and out["properties"]["chainId"] == finding.chain_id
    assert out["properties"]["role"] == finding.role == "consumer"


def test_related_locations_say_their_role_in_message_and_properties(monkeypatch):
    result = _scan("tf_cloudfront_aliases", monkeypatch)
    log = sarif_log(result)
    assert not list(VALIDATOR.iter_errors(log))
    (out,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "IAC106"]
    first = out["relatedLocations"][0]
    # the finding's own related location: its role, in the consumer's word, and annotation
    assert first["properties"] == {"role": "consumer"}
    assert first["message"]["text"] == (
        "distribution aws_cloudfront_distribution.storefront "
        "(the distribution name shop.example.com)"
    )
    assert out["message"]["text"].endswith(
        "Chain: [distribution](1), [validation](2), [DNS record](3)."
    )
    roles = [r["properties"]["role"] for r in out["relatedLocations"]]
    assert roles == ["consumer", "validation", "records"]


def test_a_finding_with_a_chain_id_is_never_matched_by_its_domain(monkeypatch):
    result = _scan("tf_iac104_not_awaited", monkeypatch)
    index = ChainIndex(result.chains)
    (finding,) = result.findings
    assert index.chain_of(finding) is result.chains[0]
    other = replace(finding, chain_id="another-root:" + finding.domain)
    assert index.chain_of(other) is None  # same domain address, another chain: no guess
    looked_up = replace(finding, chain_id="")  # made without one (lint --live): by domain
    assert index.chain_of(looked_up) is result.chains[0]


def test_junit_names_each_chain_of_one_listener_apart(monkeypatch):
    result = _scan("tf_lb_listener_certificate", monkeypatch)
    assert len({c.chain_id for c in result.chains}) == 2
    root = ET.fromstring(render("junit", result).split("\n", 1)[1])
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {
        "aws_lb_listener.https",
        "aws_lb_listener.https via aws_lb_listener_certificate.partner",
    }
    failing = cases["aws_lb_listener.https via aws_lb_listener_certificate.partner"]
    (finding,) = result.findings
    assert failing.find("failure").get("type") == finding.rule.id
    assert re.search("aws_acm_certificate.partner", failing.find("failure").text)
    assert cases["aws_lb_listener.https"].find("failure") is None
