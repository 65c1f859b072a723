"""Terraform override files merge into the blocks they override, as Terraform documents."""

from __future__ import annotations

from pathlib import Path

from iaccert.scan import scan
from iaccert.terraform.config import load_module

BASE = """
locals {
  method = "DNS"
  zone   = "Z1"
}
resource "aws_acm_certificate" "api" {
  domain_name       = "api.example.com"
  validation_method = local.method
  lifecycle {
    create_before_destroy = true
    ignore_changes        = [tags]
  }
}
resource "aws_apigatewayv2_domain_name" "api" {
  domain_name = "api.example.com"
  domain_name_configuration {
    certificate_arn = aws_acm_certificate.api.arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}
"""


def config(tmp_path: Path, files: dict[str, str]):
    for name, text in {"main.tf": BASE, **files}.items():
        (tmp_path / name).write_text(text)
    return load_module(tmp_path, lambda p: p.name)


def test_argument_replaced_and_others_kept(tmp_path):
    cfg = config(
        tmp_path,
        {
            "a_override.tf": 'resource "aws_acm_certificate" "api" {\n'
            '  validation_method = "EMAIL"\n}\n'
        },
    )
    cert = cfg.resources["aws_acm_certificate.api"]
    assert cert.attrs["validation_method"].expr.value == "EMAIL"
    assert "domain_name" in cert.attrs and cert.attr_files["validation_method"] == "a_override.tf"
    assert not cfg.problems


def test_lifecycle_merges_per_argument(tmp_path):
    cfg = config(
        tmp_path,
        {
            "override.tf": 'resource "aws_acm_certificate" "api" {\n'
            "  lifecycle {\n    create_before_destroy = false\n  }\n}\n"
        },
    )
    (lifecycle,) = cfg.resources["aws_acm_certificate.api"].children("lifecycle")
    assert lifecycle.attrs["create_before_destroy"].expr.value is False
    assert "ignore_changes" in lifecycle.attrs


def test_nested_blocks_of_a_type_are_replaced(tmp_path):
    cfg = config(
        tmp_path,
        {
            "override.tf": 'resource "aws_apigatewayv2_domain_name" "api" {\n'
            "  domain_name_configuration {\n"
            '    certificate_arn = "arn:aws:acm:eu-west-1:111111111111:certificate/x"\n'
            '    endpoint_type   = "REGIONAL"\n  }\n}\n'
        },
    )
    (conf,) = cfg.resources["aws_apigatewayv2_domain_name.api"].children(
        "domain_name_configuration"
    )
    assert "security_policy" not in conf.attrs  # the nested block's content is not merged
    assert conf.file == "override.tf"


def test_locals_value_by_value_and_later_files_win(tmp_path):
    cfg = config(
        tmp_path,
        {
            "a_override.tf": 'locals {\n  method = "EMAIL"\n}\n',
            "b_override.tf.json": '{"locals": {"method": "DNS"}}',
        },
    )
    assert cfg.locals["method"].expr.value == "DNS" and "zone" in cfg.locals


def test_override_without_original_is_an_error(tmp_path):
    cfg = config(
        tmp_path,
        {
            "override.tf": 'resource "aws_acm_certificate" "other" {\n'
            '  validation_method = "EMAIL"\n}\n'
        },
    )
    assert [(p.file, p.line, p.rule) for p in cfg.problems] == [("override.tf", 1, "IAC000")]


def test_override_switching_to_email_is_reported_at_the_override(tmp_path):
    config(
        tmp_path,
        {
            "zz_override.tf": '\nresource "aws_acm_certificate" "api" {\n'
            '  validation_method = "EMAIL"\n}\n'
        },
    )
    result = scan([tmp_path])
    hits = [(f.rule.id, Path(f.location.file).name, f.location.line) for f in result.findings]
    assert ("IAC101", "zz_override.tf", 3) in hits
