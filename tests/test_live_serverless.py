"""``lint --live`` finds serverless-domain-manager's certificates as the plugin does."""

from __future__ import annotations

import json

import pytest
from live_support import aws_env

pytest.importorskip("boto3")
pytest.importorskip("moto")

CONFIG = """\
service: shop
provider:
  name: aws
  region: eu-west-1
custom:
  customDomain:
    domainName: api.example.com
    certificateName: api.example.com
  customDomains:
    - domainName: www.example.com
      endpointType: REGIONAL
    - domainName: gone.example.com
      certificateName: gone.example.com
"""


def test_plugin_lookups_are_resolved_by_name_as_the_plugin_searches(seeded, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from iaccert.cli import app

    (tmp_path / "serverless.yml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    static = CliRunner().invoke(app, ["lint", ".", "-f", "json"], env=aws_env(seeded.endpoint))
    notes = {(f["rule_id"], f["line"]) for f in json.loads(static.stdout)["findings"]}
    assert notes == {("IAC109", 8), ("IAC109", 10), ("IAC109", 13)}
    result = CliRunner().invoke(
        app, ["lint", ".", "--live", "-f", "json"], env=aws_env(seeded.endpoint)
    )
    report = json.loads(result.stdout)
    got = {(f["rule_id"], f["line"], f["domain"]) for f in report["findings"]}
    # api.example.com: the certificate named so, in us-east-1 (EDGE, the plugin's default);
    # www.example.com: *.example.com in eu-west-1, the longest name contained in it;
    # gone.example.com: nothing named so: the plugin fails at deploy time.
    # (moto reports every certificate as INELIGIBLE for renewal: IAC204 as deployed)
    assert got == {
        ("IAC204", 8, "custom.customDomain"),
        ("IAC204", 10, "custom.customDomains[0]"),
        ("IAC207", 13, "custom.customDomains[1]"),
    }
    by_line = {f["line"]: f for f in report["findings"]}
    assert seeded.arns["api"] in by_line[8]["message"]
    assert seeded.arns["wildcard_eu"] in by_line[10]["message"]
    assert "deploy time" in by_line[13]["message"]
    assert report["incomplete"] == []
