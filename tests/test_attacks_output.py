"""Attacks on what iaccert prints and on what decides it (issue 12, items 3 to 6), each
through the real CLI with inputs written here:

- control characters, line breaks, workflow commands and lone surrogates in domain names,
  resource names, file names and code frames, through every ``--format``;
- a suppression moved onto another resource by line breaks the parser does not count;
- a repository's configuration that changes the verdict without saying so.

The argv-looking file names through the real pre-commit are in tests/test_precommit.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from snapshots import run_cli
from test_sarif import VALIDATOR

from iaccert.report import FORMATS

REASON = "the partner approves the renewal mail"

# -- suppressions: every line break str.splitlines knows ---------------------------------
BREAKS = ["\n", "\r\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
BREAK_IDS = [f"U+{ord(b[-1]):04X}" if b != "\r\n" else "CRLF" for b in BREAKS]
SHIFT = 8  # break characters in the header comment


def _hcl_chain(name: str) -> str:
    """An EMAIL-validated certificate (IAC101) whose block is exactly 8 lines, its validation
    and its domain."""
    return (
        f'resource "aws_acm_certificate" "{name}" {{\n'
        f'  domain_name       = "{name}.example.com"\n'
        '  validation_method = "EMAIL"\n'
        "\n"
        "  lifecycle {\n"
        "    create_before_destroy = true\n"
        "  }\n"
        "}\n"
    )


def _hcl_domains(names: list[str]) -> str:
    out = ""
    for name in names:
        out += (
            f'\nresource "aws_acm_certificate_validation" "{name}" {{\n'
            f"  certificate_arn = aws_acm_certificate.{name}.arn\n"
            "}\n\n"
            f'resource "aws_apigatewayv2_domain_name" "{name}" {{\n'
            f'  domain_name = "{name}.example.com"\n'
            "  domain_name_configuration {\n"
            f"    certificate_arn = aws_acm_certificate_validation.{name}.certificate_arn\n"
            '    endpoint_type   = "REGIONAL"\n'
            '    security_policy = "TLS_1_2"\n'
            "  }\n"
            "}\n"
        )
    return out


def _suppressed(tmp_path: Path, target: str) -> dict[str, bool]:
    """Each IAC101 finding's certificate -> whether it is suppressed."""
    proc = run_cli(["lint", target, "-f", "json", "--no-cache"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    return {
        f["resource"]: "suppressed" in f for f in report["findings"] if f["rule_id"] == "IAC101"
    }


@pytest.mark.parametrize("brk", BREAKS, ids=BREAK_IDS)
def test_hcl_suppression_stays_on_its_resource(tmp_path, brk):
    """The comment above certificate ``a`` hides a's IAC101 and never b's, however many line
    breaks the lexer does not count come before it (python-hcl2 counts only \\n). The old
    scanner counted eight more lines and put the comment right above ``b``."""
    module = tmp_path / "m"
    module.mkdir()
    text = (
        f"# generated{brk * SHIFT}# by the scaffold\n"
        f"# iaccert: ignore[IAC101] {REASON}\n"
        + _hcl_chain("a")
        + _hcl_chain("b")
        + _hcl_domains(["a", "b"])
    )
    (module / "main.tf").write_bytes(text.encode("utf-8"))
    assert _suppressed(tmp_path, "m") == {
        "aws_acm_certificate.a": True,
        "aws_acm_certificate.b": False,
    }


def _tfjson(header: str, between: str) -> str:
    def cert(name: str, comment: str) -> str:
        return (
            f'      "{name}": {{\n{comment}'
            f'        "domain_name": "{name}.example.com",\n'
            '        "validation_method": "EMAIL",\n'
            '        "lifecycle": {\n'
            '          "create_before_destroy": true\n'
            "        }\n"
            "      }"
        )

    def chain(name: str) -> str:
        return f'      "{name}": {{"certificate_arn": "${{aws_acm_certificate.{name}.arn}}"}}'

    def domain(name: str) -> str:
        return (
            f'      "{name}": {{"domain_name": "{name}.example.com", "domain_name_configuration": '
            f'{{"certificate_arn": "${{aws_acm_certificate_validation.{name}.certificate_arn}}", '
            '"endpoint_type": "REGIONAL", "security_policy": "TLS_1_2"}}'
        )

    comment = f'        "//": "iaccert: ignore[IAC101] {REASON}",\n'
    return (
        "{\n"
        f'  "//": "{header}",{between}\n'
        '  "resource": {\n'
        '    "aws_acm_certificate": {\n'
        f"{cert('a', comment)},\n{cert('b', '')}\n"
        "    },\n"
        '    "aws_acm_certificate_validation": {\n'
        f"{chain('a')},\n{chain('b')}\n"
        "    },\n"
        '    "aws_apigatewayv2_domain_name": {\n'
        f"{domain('a')},\n{domain('b')}\n"
        "    }\n"
        "  }\n"
        "}\n"
    )


@pytest.mark.parametrize("brk", BREAKS, ids=BREAK_IDS)
def test_tf_json_suppression_stays_on_its_resource(tmp_path, brk):
    """In ``.tf.json`` the decoder counts only \\n. A break JSON allows in a string (NEL,
    LS, PS) goes in the header string, one JSON allows between tokens (CR) after it; the
    others make the file invalid JSON, and then nothing may be suppressed at all."""
    module = tmp_path / "m"
    module.mkdir()
    in_string = brk in ("\x85", "\u2028", "\u2029")
    between = brk in ("\n", "\r\n", "\r")
    header = "generated" + (brk * SHIFT if in_string else "")
    text = _tfjson(header, brk * SHIFT if between else "")
    if not (in_string or between):
        text = text.replace('"generated"', json.dumps("generated")[:-1] + brk * SHIFT + '"')
    (module / "main.tf.json").write_bytes(text.encode("utf-8"))
    found = _suppressed(tmp_path, "m")
    if in_string or between:
        assert found == {"aws_acm_certificate.a": True, "aws_acm_certificate.b": False}
    else:
        assert not any(found.values())  # invalid JSON (IAC000): no resource, nothing hidden


def _yaml_template(header: str) -> str:
    def chain(name: str, comment: str) -> str:
        cap = name.upper()
        return (
            f"{comment}"
            f"  Cert{cap}:\n"
            "    Type: AWS::CertificateManager::Certificate\n"
            "    Properties:\n"
            f"      DomainName: {name}.example.com\n"
            "      ValidationMethod: EMAIL\n"
            f"  Domain{cap}:\n"
            "    Type: AWS::ApiGatewayV2::DomainName\n"
            "    Properties:\n"
            f"      DomainName: {name}.example.com\n"
            "      DomainNameConfigurations:\n"
            f"        - CertificateArn: !Ref Cert{cap}\n"
            "          EndpointType: REGIONAL\n"
        )

    return (
        f"# {header}\n"
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n" + chain("a", f"  # iaccert: ignore[IAC101] {REASON}\n") + chain("b", "")
    )


@pytest.mark.parametrize("brk", BREAKS, ids=BREAK_IDS)
def test_yaml_template_suppression_stays_on_its_resource(tmp_path, brk):
    """YAML counts CR, LF, CRLF, NEL, LS and PS; the other splitlines breaks are characters
    YAML refuses (the template is salvaged section by section, numbered as YAML numbers)."""
    (tmp_path / "template.yaml").write_bytes(
        _yaml_template(f"generated{brk * SHIFT}# by the scaffold").encode("utf-8")
    )
    found = _suppressed(tmp_path, "template.yaml")
    assert found.get("CertB") is False, found
    assert found.get("CertA") in (True, None), found  # never b's, and a's when a is read


def _json_template(header: str) -> str:
    def chain(name: str) -> dict:
        cap = name.upper()
        cert = {
            "Type": "AWS::CertificateManager::Certificate",
            "Properties": {"DomainName": f"{name}.example.com", "ValidationMethod": "EMAIL"},
        }
        if name == "a":
            cert["Metadata"] = {"iaccert": {"ignore": [{"id": "IAC101", "reason": REASON}]}}
        domain = {
            "Type": "AWS::ApiGatewayV2::DomainName",
            "Properties": {
                "DomainName": f"{name}.example.com",
                "DomainNameConfigurations": [
                    {"CertificateArn": {"Ref": f"Cert{cap}"}, "EndpointType": "REGIONAL"}
                ],
            },
        }
        return {f"Cert{cap}": cert, f"Domain{cap}": domain}

    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": header,
        "Resources": {**chain("a"), **chain("b")},
    }
    return json.dumps(template, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("brk", BREAKS, ids=BREAK_IDS)
def test_json_template_suppression_stays_on_its_resource(tmp_path, brk):
    """A JSON template (read by cfn-lint's YAML decoder first) with breaks in a string."""
    (tmp_path / "template.json").write_bytes(
        _json_template(f"generated{brk * SHIFT}by the scaffold").encode("utf-8")
    )
    found = _suppressed(tmp_path, "template.json")
    assert found.get("CertB") in (False, None), found
    if "CertB" in found:
        assert found.get("CertA") is True, found


# -- hostile strings through every format ------------------------------------------------
ROOT_DIR = Path(__file__).resolve().parent.parent
EMAIL_FIXTURE = ROOT_DIR / "fixtures" / "tf_iac101_email" / "main.tf"
# what a terminal or a CI log would obey: OSC (title), CSI (clear screen), CR (draw over the
# line), BEL, a newline starting a workflow command, LS, the legacy command form, RLO
EVIL = (
    "a\x1b]0;pwned\x07\x1b[2J\r0 errors\\n::add-mask::secret\u2028::error::forged"
    "##[stop-commands]tok\u202e\x85.example.com"
)
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
OUR_COMMAND = re.compile(
    r"^::(error|warning|notice) (file=[^,:]*,line=\d+,endLine=\d+,)?title=[^:,]*::"
)


def _hostile_repo(tmp_path: Path) -> Path:
    """A repository whose domain names, resource names, file names and source lines carry
    control characters, line breaks, workflow commands and lone surrogates."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    source = EMAIL_FIXTURE.read_text(encoding="utf-8")
    evil = source.replace("partners.example.com", EVIL).replace(
        'resource "aws_apigatewayv2_domain_name" "partner_api"',
        'resource "aws_apigatewayv2_domain_name" "p\x1b[31m\u2028::error::x"',
    )
    (repo / "::add-mask::m1").mkdir()  # a path that would start a workflow command
    (repo / "::add-mask::m1" / "main.tf").write_text(evil, encoding="utf-8")
    named = repo / "named"
    named.mkdir()
    (named / "x\x1b[2J\n::error file=a::forged\u2028.tf").write_text(source, encoding="utf-8")
    surrogate = {
        "resource": {
            "aws_acm_certificate": {
                "c": {"domain_name": "\ud800.example.com", "validation_method": "EMAIL"}
            },
            "aws_apigatewayv2_domain_name": {
                "d": {
                    "domain_name": "\ud800.example.com",
                    "domain_name_configuration": {
                        "certificate_arn": "${aws_acm_certificate.c.arn}",
                        "endpoint_type": "REGIONAL",
                        "security_policy": "TLS_1_2",
                    },
                }
            },
        }
    }
    (repo / "surrogate").mkdir()  # json.dumps writes the lone surrogate as \ud800
    (repo / "surrogate" / "main.tf.json").write_text(json.dumps(surrogate), encoding="utf-8")
    not_utf8 = os.fsencode(repo) + b"/bytes\xff"  # a directory name that is not UTF-8
    os.mkdir(not_utf8)
    with open(not_utf8 + b"/main.tf", "w", encoding="utf-8") as fh:
        fh.write(source)
    return repo


def _lint_bytes(repo: Path, *args: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_VAR_")}
    proc = subprocess.run(
        [sys.executable, "-m", "iaccert", "lint", ".", "--no-cache", *args],
        cwd=repo,
        capture_output=True,
        env=env,
        timeout=120,
    )
    # strict: every format writes valid UTF-8, whatever the input
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory) -> dict[str, str]:
    repo = _hostile_repo(tmp_path_factory.mktemp("hostile"))
    out = {}
    for fmt in FORMATS:
        code, stdout, stderr = _lint_bytes(repo, "-f", fmt)
        assert code == 1, (fmt, stderr)  # the findings, never an internal error
        assert stderr == "", (fmt, stderr)
        out[fmt] = stdout
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_line_of_any_format_starts_with_data(hostile_reports, fmt):
    """The runner obeys ``::command`` at the start of a line (after blanks) and the legacy
    ``##[command]`` anywhere in it: only our own annotations may be either."""
    for line in hostile_reports[fmt].splitlines():
        if line.lstrip().startswith("::"):
            assert fmt == "github" and OUR_COMMAND.match(line), line
        assert "##[" not in line and "##vso[" not in line.lower(), line


@pytest.mark.parametrize("fmt", ["text", "concise", "github"])
def test_control_characters_are_shown_not_obeyed(hostile_reports, fmt):
    report = hostile_reports[fmt]
    assert RAW.search(report) is None, repr(RAW.search(report))
    assert "\ud800" not in report
    assert r"a\x1b]0;pwned\x07\x1b[2J\r0 errors" in report  # visible, in the message
    assert r"\u2028" in report and r"\u202e" in report
    if fmt == "text":  # the code frame shows the line with the hostile string, escaped
        assert r'   domain_name       = "a\x1b]0;pwned\x07' in report


def test_github_annotations_escape_file_and_message(hostile_reports):
    lines = hostile_reports["github"].splitlines()
    named = [line for line in lines if "named/" in line]
    assert named and all(
        line.startswith("::error file=named/x\\x1b[2J\\n%3A%3Aerror") for line in named
    )
    assert (
        "::add-mask::secret" not in hostile_reports["github"].replace("%3A", ":").split("::", 2)[0]
    )


def test_junit_is_valid_xml_for_any_input(hostile_reports):
    root = ET.fromstring(hostile_reports["junit"].encode("utf-8"))
    names = [case.get("name") for case in root.iter("testcase")]
    assert any(r"\x1b[31m" in name for name in names), names
    assert r"\ud800.example.com" in hostile_reports["junit"]  # shown, and the XML is valid


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_json_encodes_every_value(hostile_reports):
    report = json.loads(hostile_reports["json"])
    assert not any(re.search("[\ud800-\udfff]", s) for s in _strings(report))
    messages = " ".join(f["message"] for f in report["findings"])
    assert "\ufffd.example.com" in messages and EVIL.replace("\\n", "\n") in messages


def test_sarif_validates_and_keeps_file_identity(hostile_reports):
    log = json.loads(hostile_reports["sarif"])
    assert not list(VALIDATOR.iter_errors(log))
    assert not any(re.search("[\ud800-\udfff]", s) for s in _strings(log))
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in log["runs"][0]["results"]
        for loc in result["locations"]
        if "physicalLocation" in loc
    }
    assert "bytes%FF/main.tf" in uris  # the bytes on disk, percent-encoded
    texts = [r["message"]["text"] for r in log["runs"][0]["results"]]
    assert any(r"##\[stop-commands\]" in t for t in texts)  # SARIF plain text: brackets escaped


def test_escape_module_units():
    from iaccert.report import escape

    assert (
        escape.text("a\x1b[0m\tb\r\n\x85\u2028\ud800\x7f") == r"a\x1b[0m\tb\r\n\x85\u2028\ud800\x7f"
    )
    assert (
        escape.text("## heading ##[error]x ##VSO[task]")
        == r"## heading ##\x5berror]x ##VSO\x5btask]"
    )
    assert escape.line_head("::error::x") == "./::error::x"
    assert escape.line_head("\u00a0::error::x") == r"./" + "\u00a0::error::x"
    assert escape.line_head("main.tf:1:1") == "main.tf:1:1"
    assert escape.actions_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"
    assert escape.sarif_text(r"x [a] \[b]") == r"x \[a\] \\\[b\]"
    assert escape.json_safe({"\udcff": ["\ud800x"]}) == {"\ufffd": ["\ufffdx"]}
    assert escape.uri_path("d/\udcff x.tf") == "d/%FF%20x.tf"


# -- a repository's configuration is never silent -----------------------------------------
def _silenced_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "infra").mkdir()
    (repo / "infra" / "main.tf").write_text(EMAIL_FIXTURE.read_text("utf-8"), encoding="utf-8")
    (repo / ".iaccert.toml").write_text('ignore = ["IAC"]\n', encoding="utf-8")
    return repo


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_configuration_that_silences_everything_is_visible(tmp_path, fmt):
    """``ignore = ["IAC"]`` makes the run pass: every format says which file did it."""
    repo = _silenced_repo(tmp_path)
    code, out, _ = _lint_bytes(repo, "-f", fmt)
    assert code == 0
    if fmt in ("text", "concise", "github"):
        assert '; configuration .iaccert.toml: ignore = ["IAC"]' in out.splitlines()[-1]
    if fmt == "github":
        assert (
            '::notice title=iaccert configuration::configuration .iaccert.toml: ignore = ["IAC"]'
            in out
        )
    if fmt == "json":
        assert json.loads(out)["configuration"] == {
            "file": ".iaccert.toml",
            "changes": {"ignore": ["IAC"]},
        }
    if fmt == "sarif":
        log = json.loads(out)
        assert not list(VALIDATOR.iter_errors(log))
        props = log["runs"][0]["invocations"][0]["properties"]
        assert props["configuration"]["changes"] == {"ignore": ["IAC"]}
    if fmt == "junit":
        props = {p.get("name"): p.get("value") for p in ET.fromstring(out).iter("property")}
        assert props == {"configuration": ".iaccert.toml", "configuration.ignore": '["IAC"]'}
    # --no-config: the central policy, and nothing about a file
    code, out, _ = _lint_bytes(repo, "-f", fmt, "--no-config")
    assert code == 1 and ".iaccert.toml" not in out


