"""Hostile serverless files never break a scan, and nothing in them is run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_hostile import assert_survives, tree_with

PWNED = Path("/tmp/iaccert-sls-pwned")
EVIL_JS = f"require('fs').writeFileSync('{PWNED}', 'x'); module.exports = () => 'x';\n"


def cases() -> dict[str, dict[str, str | bytes]]:
    bomb = "a: &a [" + ",".join(["x"] * 10) + "]\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 10) + "]\n"
    fan = "custom:\n" + "".join(
        f"  v{i}: ${{self:custom.v{i + 1}}}${{self:custom.v{i + 1}}}\n" for i in range(60)
    )
    return {
        "alias_bomb": {"serverless.yml": "custom:\n  customDomain: {domainName: x}\n" + bomb},
        "python_tag": {
            "serverless.yml": "custom: !!python/object/apply:os.system ['touch /tmp/x']\n"
        },
        "deep": {"serverless.yml": "custom: " + "[" * 10_000 + "]" * 10_000 + "\n"},
        "fan_out": {
            "serverless.yml": fan + "  v60: x\n  customDomain: {domainName: '${self:custom.v0}'}\n"
        },
        "javascript_variable": {
            "evil.js": EVIL_JS,
            "serverless.yml": "custom:\n  customDomain:\n    domainName: ${file(./evil.js):name}\n",
        },
        "javascript_config": {"serverless.js": EVIL_JS + "// customDomain\n"},
        "binary": {"serverless.yml": os.urandom(4096)},
        "wrong_shapes": {
            "serverless.yml": (
                "custom:\n  customDomain: [1, 2]\n  customDomains: nope\nresources: 7\n"
            ),
            "b/serverless.json": '{"custom": {"customDomains": [null, 3, {"http": []}]},'
            ' "resources": {"Resources": [1, 2]}}',
            "c/serverless.yaml": "custom:\n  customDomain:\n    domainName: {a: b}\n    enabled: maybe\n",
        },
    }


@pytest.mark.parametrize("case", sorted(cases()), ids=str)
def test_hostile_serverless(tmp_path, case):
    root = tree_with(tmp_path, cases()[case])
    assert_survives(root)
    assert not PWNED.exists(), "a JavaScript file was run"
