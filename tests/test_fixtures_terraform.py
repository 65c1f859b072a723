"""The override and Terragrunt fixtures are valid Terraform: real `terraform validate` on each
module directory, against the local provider mirror (skipped where terraform is absent)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MIRROR = Path(os.environ.get("IACCERT_TF_MIRROR", "/opt/tf-plugins"))
MODULES = [
    "tf_override_email",
    "tf_terragrunt/modules/api",
    "tf_terragrunt/modules/cert",
    "tf_terragrunt/modules/portal",
]


def _why_not() -> str | None:
    if shutil.which("terraform") is None:
        return "terraform is not on PATH"
    if not any(MIRROR.glob("registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws_*")):
        return f"no hashicorp/aws provider in the filesystem mirror {MIRROR}"
    return None


@pytest.mark.parametrize("module", MODULES)
def test_fixture_module_passes_terraform_validate(tmp_path, module):
    why = _why_not()
    if why:
        pytest.skip(why)
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / module, work, ignore=shutil.ignore_patterns("*.json", "*.hcl"))
    for name in ("override.tf.json",):  # Terraform JSON the fixture holds on purpose
        if (FIXTURES / module / name).is_file():
            shutil.copy(FIXTURES / module / name, work / name)
    rc = tmp_path / "terraform.rc"
    rc.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n'
    )
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(rc),
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
    }
    for args in (
        ["init", "-backend=false", "-input=false", "-no-color"],
        ["validate", "-no-color"],
    ):
        proc = subprocess.run(
            ["terraform", *args], cwd=work, env=env, capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
