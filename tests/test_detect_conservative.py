"""The template prefilter rules a file out only when no spelling of a template fits."""

from __future__ import annotations

import pytest

from iaccert.cloudformation import looks_like_template


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.yaml", 'Resources:\n  D:\n    Type: "AWS\\x3a\\x3aApiGateway\\x3a\\x3aDomainName"\n'),
        (
            "b.yaml",
            'Resources:\n  D:\n    Type: "AWS\\u003a\\u003aApiGateway\\u003a\\u003aDomainName"\n',
        ),
        (
            "c.json",
            '{"Resources": {"D": {"Type": "AWS\\u003a\\u003aApiGatewayV2\\u003a\\u003aX"}}}',
        ),
        ("d.json", '{"\\u0052esources": {"D": {"Type": "AWS::ApiGateway::DomainName"}}}'),
        ("e.yaml", '"\\x52esources":\n  D:\n    Type: AWS::ApiGateway::DomainName\n'),
        ("f.yaml", "Resources: {D: {Type: AWS::ApiGateway::DomainName}}\n"),
        ("g.yaml", "x: &t AWS::ApiGateway::DomainName\nResources:\n  D:\n    Type: *t\n"),
        ("h.yaml", 'Resources:\n  D:\n    Type: "AWS:\\\n      :ApiGateway::DomainName"\n'),
        ("i.yaml", "!!str Resources:\n  D:\n    Type: !!str AWS::ApiGateway::DomainName\n"),
        ("j.yaml", '"AWSTemplateFormat\\x56ersion": "2010-09-09"\n'),
        ("k.json", '\ufeff{"Resources": {"D": {"Type": "AWS::S3::Bucket"}}}'),
    ],
)
def test_escaped_or_unusual_spellings_are_parsed(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert looks_like_template(path)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deploy.yaml", 'apiVersion: v1\nkind: ConfigMap\ndata: {k: "a\\x3ab"}\n'),
        ("values.yaml", "Resources:\n  limits: {cpu: 1}\n"),  # no AWS type anywhere
        ("serverless.yml", "resources:\n  Resources:\n    D:\n      Type: AWS::S3::Bucket\n"),
    ],
)
def test_files_that_cannot_be_templates_are_still_ruled_out(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert not looks_like_template(path)
