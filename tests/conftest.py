import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# live-mode fixtures (moto server, seeded accounts); they skip without boto3/moto
from live_support import moto_endpoint, seeded  # noqa: E402, F401

# End-to-end tests run real programs (pre-commit building its environment, terraform, a moto
# server). CI runs them all; locally `pytest -m "not e2e"` skips them for a quick loop.
E2E_MODULES = {"test_precommit", "test_live_terraform", "test_live_moto", "test_terraform_validate"}


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        if item.module.__name__ in E2E_MODULES:
            item.add_marker(pytest.mark.e2e)
