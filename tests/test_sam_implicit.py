"""SAM implicit APIs (ServerlessRestApi / ServerlessHttpApi) take the Globals Domain."""

from __future__ import annotations

import textwrap
from pathlib import Path

from iaccert.cloudformation import CfnOptions, load_cloudformation
from iaccert.discover import display_path

HEAD = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Prod: {Type: String, Default: "true"}
Conditions:
  IsProd: !Equals [!Ref Prod, "true"]
Globals:
  Api:
    Domain:
      DomainName: api.example.com
      CertificateArn: arn:aws:acm:us-east-1:111111111111:certificate/abc
  HttpApi:
    Domain:
      DomainName: http.example.com
      CertificateArn: arn:aws:acm:eu-west-1:111111111111:certificate/def
Resources:
"""


def domains(tmp_path: Path, resources: str) -> dict:
    path = tmp_path / "template.yaml"
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(resources), "  "), encoding="utf-8")
    project = load_cloudformation([path], [], CfnOptions(), display_path)
    return {
        r.address: r
        for r in project.resources
        if r.type.startswith("AWS::Serverless::") and "Domain" in r.attrs
    }


def test_events_without_api_id_create_the_implicit_apis_at_the_globals_domain(tmp_path):
    found = domains(
        tmp_path,
        """\
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            Events:
              Get: {Type: Api, Properties: {Path: /a, Method: get}}
              Any: {Type: HttpApi}
        """,
    )
    assert set(found) == {"ServerlessRestApi", "ServerlessHttpApi"}
    rest = found["ServerlessRestApi"]
    assert rest.attrs["Domain"]["DomainName"] == "api.example.com"
    assert rest.location.line == 8  # Globals.Api.Domain
    assert rest.line_of("Domain.CertificateArn") == 10
    assert found["ServerlessHttpApi"].location.line == 12


def test_events_naming_their_api_create_no_implicit_api(tmp_path):
    found = domains(
        tmp_path,
        """\
        Machine:
          Type: AWS::Serverless::StateMachine
          Properties:
            Events:
              Start: {Type: Api, Properties: {Path: /s, Method: post, RestApiId: !Ref Explicit}}
        Explicit:
          Type: AWS::Serverless::Api
          Properties: {StageName: prod}
        """,
    )
    assert set(found) == {"Explicit"}  # the explicit API inherits the Globals Domain itself


def test_a_state_machine_event_and_the_shared_condition_carry_over(tmp_path):
    path = tmp_path / "t.yaml"
    body = """\
    Machine:
      Type: AWS::Serverless::StateMachine
      Condition: IsProd
      Properties:
        Events:
          Start: {Type: Api, Properties: {Path: /s, Method: post}}
    """
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(body), "  "), encoding="utf-8")
    from iaccert.cloudformation.decode import decode_template
    from iaccert.cloudformation.stacks import Environment, Stack

    stack = Stack(decode_template(path, "t.yaml"), Environment(None, None, ""))
    assert stack.resources["ServerlessRestApi"]["Condition"] == "IsProd"
    assert "ServerlessHttpApi" not in stack.resources  # no HttpApi event
