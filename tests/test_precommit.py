"""pre-commit: the published hooks, and a real commit refused or accepted through them.

The end-to-end test installs the hooks with the real ``pre-commit`` tool from a snapshot of
this checkout's working tree (committed or not, like ``pre-commit try-repo``, which would
leave out new untracked files), so pre-commit builds its own virtual environment and
installs iaccert's dependencies from the package index: it needs the network.

It also commits files named like options (``--write-baseline=b.tf``, ``--config=policy.tf``):
pre-commit passes them after the hook's entry, and ``iaccert lint --`` reads them as paths.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from snapshots import FIXTURES, ROOT, run_cli

HOOKS = ROOT / ".pre-commit-hooks.yaml"


def _hooks() -> dict[str, dict]:
    return {h["id"]: h for h in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}


def test_hook_definitions():
    hooks = _hooks()
    assert set(hooks) == {"iaccert", "iaccert-all"}
    one = hooks["iaccert"]
    # file names come after `--`: a file named `--config=x.tf` is a path, not an option
    assert one["entry"] == "iaccert lint --" and one["language"] == "python"
    assert one["require_serial"] is True
    files, exclude = re.compile(one["files"]), re.compile(one["exclude"])
    for name in (
        "main.tf",
        "a/b.tf.json",
        "t.yaml",
        "t.yml",
        "t.json",
        "stack.template",
        "envs/prod.tfvars",
        "x.auto.tfvars.json",
        "serverless.yml",
        "live/prod/terragrunt.hcl",
    ):
        assert files.search(name), name
    for name in ("main.py", "README.md", "main.tf.bak", "live/root.hcl"):
        assert not files.search(name), name
    for name in (".terraform/modules/x/main.tf", "envs/prod/.terraform/m.tf"):
        assert exclude.search(name), name
    assert not exclude.search("terraform/main.tf")
    whole = hooks["iaccert-all"]  # no file names: its args stay options
    assert whole["entry"] == "iaccert lint" and whole["language"] == "python"
    assert whole["pass_filenames"] is False and whole["always_run"] is True


def test_non_template_yaml_and_json_are_skipped(tmp_path):
    (tmp_path / "values.yaml").write_text("replicas: 3\nimage:\n  tag: latest\n")
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n")
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}\n')
    (tmp_path / "empty.json").write_text("")
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    names = ["values.yaml", "docker-compose.yml", "package.json", "empty.json"]
    proc = run_cli(["lint", *names, ".pre-commit-config.yaml"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "IAC" not in proc.stdout


def _git(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


PACKAGE = ("src/", "rules/", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


def _snapshot_checkout(dest: Path, env: dict) -> str:
    """This checkout's working tree as a one-commit repository; returns the commit. Tracked
    files as they are now, and untracked ones only where the package lives (never a
    virtual environment, a cache or other debris an ignore file happens to miss)."""
    tracked = _git("ls-files", "-z", "--cached", cwd=ROOT)
    others = _git("ls-files", "-z", "--others", "--exclude-standard", cwd=ROOT)
    if tracked.returncode == 0 and others.returncode == 0:
        names = [n for n in tracked.stdout.split("\0") if n]
        names += [n for n in others.stdout.split("\0") if n and n.startswith(PACKAGE)]
    else:  # not a git checkout (an unpacked sdist): what a pip install needs
        keep = PACKAGE
        names = [
            p.relative_to(ROOT).as_posix()
            for p in ROOT.rglob("*")
            if p.is_file() and p.relative_to(ROOT).as_posix().startswith(keep)
        ]
    for name in names:
        source = ROOT / name
        if source.is_file() and "__pycache__" not in name:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        assert _git(*step, cwd=dest, env=env).returncode == 0, step
    return _git("rev-parse", "HEAD", cwd=dest, env=env).stdout.strip()


def test_commit_is_refused_with_the_finding_and_a_fixed_one_passes(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install '.[test]')")
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "TF_VAR_"))}
    env.pop("SKIP", None)  # pre-commit's way of skipping hooks
    env.update(
        GIT_AUTHOR_NAME="iaccert test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="iaccert test",
        GIT_COMMITTER_EMAIL="test@example.com",
        GIT_CONFIG_NOSYSTEM="1",
        PRE_COMMIT_HOME=str(tmp_path / "cache"),
    )
    hook_repo = tmp_path / "hooks"
    hook_repo.mkdir()
    rev = _snapshot_checkout(hook_repo, env)

    project = tmp_path / "project"
    (project / "infra").mkdir(parents=True)
    assert _git("init", "-q", cwd=project, env=env).returncode == 0
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo.as_posix()}\n    rev: {rev}\n"
        "    hooks:\n      - id: iaccert\n      - id: iaccert-all\n"
    )
    (project / "values.yaml").write_text("replicas: 3\n")  # not a template: skipped
    shutil.copy(FIXTURES / "tf_iac101_email" / "main.tf", project / "infra" / "main.tf")

    def commit(message: str) -> subprocess.CompletedProcess:
        subprocess.run(["git", "add", "-A"], cwd=project, env=env, check=True, timeout=60)
        return subprocess.run(
            ["git", "commit", "-m", message],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert installed.returncode == 0, installed.stderr

    bad = commit("EMAIL-validated certificate")
    output = bad.stdout + bad.stderr
    assert bad.returncode != 0, output
    assert "infra/main.tf:16:1: IAC101 [error]" in output, output
    assert "Failed" in output
    assert (
        _git("rev-parse", "--verify", "HEAD", cwd=project, env=env).returncode != 0
    )  # nothing committed

    # file names that look like options: read as options, they would write a baseline of
    # today's findings (the hook passes) or read policy.tf as the configuration
    # (at the top: pre-commit passes them as they are, with no directory in front)
    argv_names = ["--write-baseline=b.tf", "--config=policy.tf", "policy.tf"]
    for name in argv_names[:2]:
        (project / name).write_text("")
    (project / "policy.tf").write_text('ignore = ["IAC"]\n')
    tricked = commit("file names that look like options")
    output = tricked.stdout + tricked.stderr
    assert tricked.returncode != 0, output
    assert re.search(r"^iaccert\.{3,}\s*Failed$", output, re.MULTILINE), output  # this hook
    assert "infra/main.tf:16:1: IAC101 [error]" in output, output
    assert not (project / "b.tf").exists()
    for name in argv_names:
        (project / name).unlink()

    shutil.rmtree(project / "infra")
    shutil.copytree(FIXTURES / "tf_pass_regional_v2", project / "infra")
    good = commit("DNS-validated certificate")
    output = good.stdout + good.stderr
    assert good.returncode == 0, output
    assert output.count("Passed") == 2, output  # both hooks ran

    # A shared module and two callers; then commits that touch only the module, or only a
    # caller's tfvars: the file hook must check them through the roots they break.
    (project / "modules" / "cert").mkdir(parents=True)
    (project / "modules" / "cert" / "main.tf").write_text(SHARED_MODULE)
    for env_name in ("prod", "dev"):
        (project / "envs" / env_name).mkdir(parents=True)
        (project / "envs" / env_name / "main.tf").write_text(CALLER.replace("ENV", env_name))
    assert commit("shared certificate module").returncode == 0
    hook_failed = re.compile(r"^iaccert\.{3,}\s*Failed$", re.MULTILINE)

    module = project / "modules" / "cert" / "main.tf"
    module.write_text(SHARED_MODULE.replace("= var.method", '= "EMAIL"'))
    broken = commit("the module asks for EMAIL")
    output = broken.stdout + broken.stderr
    assert broken.returncode != 0 and hook_failed.search(output), output
    assert "IAC101 [error]" in output and "api.dev.example.com" in output, output
    # the fix is a change of its own: the refused commit left nothing behind
    module.write_text(SHARED_MODULE.replace("= var.method", "= var.method # DNS by default"))
    fixed = commit("the module follows its input again")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr

    tfvars = project / "envs" / "prod" / "terraform.tfvars"
    tfvars.write_text('method = "EMAIL"\n')
    broken = commit("prod asks for EMAIL")
    output = broken.stdout + broken.stderr
    assert broken.returncode != 0 and hook_failed.search(output), output
    assert "api.prod.example.com" in output and "api.dev.example.com" not in output, output
    tfvars.write_text('method = "DNS"\n')
    fixed = commit("prod asks for DNS")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    print(f"pre-commit end to end: {time.monotonic() - started:.1f} s")


SHARED_MODULE = """variable "domain" {
  type = string
}

variable "zone_id" {
  type = string
}

variable "method" {
  type    = string
  default = "DNS"
}

resource "aws_acm_certificate" "this" {
  domain_name       = var.domain
  validation_method = var.method

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  for_each = {
    for o in aws_acm_certificate.this.domain_validation_options : o.domain_name => o
  }

  zone_id = var.zone_id
  name    = each.value.resource_record_name
  type    = each.value.resource_record_type
  records = [each.value.resource_record_value]
  ttl     = 60
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}

output "arn" {
  value = aws_acm_certificate_validation.this.certificate_arn
}
"""

CALLER = """variable "method" {
  type    = string
  default = "DNS"
}

module "cert" {
  source  = "../../modules/cert"
  domain  = "api.ENV.example.com"
  zone_id = "Z0123456789ABCDEFGHIJ"
  method  = var.method
}

resource "aws_apigatewayv2_domain_name" "api" {
  domain_name = "api.ENV.example.com"

  domain_name_configuration {
    certificate_arn = module.cert.arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}
"""
