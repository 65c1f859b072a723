"""The CloudFormation front end: intrinsics, parameters, conditions and worlds, SAM,
nested stacks, CDK manifests, decoder errors, detection, and the lazy cfn-lint import."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from snapshots import FIXTURES, ROOT, run_cli

from iaccert.cloudformation import CfnOptions, load_cloudformation, looks_like_template
from iaccert.discover import discover, display_path
from iaccert.model import Computed, Unknown
from iaccert.scan import findings_for, scan


def load(tmp_path: Path, text: str, name: str = "template.yaml", **options):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_cloudformation([path], [], CfnOptions(**options), display_path)


def thing(expr: str, extra: str = "", **options) -> object:
    """The resolved value of one property ``V: <expr>`` of a test resource."""
    import tempfile

    template = (
        "Parameters:\n"
        "  Zone: {Type: String, Default: example.com}\n"
        "  NoDefault: {Type: String}\n"
        "  Names: {Type: CommaDelimitedList, Default: 'a, b,c'}\n"
        "  FromSsm: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /certs/api}\n"
        "Mappings:\n"
        "  Zones: {prod: {Name: prod.example.com}}\n"
        "Conditions:\n"
        "  Always: !Equals [a, a]\n"
        "  Never: !Not [!Condition Always]\n"
        f"{extra}"
        "Resources:\n"
        "  Cert: {Type: 'AWS::CertificateManager::Certificate', Properties: {DomainName: x.com}}\n"
        "  Bucket: {Type: 'AWS::S3::Bucket'}\n"
        "  Lookup: {Type: 'Custom::Lookup', Properties: {ServiceToken: arn}}\n"
        "  Thing:\n"
        "    Type: AWS::Test::Thing\n"
        "    Properties:\n"
        f"      V: {expr}\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        project = load(Path(tmp), template, **options)
    assert not project.problems, project.problems
    found = {r.address: r for r in project.resources}["Thing"]
    return found.attrs.get("V", "<absent>")


# -- intrinsics ------------------------------------------------------------------------------
def test_refs_of_parameters_resources_and_pseudo_parameters():
    assert thing("!Ref Zone") == "example.com"
    assert thing("!Ref Zone", parameters=[("Zone", "example.org")]) == "example.org"
    assert thing("!Ref Cert") == Computed("Cert", "arn")  # a certificate's Ref is its ARN
    assert thing("!Ref Bucket") == Computed("Bucket", "ref")
    assert thing("!Ref Names") == ["a", "b", "c"]
    assert thing("!Ref AWS::Region", region="eu-west-1") == "eu-west-1"
    assert thing("!Ref AWS::NoValue") == "<absent>"
    missing = thing("!Ref NoDefault")
    assert isinstance(missing, Unknown)
    assert "parameter NoDefault (" in missing.reason and ":3) has no value" in missing.reason
    ssm = thing("!Ref FromSsm")
    assert isinstance(ssm, Unknown) and "SSM parameter '/certs/api'" in ssm.reason
    region = thing("!Ref AWS::Region")
    assert isinstance(region, Unknown) and "--region" in region.reason


def test_getatt_sub_join_select_split_find_in_map():
    assert thing("!GetAtt Bucket.Arn") == Computed("Bucket", "Arn")
    assert thing("{'Fn::GetAtt': [Bucket, DomainName]}") == Computed("Bucket", "DomainName")
    assert thing('!Sub "api.${Zone}"') == "api.example.com"
    assert thing("!Sub ['${Sub}.${Zone}', {Sub: www}]") == "www.example.com"
    assert thing('!Sub "${!Literal}-${AWS::Region}"', region="us-east-1") == "${Literal}-us-east-1"
    assert thing('!Sub "${Cert}"') == Computed("Cert", "arn")
    assert thing("!Join ['.', [api, !Ref Zone]]") == "api.example.com"
    assert thing("!Select [1, !Split [',', 'a,b,c']]") == "b"
    assert thing("!Select ['0', !Ref Names]") == "a"
    assert thing("!FindInMap [Zones, prod, Name]") == "prod.example.com"
    assert thing("!FindInMap [Zones, dev, Name, {DefaultValue: none}]") == "none"
    partial = thing('!Sub "arn:aws:acm:${AWS::Region}:1:certificate/${NoDefault}"')
    assert isinstance(partial, Unknown) and "AWS::Region" in partial.reason
    assert "NoDefault" in partial.reason
    built = thing('!Sub "${Bucket.Arn}/x"')
    assert isinstance(built, Unknown) and built.refs == frozenset({Computed("Bucket", "Arn")})


def test_if_import_value_and_custom_resources():
    assert thing("!If [Always, one, two]") == "one"
    assert thing("!If [Never, one, two]") == "two"
    assert thing("!If [Never, one, !Ref AWS::NoValue]") == "<absent>"
    imported = thing("!ImportValue {'Fn::Sub': '${Zone}-cert'}")
    assert isinstance(imported, Unknown)
    assert "Fn::ImportValue 'example.com-cert'" in imported.reason
    custom = thing("!GetAtt Lookup.CertificateArn")
    assert (
        isinstance(custom, Unknown) and "custom resource Lookup (Custom::Lookup)" in custom.reason
    )
    assert custom.refs == frozenset({Computed("Lookup", "CertificateArn")})
    assert isinstance(thing("!GetAZs ''"), Unknown)
    assert isinstance(thing("!Ref Nowhere"), Unknown)


def test_parameters_file_both_shapes_and_cli_precedence(tmp_path):
    template = """
        Parameters:
          A: {Type: String}
          B: {Type: String, Default: b}
        Resources:
          Thing: {Type: AWS::Test::Thing, Properties: {A: !Ref A, B: !Ref B}}
        """
    cli_form = tmp_path / "cli.json"
    cli_form.write_text(json.dumps([{"ParameterKey": "A", "ParameterValue": "from-file"}]))
    pipeline_form = tmp_path / "pipeline.json"
    pipeline_form.write_text(json.dumps({"Parameters": {"A": "a", "B": "from-file"}}))
    got = load(tmp_path, template, parameters_file=cli_form).resources[0].attrs
    assert got == {"A": "from-file", "B": "b"}
    got = (
        load(tmp_path, template, parameters_file=pipeline_form, parameters=[("B", "cli")])
        .resources[0]
        .attrs
    )
    assert got == {"A": "a", "B": "cli"}
    broken = tmp_path / "broken.json"
    broken.write_text("{nope")
    project = load(tmp_path, template, parameters_file=broken)
    assert [p.file for p in project.problems] == [display_path(broken)]


# -- conditions and worlds ---------------------------------------------------------------
DOMAIN_WITH_IF = """
    Parameters:
      Env: {Type: String}
    Conditions:
      IsProd: !Equals [!Ref Env, prod]
      IsNotProd: !Not [!Condition IsProd]
      HasTags: !Equals [!Ref Env, tagged]
    Resources:
      Good:
        Type: AWS::CertificateManager::Certificate
        Properties:
          DomainName: api.example.com
          ValidationMethod: DNS
          DomainValidationOptions: [{DomainName: api.example.com, HostedZoneId: Z1}]
      Bad:
        Type: AWS::CertificateManager::Certificate
        Properties:
          DomainName: api.example.com
          ValidationMethod: !If [IsNotProd, EMAIL, DNS]
      Domain:
        Type: AWS::ApiGatewayV2::DomainName
        Properties:
          DomainName: api.example.com
          DomainNameConfigurations:
            - CertificateArn: !If [IsProd, !Ref Good, !Ref Bad]
          Tags: !If [HasTags, {Team: a}, {Team: b}]
    """


def test_every_branch_of_an_undecided_if_is_analysed_once(tmp_path):
    project = load(tmp_path, DOMAIN_WITH_IF)
    result = findings_for(project)
    domains = sorted(c.domain.address for c in result.chains)
    # IsNotProd follows from IsProd, and the Tags condition is not part of any chain.
    assert domains == ["Domain (if IsProd)", "Domain (if not IsProd)"]
    hits = [(f.rule.id, f.resource, f.domain) for f in result.findings]
    assert hits == [("IAC101", "Bad", "Domain (if not IsProd)")]


def test_a_decided_if_makes_no_variants(tmp_path):
    project = load(tmp_path, DOMAIN_WITH_IF, parameters=[("Env", "prod")])
    result = findings_for(project)
    assert [c.domain.address for c in result.chains] == ["Domain"]
    assert result.findings == []


def test_worlds_are_bounded(tmp_path):
    conditions = "".join(f"  C{i}: !Equals [!Ref P{i}, x]\n" for i in range(6))
    params = "".join(f"  P{i}: {{Type: String}}\n" for i in range(6))
    labels = ", ".join(f"!If [C{i}, a{i}, b{i}]" for i in range(6))
    text = (
        f"Parameters:\n{params}Conditions:\n{conditions}Resources:\n"
        "  D:\n    Type: AWS::ApiGatewayV2::DomainName\n    Properties:\n"
        f"      DomainName: !Join ['.', [{labels}, example, com]]\n"
        "      DomainNameConfigurations:\n"
        "        - CertificateArn: arn:aws:acm:us-east-1:1:certificate/x\n"
    )
    project = load(tmp_path, text)
    chains = findings_for(project).chains
    assert 1 < len(chains) <= 8  # 64 combinations, at most 8 worlds
    assert any(isinstance(c.name, Unknown) for c in chains)  # the rest stay undecided
    [limit] = project.problems
    assert limit.rule == "IAC001" and "max-worlds" in limit.message and "C3" in limit.message


def test_a_switched_off_resource_is_checked_without_the_values_that_switch_it_off(tmp_path):
    project = load(
        tmp_path,
        """
        Parameters:
          CertificateArn: {Type: String, Default: ''}
        Conditions:
          HasCertificate: !Not [!Equals [!Ref CertificateArn, '']]
        Resources:
          Domain:
            Type: AWS::ApiGateway::DomainName
            Condition: HasCertificate
            Properties:
              DomainName: api.example.com
              CertificateArn: !Ref CertificateArn
        """,
    )
    value = project.resources[0].attrs["CertificateArn"]
    assert isinstance(value, Unknown)
    assert "parameter CertificateArn" in value.reason and "switches Domain off" in value.reason


# -- SAM, nested stacks, CDK -------------------------------------------------------------
def test_sam_domain_from_globals_and_apis_without_domain(tmp_path):
    project = load(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Api:
            Domain:
              DomainName: a.example.com
              CertificateArn: arn:aws:acm:us-east-1:1:certificate/global
        Resources:
          Inherits:
            Type: AWS::Serverless::Api
            Properties: {StageName: prod}
          Overrides:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              Domain:
                CertificateArn: arn:aws:acm:us-east-1:1:certificate/own
          Plain:
            Type: AWS::Serverless::HttpApi
        """,
    )
    by = {r.address: r for r in project.resources}
    assert set(by) == {"Inherits", "Overrides"}  # an API without a domain is no domain
    assert by["Inherits"].attrs["Domain"]["CertificateArn"].endswith("/global")
    assert by["Overrides"].attrs["Domain"] == {
        "DomainName": "a.example.com",
        "CertificateArn": "arn:aws:acm:us-east-1:1:certificate/own",
    }
    assert by["Inherits"].attr_lines["Domain.CertificateArn"] == 7  # written in Globals
    assert by["Overrides"].attr_lines["Domain.CertificateArn"] == 17
    chains = findings_for(project).chains
    assert {c.endpoint_type for c in chains} == {"REGIONAL"}  # SAM's default


