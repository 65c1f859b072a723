"""Hostile input never breaks a scan: no traceback, the rest is analysed, exit 1 not 2.

Every input is generated here (nothing large or binary is committed). Each case sits in
a tree next to a known-bad module whose finding must still be reported.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from snapshots import FIXTURES, run_cli

DOMAIN = "aws_apigatewayv2_domain_name"  # named in each case so the prefilter reads it


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def hcl_cases() -> dict[str, dict[str, str | bytes]]:
    valid = f'resource "{DOMAIN}" "d" {{\n  domain_name = "api.example.com"\n}}\n'
    deep = "[" * 10_000 + "]" * 10_000
    calls = "upper(" * 5_000 + '"a"' + ")" * 5_000
    return {
        "unclosed_block": {"main.tf": f'resource "{DOMAIN}" "d" {{\n  domain_name = "x"\n'},
        "stray_tokens": {"main.tf": f"{valid}\n}} ) ] ==> @@\n"},
        "unterminated_string": {"main.tf": f'resource "{DOMAIN}" "d" {{\n  domain_name = "x\n}}\n'},
        "unterminated_heredoc": {"main.tf": f'resource "{DOMAIN}" "d" {{\n  x = <<EOT\nabc\n'},
        "truncated": {"main.tf": valid[: len(valid) // 2]},
        "invalid_utf8": {"main.tf": valid.encode() + b"\n# \xff\xfe\xfd\n"},
        "utf16_bom": {"main.tf": valid.encode("utf-16")},
        "utf16_no_bom": {"main.tf": valid.encode("utf-16-le")},
        "utf8_bom": {"main.tf": b"\xef\xbb\xbf" + valid.encode()},
        "crlf": {"main.tf": valid.replace("\n", "\r\n")},
        "nul_bytes": {"main.tf": valid.encode().replace(b"api", b"a\x00i")},
        "deep_hcl": {"main.tf": f"# {DOMAIN}\nlocals {{\n  x = {deep}\n}}\n"},
        "deep_calls": {"main.tf": f"# {DOMAIN}\nlocals {{\n  x = {calls}\n}}\n"},
        "deep_tfjson": {"main.tf.json": f'{{"//": "{DOMAIN}", "locals": {{"x": {deep}}}}}'},
        "huge_count": {
            "main.tf": f'resource "{DOMAIN}" "d" {{\n  count = 1e9\n  domain_name = "a.example.com"\n}}\n'
        },
        "huge_range": {
            "main.tf": (
                f'resource "{DOMAIN}" "d" {{\n'
                "  for_each = toset([for i in range(100000000) : tostring(i)])\n"
                '  domain_name = "a.example.com"\n}\n'
            )
        },
        "long_domain_name": {
            "main.tf": (
                f'resource "{DOMAIN}" "d" {{\n  domain_name = "{"a" * 10_000}.example.com"\n'
                '  domain_name_configuration {\n    certificate_arn = "arn:aws:acm:eu-west-1:'
                '123456789012:certificate/x"\n    endpoint_type = "REGIONAL"\n  }\n}\n'
            )
        },
        "modules_call_each_other": {
            "a/main.tf": f'# {DOMAIN}\nmodule "b" {{\n  source = "../b"\n}}\n',
            "b/main.tf": 'module "a" {\n  source = "../a"\n}\n',
        },
        "module_source_missing_or_outside": {
            "main.tf": (
                f'# {DOMAIN}\nmodule "gone" {{\n  source = "./nowhere"\n}}\n'
                'module "out" {\n  source = "../../../../../../../../etc"\n}\n'
            )
        },
        "binary_named_json": {"x.json": os.urandom(4096), "main.tf": valid},
        "binary_named_yaml": {"x.yaml": os.urandom(4096), "main.tf": valid},
    }


def cfn_cases() -> dict[str, dict[str, str | bytes]]:
    bomb = "a: &a [" + ",".join(["x"] * 10) + "]\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 10) + "]\n"
    head = "AWSTemplateFormatVersion: '2010-09-09'\n"
    return {
        "yaml_alias_bomb": {
            "t.yaml": head + "Resources:\n  X:\n    Type: AWS::S3::Bucket\n" + bomb
        },
        "yaml_python_tag": {
            "t.yaml": head + "Resources:\n  X:\n    Type: AWS::S3::Bucket\n"
            "    Properties: !!python/object/apply:os.system ['echo pwned > /tmp/iaccert-pwned']\n"
        },
        "yaml_duplicate_keys": {
            "t.yaml": head + "Resources:\n  X:\n    Type: AWS::S3::Bucket\n  X:\n"
            "    Type: AWS::S3::Bucket\n"
        },
        "deep_yaml": {"t.yaml": head + "Resources: " + "[" * 10_000 + "]" * 10_000 + "\n"},
        "deep_json": {
            "t.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": '
            + "[" * 10_000
            + "]" * 10_000
            + "}"
        },
    }


def tree_with(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "tf_iac101_email", root / "known_bad")
    for name, data in files.items():
        write(root / "case" / name, data)
    return root


def assert_survives(root: Path, *extra: str) -> str:
    start = time.monotonic()
    proc = run_cli(["lint", ".", "-f", "concise", "--no-cache", *extra], root)
    assert time.monotonic() - start < 60, "took too long"
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "IAC101" in proc.stdout, "the known-bad module next to it was not analysed"
    return proc.stdout


@pytest.mark.parametrize("case", sorted(hcl_cases()), ids=str)
def test_hostile_terraform(tmp_path, case):
    root = tree_with(tmp_path, hcl_cases()[case])
    for extra in ((), ("--no-prefilter",)):
        assert_survives(root, *extra)


@pytest.mark.parametrize("case", sorted(cfn_cases()), ids=str)
def test_hostile_templates(tmp_path, case):
    root = tree_with(tmp_path, cfn_cases()[case])
    assert_survives(root)
    assert not Path("/tmp/iaccert-pwned").exists(), "a YAML tag ran code"


def test_parse_errors_name_file_and_line(tmp_path):
    root = tree_with(tmp_path, hcl_cases()["unclosed_block"])
    out = assert_survives(root)
    assert "case/main.tf:1:1: IAC000" in out


def test_limits_are_reported_by_name(tmp_path):
    root = tree_with(tmp_path, hcl_cases()["huge_count"])
    out = assert_survives(root)
    assert "IAC001" in out and "max-instances" in out


def test_symlink_loop_and_link_outside(tmp_path):
    root = tree_with(tmp_path, {"main.tf": f"# {DOMAIN}\n"})
    (root / "case" / "loop").symlink_to(root / "case")
    outside = tmp_path / "outside"
    write(outside / "main.tf", f'resource "{DOMAIN}" "o" {{\n  domain_name = "o.example.com"\n}}\n')
    (root / "case" / "elsewhere").symlink_to(outside)
    out = assert_survives(root)
    assert "outside" not in out, "followed a symlink out of the scanned tree"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can list any directory")
def test_unlistable_directory(tmp_path):
    root = tree_with(tmp_path, {"locked/main.tf": f"# {DOMAIN}\n"})
    locked = root / "case" / "locked"
    locked.chmod(0)
    try:
        assert_survives(root)
    finally:
        locked.chmod(0o755)


def test_huge_file_is_refused_by_size(tmp_path):
    root = tree_with(tmp_path, {})
    big = root / "case" / "big.tf"
    big.parent.mkdir(parents=True)
    with open(big, "w") as fh:
        fh.write(f"# {DOMAIN}\n")
        chunk = "# " + "x" * 1022 + "\n"
        for _ in range(50 * 1024):
            fh.write(chunk)
    out = assert_survives(root)
    assert "case/big.tf:1:1: IAC000" in out and "larger than" in out
