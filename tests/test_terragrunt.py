"""Terragrunt units call their module with their inputs, as a module block would."""

from __future__ import annotations

from pathlib import Path

from iaccert.scan import scan
from iaccert.terraform.terragrunt import split_source

MODULE = """
variable "domain_name" {
  type = string
}
variable "certificate_arn" {
  type = string
}
resource "aws_apigatewayv2_domain_name" "this" {
  domain_name = var.domain_name
  domain_name_configuration {
    certificate_arn = var.certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}
"""
ARN = "arn:aws:acm:eu-west-1:111111111111:certificate/abc"


def tree(root: Path, files: dict[str, str]) -> Path:
    (root / ".git").mkdir(parents=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def chains(root: Path):
    result = scan([root])
    return result, {c.domain.root.split("/")[-1]: c for c in result.chains}


def test_split_source_subdirectory_syntax():
    assert split_source("../modules//api") == ("../modules", "api")
    assert split_source("git::https://x.com/r.git//modules/api?ref=v1") == (
        "git::https://x.com/r.git?ref=v1",
        "modules/api",
    )
    assert split_source("../modules/api") == ("../modules/api", "")


def test_inputs_reach_the_module_and_includes_merge_child_wins(tmp_path):
    root = tree(
        tmp_path,
        {
            "modules/api/main.tf": MODULE,
            "live/root.hcl": f'inputs = {{\n  certificate_arn = "{ARN}"\n  domain_name = "x"\n}}\n',
            "live/prod/terragrunt.hcl": (
                'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n'
                'terraform {\n  source = "${get_terragrunt_dir()}/../../modules/api"\n}\n'
                'inputs = {\n  domain_name = "api.example.com"\n}\n'
            ),
        },
    )
    _, found = chains(root)
    chain = found["prod"]
    assert chain.name == "api.example.com"
    assert chain.certificate.origin == "literal" and chain.certificate.arn == ARN


def test_unset_input_says_terragrunt_does_not_set_it(tmp_path):
    root = tree(
        tmp_path,
        {
            "modules/api/main.tf": MODULE,
            "live/prod/terragrunt.hcl": (
                'terraform {\n  source = "../../modules//api"\n}\n'
                'inputs = {\n  domain_name = "api.example.com"\n}\n'
            ),
        },
    )
    _, found = chains(root)
    reason = found["prod"].certificate.reason
    assert "Terragrunt inputs of" in reason and "do not set it" in reason


def test_function_not_evaluated_is_unknown_with_its_name(tmp_path):
    root = tree(
        tmp_path,
        {
            "modules/api/main.tf": MODULE,
            "live/prod/terragrunt.hcl": (
                'terraform {\n  source = "../../modules//api"\n}\n'
                'inputs = {\n  domain_name = "api.example.com"\n'
                '  certificate_arn = get_env("CERT_ARN")\n}\n'
            ),
        },
    )
    _, found = chains(root)
    assert "get_env()" in found["prod"].certificate.reason


def test_dependency_outside_the_repository_is_unknown_with_the_reason(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "terragrunt.hcl").write_text('terraform {\n  source = "."\n}\n')
    root = tree(
        tmp_path / "repo",
        {
            "modules/api/main.tf": MODULE,
            "live/prod/terragrunt.hcl": (
                'terraform {\n  source = "../../modules//api"\n}\n'
                'dependency "cert" {\n  config_path = "../../../elsewhere"\n}\n'
                'inputs = {\n  domain_name = "api.example.com"\n'
                "  certificate_arn = dependency.cert.outputs.arn\n}\n"
            ),
        },
    )
    _, found = chains(root)
    assert "not a Terragrunt unit in the repository" in found["prod"].certificate.reason


def test_registry_source_uses_the_known_model_and_points_at_the_unit(tmp_path):
    root = tree(
        tmp_path,
        {
            "live/prod/terragrunt.hcl": (
                "terraform {\n"
                '  source = "tfr:///terraform-aws-modules/acm/aws?version=6.2.0"\n}\n'
                'inputs = {\n  domain_name = "api.example.com"\n  zone_id = "Z1"\n'
                '  validation_method = "EMAIL"\n}\n'
            ),
            "live/api/main.tf": (
                'resource "aws_apigatewayv2_domain_name" "api" {\n'
                '  domain_name = "api.example.com"\n'
                "  domain_name_configuration {\n"
                f'    certificate_arn = "{ARN}"\n'
                '    endpoint_type   = "REGIONAL"\n'
                '    security_policy = "TLS_1_2"\n  }\n}\n'
            ),
            "live/web/terragrunt.hcl": (
                "terraform {\n"
                '  source = "tfr:///terraform-aws-modules/apigateway-v2/aws?version=6.1.0"\n}\n'
                'inputs = {\n  name = "web"\n  domain_name = "web.example.com"\n}\n'
            ),
        },
    )
    result, found = chains(root)
    web = found["web"]
    assert web.domain.address == "aws_apigatewayv2_domain_name.this[0]"
    assert web.domain.location.file.endswith("live/web/terragrunt.hcl")
    assert web.certificate.origin == "resource"


def test_registry_unit_of_a_release_no_model_describes_is_a_warning(tmp_path):
    root = tree(
        tmp_path,
        {
            "live/cdn/terragrunt.hcl": (
                "terraform {\n"
                '  source = "tfr:///terraform-aws-modules/cloudfront/aws?version=1.9.0"\n}\n'
                'inputs = {\n  aliases = ["www.example.com"]\n}\n'
            ),
            "live/lb/terragrunt.hcl": (
                "terraform {\n"
                '  source = "tfr:///terraform-aws-modules/alb/aws?version=10.5.0"\n}\n'
                "inputs = {\n  listeners = {\n    https = {\n      port = 443\n"
                f'      protocol = "HTTPS"\n      certificate_arn = "{ARN}"\n    }}\n  }}\n}}\n'
            ),
        },
    )
    result, found = chains(root)
    [lost] = [f for f in result.findings if f.rule.id.startswith("IAC00")]
    assert lost.rule.id == "IAC004" and lost.location.file.endswith("cdn/terragrunt.hcl")
    assert "the CloudFront distributions it creates are not analysed" in lost.message
    assert found["lb"].domain.address == 'aws_lb_listener.this["https"]'


def test_source_that_cannot_be_found_is_a_warning(tmp_path):
    root = tree(
        tmp_path,
        {
            "live/prod/terragrunt.hcl": (
                'terraform {\n  source = "${get_env("MODULES")}/api"\n}\n'
                'inputs = {\n  domain_name = "api.example.com"\n}\n'
            ),
        },
    )
    result = scan([root])
    assert [(f.rule.id, f.location.line) for f in result.findings] == [("IAC004", 1)]
    assert "get_env()" in result.findings[0].message


def test_generated_provider_gives_the_region(tmp_path):
    generate = (
        'generate "provider" {\n  path = "provider.tf"\n  if_exists = "overwrite"\n'
        '  contents = <<EOF\nprovider "aws" {\n  region = "${local.region}"\n}\nEOF\n}\n'
    )
    root = tree(
        tmp_path,
        {
            "modules/api/main.tf": MODULE,
            "live/prod/terragrunt.hcl": (
                'locals {\n  region = "us-west-2"\n}\n' + generate + "terraform {\n"
                '  source = "../../modules//api"\n}\n'
                f'inputs = {{\n  domain_name = "api.example.com"\n  certificate_arn = "{ARN}"\n}}\n'
            ),
        },
    )
    _, found = chains(root)
    assert found["prod"].domain.region.name == "us-west-2"


def test_prefilter_lets_units_and_their_modules_through(tmp_path):
    from iaccert.terraform import TF_SUFFIXES
    from iaccert.terraform.prefilter import relevant_directories

    root = tree(
        tmp_path,
        {
            "modules/api/main.tf": MODULE,
            "modules/vpc/main.tf": 'resource "aws_vpc" "this" {\n  cidr_block = "10.0.0.0/16"\n}\n',
            "live/api/terragrunt.hcl": 'terraform {\n  source = "../../modules//api"\n}\n',
            "live/vpc/terragrunt.hcl": 'terraform {\n  source = "../../modules/vpc"\n}\n',
            "live/included/terragrunt.hcl": 'include "root" {\n  path = "../root.hcl"\n}\n',
        },
    )
    units = [root / "live" / n for n in ("api", "vpc", "included")]
    relevant, _ = relevant_directories(units, (*TF_SUFFIXES, "terragrunt.hcl"))
    assert root / "live" / "api" in relevant and root / "modules" / "api" in relevant
    assert root / "live" / "vpc" not in relevant  # its module cannot hold a domain
    assert root / "live" / "included" in relevant  # its module is not named plainly: parsed


def test_deep_merge_combines_maps_shallow_replaces_them(tmp_path):
    from iaccert.terraform.terragrunt import Unit

    files = {
        "live/root.hcl": 'inputs = {\n  tags = { team = "a" }\n}\n',
        "live/deep/terragrunt.hcl": (
            'include "root" {\n  path = find_in_parent_folders("root.hcl")\n'
            '  merge_strategy = "deep"\n}\ninputs = {\n  tags = { env = "prod" }\n}\n'
        ),
        "live/shallow/terragrunt.hcl": (
            'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n'
            'inputs = {\n  tags = { env = "prod" }\n}\n'
        ),
    }
    root = tree(tmp_path, files)
    deep = Unit(root / "live" / "deep", root, str).inputs()
    shallow = Unit(root / "live" / "shallow", root, str).inputs()
    assert deep["tags"][0] == {"team": "a", "env": "prod"}
    assert shallow["tags"][0] == {"env": "prod"}


def test_run_cmd_is_never_run(tmp_path):
    marker = tmp_path / "ran"
    root = tree(
        tmp_path / "repo",
        {
            "modules/api/main.tf": MODULE,
            "live/prod/terragrunt.hcl": (
                'terraform {\n  source = "../../modules//api"\n}\n'
                'inputs = {\n  domain_name = "api.example.com"\n'
                f'  certificate_arn = run_cmd("touch", "{marker}")\n}}\n'
            ),
        },
    )
    _, found = chains(root)
    assert "run_cmd()" in found["prod"].certificate.reason
    assert not marker.exists()


def test_unit_own_tf_files_join_the_module(tmp_path):
    root = tree(
        tmp_path,
        {
            "modules/api/main.tf": MODULE,
            "live/prod/provider.tf": 'provider "aws" {\n  region = "ap-south-1"\n}\n',
            "live/prod/terragrunt.hcl": (
                'terraform {\n  source = "../../modules//api"\n}\n'
                f'inputs = {{\n  domain_name = "api.example.com"\n  certificate_arn = "{ARN}"\n}}\n'
            ),
        },
    )
    result, found = chains(root)
    assert list(found) == ["prod"]  # the unit directory is not a root of its own
    assert found["prod"].domain.region.name == "ap-south-1"


def test_include_outside_the_repository_leaves_inputs_unknown_with_the_reason(tmp_path):
    root = tree(
        tmp_path,
        {
            "modules/api/main.tf": MODULE,
            "live/prod/terragrunt.hcl": (
                "include {\n  path = find_in_parent_folders()\n}\n"
                'terraform {\n  source = "../../modules//api"\n}\n'
                'inputs = {\n  domain_name = "api.example.com"\n}\n'
            ),
        },
    )
    result, found = chains(root)
    reason = found["prod"].certificate.reason
    assert "do not set it" in reason and "include '' is not read" in reason
    assert "find_in_parent_folders('terragrunt.hcl')" in reason
    assert not [f for f in result.findings if f.rule.id == "IAC004"]