def test_nested_stack_outputs_and_the_child_is_no_root(tmp_path):
    (tmp_path / "child.yaml").write_text(
        textwrap.dedent(
            """
            Parameters:
              Name: {Type: String}
            Resources:
              Cert:
                Type: AWS::CertificateManager::Certificate
                Properties: {DomainName: !Ref Name, ValidationMethod: EMAIL}
            Outputs:
              Arn: {Value: !Ref Cert}
            """
        )
    )
    (tmp_path / "parent.yaml").write_text(
        textwrap.dedent(
            """
            Resources:
              Certs:
                Type: AWS::CloudFormation::Stack
                Properties:
                  TemplateURL: child.yaml
                  Parameters: {Name: api.example.com}
              Domain:
                Type: AWS::ApiGatewayV2::DomainName
                Properties:
                  DomainName: api.example.com
                  DomainNameConfigurations:
                    - CertificateArn: !GetAtt Certs.Outputs.Arn
            """
        )
    )
    targets = discover([tmp_path])
    assert len(targets.cfn_templates) == 2
    project = load_cloudformation(targets.cfn_templates, [], CfnOptions(), display_path)
    assert sorted(r.address for r in project.resources) == ["Certs", "Certs/Cert", "Domain"]
    result = findings_for(project)
    assert [(f.rule.id, f.resource, f.domain) for f in result.findings] == [
        ("IAC101", "Certs/Cert", "Domain")
    ]