def test_search_stops_at_the_scanned_directory_without_a_repository(tmp_path):
    """Outside a repository a configuration in a parent directory (/tmp, a home directory:
    anyone's) is never read."""
    (tmp_path / ".iaccert.toml").write_text('ignore = ["IAC"]\n', encoding="utf-8")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(EMAIL_FIXTURE.read_text("utf-8"))
    code, out, _ = _lint_bytes(tmp_path / "infra", "-f", "concise")
    assert code == 1 and "IAC101" in out and "configuration" not in out


def test_show_settings_says_where_each_value_came_from(tmp_path):
    repo = _silenced_repo(tmp_path)
    (repo / ".iaccert.toml").write_text(
        'ignore = ["IAC110"]\nfail-on = "error"\n[severity]\nIAC104 = "error"\n', encoding="utf-8"
    )
    code, out, _ = _lint_bytes(repo, "--show-settings", "--ignore", "IAC109", "--fail-on", "note")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "# configuration file: .iaccert.toml"
    assert 'ignore = ["IAC110", "IAC109"]  # .iaccert.toml + --ignore' in lines
    assert 'fail-on = "note"  # --fail-on' in lines
    assert 'severity = {"IAC104": "error"}  # .iaccert.toml' in lines
    assert "expiry-days = 30  # default" in lines
    reported = lines[-1].removeprefix("# rules reported: ").split(", ")
    assert "IAC101" in reported and "IAC110" not in reported and "IAC109" not in reported


def test_configuration_values_are_escaped_in_messages(tmp_path):
    """An invalid value from the repository's file is quoted in the error: escaped."""
    repo = _silenced_repo(tmp_path)
    (repo / ".iaccert.toml").write_text('ignore = ["x\\n::add-mask::y\\u001b[2J"]\n')
    code, out, err = _lint_bytes(repo)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and RAW.search(err) is None, err
