"""Consumers other than API Gateway: one chain per certificate each consumer serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaccert.scan import scan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def chains_of(case: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for chain in scan([FIXTURES / case], policy=None).chains:
        out.setdefault(chain.domain.address, []).append(chain)
    return out


@pytest.mark.parametrize(
    ("case", "listener", "certificates", "attachment"),
    [
        (
            "tf_lb_listener_certificate",
            "aws_lb_listener.https",
            ["aws_acm_certificate.orders", "aws_acm_certificate.partner"],
            "aws_lb_listener_certificate.partner",
        ),
        (
            "cfn_lb_listener_certificate",
            "HttpsListener",
            ["OrdersCertificate", "PartnerCertificate"],
            "PartnerListenerCertificate",
        ),
    ],
)
def test_a_listener_is_checked_on_its_own_and_its_attached_certificates(
    case, listener, certificates, attachment
):
    chains = chains_of(case)
    served = chains[listener]
    assert sorted(c.certificate.resource.address for c in served) == certificates
    assert {c.holder.address for c in served} == {listener, attachment}
    assert len({c.chain_id for c in served}) == 2
    # the plain HTTP listener takes no certificate by design: no chain, no finding
    assert "aws_lb_listener.http" not in chains and "HttpListener" not in chains


@pytest.mark.parametrize(
    ("case", "default", "uploaded"),
    [
        (
            "tf_cloudfront_aliases",
            "aws_cloudfront_distribution.preview",
            "aws_cloudfront_distribution.legacy",
        ),
        ("cfn_cloudfront_aliases", "Preview", "Legacy"),
    ],
)
def test_cloudfront_default_and_iam_certificates(case, default, uploaded):
    chains = chains_of(case)
    [preview] = chains[default]
    assert preview.certificate.origin == "by-design"
    [legacy] = chains[uploaded]
    assert legacy.certificate.origin == "none" and legacy.uploaded
    findings = scan([FIXTURES / case], policy=None).findings
    assert not [f for f in findings if f.domain == default]
    assert [f.rule.id for f in findings if f.domain == uploaded] == ["IAC108"]


def test_every_alias_of_a_distribution_is_a_name():
    [storefront] = chains_of("tf_cloudfront_aliases")["aws_cloudfront_distribution.storefront"]
    assert [n.value for n in storefront.names] == ["www.example.com", "shop.example.com"]
    assert [n.path for n in storefront.names] == ["aliases[0]", "aliases[1]"]


def test_the_await_fix_edits_the_attachment_that_gives_the_arn(tmp_path):
    """IAC104 on an attached certificate: the reference to change is in the attachment."""
    import json
    import shutil

    from snapshots import run_in_process

    work = tmp_path / "lb"
    shutil.copytree(FIXTURES / "tf_lb_listener_certificate", work)
    certificates = work / "certificates.tf"
    text = certificates.read_text(encoding="utf-8").replace('"EMAIL"', '"DNS"')
    text += (
        '\nresource "aws_acm_certificate_validation" "partner" {\n'
        "  certificate_arn = aws_acm_certificate.partner.arn\n"
        "}\n"
    )
    certificates.write_text(text, encoding="utf-8")
    proc = run_in_process(["lint", ".", "-f", "json", "--no-cache"], work)
    found = {(f["rule_id"], f["resource"]) for f in json.loads(proc.stdout)["findings"]}
    assert ("IAC104", "aws_lb_listener_certificate.partner") in found
    run_in_process(["lint", ".", "--fix", "--no-cache", "-f", "json"], work)
    listeners = (work / "listeners.tf").read_text(encoding="utf-8")
    assert "certificate_arn = aws_acm_certificate_validation.partner.certificate_arn" in listeners
    assert listeners.count("aws_acm_certificate_validation.orders.certificate_arn") == 1


def test_the_graph_shows_the_attachment_between_listener_and_certificate():
    from snapshots import run_in_process

    proc = run_in_process(["graph", "."], FIXTURES / "tf_lb_listener_certificate")
    assert '["aws_lb_listener_certificate.partner<br/>listeners.tf:14"]' in proc.stdout
    assert "d2 -->|attached| d2a" in proc.stdout and "d2a -->|certificate| d2c" in proc.stdout


NULL_CERTIFICATES = """
variable "certificate_arn" {
  type    = string
  default = null
}

resource "aws_apigatewayv2_domain_name" "api" {
  domain_name = "api.example.com"

  domain_name_configuration {
    certificate_arn = var.certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}

resource "aws_cloudfront_distribution" "site" {
  enabled = true
  aliases = ["www.example.com"]

  viewer_certificate {
    acm_certificate_arn = var.certificate_arn
    ssl_support_method  = "sni-only"
  }
}

# no custom endpoint: the AWS-owned endpoint and its certificate
resource "aws_opensearch_domain" "search" {
  domain_name = "log-search"

  domain_endpoint_options {
    enforce_https = true
  }
}
"""


def test_a_certificate_argument_written_but_null_is_unresolved_and_a_block_alone_is_not(
    tmp_path,
):
    (tmp_path / "main.tf").write_text(NULL_CERTIFICATES, encoding="utf-8")
    result = scan([tmp_path], policy=None)
    notes = {f.domain: f for f in result.findings}
    assert set(notes) == {"aws_apigatewayv2_domain_name.api", "aws_cloudfront_distribution.site"}
    assert "domain_name_configuration is null" in notes["aws_apigatewayv2_domain_name.api"].message
    assert "viewer_certificate is null" in notes["aws_cloudfront_distribution.site"].message
    assert {f.rule.id for f in result.findings} == {"IAC109"}
    assert "aws_opensearch_domain.search" not in {c.domain.address for c in result.chains}


def test_an_upload_the_code_does_not_fix_beside_an_acm_certificate_is_not_iac108(tmp_path):
    """Both an ACM certificate and an IAM certificate id from inputs without values: which
    one serves is unknown (IAC109), not an uploaded certificate for sure (IAC108)."""
    (tmp_path / "main.tf").write_text(
        'variable "certificate_arn" {\n  type = string\n}\n\n'
        'variable "iam_certificate_id" {\n  type = string\n}\n\n'
        'resource "aws_cloudfront_distribution" "site" {\n'
        '  enabled = true\n  aliases = ["www.example.com"]\n\n'
        "  viewer_certificate {\n"
        "    acm_certificate_arn = var.certificate_arn\n"
        "    iam_certificate_id  = var.iam_certificate_id\n"
        '    ssl_support_method  = "sni-only"\n  }\n}\n'
    )
    rules = sorted(f.rule.id for f in scan([tmp_path], policy=None).findings)
    assert rules == ["IAC109"]
    (tmp_path / "main.tf").write_text(
        (tmp_path / "main.tf").read_text().replace("var.iam_certificate_id", '"ASCAEXAMPLE"')
    )
    assert "IAC108" in {f.rule.id for f in scan([tmp_path], policy=None).findings}
