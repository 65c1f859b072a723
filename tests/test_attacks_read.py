"""Attacks on reading (issue 12): a hostile repository cannot make iaccert read outside it.

Each test builds a repository (a directory holding ``.git``) next to an ``outside`` directory
that stands for the rest of the CI runner: other checkouts, credentials. Symbolic links,
FIFOs, devices, module sources, ``modules.json`` directories, nested stacks and var-files
try to reach it; a planted secret must appear in no output format, and the scan must finish
promptly, within a memory limit, with a finding that says what was not read.

The CLI runs in a subprocess with a timeout and an address-space limit (``RLIMIT_AS``), so a
read that blocks or a read of an endless file fails the test instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

SECRET = "PLANTEDSECRET7Q"  # in every outside file; must never reach a report
FORMATS = ("text", "concise", "json", "sarif", "github", "junit")
MEMORY = 1024 * 1024 * 1024  # RLIMIT_AS of the scanning process
TIMEOUT = 60  # seconds: a blocking read would hit it

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files and limits")

DOMAIN_TF = """resource "aws_apigatewayv2_domain_name" "api" {
  domain_name = %s
  domain_name_configuration {
    certificate_arn = %s
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}
"""
LITERAL_ARN = '"arn:aws:acm:eu-west-1:123456789012:certificate/1"'
OUTSIDE_TEMPLATE = f"""AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Domain:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: {SECRET.lower()}.example.com
      RegionalCertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/1
      EndpointConfiguration:
        Types: [REGIONAL]
"""
OUTSIDE_CERT_TF = f"""resource "aws_acm_certificate" "this" {{
  domain_name       = "{SECRET.lower()}.example.com"
  validation_method = "EMAIL"
}}

output "arn" {{
  value = aws_acm_certificate.this.arn
}}
"""


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def lint(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``iaccert lint`` in the repository, under the time and memory limits."""
    full_env = dict(env or {})  # first: /proc/self/environ starts with them
    full_env.update((k, v) for k, v in os.environ.items() if not k.startswith("TF_VAR_"))
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "iaccert", "lint", *args, "--no-cache"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=TIMEOUT,
        preexec_fn=_limits,
    )
    assert time.monotonic() - start < TIMEOUT
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    return proc


def every_format(repo: Path, *args: str, secret: str = SECRET) -> dict[str, str]:
    """Each format's report; none may carry the secret (in any letter case)."""
    out = {}
    for fmt in FORMATS:
        proc = lint(repo, *args, "-f", fmt)
        assert proc.returncode in (0, 1), f"{fmt}: exit {proc.returncode}\n{proc.stderr}"
        report = proc.stdout + proc.stderr
        assert secret.lower() not in report.lower(), f"{fmt} leaks the secret:\n{report}"
        out[fmt] = proc.stdout
    return out


