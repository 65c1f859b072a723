import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

# live-mode fixtures (moto server, seeded accounts); they skip without boto3/moto
from live_support import consumers_seeded, moto_endpoint, seeded  # noqa: E402, F401

# End-to-end tests run real programs (pre-commit building its environment, terraform, a moto
# server). CI runs them all; locally `pytest -m "not e2e"` skips them for a quick loop.
E2E_MODULES = {
    "test_precommit",
    "test_live_terraform",
    "test_live_moto",
    "test_live_faults",
    "test_terraform_validate",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__ in E2E_MODULES:
            item.add_marker(pytest.mark.e2e)


MIRROR = Path(os.environ.get("IACCERT_TF_MIRROR", "/opt/tf-plugins"))


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory) -> dict:
    """Environment for a real, offline ``terraform init``/``validate`` against the provider
    mirror on these machines; skips where terraform or the mirror is absent."""
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH")
    if not any(MIRROR.glob("registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws_*")):
        pytest.skip(f"no hashicorp/aws provider in the filesystem mirror {MIRROR}")
    home = tmp_path_factory.mktemp("terraform")
    (home / "plugin-cache").mkdir()
    rc = home / "terraform.rc"
    rc.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n'
        "}\n"
        f'plugin_cache_dir = "{home / "plugin-cache"}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
    env.update(TF_CLI_CONFIG_FILE=str(rc), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    return env
