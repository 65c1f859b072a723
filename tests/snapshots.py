"""Snapshot helpers: run the real CLI over a fixture and compare with its expected.json.

Regenerate every snapshot (then review the diff): ``python tests/snapshots.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def fixture_cases() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if (p / "intent.json").is_file())


def run_cli(args: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed iaccert, as a user runs it (``python -m iaccert``)."""
    ambient = ("IACCERT_FORMAT", "IACCERT_CONFIG", "FORCE_COLOR")  # a caller's setting
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith("TF_VAR_") and k not in ambient
    }
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "iaccert", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def run_in_process(
    args: list[str], cwd: Path, env: dict | None = None
) -> subprocess.CompletedProcess:
    """The same console entry point, called in this process: one interpreter start for all fixtures.

    The snapshot tests run ~50 fixtures; as subprocesses that is mostly interpreter and import time.
    A few tests (tests/test_cli.py, the isolation and pre-commit tests) keep the real process.
    """
    from iaccert.cli import main

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TF_VAR_")}
    full_env.update(env or {})
    out, err = io.StringIO(), io.StringIO()
    code = 0
    old_cwd = os.getcwd()
    with (
        mock.patch.dict(os.environ, full_env, clear=True),
        mock.patch.object(sys, "argv", ["iaccert", *args]),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        os.chdir(cwd)
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        finally:
            os.chdir(old_cwd)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def snapshot(case: Path, runner=run_in_process) -> dict:
    """What the CLI says about a fixture: exit code, findings and summary (version left out)."""
    proc = runner(["lint", ".", "--format", "json"], case)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{case.name}: exit {proc.returncode}: {proc.stderr}")
    report = json.loads(proc.stdout)
    return {
        "exit_code": proc.returncode,
        "findings": report["findings"],
        "summary": report["summary"],
    }


if __name__ == "__main__":
    for case in fixture_cases():
        data = snapshot(case)
        (case / "expected.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"{case.name}: exit {data['exit_code']}, {len(data['findings'])} findings")