def test_cdk_manifest_without_a_region(tmp_path):
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "S": {
                        "type": "aws:cloudformation:stack",
                        "environment": "aws://unknown-account/unknown-region",
                        "properties": {"templateFile": "S.template.json"},
                    }
                }
            }
        )
    )
    (out / "S.template.json").write_text(
        json.dumps({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {}}}})
    )
    targets = discover([tmp_path])
    assert [p.name for p in targets.cdk_manifests] == ["manifest.json"]
    project = load_cloudformation(targets.cfn_templates, targets.cdk_manifests, CfnOptions(), str)
    region = project.resources[0].region
    assert region.name is None and "CDK stack S" in region.why_unknown
    project = load_cloudformation(
        targets.cfn_templates, targets.cdk_manifests, CfnOptions(region="eu-west-2"), str
    )
    assert project.resources[0].region.name == "eu-west-2"


def test_cdk_and_sam_nested_stacks(tmp_path):
    child = {
        "Parameters": {"CertArn": {"Type": "String"}},
        "Resources": {
            "D": {
                "Type": "AWS::ApiGatewayV2::DomainName",
                "Properties": {
                    "DomainName": "a.example.com",
                    "DomainNameConfigurations": [{"CertificateArn": {"Ref": "CertArn"}}],
                },
            }
        },
    }
    (tmp_path / "AppNestedStackAB12.nested.template.json").write_text(json.dumps(child))
    (tmp_path / "app.yaml").write_text(json.dumps(child))
    parent = {
        "Resources": {
            "Cert": {
                "Type": "AWS::CertificateManager::Certificate",
                "Properties": {"DomainName": "a.example.com", "ValidationMethod": "EMAIL"},
            },
            "Nested": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {
                    "TemplateURL": {"Fn::Join": ["", ["https://s3.", {"Ref": "AWS::URLSuffix"}]]},
                    "Parameters": {"CertArn": {"Ref": "Cert"}},
                },
                "Metadata": {"aws:asset:path": "AppNestedStackAB12.nested.template.json"},
            },
            "App": {
                "Type": "AWS::Serverless::Application",
                "Properties": {"Location": "app.yaml", "Parameters": {"CertArn": {"Ref": "Cert"}}},
            },
        }
    }
    (tmp_path / "Parent.template.json").write_text(json.dumps(parent))
    result = scan([tmp_path])
    assert sorted((f.rule.id, f.domain) for f in result.findings) == [
        ("IAC101", "App/D"),
        ("IAC101", "Nested/D"),
    ]


