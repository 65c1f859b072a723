"""A module input is read as Terraform converts it to its type: optional attributes left
out are null or their default, and a null input of a non-nullable variable is its default."""

from __future__ import annotations

from pathlib import Path

from iaccert.scan import scan

MODULE = """
variable "listeners" {
  type = map(object({
    certificate_arn             = optional(string)
    additional_certificate_arns = optional(list(string), [])
  }))
  default  = {}
  nullable = false
}

resource "aws_lb_listener" "this" {
  for_each          = var.listeners
  load_balancer_arn = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/web/1"
  certificate_arn   = each.value.certificate_arn
}

resource "aws_lb_listener_certificate" "this" {
  for_each        = { for k, v in var.listeners : k => v.additional_certificate_arns[0] if length(v.additional_certificate_arns) > 0 }
  listener_arn    = aws_lb_listener.this[each.key].arn
  certificate_arn = each.value
}
"""

ROOT = """
provider "aws" {
  region = "eu-west-1"
}
resource "aws_acm_certificate" "web" {
  domain_name       = "www.example.com"
  validation_method = "EMAIL"
}
module "lb" {
  source    = "./lb"
  listeners = LISTENERS
}
"""


def _scan(tmp_path: Path, listeners: str):
    (tmp_path / "lb").mkdir()
    (tmp_path / "lb" / "main.tf").write_text(MODULE)
    (tmp_path / "main.tf").write_text(ROOT.replace("LISTENERS", listeners))
    return scan([tmp_path])


def test_optional_attributes_left_out_are_null_or_their_default(tmp_path):
    result = _scan(
        tmp_path,
        "{\n    https = { certificate_arn = aws_acm_certificate.web.arn }\n    http  = {}\n  }",
    )
    # the plain listener's certificate is null: a listener needs none, so it has no chain
    chains = {c.domain.address: c.certificate.origin for c in result.chains}
    assert chains == {'module.lb.aws_lb_listener.this["https"]': "resource"}
    # the listener certificate's list defaults to [] for both: none is attached
    assert sorted(f.rule.id for f in result.findings) == ["IAC101", "IAC110"]


def test_null_input_of_a_non_nullable_variable_is_its_default(tmp_path):
    result = _scan(tmp_path, "null")
    # for_each over the default {}: the listener is latent, not an error on null
    [chain] = result.chains
    assert chain.domain.address == "module.lb.aws_lb_listener.this"
    assert "for_each is empty" in chain.certificate.reason