def findings(repo: Path, *args: str) -> list[dict]:
    proc = lint(repo, *args, "-f", "json")
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """``tmp/repo`` (a git work tree: it holds ``.git``) and ``tmp/outside``."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def not_read(found: list[dict], file: str) -> dict:
    """The IAC000 that says ``file`` was not read."""
    hits = [f for f in found if f["rule_id"] == "IAC000" and f["file"] == file]
    assert hits, f"no IAC000 for {file}: {found}"
    assert hits[0]["message"].startswith("not read:"), hits[0]["message"]
    return hits[0]


# -- file symlinks out of the tree -------------------------------------------------------
def test_tf_file_linked_to_credentials_outside(repo):
    creds = write(
        repo.parent / "outside" / "credentials",
        f"[default]\naws_access_key_id = AKIA{SECRET}\naws_secret_access_key = {SECRET}x\n",
    )
    write(repo / "infra" / "apigw.tf", DOMAIN_TF % ('"api.example.com"', LITERAL_ARN))
    (repo / "infra" / "aws.tf").symlink_to(creds)
    every_format(repo, ".")
    found = not_read(findings(repo, "."), "infra/aws.tf")
    assert "outside the repository" in found["message"]


def test_auto_tfvars_json_linked_outside(repo):
    values = write(repo.parent / "outside" / "values.json", json.dumps({"name": SECRET.lower()}))
    write(repo / "apigw.tf", 'variable "name" {\n  default = "api"\n}\n')
    write(repo / "domain.tf", DOMAIN_TF % ('"${var.name}.example.com"', LITERAL_ARN))
    (repo / "prod.auto.tfvars.json").symlink_to(values)
    every_format(repo, ".")
    found = findings(repo, ".")
    not_read(found, "prod.auto.tfvars.json")
    assert any("'api.example.com'" in f["message"] for f in found), found


def test_template_linked_outside(repo):
    template = write(repo.parent / "outside" / "stack.yaml", OUTSIDE_TEMPLATE)
    write(repo / "main.tf", DOMAIN_TF % ('"api.example.com"', LITERAL_ARN))
    (repo / "stack.yaml").symlink_to(template)
    every_format(repo, ".")
    not_read(findings(repo, "."), "stack.yaml")


def test_symlinks_inside_the_repository_are_followed(repo):
    write(repo / "shared" / "domain.tf", DOMAIN_TF % ('"inside.example.com"', LITERAL_ARN))
    (repo / "env").mkdir()
    (repo / "env" / "domain.tf").symlink_to(repo / "shared" / "domain.tf")
    found = findings(repo, "env")
    assert any("'inside.example.com'" in f["message"] for f in found), found
    assert not [f for f in found if f["rule_id"] == "IAC000"], found


def test_proc_self_environ(repo):
    write(repo / "apigw.tf", DOMAIN_TF % ('"api.example.com"', LITERAL_ARN))
    (repo / "env.tf").symlink_to("/proc/self/environ")
    for fmt in FORMATS:
        proc = lint(repo, ".", "-f", fmt, env={"PLANTED_VARIABLE": SECRET})
        assert SECRET not in proc.stdout + proc.stderr, f"{fmt}:\n{proc.stdout}"
        assert "PLANTED_VARIABLE" not in proc.stdout + proc.stderr, f"{fmt}:\n{proc.stdout}"
    not_read(findings(repo, "."), "env.tf")


# -- endless files and FIFOs --------------------------------------------------------------
SPECIAL_NAMES = ("x.yaml", "cdk.out/manifest.json", ".terraform/modules/modules.json", "x.tf")


def _special(path: Path, kind: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")


@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
@pytest.mark.parametrize("name", SPECIAL_NAMES)
def test_fifo_or_endless_file_finishes_with_a_finding(repo, name, kind):
    write(repo / "main.tf", DOMAIN_TF % ('"api.example.com"', LITERAL_ARN))
    _special(repo / name, kind)
    found = findings(repo, ".")
    shown = name
    hit = not_read(found, shown)
    assert "regular file" in hit["message"] or "outside the repository" in hit["message"]
    assert any(f["rule_id"] == "IAC109" for f in found), "the rest of the scan did not run"


def test_fifo_state_file_of_remote_state(repo):
    write(
        repo / "main.tf",
        'data "terraform_remote_state" "certs" {\n  backend = "local"\n'
        '  config = {\n    path = "certs.tfstate"\n  }\n}\n'
        + DOMAIN_TF
        % ('"api.example.com"', "data.terraform_remote_state.certs.outputs.arn"),
    )
    os.mkfifo(repo / "certs.tfstate")
    found = findings(repo, ".")
    unresolved = [f for f in found if f["rule_id"] == "IAC109"]
    assert unresolved and "not read" in unresolved[0]["message"], found


def test_sparse_gigabyte_tf_is_refused_without_reading_it(repo):
    write(repo / "main.tf", DOMAIN_TF % ('"api.example.com"', LITERAL_ARN))
    big = repo / "big.tf"
    big.write_text('# resource "aws_apigatewayv2_domain_name"\n')
    os.truncate(big, 1024 * 1024 * 1024)  # sparse: no disk, but reading it needs 1 GiB
    for extra in ((), ("--no-prefilter",)):
        found = findings(repo, ".", *extra)
        hit = not_read(found, "big.tf")
        assert "larger than 5 MiB" in hit["message"]


# -- repository configuration and references ---------------------------------------------
@pytest.mark.parametrize("target", ["/etc/passwd", "../outside/secrets.tfvars"])
def test_config_var_files_outside_are_refused(repo, target):
    write(repo.parent / "outside" / "secrets.tfvars", f'name = "{SECRET.lower()}"\n')
    write(repo / ".iaccert.toml", f'var-files = ["{target}"]\n')
    write(repo / "vars.tf", 'variable "name" {\n  default = "api"\n}\n')
    write(repo / "main.tf", DOMAIN_TF % ('"${var.name}.example.com"', LITERAL_ARN))
    reports = every_format(repo, ".", secret=SECRET)
    assert "root:x:0" not in "".join(reports.values()), "read /etc/passwd"
    found = findings(repo, ".")
    refused = [f for f in found if f["rule_id"] == "IAC000" and "not read" in f["message"]]
    assert refused and "outside the repository" in refused[0]["message"], found


def test_var_file_named_on_the_command_line_is_read_wherever_it_is(repo):
    write(repo.parent / "outside" / "prod.tfvars", 'name = "prod-api"\n')
    write(repo / "vars.tf", 'variable "name" {\n  default = "api"\n}\n')
    write(repo / "main.tf", DOMAIN_TF % ('"${var.name}.example.com"', LITERAL_ARN))
    found = findings(repo, ".", "--var-file", "../outside/prod.tfvars")
    assert any("'prod-api.example.com'" in f["message"] for f in found), found


def test_module_source_outside(repo):
    write(repo.parent / "outside" / "certs" / "main.tf", OUTSIDE_CERT_TF)
    write(
        repo / "envs" / "prod" / "main.tf",
        'module "certs" {\n  source = "../../../outside/certs"\n}\n'
        + DOMAIN_TF % ('"api.example.com"', "module.certs.arn"),
    )
    every_format(repo, ".")
    found = findings(repo, ".")
    unresolved = [f for f in found if f["rule_id"] == "IAC109"]
    assert unresolved and "outside the repository" in unresolved[0]["message"], found


def test_allow_root_lets_a_module_outside_be_read(repo):
    write(repo.parent / "outside" / "certs" / "main.tf", OUTSIDE_CERT_TF)
    write(
        repo / "main.tf",
        'module "certs" {\n  source = "../outside/certs"\n}\n'
        + DOMAIN_TF % ('"api.example.com"', "module.certs.arn"),
    )
    found = findings(repo, ".", "--allow-root", "../outside")
    assert any(f["rule_id"] == "IAC101" for f in found), found


@pytest.mark.parametrize("absolute", [True, False], ids=["absolute", "escaping"])
def test_modules_json_dir_outside(repo, absolute):
    certs = write(repo.parent / "outside" / "certs" / "main.tf", OUTSIDE_CERT_TF).parent
    write(
        repo / "main.tf",
        'module "certs" {\n  source = "example/certs/aws"\n  version = "1.0.0"\n}\n'
        + DOMAIN_TF % ('"api.example.com"', "module.certs.arn"),
    )
    directory = str(certs) if absolute else "../outside/certs"
    entry = {"Key": "certs", "Source": "registry.terraform.io/example/certs/aws", "Dir": directory}
    write(repo / ".terraform" / "modules" / "modules.json", json.dumps({"Modules": [entry]}))
    every_format(repo, ".")
    unresolved = [f for f in findings(repo, ".") if f["rule_id"] == "IAC109"]
    assert unresolved and "modules.json" in unresolved[0]["message"], unresolved


def test_modules_json_dir_inside_is_followed(repo):
    write(repo / ".terraform" / "modules" / "certs" / "main.tf", OUTSIDE_CERT_TF)
    write(
        repo / "main.tf",
        'module "certs" {\n  source = "example/certs/aws"\n}\n'
        + DOMAIN_TF % ('"api.example.com"', "module.certs.arn"),
    )
    entry = {"Key": "certs", "Source": "example/certs/aws", "Dir": ".terraform/modules/certs"}
    write(repo / ".terraform" / "modules" / "modules.json", json.dumps({"Modules": [entry]}))
    assert any(f["rule_id"] == "IAC101" for f in findings(repo, ".")), "not followed"


def test_nested_stack_template_outside(repo):
    write(
        repo.parent / "outside" / "certs.yaml",
        OUTSIDE_TEMPLATE + "Outputs:\n  Arn:\n    Value: !Ref Domain\n",
    )
    write(
        repo / "stack.yaml",
        """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Certs:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ../outside/certs.yaml
  Domain:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: api.example.com
      RegionalCertificateArn: !GetAtt Certs.Outputs.Arn
      EndpointConfiguration:
        Types: [REGIONAL]
