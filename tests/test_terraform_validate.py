"""Every Terraform fixture is real Terraform: ``terraform validate`` accepts each of its modules.

A fixture that iaccert gets right but Terraform would reject proves nothing. Each directory of
a fixture that holds ``.tf``/``.tf.json`` files is initialised offline against the provider
mirror on these machines and validated. Skips where terraform or the mirror is absent.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from snapshots import FIXTURES

# Directories Terraform cannot validate here, each with the reason (never a silent skip).
NOT_VALIDATED = {
    "tf_parse_error/broken": "a syntax error on purpose",
    "tf_one_bad_resource": "an argument and a block of one name on purpose (Terraform refuses it)",
    "tf_cloudflare_records": "the cloudflare provider is not in the offline mirror",
    "tf_provider_v6_region": "needs hashicorp/aws 6.x; the offline mirror has 5.100",
    "tf_registry_acm_versions": "registry modules cannot be downloaded offline",
    "tf_registry_apigateway_v2": "registry modules cannot be downloaded offline",
    "tf_registry_cloudfront_module": "registry modules cannot be downloaded offline",
    "tf_registry_alb_module": "registry modules cannot be downloaded offline",
    "tf_registry_version_ranges": "registry modules cannot be downloaded offline, and one "
    'version constraint ("latest") is invalid on purpose',
}


def _module_dirs() -> list[str]:
    found = set()
    for path in FIXTURES.rglob("*"):
        if ".terraform" in path.parts or not path.is_file():
            continue
        if path.name.endswith((".tf", ".tf.json")) and path.parent.name != "fixtures":
            found.add(path.parent.relative_to(FIXTURES).as_posix())
    return sorted(found)


def _skip_reason(rel: str) -> str | None:
    for prefix, reason in NOT_VALIDATED.items():
        if rel == prefix or rel.startswith(prefix + "/"):
            return reason
    return None


@pytest.mark.parametrize("rel", _module_dirs())
def test_fixture_module_is_valid_terraform(rel, terraform_env, tmp_path):
    reason = _skip_reason(rel)
    if reason:
        pytest.skip(reason)
    case = rel.split("/")[0]
    shutil.copytree(FIXTURES / case, tmp_path / case, ignore=shutil.ignore_patterns(".terraform"))
    workdir = tmp_path / rel

    def terraform(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["terraform", *args, "-no-color"],
            cwd=workdir,
            env=terraform_env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    init = terraform("init", "-backend=false", "-input=false")
    assert init.returncode == 0, init.stdout + init.stderr
    validate = terraform("validate")
    assert validate.returncode == 0, validate.stdout + validate.stderr
