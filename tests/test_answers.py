"""What the summary and the messages tell a user: nothing reads as a pass that was not one."""

from __future__ import annotations

import json
from pathlib import Path

from snapshots import FIXTURES, run_cli

from iaccert.scan import scan
from iaccert.terraform import TfOptions

BROKEN = """# iaccert: ignore-file[IAC000] generated, ignore
resource "aws_apigatewayv2_domain_name" "api" {
  domain_name = "api.example.com"
"""


def test_summary_counts_checked_unknown_latent():
    proc = run_cli(["lint", ".", "-f", "json"], FIXTURES / "tf_misleading_answers")
    summary = json.loads(proc.stdout)["summary"]
    assert summary["domains"] == 4
    assert (summary["domains_checked"], summary["domains_unknown"], summary["domains_latent"]) == (
        3,
        0,
        1,
    )
    text = run_cli(["lint", "."], FIXTURES / "cfn_misleading_answers").stdout
    assert "in 3 domains (1 checked, 2 unknown)" in text


def test_parse_error_is_never_suppressed_in_source(tmp_path):
    (tmp_path / "api.tf").write_text(BROKEN)
    proc = run_cli(["lint", ".", "-f", "json"], tmp_path)
    report = json.loads(proc.stdout)
    rules = sorted(f["rule_id"] for f in report["findings"] if not f.get("suppressed"))
    assert rules == ["IAC000", "IAC003"] and proc.returncode == 1
    (parse_error,) = [f for f in report["findings"] if f["rule_id"] == "IAC000"]
    assert "aws_apigatewayv2_domain_name) are not analysed" in parse_error["message"]
    (unused,) = [f for f in report["findings"] if f["rule_id"] == "IAC003"]
    assert "IAC000 cannot be suppressed in source" in unused["message"]


def test_ignoring_parse_errors_by_selection_is_said(tmp_path):
    (tmp_path / "api.tf").write_text(BROKEN.splitlines(keepends=True)[1])
    proc = run_cli(["lint", ".", "--ignore", "IAC000"], tmp_path)
    assert proc.returncode == 0
    assert "1 not-analysed findings (IAC000/IAC001/IAC004) ignored by selection" in proc.stdout
    report = json.loads(run_cli(["lint", ".", "-f", "json", "--ignore", "IAC000"], tmp_path).stdout)
    assert report["summary"]["ignored_not_analysed"] == 1


def _findings(tmp_path: Path, text: str) -> list:
    (tmp_path / "main.tf").write_text(text)
    return scan([tmp_path], TfOptions(environ={})).findings


def test_unknown_endpoint_type_is_not_a_certificate_mismatch(tmp_path):
    found = _findings(
        tmp_path,
        'resource "aws_api_gateway_domain_name" "d" {\n  domain_name = "a.example.com"\n'
        '  certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/x"\n'
        '  endpoint_configuration {\n    types = ["GLOBAL"]\n  }\n}\n',
    )
    assert "IAC111" not in {f.rule.id for f in found}


def test_latent_domain_says_so_and_shows_no_empty_name(tmp_path):
    found = _findings(
        tmp_path,
        'variable "name" {\n  default = ""\n}\nvariable "arn" {\n  default = null\n}\n'
        'resource "aws_api_gateway_domain_name" "d" {\n  count = 0\n  domain_name = var.name\n'
        "  certificate_arn = var.arn\n}\n",
    )
    (note,) = found
    assert "(latent: count is 0 with these values)" in note.message
    assert "''" not in note.message
