"""End to end: real ``terraform apply`` deploys a fixture into the moto endpoint, then
``iaccert live`` finds what it deployed. Skips where terraform or the provider mirror is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from live_support import ACCOUNT_A, aws_env, write_tf
from snapshots import run_cli

pytest.importorskip("boto3")
pytest.importorskip("moto")

MIRROR = Path(os.environ.get("IACCERT_TF_MIRROR", "/opt/tf-plugins"))
REGION = "ca-central-1"  # no other live test puts a domain here


def _terraform_ready() -> str | None:
    if shutil.which("terraform") is None:
        return "terraform is not on PATH"
    if not any(MIRROR.glob("registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws_*")):
        return f"no hashicorp/aws provider in the filesystem mirror {MIRROR}"
    return None


def _config(endpoint: str, foreign_arn: str) -> str:
    """One provider (each provider instance costs seconds of start-up), four resources."""
    endpoints = "\n".join(
        f"    {s} = {json.dumps(endpoint)}" for s in ("acm", "apigateway", "route53", "iam", "sts")
    )
    return f"""terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "5.100.0"
    }}
  }}
}}

provider "aws" {{
  region                      = "{REGION}"
  access_key                  = "placeholder"
  secret_key                  = "placeholder"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {{
{endpoints}
  }}
}}

# requested, never validated: stays PENDING_VALIDATION
resource "aws_acm_certificate" "orders" {{
  domain_name       = "orders.example.net"
  validation_method = "DNS"
}}

resource "aws_api_gateway_domain_name" "orders" {{
  domain_name              = "orders.example.net"
  regional_certificate_arn = aws_acm_certificate.orders.arn
  endpoint_configuration {{
    types = ["REGIONAL"]
  }}
}}

# a REGIONAL domain given an (issued) certificate of us-east-1 for another name: wrong
# region and names as deployed
resource "aws_api_gateway_domain_name" "billing" {{
  domain_name              = "billing.example.net"
  regional_certificate_arn = "{foreign_arn}"
  endpoint_configuration {{
    types = ["REGIONAL"]
  }}
}}
"""


def test_terraform_apply_then_live(seeded, tmp_path):
    why = _terraform_ready()
    if why:
        pytest.skip(why)
    cli_config = tmp_path / "terraform.rc"
    cli_config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n',
        encoding="utf-8",
    )
    foreign = seeded.arns["api"]
    work = write_tf(tmp_path / "deploy", {"main.tf": _config(seeded.endpoint, foreign)})
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        "TF_DATA_DIR": str(tmp_path / ".terraform"),
    }
    for args in (
        ["init", "-input=false", "-no-color"],
        ["apply", "-auto-approve", "-input=false", "-no-color"],
    ):
        proc = subprocess.run(
            ["terraform", *args], cwd=work, env=env, capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    state = json.loads((work / "terraform.tfstate").read_text(encoding="utf-8"))
    [orders_arn] = [
        r["instances"][0]["attributes"]["arn"]
        for r in state["resources"]
        if r["type"] == "aws_acm_certificate"
    ]

    proc = run_cli(
        ["live", "--region", REGION, "-f", "json"], tmp_path, env=aws_env(seeded.endpoint)
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    got = {(f["rule_id"], f["domain"], f["resource"]) for f in report["findings"]}
    orders = f"{ACCOUNT_A}/{REGION}/orders.example.net"
    billing = f"{ACCOUNT_A}/{REGION}/billing.example.net"
    assert got == {
        ("IAC201", orders, orders_arn),  # pending: IAC202 does not say it again
        ("IAC105", billing, foreign),
        ("IAC106", billing, foreign),  # api.example.com's certificate: not billing's name
        ("IAC204", billing, foreign),  # moto: RenewalEligibility is always INELIGIBLE
    }
    assert report["incomplete"] == [] and report["summary"]["domains"] == 2
