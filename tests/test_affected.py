"""Files given on the command line (pre-commit) stand for everything they can break.

A commit that touches only a shared module must be checked through the roots that call it;
a changed variables file through the module it gives values to; a nested template through the
template that nests it. All through the real CLI entry point on small repositories.
"""

from __future__ import annotations

import json
from pathlib import Path

from snapshots import run_in_process

MODULE = """variable "domain" {
  type = string
}

variable "method" {
  type    = string
  default = "DNS"
}

resource "aws_acm_certificate" "this" {
  domain_name       = var.domain
  validation_method = var.method

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn = aws_acm_certificate.this.arn
}

output "arn" {
  value = aws_acm_certificate_validation.this.certificate_arn
}
"""

CALLER = """variable "method" {
  type    = string
  default = "DNS"
}

module "cert" {
  source = "../../modules/cert"
  domain = "api.ENV.example.com"
  method = var.method
}

resource "aws_apigatewayv2_domain_name" "api" {
  domain_name = "api.ENV.example.com"

  domain_name_configuration {
    certificate_arn = module.cert.arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}
"""


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)  # a repository root, as `git init` leaves it
    (repo / "modules" / "cert").mkdir(parents=True)
    (repo / "modules" / "cert" / "main.tf").write_text(MODULE)
    for env in ("prod", "dev"):
        (repo / "envs" / env).mkdir(parents=True)
        (repo / "envs" / env / "main.tf").write_text(CALLER.replace("ENV", env))
    (repo / "unrelated").mkdir()
    (repo / "unrelated" / "main.tf").write_text(
        'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n'
    )
    return repo


def _lint(repo: Path, *paths: str) -> dict:
    proc = run_in_process(["lint", *paths, "-f", "json", "--no-cache"], repo)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def _email(report: dict) -> set[str]:
    """The roots whose certificate is EMAIL-validated, by domain name in the message."""
    return {
        name
        for f in report["findings"]
        if f["rule_id"] == "IAC101"
        for name in ("api.prod.example.com", "api.dev.example.com")
        if name in f["message"]
    }


def test_a_change_in_a_shared_module_is_checked_through_its_callers(tmp_path):
    repo = _repo(tmp_path)
    module = repo / "modules" / "cert" / "main.tf"
    module.write_text(MODULE.replace('default = "DNS"', 'default = "EMAIL"'))
    for env in ("prod", "dev"):  # the callers pass nothing: the module's default decides
        main = repo / "envs" / env / "main.tf"
        main.write_text(main.read_text().replace("  method = var.method\n", ""))
    report = _lint(repo, "modules/cert/main.tf")
    assert report["summary"]["domains"] == 2
    assert _email(report) == {"api.prod.example.com", "api.dev.example.com"}


def test_given_files_do_not_pull_in_unrelated_modules(tmp_path):
    repo = _repo(tmp_path)
    report = _lint(repo, "modules/cert/main.tf")
    assert not any(f.startswith("unrelated/") for f in _files(report))
    assert report["summary"]["domains"] == 2


def _files(report: dict) -> set[str]:
    return {f["file"] for f in report["findings"]}


def test_a_changed_variables_file_is_read_for_its_own_module_only(tmp_path):
    repo = _repo(tmp_path)
    (repo / "envs" / "prod" / "prod.tfvars").write_text('method = "EMAIL"\n')
    report = _lint(repo, "envs/prod/prod.tfvars")
    assert _email(report) == {"api.prod.example.com"}


def test_a_directory_keeps_its_meaning(tmp_path):
    repo = _repo(tmp_path)
    report = _lint(repo, "modules/cert")
    assert report["summary"]["domains"] == 0  # the module alone has no domain


def test_outside_a_repository_a_file_stands_for_its_module(tmp_path):
    repo = _repo(tmp_path)
    (repo / ".git").rmdir()
    report = _lint(repo, "modules/cert/main.tf")
    assert report["summary"]["domains"] == 0


PARENT = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Certificate:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./certificate.yaml
  Domain:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: shop.example.com
      RegionalCertificateArn: !GetAtt Certificate.Outputs.Arn
      EndpointConfiguration:
        Types: [REGIONAL]
"""

CHILD = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Cert:
    Type: AWS::CertificateManager::Certificate
    Properties:
      DomainName: shop.example.com
      ValidationMethod: EMAIL
Outputs:
  Arn:
    Value: !Ref Cert
"""


def test_a_nested_template_is_checked_through_the_template_that_nests_it(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "stack.yaml").write_text(PARENT)
    (repo / "certificate.yaml").write_text(CHILD)
    report = _lint(repo, "certificate.yaml")
    assert {f["rule_id"] for f in report["findings"]} >= {"IAC101"}
