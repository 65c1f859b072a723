"""``lint --fix`` / ``--diff``: each fixable fixture becomes clean, nothing else changes.

Every fix runs through the CLI on a copy of a fixture; the fixed copy must lint without the
fixed rule, keep every line the fix did not mean to touch, stay as ``terraform fmt`` formats
it, pass ``terraform validate`` (skipped without terraform) and be left alone by a second run.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from snapshots import FIXTURES, run_in_process

# fixture -> (rule fixed, needs --unsafe-fixes, source lines the fix may change, files it edits)
CASES = {
    "tf_iac110_no_cbd": ("IAC110", False, set(), {"main.tf"}),
    "tf_iac104_not_awaited": (
        "IAC104",
        False,
        {"  regional_certificate_arn = aws_acm_certificate.cert.arn"},
        {"apigw.tf"},
    ),
    "tf_iac111_wrong_attribute": (
        "IAC111",
        True,
        {
            '  domain_name              = "api.example.com"',
            "  regional_certificate_arn = aws_acm_certificate_validation.edge.certificate_arn",
            '  domain_name     = "api.eu.example.com"',
            "  certificate_arn = aws_acm_certificate_validation.regional.certificate_arn",
        },
        {"domains.tf"},
    ),
    "tf_iac102_no_validation": (
        "IAC102",
        True,
        {"    certificate_arn = aws_acm_certificate.inventory.arn"},
        {"main.tf"},
    ),
    "tf_iac102_zone_known": (
        "IAC102",
        True,
        {"  regional_certificate_arn = aws_acm_certificate.payments.arn"},
        {"main.tf"},
    ),
    "tf_iac103_zone_known": (
        "IAC103",
        True,
        {"  certificate_arn = aws_acm_certificate.wiki.arn"},
        {"main.tf"},
    ),
}


def _copy(case: str, tmp_path: Path) -> Path:
    work = tmp_path / case
    shutil.copytree(FIXTURES / case, work, ignore=shutil.ignore_patterns("*.json"))
    return work


def _texts(work: Path) -> dict[str, str]:
    return {
        p.relative_to(work).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(work.rglob("*.tf"))
    }


def _rules(work: Path) -> list[str]:
    proc = run_in_process(["lint", ".", "-f", "json", "--no-cache"], work)
    return sorted(f["rule_id"] for f in json.loads(proc.stdout)["findings"])


def _fmt_clean(work: Path) -> bool:
    proc = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive"], cwd=work, capture_output=True, text=True
    )
    return proc.returncode == 0


@pytest.mark.parametrize("case", sorted(CASES))
def test_fix_makes_the_fixture_clean_and_keeps_other_bytes(case, tmp_path):
    rule, unsafe, may_change, files = CASES[case]
    work = _copy(case, tmp_path)
    before_rules = _rules(work)
    assert rule in before_rules
    before = _texts(work)
    fmt_before = shutil.which("terraform") and _fmt_clean(work)

    args = ["lint", ".", "--fix", "--no-cache", "-f", "json"] + (
        ["--unsafe-fixes"] if unsafe else []
    )
    proc = run_in_process(args, work)
    assert "fixed" in proc.stderr, proc.stderr
    after = _texts(work)
    assert {f for f in after if after[f] != before[f]} == files

    remaining = sorted(f["rule_id"] for f in json.loads(proc.stdout)["findings"])
    assert rule not in remaining
    assert remaining == [r for r in before_rules if r != rule]
    for name in files:  # only the lines the fix is about were removed or replaced
        removed = {
            line[2:].rstrip("\n")
            for line in difflib.ndiff(before[name].splitlines(True), after[name].splitlines(True))
            if line.startswith("- ")
        }
        assert removed <= may_change, removed - may_change

    again = run_in_process(args, work)  # idempotent: nothing left to fix
    assert _texts(work) == after
    assert "fixed 0 findings" in again.stderr
    if fmt_before:
        assert _fmt_clean(work), "the fix broke `terraform fmt -check`"


@pytest.mark.parametrize("case", [c for c, (_, unsafe, _, _) in sorted(CASES.items()) if unsafe])
def test_unsafe_fixes_need_the_option(case, tmp_path):
    rule = CASES[case][0]
    work = _copy(case, tmp_path)
    before = _texts(work)
    proc = run_in_process(["lint", ".", "--fix", "--no-cache", "-f", "json"], work)
    assert _texts(work) == before
    assert rule in {f["rule_id"] for f in json.loads(proc.stdout)["findings"]}


def test_diff_prints_and_writes_nothing(tmp_path):
    work = _copy("tf_iac104_not_awaited", tmp_path)
    before = _texts(work)
    proc = run_in_process(["lint", ".", "--diff", "--no-cache"], work)
    assert proc.returncode == 1
    assert "-  regional_certificate_arn = aws_acm_certificate.cert.arn" in proc.stdout
    assert "+  regional_certificate_arn = aws_acm_certificate_validation.cert.certificate_arn" in (
        proc.stdout
    )
    assert _texts(work) == before
    clean = _copy("tf_pass_regional_v2", tmp_path)
    proc = run_in_process(["lint", ".", "--diff", "--no-cache"], clean)
    assert (proc.returncode, proc.stdout) == (0, "")


def test_text_summary_says_what_is_fixable(tmp_path):
    work = _copy("tf_iac110_no_cbd", tmp_path)
    proc = run_in_process(["lint", ".", "--no-cache"], work)
    assert "[*] 1 fixable with `iaccert lint --fix`" in proc.stdout


def test_no_fix_through_a_symlink(tmp_path):
    """A committed symlink must not make --fix write to a file outside the tree."""
    outside = tmp_path / "outside"
    shutil.copytree(FIXTURES / "tf_iac110_no_cbd", outside, ignore=shutil.ignore_patterns("*.json"))
    work = tmp_path / "repo"
    work.mkdir()
    os.symlink(outside / "main.tf", work / "main.tf")
    victim = (outside / "main.tf").read_text(encoding="utf-8")
    run_in_process(["lint", ".", "--fix", "--no-cache", "-f", "json"], work)
    assert (outside / "main.tf").read_text(encoding="utf-8") == victim


def test_cloudformation_and_tf_json_are_never_edited(tmp_path):
    for case in ("cfn_iac101_email_json", "tf_json"):
        work = tmp_path / case
        shutil.copytree(FIXTURES / case, work)
        before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
        run_in_process(["lint", ".", "--fix", "--unsafe-fixes", "--no-cache"], work)
        assert {p: p.read_bytes() for p in work.rglob("*") if p.is_file()} == before


@pytest.mark.e2e
@pytest.mark.parametrize("case", sorted(CASES))
def test_fixed_fixture_is_valid_terraform(case, tmp_path, terraform_env):
    rule, unsafe, _, _ = CASES[case]
    work = _copy(case, tmp_path)
    args = ["lint", ".", "--fix", "--no-cache"] + (["--unsafe-fixes"] if unsafe else [])
    run_in_process(args, work)

    def terraform(*cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["terraform", *cmd, "-no-color"],
            cwd=work,
            env=terraform_env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    init = terraform("init", "-backend=false", "-input=false")
    assert init.returncode == 0, init.stdout + init.stderr
    validate = terraform("validate")
    assert validate.returncode == 0, validate.stdout + validate.stderr


def test_catalog_says_which_rules_have_fixes():
    """A rule's catalog entry says what --fix does exactly when a fixer exists for it."""
    from iaccert.catalog import rules
    from iaccert.fix import FIXERS, _load_fixers

    _load_fixers()
    assert {r.id for r in rules().values() if r.fix} == set(FIXERS)
    for rule_id in FIXERS:
        assert rules()[rule_id].fix.startswith(("safe", "unsafe"))
