"""Several reports in one run (``-o FORMAT:FILE``), the GitLab Code Quality format, and the
environment variables that choose a format, a configuration and colour."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from snapshots import FIXTURES, ROOT, run_cli

from iaccert.findings import Finding, Incomplete
from iaccert.model import Location
from iaccert.report import want_color
from iaccert.report.gitlab import issues
from iaccert.results import ScanResult
from iaccert.scan import scan

DATA = ROOT / "tests" / "data"
GITLAB = Draft7Validator(json.loads((DATA / "gitlab-codequality-schema.json").read_text("utf-8")))
CASES = sorted(p for p in FIXTURES.iterdir() if p.is_dir()) + [DATA / "format_fixture"]
ESC = "\x1b["


def test_text_on_stdout_and_sarif_and_junit_files_in_one_run(tmp_path):
    shutil.copytree(DATA / "format_fixture", tmp_path / "f")
    (tmp_path / "out").mkdir()
    proc = run_cli(
        ["lint", "f", "--format", "text", "--output", "sarif:out/iaccert.sarif",
         "-o", "junit:report.xml", "--output-file", "gitlab:cq.json"],
        tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "IAC101 [error]" in proc.stdout and "scanned)" in proc.stdout  # text on stdout
    sarif = json.loads((tmp_path / "out" / "iaccert.sarif").read_text("utf-8"))
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"IAC101", "IAC104"}
    junit = ET.parse(tmp_path / "report.xml").getroot()
    assert junit.iter("testcase")
    gitlab = json.loads((tmp_path / "cq.json").read_text("utf-8"))
    assert {i["check_name"] for i in gitlab} == {"IAC000", "IAC101", "IAC104", "IAC109"}
    assert ESC not in (tmp_path / "out" / "iaccert.sarif").read_text("utf-8")


def test_unwritable_output_is_one_line_and_exit_2(tmp_path):
    shutil.copytree(FIXTURES / "tf_iac101_email", tmp_path / "m")
    proc = run_cli(["lint", "m", "-o", "sarif:missing/dir/x.sarif"], tmp_path)
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == "iaccert: cannot write missing/dir/x.sarif: No such file or directory"
    )


def test_bare_output_file_keeps_its_meaning_and_may_be_given_once(tmp_path):
    shutil.copytree(FIXTURES / "tf_iac101_email", tmp_path / "m")
    proc = run_cli(["lint", "m", "-f", "concise", "-o", "out.txt", "-o", "json:out.json"], tmp_path)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "IAC101 [error]" in (tmp_path / "out.txt").read_text()
    assert json.loads((tmp_path / "out.json").read_text())["findings"][0]["rule_id"] == "IAC101"
    twice = run_cli(["lint", "m", "-o", "a.txt", "-o", "b.txt"], tmp_path)
    assert twice.returncode == 2 and "given twice" in twice.stderr
    # a name before ':' that is not a format is part of the file name
    odd = run_cli(["lint", "m", "-f", "json", "-o", "report:v1.json"], tmp_path)
    assert odd.returncode == 1 and (tmp_path / "report:v1.json").is_file()


def test_iaccert_format_environment_variable(tmp_path):
    shutil.copytree(FIXTURES / "tf_iac101_email", tmp_path / "m")
    proc = run_cli(["lint", "m"], tmp_path, env={"IACCERT_FORMAT": "json"})
    assert json.loads(proc.stdout)["findings"][0]["rule_id"] == "IAC101"
    flag = run_cli(["lint", "m", "-f", "concise"], tmp_path, env={"IACCERT_FORMAT": "json"})
    assert flag.stdout.startswith("m/")  # the command line wins
    bad = run_cli(["lint", "m"], tmp_path, env={"IACCERT_FORMAT": "yaml"})
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_iaccert_config_environment_variable(tmp_path):
    shutil.copytree(FIXTURES / "tf_iac101_email", tmp_path / "m")
    (tmp_path / "ci.toml").write_text('ignore = ["IAC101"]\n')
    env = {"IACCERT_CONFIG": str(tmp_path / "ci.toml")}
    assert run_cli(["lint", "m"], tmp_path).returncode == 1
    assert run_cli(["lint", "m"], tmp_path, env=env).returncode == 0
    assert run_cli(["lint", "m", "--no-config"], tmp_path, env=env).returncode == 1
    missing = run_cli(["lint", "m"], tmp_path, env={"IACCERT_CONFIG": "nope.toml"})
    assert missing.returncode == 2 and "nope.toml" in missing.stderr


class _Tty:
    def __init__(self, tty: bool):
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("env", "choice", "tty", "output", "expected"),
    [
        ({"FORCE_COLOR": "1"}, "auto", False, None, True),
        ({"FORCE_COLOR": ""}, "auto", False, None, False),  # empty means unset
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, "auto", True, None, False),
        ({"FORCE_COLOR": "1"}, "never", True, None, False),
        ({"FORCE_COLOR": "1"}, "auto", True, Path("x.txt"), False),  # never into a file
        ({}, "auto", True, None, True),
    ],
)
def test_force_color(monkeypatch, env, choice, tty, output, expected):
    for name in ("FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert want_color(choice, output, _Tty(tty)) is expected


def test_force_color_through_the_cli(tmp_path):
    shutil.copytree(FIXTURES / "tf_iac101_email", tmp_path / "m")
    env = {k: "" for k in ("NO_COLOR",) if k in os.environ}
    assert ESC in run_cli(["lint", "m"], tmp_path, env={**env, "FORCE_COLOR": "1"}).stdout
    assert ESC not in run_cli(["lint", "m"], tmp_path, env=env).stdout


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_gitlab_report_of_every_fixture_validates(case, monkeypatch):
    monkeypatch.chdir(ROOT)
    for name in [k for k in os.environ if k.startswith("TF_VAR_")]:
        monkeypatch.delenv(name)
    result = scan([case.relative_to(ROOT)])
    report = issues(result)
    errors = list(GITLAB.iter_errors(report))
    assert not errors, errors[0].message
    assert len(report) == len(result.findings)  # suppressed findings are left out
    fingerprints = [i["fingerprint"] for i in report]
    assert len(fingerprints) == len(set(fingerprints))  # GitLab keeps one per fingerprint
    for issue, finding in zip(report, result.findings, strict=True):
        assert issue["location"]["path"] == finding.location.file
        assert issue["location"]["lines"]["begin"] == max(1, finding.location.line)


def test_gitlab_severities_repeats_and_live_entries():
    from iaccert.catalog import rules

    at = Location("main.tf", 3, 3)
    same = [
        Finding(rules()["IAC110"], "no create_before_destroy", at, "aws_acm_certificate.c", "d")
    ]
    same.append(
        Finding(rules()["IAC110"], "no create_before_destroy", at, "aws_acm_certificate.c", "d")
    )
    note = Finding(rules()["IAC109"], "unresolved", Location("main.tf", 9), "x", "d")
    live = Finding(
        rules()["IAC203"], "expires in 12 days", Location("", 0), "arn:aws:acm:x", "api.example.com",
        logical_location="123456789012/us-east-1/api.example.com",
    )  # fmt: skip
    denied = Incomplete(
        "123456789012", "eu-west-1", "pay.example.com", None,
        "acm:DescribeCertificate", "access-denied", "AccessDeniedException", "not allowed",
    )  # fmt: skip
    report = issues(ScanResult(findings=[*same, note, live], live=True, incomplete=[denied]))
    assert not list(GITLAB.iter_errors(report))
    assert [i["severity"] for i in report] == ["major", "major", "info", "major", "major"]
    assert report[0]["fingerprint"] != report[1]["fingerprint"]
    assert report[3]["location"] == {
        "path": "123456789012/us-east-1/api.example.com",
        "lines": {"begin": 1},
    }
    assert (
        report[4]["check_name"] == "could-not-check" and "access-denied" in report[4]["description"]
    )
