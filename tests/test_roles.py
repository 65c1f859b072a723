"""rules/bindings.yaml loads into validated roles: a typo is an error at load, never a
silently missing chain; and every role fact a check reports has a place in the code."""

from __future__ import annotations

import copy

import pytest
import yaml

from iaccert.compiled import rules_dir
from iaccert.roles import RolesError, parse_roles, roles


def shipped() -> dict:
    return yaml.safe_load((rules_dir() / "bindings.yaml").read_text(encoding="utf-8"))


def broken(edit) -> dict:
    data = copy.deepcopy(shipped())
    edit(data)
    return data


def test_the_shipped_bindings_load():
    table = roles()
    assert "aws_cloudfront_distribution" in table.consumers
    assert table.consumers["aws_lb_listener"].attachments[0].type == "aws_lb_listener_certificate"
    assert table.certificates["aws_acm_certificate"].validation == "resource"


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (
            lambda d: d["consumers"]["aws_api_gateway_domain_name"].update(nmaes=["$.x"]),
            "consumers.aws_api_gateway_domain_name: unknown key(s) nmaes",
        ),
        (
            lambda d: d["consumers"]["aws_appsync_domain_name"].pop("region"),
            "consumers.aws_appsync_domain_name: missing required key(s) region",
        ),
        (
            lambda d: d["consumers"]["aws_appsync_domain_name"].update(region="eu-west-1"),
            "consumers.aws_appsync_domain_name.region: 'eu-west-1' is not one of",
        ),
        (
            lambda d: d["consumers"]["aws_cloudfront_distribution"].update(names=["$.aliases[*"]),
            "consumers.aws_cloudfront_distribution.names[0]: selector '$.aliases[*' does not parse",
        ),
        (
            lambda d: d["consumers"]["aws_cloudfront_distribution"].update(names=["aliases"]),
            "must be a string starting with '$.'",
        ),
        (
            lambda d: d["certificates"]["aws_acm_certificate"].update(validation="manual"),
            "certificates.aws_acm_certificate.validation: 'manual' is not one of",
        ),
        (
            lambda d: d["consumers"]["aws_api_gateway_domain_name"]["certificates"][0].update(
                endpoint_types=["EGDE"]
            ),
            "certificates[0].endpoint_types: EGDE not one of",
        ),
        (
            lambda d: d["consumers"]["aws_lb_listener"]["attachments"][0].pop("consumer"),
            "attachments[0]: missing required key(s) consumer",
        ),
        (
            lambda d: d["consumers"]["aws_api_gateway_domain_name"].pop("endpoint_type"),
            "region by-endpoint-type needs endpoint_type",
        ),
        (lambda d: d.update(domains={}), "bindings: unknown key(s) domains"),
    ],
)
def test_a_bad_bindings_entry_is_an_error_at_load(edit, says):
    with pytest.raises(RolesError, match=None) as raised:
        parse_roles(broken(edit))
    assert says in str(raised.value)


def test_every_consumer_slot_and_selector_compiles_and_has_a_noun():
    for role in roles().consumers.values():
        assert role.noun in ("domain", "distribution", "listener")
        assert role.certificates
        assert role.region in ("us-east-1", "own", "by-endpoint-type")


def test_attributes_read_include_attachments_and_nested_heads():
    read = roles().attributes_read()
    assert read["AWS::CloudFront::Distribution"] == {"DistributionConfig"}
    assert read["aws_lb_listener_certificate"] == {"listener_arn", "certificate_arn"}
