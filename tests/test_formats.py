"""Every ``--format`` through the real CLI: one snapshot per format, exit codes, colour, --quiet.

Regenerate the snapshots after a deliberate change, then review the diff:
``python tests/test_formats.py``.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from snapshots import FIXTURES, ROOT, run_cli

from iaccert import __version__
from iaccert.catalog import rules
from iaccert.docs import help_uri
from iaccert.report import FORMATS
from iaccert.report.github import escape_data, escape_property

DATA = ROOT / "tests" / "data"
SNAPSHOTS = DATA / "format_snapshots"
CASE = "format_fixture"  # tests/data/format_fixture: an error, a warning, a note, a parse error
ESC = "\x1b["


def normalize(fmt: str, text: str, cwd: Path) -> str:
    """Leave out what differs between machines and releases (the working directory, the
    version) and, in SARIF, the catalog's rule texts and the other rules (test_sarif.py
    checks them), so that a new rule or a documentation change does not churn it."""
    text = text.replace(cwd.resolve().as_uri().rstrip("/") + "/", "file:///SRCROOT/")
    text = text.replace(f'"{__version__}"', '"<version>"')
    text = text.replace(f"/blob/v{__version__}/", "/blob/v<version>/")  # help links: the tag
    if fmt == "sarif":  # keep the rules that reported; ruleIndex moves when a rule is added
        log = json.loads(text)
        run = log["runs"][0]
        used = {r["ruleId"] for r in run["results"]}
        driver = run["tool"]["driver"]
        driver["rules"] = [rule for rule in driver["rules"] if rule["id"] in used]
        for rule in driver["rules"]:
            rule["shortDescription"]["text"] = f"<{rule['id']} summary>"
            rule["fullDescription"]["text"] = f"<{rule['id']} why>"
            rule["help"] = {"text": f"<{rule['id']} docs>", "markdown": f"<{rule['id']} docs>"}
        for result in run["results"]:
            result["ruleIndex"] = f"<index of {result['ruleId']}>"
        text = json.dumps(log, indent=2, ensure_ascii=False) + "\n"
    return text


def lint_output(fmt: str) -> subprocess.CompletedProcess:
    return run_cli(["lint", CASE, "--format", fmt], DATA)


@pytest.mark.parametrize("fmt", FORMATS)
def test_format_matches_snapshot(fmt):
    proc = lint_output(fmt)
    assert proc.returncode == 1, proc.stderr  # an error and a warning: the same in every format
    assert proc.stderr == ""
    expected = (SNAPSHOTS / f"{fmt}.txt").read_text(encoding="utf-8")
    assert normalize(fmt, proc.stdout, DATA) == expected, "run `python tests/test_formats.py`"


def test_exit_codes_are_the_same_in_every_format(tmp_path):
    shutil.copytree(FIXTURES / "tf_pass_regional_v2", tmp_path / "clean")
    shutil.copytree(FIXTURES / "tf_iac109_unresolved", tmp_path / "notes")
    shutil.copytree(FIXTURES / "tf_iac104_not_awaited", tmp_path / "warning")
    runs = {}  # (format, what) -> (args, expected exit code)
    for fmt in FORMATS:
        runs[fmt, "clean and notes"] = (["clean", "notes"], 0)  # notes never fail
        runs[fmt, "warning to a file"] = (["warning", "-o", f"report.{fmt}"], 1)
        runs[fmt, "--exit-zero"] = (["warning", "--exit-zero"], 0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        procs = {
            key: pool.submit(run_cli, ["lint", *args, "-f", key[0]], tmp_path)
            for key, (args, _) in runs.items()
        }
    got = {key: proc.result().returncode for key, proc in procs.items()}
    assert got == {key: code for key, (_, code) in runs.items()}
    for fmt in FORMATS:
        assert procs[fmt, "warning to a file"].result().stdout == ""
        assert "IAC104" in (tmp_path / f"report.{fmt}").read_text(encoding="utf-8")


def test_text_format_shows_frame_why_related_and_help():
    out = lint_output("text").stdout
    block = out.split("\n\n")[1]
    lines = block.splitlines()
    assert lines[0].startswith("format_fixture/infra/main.tf:22:1: IAC101 [error] certificate ")
    assert lines[1:6] == [
        "   |",
        '21 |   domain_name       = "partners.example.com"',
        '22 |   validation_method = "EMAIL"',
        "   |   " + "^" * len('validation_method = "EMAIL"'),
        "23 |",
    ]
    assert "   = why: An email-validated certificate is renewed only after" in block
    assert (
        "   = related: format_fixture/infra/main.tf:33 aws_apigatewayv2_domain_name.partners"
        in block
    )
    assert lines[-1] == f"   = help: iaccert rule IAC101 or {help_uri(rules()['IAC101'])}"
    assert out.rstrip("\n").splitlines()[-1].startswith("2 errors, 1 warning, 1 note in 3 domains")
    assert ESC not in out


def test_concise_is_one_line_per_finding_and_a_summary():
    lines = lint_output("concise").stdout.splitlines()
    assert [line.split(": ")[1].split(" [")[0] for line in lines[:-1]] == [
        "IAC000",
        "IAC101",
        "IAC104",
        "IAC109",
    ]
    assert lines[1].startswith("format_fixture/infra/main.tf:22:1: IAC101 [error] ")
    assert (
        lines[-1]
        == "2 errors, 1 warning, 1 note in 3 domains (2 checked, 1 unknown) (3 files scanned)"
    )


def test_github_annotations():
    lines = lint_output("github").stdout.splitlines()
    assert lines[1].startswith(
        "::error file=format_fixture/infra/main.tf,line=22,endLine=22,"
        "title=IAC101 email-validation::certificate aws_acm_certificate.partners"
    )
    assert lines[2].startswith("::warning file=format_fixture/infra/main.tf,line=60,")
    assert lines[3].startswith("::notice file=")
    assert lines[-1].startswith("2 errors, 1 warning, 1 note")


def test_github_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"


def test_junit_is_valid_xml_with_one_testcase_per_domain():
    out = lint_output("junit").stdout
    root = ET.fromstring(out.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert {(c.get("name"), c.get("classname")) for c in cases} == {
        ("IAC000 parse-error", "format_fixture/broken/api.tf"),
        ("aws_apigatewayv2_domain_name.partners", "format_fixture/infra/main.tf"),
        ("aws_api_gateway_domain_name.billing", "format_fixture/infra/main.tf"),
        ("aws_apigatewayv2_domain_name.webhooks", "format_fixture/infra/main.tf"),
    }
    failed = {c.get("name"): c.find("failure") for c in cases if c.find("failure") is not None}
    assert set(failed) == {
        "IAC000 parse-error",
        "aws_apigatewayv2_domain_name.partners",
        "aws_api_gateway_domain_name.billing",
    }
    assert failed["aws_api_gateway_domain_name.billing"].get("type") == "IAC104"
    assert "IAC104 [warning]" in failed["aws_api_gateway_domain_name.billing"].text
    notes = next(c for c in cases if c.get("name").endswith(".webhooks"))
    assert "IAC109 [note]" in notes.find("system-out").text
    for element in (root, suite):
        assert element.get("tests") == "4" and element.get("failures") == "3"
        assert element.get("errors") == "0"


def test_json_format_is_unchanged():
    report = json.loads(lint_output("json").stdout)
    assert set(report) == {"version", "findings", "summary"}
    assert [f["rule_id"] for f in report["findings"]] == ["IAC000", "IAC101", "IAC104", "IAC109"]


def test_quiet_prints_findings_only(tmp_path):
    shutil.copytree(FIXTURES / "tf_iac104_not_awaited", tmp_path / "m")
    for fmt in ("text", "concise", "github"):
        proc = run_cli(["lint", "m", "-f", fmt, "--quiet"], tmp_path)
        assert proc.returncode == 1
        assert "IAC104" in proc.stdout and "scanned)" not in proc.stdout, fmt
    clean = tmp_path / "clean"
    shutil.copytree(FIXTURES / "tf_pass_regional_v2", clean)
    assert run_cli(["lint", "clean", "-q"], tmp_path).stdout == ""


def _run_on_tty(args: list[str], cwd: Path, env: dict) -> str:
    """The CLI with its stdout on a pseudo-terminal, as in an interactive shell."""
    master, slave = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    full_env.update(env)
    proc = subprocess.Popen(
        [sys.executable, "-m", "iaccert", *args],
        cwd=cwd,
        stdout=slave,
        stderr=subprocess.DEVNULL,
        env=full_env,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side is closed
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path):
    shutil.copytree(FIXTURES / "tf_iac101_email", tmp_path / "m")
    assert ESC in _run_on_tty(["lint", "m"], tmp_path, {})
    assert ESC not in _run_on_tty(["lint", "m"], tmp_path, {"NO_COLOR": "1"})
    assert ESC not in _run_on_tty(["lint", "m", "--color", "never"], tmp_path, {})
    assert ESC not in _run_on_tty(["lint", "m", "-f", "concise"], tmp_path, {})  # text only
    assert ESC not in run_cli(["lint", "m"], tmp_path).stdout  # a pipe is not a terminal
    forced = run_cli(["lint", "m", "--color", "always"], tmp_path, env={"NO_COLOR": "1"})
    assert ESC in forced.stdout and forced.returncode == 1
    plain = run_cli(["lint", "m", "--color", "never"], tmp_path).stdout
    assert plain == run_cli(["lint", "m"], tmp_path).stdout
    assert re.sub(r"\x1b\[[0-9;]*m", "", forced.stdout) == plain  # colour changes nothing else
    as_json = run_cli(["lint", "m", "-f", "json", "--color", "always"], tmp_path).stdout
    assert ESC not in as_json
    bad = run_cli(["lint", "m", "--color", "sometimes"], tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_help_lists_every_format_and_option(tmp_path):
    out = run_cli(["lint", "--help"], tmp_path, env={"COLUMNS": "200"}).stdout
    for name in FORMATS:
        assert name in out
    for option in ("--format", "--output-file", "--color", "--quiet", "--exit-zero"):
        assert option in out
    bad = run_cli(["lint", ".", "--format", "xml"], tmp_path)
    assert bad.returncode == 2


if __name__ == "__main__":
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    for fmt in FORMATS:
        proc = lint_output(fmt)
        (SNAPSHOTS / f"{fmt}.txt").write_text(normalize(fmt, proc.stdout, DATA), encoding="utf-8")
        print(f"{fmt}: exit {proc.returncode}, {len(proc.stdout)} characters")
