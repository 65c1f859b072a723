"""Input Terraform accepts parses; a block Terraform refuses is IAC000 for that block alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaccert.scan import scan
from iaccert.terraform import TfOptions
from iaccert.terraform.config import load_tfvars
from iaccert.terraform.hcl import ParseError, close_heredocs, load_hcl

DOMAIN = """resource "aws_apigatewayv2_domain_name" "{name}" {{
  domain_name = "{name}.example.com"
{extra}
  domain_name_configuration {{
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }}
}}
"""


def _scan(tmp_path: Path, text: str):
    (tmp_path / "main.tf").write_text(text)
    return scan([tmp_path], TfOptions(environ={}))


@pytest.mark.parametrize("closing", ["EOT  ", "EOT\t ", "   EOT \r", "EOT"])
def test_heredoc_closing_marker_with_blanks_parses(closing):
    text = f'locals {{\n  doc = <<EOT\nhello\n{closing}\n  after = "x"\n}}\n'
    blocks = load_hcl(text, "main.tf")
    assert blocks[0].attrs["after"].line == 5
    assert blocks[0].attrs["doc"].expr.value.strip() == "hello"


def test_heredoc_normalising_keeps_lines_and_body():
    text = "a = <<EOT\n  EOT is mentioned   \nEOTX  \nEOT  \nb = 1  \n"
    fixed = close_heredocs(text)
    assert fixed.splitlines() == ["a = <<EOT", "  EOT is mentioned   ", "EOTX  ", "EOT", "b = 1  "]


def test_argument_and_block_of_one_name_is_iac000_for_that_resource(tmp_path):
    clash = '  domain_name_configuration = {\n    endpoint_type = "REGIONAL"\n  }\n'
    result = _scan(
        tmp_path, DOMAIN.format(name="bad", extra=clash) + DOMAIN.format(name="good", extra="")
    )
    problems = [f for f in result.findings if f.rule.id == "IAC000"]
    assert [
        (p.location.line, "aws_apigatewayv2_domain_name.bad is not analysed" in p.message)
        for p in problems
    ] == [(3, True)]
    assert [c.domain.address for c in result.chains] == ["aws_apigatewayv2_domain_name.good"]


def test_dynamic_block_named_like_an_argument_is_refused(tmp_path):
    clash = (
        "  domain_name_configuration = null\n"
        '  dynamic "domain_name_configuration" {\n    for_each = []\n    content {}\n  }\n'
    )
    result = _scan(tmp_path, DOMAIN.format(name="bad", extra=clash))
    assert [f.rule.id for f in result.findings] == ["IAC000"]


def test_repeated_argument_is_iac000_for_that_block(tmp_path):
    text = DOMAIN.format(name="twice", extra='  domain_name = "other.example.com"\n')
    result = _scan(tmp_path, text + DOMAIN.format(name="good", extra=""))
    (problem,) = [f for f in result.findings if f.rule.id == "IAC000"]
    assert problem.location.line == 3 and "set twice" in problem.message
    assert [c.domain.address for c in result.chains] == ["aws_apigatewayv2_domain_name.good"]


def test_repeated_tfvars_assignment_is_a_parse_error(tmp_path):
    path = tmp_path / "x.tfvars"
    path.write_text("a = 1\na = 2\n")
    with pytest.raises(ParseError) as info:
        load_tfvars(path)
    assert info.value.line == 2


def test_internal_error_in_one_resource_leaves_the_others(tmp_path, monkeypatch):
    from iaccert.terraform import project

    original = project.RootAnalysis._resource

    def broken(self, inst, instance):
        if instance.address.endswith(".bad"):
            raise KeyError("boom")
        return original(self, inst, instance)

    monkeypatch.setattr(project.RootAnalysis, "_resource", broken)
    result = _scan(
        tmp_path, DOMAIN.format(name="bad", extra="") + DOMAIN.format(name="good", extra="")
    )
    (problem,) = [f for f in result.findings if f.rule.id == "IAC000"]
    assert problem.location.line == 1 and "aws_apigatewayv2_domain_name.bad" in problem.message
    assert [c.domain.address for c in result.chains] == ["aws_apigatewayv2_domain_name.good"]


def test_syntax_error_in_one_block_leaves_the_others(tmp_path):
    broken = DOMAIN.format(name="bad", extra="  tags = {\n    team = \n  }\n")
    heredoc = "  description = <<EOT\n} not a brace {\nEOT\n"
    result = _scan(
        tmp_path, broken + DOMAIN.format(name="good", extra=heredoc.replace("description", "x"))
    )
    (problem,) = [f for f in result.findings if f.rule.id == "IAC000"]
    assert problem.location.line == 4
    assert "aws_apigatewayv2_domain_name.bad is not analysed" in problem.message
    assert [c.domain.address for c in result.chains] == ["aws_apigatewayv2_domain_name.good"]


def test_error_between_blocks_is_the_whole_file(tmp_path):
    text = (
        DOMAIN.format(name="a", extra="")
        + "stray tokens here\n"
        + DOMAIN.format(name="b", extra="")
    )
    result = _scan(tmp_path, text)
    assert [f.rule.id for f in result.findings] == ["IAC000"]
    assert result.chains == []


def test_tf_json_block_terraform_refuses_is_iac000_for_that_block(tmp_path):
    good = (
        '"good": {"domain_name": "good.example.com", "domain_name_configuration": '
        '{"certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/x", '
        '"endpoint_type": "REGIONAL", "security_policy": "TLS_1_2"}}'
    )
    (tmp_path / "main.tf.json").write_text(
        '{"resource": {"aws_apigatewayv2_domain_name": {\n  "number": 5,\n'
        '  "template": {"domain_name": "${unclosed"},\n  ' + good + "\n}}}\n"
    )
    result = scan([tmp_path], TfOptions(environ={}))
    problems = sorted(f.message.split(":")[0] for f in result.findings if f.rule.id == "IAC000")
    assert problems == [
        'resource "aws_apigatewayv2_domain_name" "number"',
        'resource "aws_apigatewayv2_domain_name" "template"',
    ]
    assert [c.domain.address for c in result.chains] == ["aws_apigatewayv2_domain_name.good"]


def test_a_refused_block_is_refused_again_from_the_cache(tmp_path):
    clash = '  domain_name_configuration = {\n    endpoint_type = "REGIONAL"\n  }\n'
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(
        DOMAIN.format(name="bad", extra=clash) + DOMAIN.format(name="good", extra="")
    )
    options = TfOptions(environ={}, cache_dir=tmp_path / "cache")
    runs = [scan([tmp_path / "m"], options) for _ in range(2)]
    assert list((tmp_path / "cache").rglob("*.json")), "nothing was cached"
    for result in runs:
        assert [f.rule.id for f in result.findings if f.rule.id == "IAC000"] == ["IAC000"]
        assert [c.domain.address for c in result.chains] == ["aws_apigatewayv2_domain_name.good"]


def test_an_unclosed_block_is_named_by_its_own_line_not_a_brace_in_a_heredoc():
    """The end-of-file message and the salvage read braces with one scanner, which skips
    strings, comments and heredoc bodies."""
    from iaccert.terraform.hcl import parse_tree, top_level_blocks

    text = 'resource "aws_s3_bucket" "b" {\n  policy = <<EOT\n{ "a": "}" }\n{\nEOT\n'
    with pytest.raises(ParseError) as raised:
        parse_tree(text)
    assert raised.value.line == 1
    assert top_level_blocks(text) == [(1, 6)]
