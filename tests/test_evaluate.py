"""The Terraform evaluator on small modules written to a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaccert.model import Computed, Unknown
from iaccert.terraform import TfOptions
from iaccert.terraform.project import ConfigLoader, RootAnalysis


def analyse(tmp_path: Path, files: dict[str, str], **options) -> RootAnalysis:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    opts = TfOptions(environ=options.pop("environ", {}), **options)
    return RootAnalysis(tmp_path, ConfigLoader(lambda p: p.name), opts)


def local(tmp_path: Path, expr: str, extra: str = "", **options):
    root = analyse(tmp_path, {"main.tf": f"locals {{\n  x = {expr}\n}}\n{extra}"}, **options)
    return root.root.lookup("local", "x")


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('"${upper("a")}-${lower("B")}"', "A-b"),
        ('format("%s.%s", "api", "example.com")', "api.example.com"),
        ('join(".", ["a", "b"])', "a.b"),
        ('split(",", "a,b")', ["a", "b"]),
        ('replace("a-b-c", "-", ".")', "a.b.c"),
        ('replace("api1", "/[0-9]+/", "")', "api"),
        ('trimsuffix("example.com.", ".")', "example.com"),
        ('coalesce("", null, "x")', "x"),
        ('lookup({a = 1}, "b", 2)', 2),
        ('element(["a", "b"], 3)', "b"),
        ('concat(["a"], ["b"])', ["a", "b"]),
        ("merge({a = 1}, {b = 2})", {"a": 1, "b": 2}),
        ('toset(["b", "a", "b"])', ["a", "b"]),
        ('one(["x"])', "x"),
        ("keys({b = 1, a = 2})", ["a", "b"]),
        ('length("abc")', 3),
        ('contains(["a"], "a")', True),
        ('startswith("api.x", "api")', True),
        ('try(local.missing, "fallback")', "fallback"),
        ("can(local.missing)", False),
        ('[for s in ["a", "b"] : upper(s) if s != "b"]', ["A"]),
        ('{for k, v in {a = "x"} : v => k}', {"x": "a"}),
        ('{for s in ["a", "a"] : s => s...}', {"a": ["a", "a"]}),
        ('[{n = "a"}, {n = "b"}][*].n', ["a", "b"]),
        ('1 + 2 * 3 == 7 ? "yes" : "no"', "yes"),
        ("!false && true", True),
    ],
)
def test_expressions(tmp_path, expr, expected):
    assert local(tmp_path, expr) == expected


def test_an_object_holding_an_unknown_is_still_not_null(tmp_path):
    extra = 'resource "aws_acm_certificate" "c" {\n  domain_name = "a.example.com"\n}\n'
    held = "{ arn = aws_acm_certificate.c.arn }"
    assert local(tmp_path, f"{held} == null", extra) is False
    assert local(tmp_path, "null != [aws_acm_certificate.c.arn]", extra) is True
    assert isinstance(local(tmp_path, "aws_acm_certificate.c.arn == null", extra), Unknown)


def test_unsupported_function_is_unknown_not_a_crash(tmp_path):
    value = local(tmp_path, 'sha256("x")')
    assert isinstance(value, Unknown)
    assert "sha256" in value.reason


def test_file_is_never_read(tmp_path):
    (tmp_path / "secret.txt").write_text("data")
    value = local(tmp_path, 'file("secret.txt")')
    assert isinstance(value, Unknown)


def test_variable_precedence(tmp_path):
    files = {
        "main.tf": 'variable "v" {\n  default = "default"\n}\nlocals {\n  x = var.v\n}\n',
        "terraform.tfvars": 'v = "tfvars"\n',
        "b.auto.tfvars": 'v = "auto"\n',
    }
    assert analyse(tmp_path, files).root.lookup("local", "x") == "auto"
    cli = analyse(tmp_path, files, variables=[("v", "cli")])
    assert cli.root.lookup("local", "x") == "cli"


def test_env_var_is_below_tfvars(tmp_path):
    files = {
        "main.tf": 'variable "v" {}\nvariable "w" {}\nlocals {\n  x = "${var.v}${var.w}"\n}\n',
        "terraform.tfvars": 'w = "file"\n',
    }
    root = analyse(tmp_path, files, environ={"TF_VAR_v": "env", "TF_VAR_w": "env"})
    assert root.root.lookup("local", "x") == "envfile"


def test_variable_without_value_names_itself(tmp_path):
    value = local(tmp_path, "var.cert_arn", 'variable "cert_arn" {\n  type = string\n}\n')
    assert isinstance(value, Unknown)
    assert "var.cert_arn" in value.reason and "main.tf" in value.reason


def test_resource_attribute_is_computed_with_its_address(tmp_path):
    extra = 'resource "aws_acm_certificate" "c" {\n  domain_name = "a.example.com"\n}\n'
    assert local(tmp_path, "aws_acm_certificate.c.arn", extra) == Computed(
        "aws_acm_certificate.c", "arn"
    )
    assert local(tmp_path, "aws_acm_certificate.c.domain_name", extra) == "a.example.com"


def test_for_over_computed_carries_reference(tmp_path):
    extra = 'resource "aws_acm_certificate" "c" {\n  domain_name = "a.example.com"\n}\n'
    value = local(
        tmp_path,
        "{for o in aws_acm_certificate.c.domain_validation_options : o.domain_name => o}",
        extra,
    )
    assert isinstance(value, Unknown)
    assert Computed("aws_acm_certificate.c", "domain_validation_options") in value.refs


def test_count_and_for_each_instances(tmp_path):
    files = {
        "main.tf": (
            'resource "aws_acm_certificate" "c" {\n  count = 2\n  domain_name = "n${count.index}.example.com"\n}\n'
            'resource "aws_acm_certificate" "m" {\n  for_each = {a = "x.example.com"}\n  domain_name = each.value\n}\n'
            'locals {\n  x = [aws_acm_certificate.c[1].domain_name, aws_acm_certificate.m["a"].arn]\n}\n'
        )
    }
    root = analyse(tmp_path, files)
    assert root.root.lookup("local", "x") == [
        "n1.example.com",
        Computed('aws_acm_certificate.m["a"]', "arn"),
    ]
    addresses = {r.address for r in root.resources()}
    assert addresses == {
        "aws_acm_certificate.c[0]",
        "aws_acm_certificate.c[1]",
        'aws_acm_certificate.m["a"]',
    }


def test_module_outputs_and_inputs(tmp_path):
    files = {
        "main.tf": 'module "m" {\n  source = "./mod"\n  name = "api"\n}\nlocals {\n  x = module.m.fqdn\n}\n',
        "mod/main.tf": 'variable "name" {}\noutput "fqdn" {\n  value = "${var.name}.example.com"\n}\n',
    }
    assert analyse(tmp_path, files).root.lookup("local", "x") == "api.example.com"


def test_self_reference_is_unknown_not_a_hang(tmp_path):
    root = analyse(tmp_path, {"main.tf": "locals {\n  a = local.b\n  b = local.a\n}\n"})
    assert isinstance(root.root.lookup("local", "a"), Unknown)


def test_heredoc_interpolation(tmp_path):
    assert local(tmp_path, '<<EOT\nhost ${upper("a")}\nEOT\n') == "host A\n"


def test_provider_alias_region(tmp_path):
    files = {
        "main.tf": (
            'provider "aws" {\n  region = "eu-west-1"\n}\n'
            'provider "aws" {\n  alias = "use1"\n  region = "us-east-1"\n}\n'
            'resource "aws_acm_certificate" "a" {\n  provider = aws.use1\n  domain_name = "x.example.com"\n}\n'
            'resource "aws_acm_certificate" "b" {\n  domain_name = "x.example.com"\n}\n'
        )
    }
    regions = {r.address: r.region.name for r in analyse(tmp_path, files).resources()}
    assert regions == {"aws_acm_certificate.a": "us-east-1", "aws_acm_certificate.b": "eu-west-1"}


def test_dynamic_blocks_follow_their_for_each(tmp_path):
    files = {
        "main.tf": (
            'variable "endpoint" {\n  default = "EDGE"\n}\n'
            'resource "aws_api_gateway_domain_name" "d" {\n  domain_name = "a.example.com"\n'
            '  dynamic "endpoint_configuration" {\n'
            '    for_each = var.endpoint == "REGIONAL" ? [1] : []\n'
            '    content {\n      types = ["REGIONAL"]\n    }\n  }\n'
            '  dynamic "mutual_tls_authentication" {\n    for_each = {a = "s3://x"}\n'
            "    iterator = tls\n    content {\n      truststore_uri = tls.value\n    }\n  }\n}\n"
        )
    }
    [domain] = analyse(tmp_path, files).resources()
    assert (
        "endpoint_configuration" not in domain.attrs or domain.attrs["endpoint_configuration"] == []
    )
    assert domain.attrs["mutual_tls_authentication"] == [{"truststore_uri": "s3://x"}]
    regional = analyse(tmp_path, files, variables=[("endpoint", "REGIONAL")]).resources()[0]
    assert regional.attrs["endpoint_configuration"] == [{"types": ["REGIONAL"]}]
