"""Amplification attacks: small inputs that describe huge values or huge work.

Each input runs the real CLI in a subprocess under rlimits (1 GiB of address space, 10 s
of CPU): the run must finish normally and report the limit it hit as IAC001 (or the right
finding). No wall-clock assertion: the CPU limit kills a run that loops, the memory limit
one that builds a value too large, and either shows as a failed run here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

resource = pytest.importorskip("resource")  # POSIX only

MEMORY = 1 << 30  # bytes of address space
CPU = 10  # seconds

CERT = """
resource "aws_acm_certificate" "cert" {
  domain_name       = "api.example.com"
  validation_method = "EMAIL"
}

resource "aws_apigatewayv2_domain_name" "api" {
  domain_name = "api.example.com"
  domain_name_configuration {
    certificate_arn = aws_acm_certificate.cert.arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}
"""


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU, CPU))


def lint(path: Path, *args: str) -> tuple[int, dict]:
    """The CLI's JSON report under the rlimits; a crash or a kill fails the test."""
    proc = subprocess.run(
        [sys.executable, "-m", "iaccert", "lint", str(path), "-f", "json", "--no-cache", *args],
        capture_output=True,
        text=True,
        preexec_fn=_limits,
        cwd=path if path.is_dir() else path.parent,
        check=False,
    )
    assert proc.returncode in (0, 1), (
        f"exit {proc.returncode} (negative: killed by that signal, a limit?)\n{proc.stderr[-2000:]}"
    )
    return proc.returncode, json.loads(proc.stdout)


def limit_messages(report: dict) -> list[str]:
    return [f["message"] for f in report["findings"] if f["rule_id"] == "IAC001"]


def use(expr: str) -> str:
    """A resource attribute that takes ``expr``: what resources take is evaluated."""
    return f'resource "aws_route53_zone" "z" {{\n  comment = {expr}\n  name = "example.com"\n}}\n'


def write(tmp_path: Path, text: str, name: str = "main.tf") -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


def assert_limit(report: dict, name: str, rest: tuple[str, ...] = ("IAC101",)) -> None:
    messages = limit_messages(report)
    assert any(f"limit {name} reached" in m for m in messages), messages
    # the rest of the scan goes on: the certificate in the same root is still checked
    assert any(f["rule_id"] in rest for f in report["findings"]), report["findings"]


def test_doubling_locals(tmp_path):
    lines = ['  l0 = "xx"']
    lines += [f'  l{i} = "${{local.l{i - 1}}}${{local.l{i - 1}}}"' for i in range(1, 41)]
    text = "locals {\n" + "\n".join(lines) + "\n}\n"
    text += use("local.l40") + CERT
    _, report = lint(write(tmp_path, text))
    assert_limit(report, "max-string-length")


def test_doubling_lists(tmp_path):
    """The same list twice in a list, 40 times: tiny in memory, 2^40 elements to walk."""
    lines = ['  l0 = ["x"]'] + [f"  l{i} = [local.l{i - 1}, local.l{i - 1}]" for i in range(1, 41)]
    text = "locals {\n" + "\n".join(lines) + "\n}\n"
    text += use("flatten(local.l40)") + CERT
    _, report = lint(write(tmp_path, text))
    assert_limit(report, "max-value-size")


@pytest.mark.parametrize(
    "expr",
    [
        'format("%s%s%s%s%s%s", local.big, local.big, local.big, local.big, local.big, local.big)',
        "join(local.big, range(10000))",
        'format("%3000000000s", "x")',
        '"x" * 3000000000',
    ],
    ids=["format", "join-range", "format-width", "string-times"],
)
def test_repetition(tmp_path, expr):
    """A string repeated through format, join and range, or by `*` (Terraform's `*` is
    numeric: "x" is not a number, so that one is an error, never a repetition)."""
    big = "x" * 200_000
    text = f'locals {{\n  big = "{big}"\n  r = {expr}\n}}\n'
    text += use("local.r") + CERT
    _, report = lint(write(tmp_path, text))
    if "*" in expr:
        assert any(f["rule_id"] == "IAC101" for f in report["findings"])
    else:
        assert_limit(report, "max-string-length")


def test_chained_replace(tmp_path):
    lines = ['  r0 = "xxxxxxxxxx"']
    lines += [f'  r{i} = replace(local.r{i - 1}, "x", "xxxxxxxxxx")' for i in range(1, 12)]
    text = "locals {\n" + "\n".join(lines) + "\n}\n"
    text += use("local.r11") + CERT
    _, report = lint(write(tmp_path, text))
    assert_limit(report, "max-string-length")


def test_concat_doubling(tmp_path):
    lines = ['  c0 = ["x"]'] + [
        f"  c{i} = concat(local.c{i - 1}, local.c{i - 1})" for i in range(1, 41)
    ]
    text = "locals {\n" + "\n".join(lines) + "\n}\n"
    text += use("local.c40") + CERT
    _, report = lint(write(tmp_path, text))
    assert_limit(report, "max-items")


def test_integer_squaring(tmp_path):
    lines = ["  n0 = 3"] + [f"  n{i} = local.n{i - 1} * local.n{i - 1}" for i in range(1, 41)]
    text = "locals {\n" + "\n".join(lines) + "\n}\n"
    text += use("local.n40") + CERT
    _, report = lint(write(tmp_path, text))
    assert_limit(report, "max-number-bits")


def test_pathological_regex(tmp_path):
    """Exponential backtracking for a backtracking engine; RE2 is linear."""
    text = 'locals {\n  s = "' + "a" * 40 + 'b"\n'
    text += '  r = replace(local.s, "/^(a|a)*$/", "")\n}\n'
    text += (
        'resource "aws_acm_certificate" "named" {\n'
        '  domain_name       = local.r == "" ? "x.example.com" : "api.example.com"\n'
        '  validation_method = "EMAIL"\n}\n'
    )
    _, report = lint(write(tmp_path, text + CERT))
    assert any(f["rule_id"] == "IAC101" for f in report["findings"])


def test_regex_rejected_by_re2_is_unknown(tmp_path):
    """A backreference is not RE2: the value is unknown with the reason, nothing crashes."""
    text = 'locals {\n  r = replace("aa", "/(a)\\\\1/", "")\n}\n'
    text += use("local.r") + CERT
    code, report = lint(write(tmp_path, text))
    assert code == 1 and any(f["rule_id"] == "IAC101" for f in report["findings"])


def test_nested_module_multiplication(tmp_path):
    """Six levels of module calls with count = 10: a million module instances."""
    for level in range(6):
        directory = tmp_path / f"m{level}"
        directory.mkdir()
        body = 'variable "i" {\n  default = 0\n}\n'
        if level < 5:
            body += f'module "next" {{\n  source = "../m{level + 1}"\n  count  = 10\n}}\n'
        else:
            body += 'resource "aws_route53_zone" "z" {\n  name = "z${var.i}.example.com"\n}\n'
        (directory / "main.tf").write_text(body)
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('module "top" {\n  source = "../m0"\n  count  = 10\n}\n' + CERT)
    _, report = lint(tmp_path)
    assert_limit(report, "max-total-instances")


def test_long_line_redaction_in_text_format(tmp_path):
    """A 100 KB line in a file with a finding: the text format's redaction is linear."""
    long_line = "secret" * 17_000
    text = CERT.replace(
        '  validation_method = "EMAIL"\n', f'  validation_method = "EMAIL"\n  # {long_line}\n'
    )
    text = text + f"\nlocals {{\n  note = <<EOT\n{long_line}\nEOT\n}}\n"
    write(tmp_path, text)
    proc = subprocess.run(
        [sys.executable, "-m", "iaccert", "lint", str(tmp_path), "--no-cache"],
        capture_output=True,
        text=True,
        preexec_fn=_limits,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "IAC101" in proc.stdout


def test_over_keyed_json_template(tmp_path):
    keys = ", ".join(f'"K{i}": "v"' for i in range(40_000))
    template = (
        '{"AWSTemplateFormatVersion": "2010-09-09", "Metadata": {' + keys + "},"
        ' "Resources": {"Cert": {"Type": "AWS::CertificateManager::Certificate",'
        ' "Properties": {"DomainName": "api.example.com", "ValidationMethod": "EMAIL"}}}}'
    )
    path = tmp_path / "template.json"
    path.write_text(template)
    _, report = lint(path)
    messages = [f["message"] for f in report["findings"] if f["rule_id"] in ("IAC000", "IAC001")]
    assert any("max-template-keys" in m for m in messages), report["findings"]


def test_undecided_condition_over_large_values(tmp_path):
    """Each element chooses between two large lists by a condition the code does not decide:
    looking through them for references is work, and counted as such."""
    text = 'variable "flag" {}\n'
    text += "locals {\n  big = range(10000)\n"
    text += "  r = [for i in range(10000) : var.flag ? local.big : reverse(local.big)]\n}\n"
    text += use("local.r") + CERT
    _, report = lint(write(tmp_path, text))
    # the steps are spent: what is evaluated after them is unknown, and says so
    assert_limit(report, "max-steps", rest=("IAC101", "IAC109"))
