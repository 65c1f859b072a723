"""Configuration (``.iaccert.toml``, ``[tool.iaccert]``) and selection options through the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from snapshots import FIXTURES, run_cli

from iaccert.config import Config, ConfigError, find_config, parse_config


def _repo(tmp_path: Path, case: str = "tf_iac104_not_awaited") -> Path:
    """A repository (``.git``) holding a copy of a fixture in ``m/``."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    shutil.copytree(FIXTURES / case, repo / "m")
    return repo


def _rules(proc) -> list[str]:
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    return sorted(f["rule_id"] for f in report["findings"] if "suppressed" not in f)


def _lint(cwd: Path, *args: str):
    return run_cli(["lint", *args, "-f", "json"], cwd)


def test_found_up_the_tree_to_the_repository_root(tmp_path):
    repo = _repo(tmp_path)
    (repo / ".iaccert.toml").write_text('ignore = ["IAC104"]\n')
    proc = _lint(repo / "m", ".")
    assert proc.returncode == 0 and _rules(proc) == []
    assert _rules(_lint(repo / "m", ".", "--no-config")) == ["IAC104"]


def test_search_stops_at_the_repository_root(tmp_path):
    repo = _repo(tmp_path)
    (tmp_path / ".iaccert.toml").write_text('ignore = ["IAC104"]\n')  # above the repository
    assert find_config(repo / "m") is None
    assert _rules(_lint(repo / "m", ".")) == ["IAC104"]


def test_pyproject_table_and_precedence(tmp_path):
    repo = _repo(tmp_path)
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no [tool.iaccert]: skipped
    (repo / "m" / "pyproject.toml").write_text("[tool.other]\nx = 1\n")
    (repo / ".iaccert.toml").write_text('ignore = ["IAC104"]\n')
    assert find_config(repo / "m") == repo / ".iaccert.toml"
    (repo / "m" / "pyproject.toml").write_text('[tool.iaccert]\nselect = ["IAC110"]\n')
    assert find_config(repo / "m") == repo / "m" / "pyproject.toml"
    assert _rules(_lint(repo / "m", ".")) == []
    (repo / "m" / ".iaccert.toml").write_text('select = ["IAC104"]\n')  # wins in its directory
    assert _rules(_lint(repo / "m", ".")) == ["IAC104"]


def test_explicit_config_file(tmp_path):
    repo = _repo(tmp_path)
    (repo / "strict.toml").write_text('fail-on = "note"\nselect = ["IAC1"]\n')
    (repo / ".iaccert.toml").write_text('ignore = ["IAC1"]\n')
    assert _rules(_lint(repo, "m", "--config", "strict.toml")) == ["IAC104"]
    assert _rules(_lint(repo, "m")) == []
    proc = run_cli(["lint", "m", "--config", "nope.toml"], repo)
    assert proc.returncode == 2 and "nope.toml" in proc.stderr
    proc = run_cli(["lint", "m", "--config", "strict.toml", "--no-config"], repo)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        (".iaccert.toml", 'selct = ["IAC1"]\n', ["'selct'", ".iaccert.toml", "unknown key"]),
        ("pyproject.toml", "[tool.iaccert]\nbogus = 1\n", ["'tool.iaccert.bogus'", "pyproject"]),
        (".iaccert.toml", "[severity]\nIAC999 = 'error'\n", ["'severity.IAC999'"]),
        (".iaccert.toml", 'fail-on = "fatal"\n', ["'fail-on'", "fatal"]),
        (".iaccert.toml", "expiry-days = '30'\n", ["'expiry-days'"]),
        (".iaccert.toml", "select = 3\n", ["'select'", "list of strings"]),
        (".iaccert.toml", 'select = ["IAC9"]\n', ["'select'", "IAC9"]),
        (".iaccert.toml", "[parameters]\nStage = {a = 1}\n", ["'parameters.Stage'"]),
        (".iaccert.toml", "select = [\n", ["invalid TOML", ".iaccert.toml"]),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(tmp_path, name, text, words):
    repo = _repo(tmp_path)
    (repo / name).write_text(text)
    proc = run_cli(["lint", "m"], repo)
    assert proc.returncode == 2, proc.stdout
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    for word in words:
        assert word in proc.stderr


def test_select_and_ignore_by_code_prefix_and_name(tmp_path):
    repo = _repo(tmp_path, "tf_iac110_no_cbd")
    (repo / "m" / "main.tf").write_text(
        (repo / "m" / "main.tf")
        .read_text()
        .replace('validation_method         = "DNS"', 'validation_method = "EMAIL"')
    )
    assert _rules(_lint(repo, "m")) == ["IAC101", "IAC110"]
    assert _rules(_lint(repo, "m", "--select", "IAC110")) == ["IAC110"]
    assert _rules(_lint(repo, "m", "--select", "email-validation")) == ["IAC101"]
    assert _rules(_lint(repo, "m", "--select", "IAC11")) == ["IAC110"]
    assert _rules(_lint(repo, "m", "--select", "IAC101,IAC110")) == ["IAC101", "IAC110"]
    assert _rules(_lint(repo, "m", "--ignore", "IAC1")) == []
    assert _rules(_lint(repo, "m", "--ignore", "certificate-replacement-unsafe")) == ["IAC101"]
    assert _rules(_lint(repo, "m", "--select", "IAC1", "--ignore", "IAC101")) == ["IAC110"]
    proc = run_cli(["lint", "m", "--select", "IAC9"], repo)
    assert proc.returncode == 2 and "IAC9" in proc.stderr and "Traceback" not in proc.stderr

    # the configuration, then the command line: --select replaces, --ignore removes
    (repo / ".iaccert.toml").write_text('select = ["email-validation"]\nignore = ["IAC110"]\n')
    assert _rules(_lint(repo, "m")) == ["IAC101"]
    assert _rules(_lint(repo, "m", "--select", "IAC110")) == ["IAC110"]
    assert _rules(_lint(repo, "m", "--ignore", "IAC101")) == []


