"""Every fixture through the real CLI: the exact findings, their lines and the exit code."""

from __future__ import annotations

import json

import pytest
from snapshots import fixture_cases, snapshot


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda p: p.name)
def test_fixture_matches_snapshot_and_intent(case):
    got = snapshot(case)
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert got == expected, "run `python tests/snapshots.py` and review the diff"

    intent = json.loads((case / "intent.json").read_text(encoding="utf-8"))
    want = {(f["rule_id"], f["resource"], f["domain"]) for f in intent["findings"]}
    have = {(f["rule_id"], f["resource"], f["domain"]) for f in got["findings"]}
    assert have == want, "findings differ from the hand-written intent.json"
    shown = [f for f in got["findings"] if "suppressed" not in f]  # suppressed never fail
    fails = any(f["severity"] in ("error", "warning") for f in shown)
    assert got["exit_code"] == (1 if fails else 0)


@pytest.mark.parametrize("name", ["tf_iac101_email", "cfn_pass_regional"])
def test_real_process_gives_the_in_process_snapshot(name):
    """The in-process runner is a shortcut, not another CLI: the real process agrees with it."""
    from snapshots import FIXTURES, run_cli

    case = FIXTURES / name
    assert snapshot(case, runner=run_cli) == snapshot(case)