def test_rule_doc_examples_fire_and_their_fixes_are_clean(tmp_path):
    import re

    from iaccert.catalog import rules

    for rule in rules().values():
        if "cloudformation" not in rule.applies_to:
            continue
        for section, fires in (("example", True), ("use_instead", False)):
            blocks = re.findall(r"```(yaml|json)\n(.*?)```", rule.docs.get(section, ""), re.S)
            for index, (lang, body) in enumerate(blocks):
                case = tmp_path / f"{rule.id}_{section}_{index}"
                case.mkdir()
                (case / f"template.{lang}").write_text(body)
                fired = {f.rule.id for f in scan([case]).findings}
                assert (rule.id in fired) is fires, (rule.id, section, fired)
                if not fires:
                    assert not fired - {"IAC109"}, (rule.id, section, fired)


# -- rules that do not apply -------------------------------------------------------------
def test_terraform_only_rules_never_fire_on_cloudformation():
    for case in sorted(FIXTURES.glob("cfn_*")):
        result = scan([case])
        fired = {f.rule.id for f in result.findings}
        assert not fired & {"IAC103", "IAC104", "IAC107", "IAC110"}, case.name


# -- decoding and detection --------------------------------------------------------------
def test_decoder_errors_are_problems_and_the_scan_goes_on(tmp_path):
    (tmp_path / "dup.yaml").write_text(
        "Resources:\n  A:\n    Type: AWS::S3::Bucket\n  A:\n    Type: AWS::S3::Bucket\n"
    )
    bomb = ["AWSTemplateFormatVersion: '2010-09-09'", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    (tmp_path / "bomb.yaml").write_text("\n".join(bomb) + "\nResources: {}\n")
    (tmp_path / "latin1.yaml").write_bytes(b"AWSTemplateFormatVersion: '\xe9'\nResources: {}\n")
    (tmp_path / "ok.yaml").write_text(
        "Resources:\n  D:\n    Type: AWS::ApiGatewayV2::DomainName\n"
        "    Properties: {DomainName: a.example.com}\n"
    )
    result = scan([tmp_path])
    problems = {Path(f.location.file).name: f for f in result.findings if f.rule.id == "IAC000"}
    assert set(problems) == {"dup.yaml", "bomb.yaml", "latin1.yaml"}
    assert problems["dup.yaml"].location.line == 4  # the duplicate, once
    assert "alias" in problems["bomb.yaml"].message.lower()
    assert [c.domain.address for c in result.chains] == ["D"]


def test_an_unexpected_error_is_a_problem_for_that_template(tmp_path, monkeypatch):
    from iaccert.cloudformation import stacks

    def boom(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(stacks.RootLoad, "resources", boom)
    project = load(tmp_path, "Resources:\n  B: {Type: AWS::S3::Bucket}\n")
    assert [p.message for p in project.problems] == ["cannot analyse template: RuntimeError: boom"]


@pytest.mark.parametrize(
    ("name", "text", "template"),
    [
        ("template.yaml", "AWSTemplateFormatVersion: '2010-09-09'\n", True),
        ("api.template", '{\n  "Resources": {"A": {"Type": "AWS::S3::Bucket"}}\n}\n', True),
        ("sam.yml", "Resources:\n  F:\n    Type: 'AWS::Serverless::Function'\n", True),
        ("main.tf.json", '{"Resources": {"A": {"Type": "AWS::S3::Bucket"}}}', False),
        ("package.json", '{"Resources": {"A": {"Type": "AWS::S3::Bucket"}}}', False),
        ("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n", False),
        ("ci.yml", "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n", False),
        (
            "serverless.yml",
            "resources:\n  Resources:\n    D:\n      Type: AWS::S3::Bucket\n",
            False,
        ),
    ],
)
def test_detection_prefilter(tmp_path, name, text, template):
    path = tmp_path / name
    path.write_text(text)
    assert looks_like_template(path) is template


# -- the CLI and the lazy import ---------------------------------------------------------
def test_region_and_parameters_from_the_command_line(tmp_path):
    case = FIXTURES / "cfn_iac111_wrong_attribute"
    proc = run_cli(["lint", str(case), "-f", "json", "--region", "eu-west-1"], tmp_path)
    rules = sorted(f["rule_id"] for f in json.loads(proc.stdout)["findings"])
    assert rules == ["IAC105", "IAC111", "IAC111"]
    case = FIXTURES / "cfn_iac109_parameter"
    arn = "CertificateArn=arn:aws:acm:eu-west-1:123456789012:certificate/abc"
    proc = run_cli(
        ["lint", str(case), "-f", "json", "--parameter", arn, "--region", "us-east-1"], tmp_path
    )
    rules = sorted(f["rule_id"] for f in json.loads(proc.stdout)["findings"])
    assert rules == ["IAC105", "IAC109", "IAC109"]
    proc = run_cli(["lint", str(case), "--parameters-file", "nope.json"], tmp_path)
    assert proc.returncode == 2 and "nope.json" in proc.stderr
    proc = run_cli(["lint", str(case), "--parameter", "no-equals-sign"], tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_a_terraform_only_scan_never_imports_cfn_lint():
    code = (
        "import sys; from pathlib import Path; from iaccert.scan import scan; "
        "scan([Path('fixtures/tf_pass_regional_v2')]); print('cfnlint' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
