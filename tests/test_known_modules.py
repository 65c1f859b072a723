"""Known-module models give the same chain as the real module once downloaded.

The real releases live in ../shared/corpus/deps (skipped where absent); each case runs a
root module twice: without download (the model in rules/modules/) and with a
.terraform/modules tree holding a copy of the real release, as `terraform init` leaves it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from iaccert.scan import scan
from iaccert.terraform.known_modules import find_model
from iaccert.terraform.versions import newest, satisfies

DEPS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "deps"
RELEASES = {
    "4.3.2": "terraform-aws-modules__terraform-aws-acm@v4.3.2",
    "5.0.0": "terraform-aws-modules__terraform-aws-acm@v5.0.0",
    "6.3.0": "terraform-aws-modules__terraform-aws-acm",
}
INPUTS = [
    "",
    'validation_method = "DNS"',
    'validation_method = "EMAIL"',
    'validation_method = "DNS"\n  wait_for_validation = false',
    'validation_method = "DNS"\n  create_route53_records = false',
    'validation_method = "DNS"\n  subject_alternative_names = ["*.api.example.com"]',
]


def root(version: str, inputs: str) -> str:
    return f"""
provider "aws" {{
  region = "eu-west-1"
}}
module "cert" {{
  source  = "terraform-aws-modules/acm/aws"
  version = "{version}"
  domain_name = "api.example.com"
  zone_id     = "Z123"
  {inputs}
}}
resource "aws_apigatewayv2_domain_name" "api" {{
  domain_name = "api.example.com"
  domain_name_configuration {{
    certificate_arn = module.cert.acm_certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }}
}}
"""


def findings(directory: Path) -> set[tuple]:
    result = scan([directory])
    return {(f.rule.id, f.resource, f.domain, f.location.line) for f in result.findings}


@pytest.mark.skipif(not DEPS.is_dir(), reason="../shared/corpus/deps is not present")
@pytest.mark.parametrize("release", sorted(RELEASES))
@pytest.mark.parametrize("inputs", INPUTS, ids=range(len(INPUTS)))
def test_model_matches_downloaded_release(tmp_path, release, inputs):
    modelled = tmp_path / "modelled"
    downloaded = tmp_path / "downloaded"
    for directory in (modelled, downloaded):
        directory.mkdir()
        (directory / "main.tf").write_text(root(release, inputs))
    modules = downloaded / ".terraform" / "modules"
    shutil.copytree(DEPS / RELEASES[release], modules / "cert")
    (modules / "modules.json").write_text(
        json.dumps(
            {
                "Modules": [
                    {"Key": "", "Source": "", "Dir": "."},
                    {"Key": "cert", "Source": "registry", "Dir": ".terraform/modules/cert"},
                ]
            }
        )
    )
    assert findings(modelled) == findings(downloaded)


def test_version_choice_follows_terraform():
    releases = ["4.3.2", "4.5.0", "5.0.0", "5.1.1"]
    assert newest(releases, "~> 4.0") == "4.5.0"
    assert newest(releases, "~> 4.3.0") == "4.3.2"
    assert newest(releases, ">= 4.0, < 5.0.0") == "4.5.0"
    assert newest(releases, None) == "5.1.1"
    assert newest(releases, "~> 7.0") is None
    assert satisfies("5.0.0", "!= 4.5.0, >= 4")


@pytest.mark.parametrize(
    ("source", "version", "default"),
    [
        ("terraform-aws-modules/acm/aws", "~> 4.0", "DNS"),
        ("terraform-aws-modules/acm/aws", "~> 5.0", None),
        ("registry.terraform.io/terraform-aws-modules/acm/aws", None, None),
        (
            "git::https://github.com/terraform-aws-modules/terraform-aws-acm.git?ref=v4.3.2",
            None,
            "DNS",
        ),
    ],
)
def test_model_choice(source, version, default):
    model = find_model(source, version)
    assert model is not None
    assert dict(model.defaults)["validation_method"] == default


def test_unknown_module_has_no_model():
    assert find_model("cloudposse/acm-request-certificate/aws", "0.18.0") is None
