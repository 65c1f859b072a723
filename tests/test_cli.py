"""The CLI as users meet it: exit codes, errors without tracebacks, options."""

from __future__ import annotations

import json
import shutil
from collections import Counter

from snapshots import FIXTURES, run_cli


def test_version_and_help():
    assert run_cli(["--version"], FIXTURES).stdout.startswith("iaccert ")
    helped = run_cli(["lint", "--help"], FIXTURES)
    assert helped.returncode == 0 and "--var-file" in helped.stdout


def test_missing_path_is_a_usage_error(tmp_path):
    proc = run_cli(["lint", "does-not-exist"], tmp_path)
    assert proc.returncode == 2
    assert "does-not-exist" in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_option_is_a_usage_error(tmp_path):
    proc = run_cli(["lint", "--bogus"], tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_clean_tree_exits_zero(tmp_path):
    shutil.copytree(FIXTURES / "tf_pass_regional_v2", tmp_path / "m")
    proc = run_cli(["lint", "m"], tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip().endswith("scanned)")


def test_exit_zero_and_output_file(tmp_path):
    shutil.copytree(FIXTURES / "tf_iac101_email", tmp_path / "m")
    proc = run_cli(["lint", "m", "-f", "json", "-o", "out.json", "--exit-zero"], tmp_path)
    assert proc.returncode == 0 and proc.stdout == ""
    report = json.loads((tmp_path / "out.json").read_text())
    assert [f["rule_id"] for f in report["findings"]] == ["IAC101"]


def test_var_overrides_tfvars(tmp_path):
    shutil.copytree(FIXTURES / "tf_tfvars_override", tmp_path / "m")
    assert run_cli(["lint", "m"], tmp_path).returncode == 1
    fixed = run_cli(["lint", "m", "--var", "validation_method=DNS"], tmp_path)
    assert fixed.returncode == 0, fixed.stdout


def test_file_argument_scans_its_whole_module(tmp_path):
    shutil.copytree(FIXTURES / "tf_iac104_not_awaited", tmp_path / "m")
    tf_files = sorted((tmp_path / "m").glob("*.tf"))
    domain_file = next(p for p in tf_files if "aws_api_gateway_domain_name" in p.read_text())
    proc = run_cli(["lint", str(domain_file.relative_to(tmp_path)), "-f", "json"], tmp_path)
    assert [f["rule_id"] for f in json.loads(proc.stdout)["findings"]] == ["IAC104"]


def test_text_format_lines(tmp_path):
    shutil.copytree(FIXTURES / "tf_iac110_no_cbd", tmp_path / "m")
    out = run_cli(["lint", "m"], tmp_path).stdout.splitlines()
    assert out[0].startswith("m/") and ": IAC110 [warning] " in out[0]
    assert out[-1].startswith("0 errors, 1 warning, 0 notes in 1 domain")


def test_rule_command(tmp_path):
    proc = run_cli(["rule", "email-validation"], tmp_path)
    assert proc.returncode == 0
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert heading in proc.stdout
    assert run_cli(["rule", "IAC999"], tmp_path).returncode == 2


def test_version_on_every_command():
    for command in ("lint", "live", "rule", "graph"):
        proc = run_cli([command, "--version"], FIXTURES)
        assert proc.returncode == 0 and proc.stdout.startswith("iaccert "), command


def test_lint_help_is_grouped_in_panels():
    text = run_cli(["lint", "--help"], FIXTURES, env={"COLUMNS": "100"}).stdout
    for panel in ("Output", "Rules", "Terraform", "CloudFormation", "Live", "Fixes"):
        assert f"─ {panel} " in text, panel
    live = text.split("─ Live ", 1)[1]
    assert "--role-arn" in live and "--var-file" not in live
    terraform = text.split("─ Terraform ", 1)[1].split("╰", 1)[0]
    assert "--var-file" in terraform and "--plan" in terraform and "--select" not in terraform


def test_statistics_count_findings_per_rule(tmp_path):
    for case in ("tf_iac110_no_cbd", "tf_iac101_email", "tf_iac109_unresolved"):
        shutil.copytree(FIXTURES / case, tmp_path / case)
    shutil.copytree(FIXTURES / "tf_iac110_no_cbd", tmp_path / "again")
    findings = json.loads(run_cli(["lint", ".", "-f", "json"], tmp_path).stdout)["findings"]
    proc = run_cli(["lint", ".", "--statistics", "-o", "json:all.json"], tmp_path)
    assert proc.returncode == 1  # the exit code is the findings', not the table's
    lines = proc.stdout.splitlines()
    expected = Counter(f["rule_id"] for f in findings)
    assert expected["IAC110"] == 2 and len(expected) == 3  # two copies of the IAC110 case
    rows = [line.split() for line in lines[:-1]]
    assert {rule: int(count) for count, rule, _, _ in rows} == expected
    assert [int(r[0]) for r in rows] == sorted(expected.values(), reverse=True)  # most first
    assert ["2", "IAC110", "warning", "certificate-replacement-unsafe"] in rows
    assert lines[-1].endswith("scanned)")  # the summary line
    assert json.loads((tmp_path / "all.json").read_text())["findings"] == findings  # unchanged
    table = json.loads(run_cli(["lint", ".", "--statistics", "-f", "json"], tmp_path).stdout)
    assert sum(row["count"] for row in table) == len(findings)
    assert {
        "rule_id": "IAC110", "rule_name": "certificate-replacement-unsafe",
        "severity": "warning", "count": 2,
    } in table  # fmt: skip
    quiet = run_cli(["lint", ".", "--statistics", "-q"], tmp_path).stdout.splitlines()
    assert len(quiet) == 3
