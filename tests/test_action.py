"""``action.yml`` run as GitHub would run it, locally: its shell steps' commands in a
temporary workspace, with the inputs, step outputs and ``if:`` conditions substituted.

The install step really creates a virtual environment under the runner's temporary
directory and installs iaccert from this checkout (the package index is needed, as for
the editable install; about a minute). ``uses:`` steps (upload-sarif) are not run: the test
checks what they would be given.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft4Validator
from snapshots import FIXTURES, ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
STEPS = ACTION["runs"]["steps"]
SARIF = Draft4Validator(json.loads((ROOT / "tests/data/sarif-schema-2.1.0.json").read_text()))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Runner:
    """The few expression forms action.yml uses: contexts, ``==``/``!=`` with a string
    literal, ``&&`` and ``always()``. Anything else fails the test (keep the action simple)."""

    def __init__(self, inputs: dict[str, str], temp: Path, workspace: Path):
        defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
        unknown = set(inputs) - set(defaults)
        assert not unknown, unknown
        self.inputs = {**defaults, **inputs}
        self.temp, self.workspace = temp, workspace
        self.outputs: dict[str, dict[str, str]] = {}
        self.uses: list[dict] = []
        self.log: list[str] = []

    def value(self, expr: str) -> str:
        parts = expr.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return self.inputs[parts[1]]
        if expr == "github.action_path":
            return str(ROOT)
        if expr == "runner.temp":
            return str(self.temp)
        if parts[0] == "steps" and parts[2] == "outputs" and len(parts) == 4:
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"expression not understood: {expr}")

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.value(m.group(1)), str(text))

    def condition(self, text: str | None, failed: bool) -> bool:
        if text is None:
            return not failed  # the default: success()
        terms = [t.strip() for t in EXPRESSION.sub(r"\1", text).split("&&")]
        always = "always()" in terms
        ok = True
        for term in terms:
            if term == "always()":
                continue
            match = re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*'([^']*)'", term)
            assert match, f"condition not understood: {term}"
            left, op, literal = match.groups()
            ok &= (self.value(left) == literal) == (op == "==")
        return ok and (always or not failed)

    def run(self, steps: list[dict]) -> int:
        """The steps in order; the job's exit code (the first failing step's)."""
        failed = 0
        for step in steps:
            if not self.condition(step.get("if"), bool(failed)):
                continue
            if "uses" in step:
                self.uses.append({k: self.substitute(v) for k, v in step.get("with", {}).items()})
                continue
            failed = failed or self._shell(step)
        return failed

    def _shell(self, step: dict) -> int:
        assert step["shell"] == "bash"
        script = self.temp / f"{step.get('id', 'step')}.sh"
        script.write_text(step["run"])
        output = self.temp / "github_output"
        output.write_text("")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "IACCERT"))}
        env.update({k: self.substitute(v) for k, v in step.get("env", {}).items()})
        env.update(GITHUB_OUTPUT=str(output), RUNNER_TEMP=str(self.temp))
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        self.log.append(proc.stdout + proc.stderr)
        if "id" in step:
            pairs = (line.partition("=") for line in output.read_text().splitlines())
            self.outputs[step["id"]] = {k: v for k, _, v in pairs}
        return proc.returncode


def test_action_is_composite_and_never_pastes_inputs_into_scripts():
    assert ACTION["runs"]["using"] == "composite"
    assert {"paths", "format", "fail-on", "config"} <= set(ACTION["inputs"])
    for step in STEPS:
        if "run" in step:
            assert "${{" not in step["run"], step["name"]  # inputs go through env only
    (upload,) = [s for s in STEPS if "uses" in s]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """The install step, once: a virtual environment under runner.temp."""
    temp = tmp_path_factory.mktemp("runner")
    runner = Runner({}, temp, temp)
    install = next(s for s in STEPS if s.get("id") == "install")
    code = runner._shell(install)
    if code != 0 and "No matching distribution" in runner.log[-1]:
        pytest.skip("the package index cannot provide iaccert's dependencies here")
    assert code == 0, runner.log[-1]
    return {"temp": temp, "outputs": runner.outputs["install"], "log": runner.log[-1]}


def _job(installed: dict, workspace: Path, inputs: dict) -> Runner:
    runner = Runner(inputs, installed["temp"], workspace)
    runner.outputs["install"] = installed["outputs"]
    lint_and_after = STEPS[[s.get("id") for s in STEPS].index("lint") :]
    runner.exit_code = runner.run(lint_and_after)
    return runner


def test_install_is_isolated_in_the_runner_temp_dir(installed):
    iaccert = Path(installed["outputs"]["iaccert"])
    assert iaccert.is_file() and installed["temp"] in iaccert.parents
    assert installed["log"].startswith("iaccert ")  # the step prints the version


def test_findings_annotate_upload_sarif_and_fail_the_job(installed, tmp_path):
    shutil.copytree(ROOT / "tests/data/format_fixture", tmp_path / "ws")
    job = _job(installed, tmp_path / "ws", {"paths": "infra\nbroken"})
    assert job.outputs["lint"]["exit-code"] == "1"
    assert job.exit_code == 1  # the last step fails the job, after the upload
    lint_log = job.log[0]
    assert "::error file=infra/main.tf,line=22" in lint_log  # github-format annotations
    assert "::warning file=infra/main.tf,line=60" in lint_log
    (upload,) = job.uses
    assert upload == {"sarif_file": "iaccert.sarif", "category": "iaccert"}
    log = json.loads((tmp_path / "ws" / "iaccert.sarif").read_text("utf-8"))
    assert not list(SARIF.iter_errors(log))
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {
        "IAC000",
        "IAC101",
        "IAC104",
        "IAC109",
    }


def test_inputs_fail_on_config_and_no_upload(installed, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(FIXTURES / "tf_iac104_not_awaited", ws / "m")
    (ws / "ci.toml").write_text('severity = {IAC104 = "note"}\n')
    passed = _job(
        installed, ws, {"config": "ci.toml", "upload-sarif": "false", "format": "concise"}
    )
    assert passed.outputs["lint"]["exit-code"] == "0" and passed.exit_code == 0
    assert passed.uses == []  # upload-sarif: false
    assert "IAC104 [note]" in passed.log[0]
    failed = _job(installed, ws, {"sarif-file": "out.sarif"})
    assert failed.exit_code == 1 and failed.uses[0]["sarif_file"] == "out.sarif"
    lenient = _job(installed, ws, {"fail-on": "error", "upload-sarif": "false"})
    assert lenient.exit_code == 0 and "::warning file=m/" in lenient.log[0]


def test_usage_error_is_exit_2_and_uploads_nothing(installed, tmp_path):
    (tmp_path / "ws").mkdir()
    job = _job(installed, tmp_path / "ws", {"paths": "does-not-exist"})
    assert job.exit_code == 2 and job.outputs["lint"]["exit-code"] == "2"
    assert job.uses == []  # no SARIF was written: nothing to upload
