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