def test_severity_override_changes_the_exit_code(tmp_path):
    repo = _repo(tmp_path, "tf_iac110_no_cbd")
    assert run_cli(["lint", "m"], repo).returncode == 1
    (repo / ".iaccert.toml").write_text('[severity]\ncertificate-replacement-unsafe = "note"\n')
    proc = run_cli(["lint", "m", "-f", "json"], repo)
    assert proc.returncode == 0, proc.stdout
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["severity"] == "note"
    sarif = json.loads(run_cli(["lint", "m", "-f", "sarif"], repo).stdout)
    assert sarif["runs"][0]["results"][0]["level"] == "note"


def test_fail_on(tmp_path):
    repo = _repo(tmp_path, "tf_iac109_unresolved")
    assert run_cli(["lint", "m"], repo).returncode == 0  # notes only
    assert run_cli(["lint", "m", "--fail-on", "note"], repo).returncode == 1
    (repo / ".iaccert.toml").write_text('fail-on = "note"\n')
    assert run_cli(["lint", "m"], repo).returncode == 1
    assert run_cli(["lint", "m", "--fail-on", "warning"], repo).returncode == 0  # CLI wins
    repo2 = _repo(tmp_path / "b", "tf_iac110_no_cbd")
    assert run_cli(["lint", "m", "--fail-on", "error"], repo2).returncode == 0  # a warning


def test_exclude(tmp_path):
    repo = _repo(tmp_path)
    shutil.copytree(FIXTURES / "cfn_iac101_email_missing_method", repo / "legacy" / "cfn")
    shutil.copytree(FIXTURES / "tf_iac110_no_cbd", repo / "legacy" / "old")
    assert _rules(_lint(repo, ".")) == ["IAC101", "IAC104", "IAC110"]
    (repo / ".iaccert.toml").write_text('exclude = ["legacy/cfn"]\n')
    assert _rules(_lint(repo, ".")) == ["IAC104", "IAC110"]
    (repo / ".iaccert.toml").write_text('exclude = ["legacy/**"]\n')
    proc = _lint(repo / "legacy", ".")  # globs are relative to the configuration's directory
    assert _rules(proc) == [] and json.loads(proc.stdout)["summary"]["files"] == 0
    (repo / ".iaccert.toml").write_text('exclude = ["**/*.yaml", "m"]\n')
    assert _rules(_lint(repo, ".")) == ["IAC110"]


def test_var_files_region_and_parameters(tmp_path):
    repo = _repo(tmp_path, "tf_tfvars_override")
    assert run_cli(["lint", "m"], repo).returncode == 1
    (repo / "dns.tfvars").write_text('validation_method = "DNS"\n')
    (repo / ".iaccert.toml").write_text('var-files = ["dns.tfvars"]\n')
    assert run_cli(["lint", "."], repo / "m").returncode == 0  # relative to the config file
    (repo / "email.tfvars").write_text('validation_method = "EMAIL"\n')
    proc = run_cli(["lint", "m", "--var-file", "email.tfvars"], repo)  # the CLI replaces
    assert proc.returncode == 1
    (repo / ".iaccert.toml").write_text('var-files = ["missing.tfvars"]\n')
    proc = run_cli(["lint", "m"], repo)
    assert proc.returncode == 2 and "missing.tfvars" in proc.stderr

    shutil.copytree(FIXTURES / "cfn_iac109_parameter", tmp_path / "c" / "m")
    cfn = tmp_path / "c"
    (cfn / ".git").mkdir()
    arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
    (cfn / ".iaccert.toml").write_text(
        f'region = "us-east-1"\n[parameters]\nCertificateArn = "{arn}"\n'
    )
    assert _rules(_lint(cfn, "m")) == ["IAC105", "IAC109", "IAC109"]
    # --region on the command line wins: the certificate's region now matches
    assert "IAC105" not in _rules(_lint(cfn, "m", "--region", "eu-west-1"))


def test_config_values_unit():
    path = Path("/x/.iaccert.toml")
    config = parse_config(
        {
            "select": ["IAC1", "unused-suppression"],
            "severity": {"IAC110": "error", "certificate-unresolved": "warning"},
            "var-files": ["a.tfvars"],
            "parameters": {"N": 3, "B": True, "L": ["a", "b"]},
            "expiry-days": 10,
            "upload-max-age-days": 100,
        },
        path,
    )
    assert config.severity == {"IAC110": "error", "IAC109": "warning"}
    assert config.var_files == [Path("/x/a.tfvars")]
    assert config.parameters == {"N": "3", "B": "true", "L": "a,b"}
    assert (config.expiry_days, config.upload_max_age_days) == (10, 100)
    with pytest.raises(ConfigError, match="expiry-days"):
        parse_config({"expiry-days": True}, path)
    assert Config().excluded(Path("/anything")) is False


def test_live_day_defaults_come_from_the_config():
    from iaccert.cli import _live_days

    config = Config(expiry_days=12)
    assert _live_days(config, None, None) == {"expiry_days": 12, "upload_max_age_days": 395}
    assert _live_days(config, 5, 7) == {"expiry_days": 5, "upload_max_age_days": 7}
    assert _live_days(Config(), None, None) == {"expiry_days": 30, "upload_max_age_days": 395}


def test_help_lists_the_new_options():
    out = run_cli(["lint", "--help"], FIXTURES).stdout
    for option in (
        "--select",
        "--ignore",
        "--fail-on",
        "--config",
        "--no-config",
        "--no-ignore",
        "--baseline",
        "--write-baseline",
    ):
        assert option in out, option
