"""What a scan leaves out: .gitignore (by default; --no-gitignore), --exclude and the
configuration's exclude, all with gitignore semantics; graph reads the configuration too."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from snapshots import FIXTURES, run_cli

from iaccert.exclusion import Exclusions, PatternError, PatternSet, matches

CASE = "tf_iac110_no_cbd"  # one IAC110 warning per copy


def _repo(tmp_path: Path, *dirs: str) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git" / "info").mkdir(parents=True)
    for d in dirs:
        shutil.copytree(FIXTURES / CASE, repo / d)
    return repo


def _files(cwd: Path, *args: str) -> list[str]:
    """The directories of the reported findings."""
    proc = run_cli(["lint", *args, "-f", "json"], cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return sorted({f["file"].rsplit("/", 1)[0] for f in json.loads(proc.stdout)["findings"]})


def test_gitignore_is_respected_by_default(tmp_path):
    repo = _repo(tmp_path, "live", "generated/out", "envs/dev", "envs/prod", "vendor", "scratch")
    (repo / ".gitignore").write_text("generated/\nenvs/*\n!envs/prod\n")
    (repo / "envs" / ".gitignore").write_text("# nested: relative to envs/\n")
    (repo / "scratch" / ".gitignore").write_text("*.tf\n")  # every file of the module
    (repo / ".git" / "info" / "exclude").write_text("/vendor\n")
    assert _files(repo, ".") == ["envs/prod", "live"]
    assert _files(repo, ".", "--no-gitignore") == [
        "envs/dev", "envs/prod", "generated/out", "live", "scratch", "vendor",
    ]  # fmt: skip
    # a directory named on the command line is scanned even when it is ignored
    assert _files(repo, "generated") == ["generated/out"]
    assert _files(repo / "envs", ".") == ["prod"]  # the root's .gitignore applies below it


def test_exclude_globs_have_gitignore_semantics(tmp_path):
    repo = _repo(tmp_path, "legacy/cfn", "deep/er/cfn", "keep")
    (repo / ".iaccert.toml").write_text('exclude = ["*/cfn"]\n')  # one segment: legacy/cfn
    assert _files(repo, ".") == ["deep/er/cfn", "keep"]
    (repo / ".iaccert.toml").write_text('exclude = ["cfn"]\n')  # no slash: at any depth
    assert _files(repo, ".") == ["keep"]
    (repo / ".iaccert.toml").write_text('exclude = ["**/er"]\n')
    assert _files(repo, ".") == ["keep", "legacy/cfn"]


def test_cli_exclude_adds_to_the_configuration_and_applies_to_named_files(tmp_path):
    repo = _repo(tmp_path, "a", "b", "c")
    (repo / ".iaccert.toml").write_text('exclude = ["a"]\n')
    assert _files(repo, ".", "--exclude", "b") == ["c"]
    assert _files(repo, ".", "--exclude", "b,c") == []
    named = sorted(str(p.relative_to(repo)) for p in (repo / "b").glob("*.tf"))
    assert _files(repo, *named, "--exclude", "b/") == []  # as pre-commit passes files
    assert _files(repo, *named) == ["b"]


def test_invalid_patterns_are_usage_errors(tmp_path):
    repo = _repo(tmp_path, "a")
    bad = run_cli(["lint", ".", "--exclude", "!"], repo)
    assert bad.returncode == 2 and "--exclude" in bad.stderr and "Traceback" not in bad.stderr
    (repo / ".iaccert.toml").write_text('exclude = ["!"]\n')
    bad = run_cli(["lint", "."], repo)
    assert bad.returncode == 2 and "'exclude'" in bad.stderr and ".iaccert.toml" in bad.stderr


def test_a_broken_gitignore_line_is_skipped_not_fatal(tmp_path):
    repo = _repo(tmp_path, "a", "b")
    (repo / ".gitignore").write_text("!\n[z-a]\nb/\n")
    assert _files(repo, ".") == ["a"]
    (repo / "a" / ".gitignore").symlink_to(tmp_path / "elsewhere")  # never followed
    (tmp_path / "elsewhere").write_text("*\n")
    assert _files(repo, ".") == ["a"]


def test_graph_reads_the_configuration(tmp_path):
    repo = _repo(tmp_path, "a", "b")
    plain = run_cli(["graph", "."], repo)
    assert plain.returncode == 0 and plain.stdout.count("IAC110") == 2
    (repo / ".iaccert.toml").write_text('exclude = ["b"]\n')
    assert run_cli(["graph", "."], repo).stdout.count("IAC110") == 1
    (repo / ".iaccert.toml").write_text('ignore = ["IAC110"]\n')
    assert "IAC110" not in run_cli(["graph", "."], repo).stdout
    assert run_cli(["graph", ".", "--no-config"], repo).stdout.count("IAC110") == 2
    (repo / ".gitignore").write_text("a/\n")
    assert run_cli(["graph", ".", "--no-config"], repo).stdout.count("IAC110") == 1


def test_pattern_units(tmp_path):
    base = tmp_path
    (base / "x" / "y").mkdir(parents=True)
    star = PatternSet.parse(base, ["x/*"])
    assert matches([star], base / "x" / "y") and not matches([star], base / "x")
    deep = PatternSet.parse(base, ["*.tf"])
    assert matches([deep], base / "x" / "y" / "main.tf")
    assert not matches([PatternSet.parse(base, ["y/"])], base / "x" / "y.tf")  # dirs only
    assert matches([PatternSet.parse(base, ["y/"])], base / "x" / "y" / "main.tf")
    assert not matches([], base / "x")
    with pytest.raises(PatternError):
        PatternSet.parse(base, ["!"])
    outside = Exclusions(globs=[PatternSet.parse(base / "x", ["*"])])
    assert not outside.excluded(tmp_path.parent)  # outside the base: no pattern applies
