"""Private keys and certificate bodies never appear in any output format."""

from __future__ import annotations

import pytest
from snapshots import run_cli

MARK = "FAKEKEYMATERIALx9Qz"
PEM = f"-----BEGIN PRIVATE KEY-----\n{MARK}AAAA\n{MARK}BBBB\n-----END PRIVATE KEY-----"
CERT = f"-----BEGIN CERTIFICATE-----\n{MARK}CCCC\n-----END CERTIFICATE-----"

MAIN = f"""
provider "aws" {{
  region = "eu-west-1"
}}

variable "vendor_key" {{
  type      = string
  sensitive = true
}}

resource "aws_acm_certificate" "vendor" {{
  private_key      = var.vendor_key
  certificate_body = <<EOT
{CERT}
EOT
}}

resource "aws_apigatewayv2_domain_name" "vendor" {{
  domain_name = "vendor.example.com"
  domain_name_configuration {{
    certificate_arn = aws_acm_certificate.vendor.arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }}
}}

resource "aws_api_gateway_domain_name" "legacy" {{
  domain_name             = "legacy.example.com"
  certificate_name        = "legacy"
  certificate_private_key = "{MARK}inline"
  certificate_body        = <<EOT
{CERT}
EOT
}}
"""

TFVARS = f"vendor_key = <<EOT\n{PEM}\nEOT\n"


@pytest.fixture()
def tree(tmp_path):
    (tmp_path / "main.tf").write_text(MAIN)
    (tmp_path / "terraform.tfvars").write_text(TFVARS)
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "github", "junit"])
def test_no_secret_in_any_format(tree, fmt):
    proc = run_cli(["lint", ".", "--format", fmt, "--no-cache"], tree)
    assert proc.returncode == 1, proc.stderr
    assert "IAC107" in proc.stdout and "IAC108" in proc.stdout
    assert MARK not in proc.stdout + proc.stderr


def test_no_secret_in_the_graph(tree):
    proc = run_cli(["graph", "."], tree)
    assert proc.returncode == 0, proc.stderr
    assert MARK not in proc.stdout + proc.stderr