""",
    )
    every_format(repo, ".", "--region", "eu-west-1")
    found = findings(repo, ".", "--region", "eu-west-1")
    unresolved = [f for f in found if f["rule_id"] == "IAC109"]
    assert unresolved and "outside the repository" in unresolved[0]["message"], found


# -- what messages quote --------------------------------------------------------------------
def test_parse_error_quotes_a_bounded_token(repo):
    write(repo / "apigw.tf", DOMAIN_TF % ('"api.example.com"', LITERAL_ARN))
    write(repo / "notes.tf", f"[default]\nkey = AKIA{SECRET}\n" + "x" * 500 + "\n")
    key = "K" * 70 + SECRET  # a duplicate key: the decoder's message quotes it
    resource = f"  {key}:\n    Type: AWS::S3::Bucket\n"
    write(repo / "dup.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + resource * 2)
    for fmt in ("concise", "json", "sarif", "github", "junit"):  # text shows the frame
        proc = lint(repo, ".", "-f", fmt)
        assert SECRET not in proc.stdout, f"{fmt} quotes past the offending token"
    found = findings(repo, ".")
    for file in ("notes.tf", "dup.yaml"):
        message = iac000_message(found, file)
        assert len(message) < 130, message


def iac000_message(found: list[dict], file: str) -> str:
    hits = [f["message"] for f in found if f["rule_id"] == "IAC000" and f["file"] == file]
    assert hits, found
    return hits[0]


# -- the check itself, in process -----------------------------------------------------------
def test_safe_read_refuses_on_what_the_file_is(repo):
    from iaccert.safe_read import Refused, Roots, read_bytes, read_head

    roots = Roots.of([repo])
    write(repo / "ok.tf", "x")
    (repo / "inside_link.tf").symlink_to(repo / "ok.tf")
    (repo / "outside_link.tf").symlink_to(write(repo.parent / "outside" / "s", SECRET))
    os.mkfifo(repo / "fifo.tf")  # reading it would block forever
    big = repo / "big.tf"
    big.touch()
    os.truncate(big, 11)
    assert read_bytes(repo / "inside_link.tf", roots) == b"x"
    assert read_head(big, roots, 4) == b"\0" * 4  # a head, whatever the size
    cases = {
        "outside_link.tf": "a symbolic link that leads outside the repository",
        "fifo.tf": "a FIFO, not a regular file",
        "big.tf": "larger than 10 bytes",
    }
    for name, reason in cases.items():
        with pytest.raises(Refused) as refused:
            read_bytes(repo / name, roots, limit=10)
        assert refused.value.reason == reason
        assert SECRET not in str(refused.value)
    with pytest.raises(Refused, match="outside the repository"):
        read_bytes(repo.parent / "outside" / "s", roots)
    named = roots.with_files([repo.parent / "outside" / "s"])  # --var-file and the like
    assert read_bytes(repo.parent / "outside" / "s", named) == SECRET.encode()


def test_repository_root_is_the_git_work_tree_else_the_path(repo, tmp_path):
    from iaccert.safe_read import repository_root

    write(repo / "envs" / "prod" / "main.tf", "")
    assert repository_root(repo / "envs" / "prod") == repo.resolve()
    assert repository_root(repo / "envs" / "prod" / "main.tf") == repo.resolve()
    loose = write(tmp_path / "loose" / "t.yaml", "")
    assert repository_root(loose) == loose.parent.resolve()
    (repo / "link.yaml").symlink_to(loose)  # a linked file belongs where the link is
    assert repository_root(repo / "link.yaml") == repo.resolve()


def test_quote_keeps_one_bounded_line():
    from iaccert.safe_read import quote

    assert quote("}") == "'}'"
    assert quote("[default]\nkey = " + SECRET) == "'[default]'…"
    assert quote("a" * 500) == repr("a" * 60) + "…"


@pytest.mark.parametrize(
    "name", ["terraform.tfvars.json", ".terraform/modules/modules.json", "cdk.out/manifest.json"]
)
def test_deeply_nested_json_next_to_the_code(repo, name):
    write(repo / "main.tf", DOMAIN_TF % ('"api.example.com"', LITERAL_ARN))
    write(repo / "stack.yaml", OUTSIDE_TEMPLATE.replace(SECRET.lower(), "stack"))  # CFN too
    deep = "[" * 100_000 + "]" * 100_000
    write(repo / name, f'{{"x": {deep}, "artifacts": "aws:cloudformation:stack"}}')
    found = findings(repo, ".")  # no internal error, no traceback
    assert any(f["rule_id"] == "IAC109" for f in found), found


def test_real_paths_resolved_once_per_directory_are_os_realpath(tmp_path, monkeypatch):
    """The per-scan cache of directory real paths gives what os.path.realpath gives, for
    plain files, a file that is a link, a linked directory and '..' after a link."""
    from iaccert.safe_read import Roots

    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "mod").mkdir(parents=True)
    outside.mkdir()
    (repo / "mod" / "main.tf").write_text("x")
    (outside / "secret.tf").write_text("y")
    (repo / "mod" / "leak.tf").symlink_to(outside / "secret.tf")
    (repo / "linked").symlink_to(outside)
    monkeypatch.chdir(repo)
    roots = Roots((repo.resolve(),))
    shapes = ["mod/main.tf", "mod/leak.tf", "linked/secret.tf", "linked/../repo/mod/main.tf"]
    for _ in range(2):  # the second time from the cache
        for shape in shapes:
            assert roots.real_path(shape) == os.path.realpath(shape), shape
    assert roots.outside(Path("mod/main.tf")) is None
    assert "symbolic link" in roots.outside(Path("mod/leak.tf"))
    assert "symbolic link" in roots.outside(Path("linked/secret.tf"))
