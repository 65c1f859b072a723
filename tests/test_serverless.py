"""The Serverless Framework front end: variables, the resources section, the
serverless-domain-manager plugin, and IaC forms that are not analysed (IAC004)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from iaccert.model import Computed, Unknown
from iaccert.scan import scan
from iaccert.serverless.variables import Variables
from iaccert.unanalysed import find_unanalysed

DOC = {
    "provider": {"stage": "${opt:stage, 'prod'}", "region": '${opt:region, "eu-west-1"}'},
    "custom": {
        "names": {"prod": "api.example.com", "dev": "dev.example.com"},
        "name": "${self:custom.names.${sls:stage}}",
        "loop": "${self:custom.loop}",
    },
}


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("${self:custom.name}", "api.example.com"),
        ("https://${self:custom.name}/v1", "https://api.example.com/v1"),
        ("${opt:stage, 'dev'}", "dev"),
        ("${aws:region}", "eu-west-1"),
        ("${self:custom.nope, self:custom.names.dev}", "dev.example.com"),
        ("${strToBool(${self:custom.flag, 'true'})}", True),
        ("arn:${AWS::Partition}:s3:::${Bucket}", "arn:${AWS::Partition}:s3:::${Bucket}"),
    ],
)
def test_the_safe_variables_resolve(text, want):
    assert Variables(DOC, "serverless.yml").expand(text) == want


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("${env:CERT_ARN}", "environment variable"),
        ("${file(./config.json):cert}", "another file"),
        ("${file(./config.js):cert}", "JavaScript file, never executed"),
        ("${cf:shared-certs.CertArn}", "another CloudFormation stack"),
        ("${ssm:/certs/api}", "SSM parameter"),
        ("${s3:bucket/key}", "S3 object"),
        ("${opt:certificate-arn}", "--certificate-arn option"),
        ("${self:custom.loop}", "refers to itself"),
        ("cert-${env:STAGE}", "environment variable"),
    ],
)
def test_what_is_read_at_deploy_time_is_unknown_with_the_reason(text, reason):
    value = Variables(DOC, "serverless.yml").expand(text)
    assert isinstance(value, Unknown) and reason in value.reason


def test_region_from_the_command_line_is_the_deploy_option():
    assert Variables(DOC, "serverless.yml", region="ap-south-1").region() == "ap-south-1"
    assert Variables({}, "serverless.yml").region() == "us-east-1"  # the framework's default
    assert Variables({}, "serverless.yml").stage() == "dev"


def write(tmp_path: Path, text: str, name: str = "serverless.yml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def domains(result) -> dict:
    return {c.domain.address: c for c in result.chains}


def test_plugin_defaults_and_where_it_looks_for_the_certificate(tmp_path):
    write(
        tmp_path,
        """\
        provider: {name: aws, region: eu-west-1}
        custom:
          customDomain:
            rest: {domainName: a.example.com}
            websocket: {domainName: ws.example.com, endpointType: regional, certificateName: ws}
          customDomains:
            - domainName: b.example.com
              certificateArn: arn:aws:acm:us-east-1:111111111111:certificate/b
              enabled: "false"
        """,
    )
    chains = domains(scan([tmp_path]))
    assert set(chains) == {
        "custom.customDomain.rest",
        "custom.customDomain.websocket",
        "custom.customDomains[0]",
    }
    rest = chains["custom.customDomain.rest"]
    assert (rest.endpoint_type, rest.domain.attrs["apiType"]) == ("EDGE", "REST")
    lookup = rest.certificate.resource
    assert rest.certificate.origin == "lookup" and lookup.region.name == "us-east-1"
    assert (lookup.attrs["domain"], lookup.attrs["match"]) == ("a.example.com", "contained")
    ws = chains["custom.customDomain.websocket"]
    assert ws.domain.attrs["apiType"] == "WEBSOCKET" and ws.endpoint_type == "REGIONAL"
    assert ws.certificate.resource.region.name == "eu-west-1"
    assert ws.certificate.resource.attrs["match"] == "name"
    assert ws.domain.line_of("certificateArn") == 5  # the certificateName line
    latent = chains["custom.customDomains[0]"]
    assert latent.domain.latent == "enabled is false" and rest.domain.latent == ""
    assert latent.certificate.origin == "literal"
    assert isinstance(rest.domain.attrs["certificateArn"], Computed)


def test_resources_as_a_list_are_merged_and_go_through_the_cloudformation_loader(tmp_path):
    write(tmp_path / "resources", "Resources: {}\n", name="extra.yml")
    write(
        tmp_path,
        """\
        custom: {zone: example.com}
        resources:
          - ${file(resources/extra.yml)}
          - Resources:
              Cert:
                Type: AWS::CertificateManager::Certificate
                Properties: {DomainName: "api.${self:custom.zone}"}
          - Resources:
              Domain:
                Type: AWS::ApiGateway::DomainName
                Properties:
                  DomainName: api.${self:custom.zone}
                  CertificateArn: !Ref Cert
        """,
    )
    result = scan([tmp_path])
    chain = domains(result)["Domain"]
    assert chain.domain.location.file.endswith("serverless.yml")
    assert chain.domain.location.line == 9
    assert chain.name == "api.example.com"
    assert {f.rule.id for f in result.findings} == {"IAC101"}  # no ValidationMethod: EMAIL


def test_settings_read_from_elsewhere_are_not_silent(tmp_path):
    write(
        tmp_path,
        """\
        plugins: [serverless-domain-manager]
        custom: ${file(./custom.${opt:stage, 'dev'}.yml)}
        resources:
          - ${file(./missing.yml)}
        """,
    )
    found = [f for f in scan([tmp_path]).findings if f.rule.id == "IAC004"]
    assert sorted(f.location.line for f in found) == [2, 4]
    assert "custom.dev.yml" in found[0].message or "custom.dev.yml" in found[1].message


def test_a_broken_serverless_file_is_iac000_and_the_scan_goes_on(tmp_path):
    write(tmp_path / "a", "custom: {customDomain: [\n")
    write(tmp_path / "b", "custom: {customDomain: {domainName: b.example.com}}\n")
    result = scan([tmp_path])
    assert [f.rule.id for f in result.findings if f.rule.id == "IAC000"] == ["IAC000"]
    assert set(domains(result)) == {"custom.customDomain"}


# -- IaC forms that are not analysed -------------------------------------------------------
CDK_STACK = (
    "import * as apigw from 'aws-cdk-lib/aws-apigateway';\nnew apigw.DomainName(this, 'D', {});\n"
)


def test_cdk_app_without_cdk_out_says_run_cdk_synth(tmp_path):
    write(tmp_path, '{"app": "npx ts-node bin/app.ts"}', name="cdk.json")
    write(tmp_path / "lib", CDK_STACK, name="stack.ts")
    [problem] = find_unanalysed([tmp_path], str)
    assert problem.rule == "IAC004" and "cdk synth" in problem.message
    assert "stack.ts:2" in problem.message
    write(tmp_path / "cdk.out", '{"artifacts": {}}', name="manifest.json")
    assert find_unanalysed([tmp_path], str) == []  # synthesized: analysed


def test_cdk_output_directory_named_in_cdk_json(tmp_path):
    write(tmp_path, '{"app": "python app.py", "output": "out"}', name="cdk.json")
    write(tmp_path, "from aws_cdk import aws_apigateway\naws_apigateway.DomainName(x)\n", "app.py")
    write(tmp_path / "out", "{}", name="manifest.json")
    assert find_unanalysed([tmp_path], str) == []


def test_apps_without_a_custom_domain_stay_quiet(tmp_path):
    write(tmp_path / "cdk", '{"app": "x"}', name="cdk.json")
    write(tmp_path / "cdk", "new s3.Bucket(this, 'B');\n", name="stack.ts")
    write(tmp_path / "pulumi", "name: web\nruntime: nodejs\n", name="Pulumi.yaml")
    write(tmp_path / "pulumi", "new aws.s3.Bucket('b');\n", name="index.ts")
    write(tmp_path / "sls", "module.exports = {service: 'x'};\n", name="serverless.js")
    assert find_unanalysed([tmp_path], str) == []


def test_pulumi_and_script_serverless_configurations_with_a_domain(tmp_path):
    write(tmp_path / "pulumi", "name: web\nruntime: python\n", name="Pulumi.yaml")
    write(tmp_path / "pulumi", "aws.apigateway.DomainName('d', domain_name='x')\n", "__main__.py")
    write(tmp_path / "sls", "export default {custom: {customDomain: {}}};\n", name="serverless.ts")
    found = sorted(find_unanalysed([tmp_path], str), key=lambda p: p.file)
    assert [Path(p.file).name for p in found] == ["Pulumi.yaml", "serverless.ts"]
    assert "Pulumi program not analysed" in found[0].message


def test_self_references_that_fan_out_are_bounded(tmp_path):
    import time

    lines = ["custom:"] + [
        f"  v{i}: ${{self:custom.v{i + 1}}}${{self:custom.v{i + 1}}}" for i in range(40)
    ]
    lines += ["  v40: x", "  customDomain:", "    domainName: ${self:custom.v0}.example.com"]
    write(tmp_path, "\n".join(lines) + "\n")
    start = time.monotonic()
    result = scan([tmp_path])
    assert time.monotonic() - start < 20
    [chain] = result.chains
    assert isinstance(chain.name, Unknown)


def test_the_frameworks_own_domains_are_not_silent(tmp_path):
    write(tmp_path, "provider:\n  name: aws\n  domain: api.example.com\n")
    [found] = [f for f in scan([tmp_path]).findings if f.rule.id == "IAC004"]
    assert found.location.line == 3 and "provider.domain" in found.message


def test_a_template_named_serverless_yml_is_read_as_a_template(tmp_path):
    write(
        tmp_path,
        """\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          D:
            Type: AWS::ApiGateway::DomainName
            Properties: {DomainName: a.example.com, CertificateArn: arn:aws:acm:us-east-1:1:certificate/x}
        """,
    )
    assert set(domains(scan([tmp_path]))) == {"D"}
