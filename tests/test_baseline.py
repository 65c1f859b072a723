"""Baselines through the real CLI: written, matched without line numbers, stale entries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from snapshots import FIXTURES, run_cli
from test_sarif import VALIDATOR


def _copy(case: str, tmp_path: Path, name: str = "m") -> Path:
    shutil.copytree(FIXTURES / case, tmp_path / name)
    return tmp_path / name


def _write(tmp_path: Path, *paths: str) -> dict:
    proc = run_cli(["lint", *paths, "--write-baseline", "baseline.json"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # this run passes
    return json.loads((tmp_path / "baseline.json").read_text())


def test_write_then_match_after_lines_inserted_above(tmp_path):
    module = _copy("tf_iac104_not_awaited", tmp_path)
    doc = _write(tmp_path, "m")
    assert doc["version"] == 1 and doc["tool"] == "iaccert"
    assert doc["findings"] == [
        {
            "rule_id": "IAC104",
            "file": "m/apigw.tf",
            "resource": "aws_api_gateway_domain_name.billing",
            "domain": "aws_api_gateway_domain_name.billing",
            "count": 1,
        }
    ]
    assert run_cli(["lint", "m"], tmp_path).returncode == 1  # without the baseline

    apigw = module / "apigw.tf"
    apigw.write_text("# moved down\n\n" + apigw.read_text())  # the finding's line changes
    text = run_cli(["lint", "m", "--baseline", "baseline.json"], tmp_path)
    assert text.returncode == 0, text.stdout
    assert "IAC104" not in text.stdout and text.stdout.strip().endswith("; 1 baselined")

    proc = run_cli(["lint", "m", "--baseline", "baseline.json", "-f", "json"], tmp_path)
    report = json.loads(proc.stdout)
    (finding,) = report["findings"]
    assert finding["line"] == 5 and finding["suppressed"]["kind"] == "external"
    assert report["summary"]["baselined"] == 1 and report["summary"]["warnings"] == 0
    assert report["stale_baseline"] == [] and "suppressed" not in report["summary"]

    args = ["lint", "m", "--baseline", "baseline.json", "-f", "sarif"]
    assert json.loads(run_cli(args, tmp_path).stdout)["runs"][0]["results"] == []
    sarif = json.loads(run_cli([*args, "--sarif-include-suppressed"], tmp_path).stdout)
    assert not list(VALIDATOR.iter_errors(sarif))
    (result,) = sarif["runs"][0]["results"]
    assert result["suppressions"][0]["kind"] == "external"


def test_new_findings_still_fail(tmp_path):
    _copy("tf_iac104_not_awaited", tmp_path)
    _write(tmp_path, "m")
    _copy("tf_iac110_no_cbd", tmp_path, "n")
    proc = run_cli(["lint", "m", "n", "--baseline", "baseline.json", "-f", "json"], tmp_path)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert [f["rule_id"] for f in report["findings"] if "suppressed" not in f] == ["IAC110"]


def test_fixed_finding_is_a_stale_entry(tmp_path):
    module = _copy("tf_iac104_not_awaited", tmp_path)
    _write(tmp_path, "m")
    apigw = module / "apigw.tf"
    apigw.write_text(
        apigw.read_text().replace(
            "aws_acm_certificate.cert.arn",
            "aws_acm_certificate_validation.cert.certificate_arn",
        )
    )
    text = run_cli(["lint", "m", "--baseline", "baseline.json"], tmp_path)
    assert text.returncode == 0, text.stdout
    assert (
        "baseline.json: note: stale baseline entry: IAC104 aws_api_gateway_domain_name.billing "
        "in m/apigw.tf" in text.stdout
    )
    report = json.loads(
        run_cli(["lint", "m", "--baseline", "baseline.json", "-f", "json"], tmp_path).stdout
    )
    assert report["findings"] == []
    assert report["stale_baseline"] == [
        {
            "rule_id": "IAC104",
            "file": "m/apigw.tf",
            "resource": "aws_api_gateway_domain_name.billing",
            "domain": "aws_api_gateway_domain_name.billing",
            "count": 1,
        }
    ]
    assert report["summary"]["baselined"] == 0


def test_baseline_paths_are_relative_to_the_baseline_file(tmp_path):
    _copy("tf_iac104_not_awaited", tmp_path)
    _write(tmp_path, "m")
    proc = run_cli(["lint", ".", "--baseline", "../baseline.json"], tmp_path / "m")
    assert proc.returncode == 0, proc.stdout


def test_suppressed_findings_are_not_written(tmp_path):
    module = _copy("tf_iac104_not_awaited", tmp_path)
    apigw = module / "apigw.tf"
    apigw.write_text("# iaccert: ignore[IAC104] waits elsewhere\n" + apigw.read_text())
    assert _write(tmp_path, "m")["findings"] == []


def test_bad_baseline_is_exit_2(tmp_path):
    _copy("tf_iac104_not_awaited", tmp_path)
    proc = run_cli(["lint", "m", "--baseline", "missing.json"], tmp_path)
    assert proc.returncode == 2 and "missing.json" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "bad.json").write_text('{"version": 99}')
    proc = run_cli(["lint", "m", "--baseline", "bad.json"], tmp_path)
    assert proc.returncode == 2 and "bad.json" in proc.stderr and "Traceback" not in proc.stderr
