#!/usr/bin/env python3
"""Deterministic synthetic Terraform monorepo for benchmarks.

Modules of ten files each, grouped under teams; about 3% of the modules hold an API
Gateway domain with its certificate chain (some good, some EMAIL-validated), the rest
ordinary infrastructure (buckets, roles, security groups, functions). Valid Terraform.

usage: python bench/gen_tree.py OUT_DIR FILES [--seed N] [--cfn TEMPLATES]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

VARIABLES = """variable "name_prefix" {
  type    = string
  default = "acme"
}

variable "vpc_id" {
  type    = string
  default = "vpc-0abc"
}

locals {
  common_tags = { owner = "platform", managed_by = "terraform" }
}
"""

ORDINARY = [
    """resource "aws_s3_bucket" "logs_{n}" {{
  bucket = "${{var.name_prefix}}-logs-{n}"
  tags   = local.common_tags
}}

resource "aws_s3_bucket_public_access_block" "logs_{n}" {{
  bucket                  = aws_s3_bucket.logs_{n}.id
  block_public_acls       = true
  restrict_public_buckets = true
}}
""",
    """resource "aws_iam_role" "worker_{n}" {{
  name = "worker-{n}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = "ecs-tasks.amazonaws.com" }}
    }}]
  }})
}}
""",
    """resource "aws_security_group" "app_{n}" {{
  name   = "app-{n}"
  vpc_id = var.vpc_id

  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }}
}}
""",
    """resource "aws_cloudwatch_log_group" "svc_{n}" {{
  name              = "/svc/{n}"
  retention_in_days = 30
  tags              = local.common_tags
}}
""",
]

CHAIN = """resource "aws_acm_certificate" "api" {{
  domain_name       = "api-{m}.example.com"
  validation_method = "{method}"

  lifecycle {{
    create_before_destroy = true
  }}
}}

resource "aws_route53_record" "validation" {{
  for_each = {{
    for o in aws_acm_certificate.api.domain_validation_options : o.domain_name => o
  }}
  zone_id = "Z0123456789"
  name    = each.value.resource_record_name
  type    = each.value.resource_record_type
  records = [each.value.resource_record_value]
  ttl     = 60
}}

resource "aws_acm_certificate_validation" "api" {{
  certificate_arn         = aws_acm_certificate.api.arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}}

resource "aws_apigatewayv2_domain_name" "api" {{
  domain_name = "api-{m}.example.com"

  domain_name_configuration {{
    certificate_arn = aws_acm_certificate_validation.api.certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }}
}}
"""

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Certificate:
    Type: AWS::CertificateManager::Certificate
    Properties:
      DomainName: api-{n}.example.com
      ValidationMethod: {method}
      DomainValidationOptions:
        - DomainName: api-{n}.example.com
          HostedZoneId: Z0123456789
  Domain:
    Type: AWS::ApiGatewayV2::DomainName
    Properties:
      DomainName: api-{n}.example.com
      DomainNameConfigurations:
        - CertificateArn: !Ref Certificate
          EndpointType: REGIONAL
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: data-{n}
"""


def generate(out: Path, files: int, seed: int, templates: int = 0) -> int:
    rnd = random.Random(seed)
    written = 0
    for m in range(max(1, files // 10)):
        directory = out / f"team{m % 23}" / f"svc{m}"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "variables.tf").write_text(VARIABLES)
        written += 1
        chain = rnd.random() < 0.03
        for k in range(9 - chain):
            parts = [rnd.choice(ORDINARY).format(n=f"{m}_{k}_{j}") for j in range(3)]
            (directory / f"infra{k}.tf").write_text("\n".join(parts))
            written += 1
        if chain:
            method = rnd.choice(["DNS", "DNS", "EMAIL"])
            (directory / "api.tf").write_text(CHAIN.format(m=m, method=method))
            written += 1
    for n in range(templates):
        directory = out / "stacks"
        directory.mkdir(parents=True, exist_ok=True)
        method = rnd.choice(["DNS", "DNS", "EMAIL"])
        (directory / f"stack{n}.yaml").write_text(TEMPLATE.format(n=n, method=method))
        written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("files", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cfn", type=int, default=0, help="CloudFormation templates to add")
    args = parser.parse_args()
    print(generate(args.out, args.files, args.seed, args.cfn))


if __name__ == "__main__":
    main()


DOMAIN_GROUP = """locals {{
  domains_{g} = {{
{entries}
  }}
}}

resource "aws_acm_certificate" "api_{g}" {{
  for_each          = local.domains_{g}
  domain_name       = each.value
  validation_method = "DNS"
  lifecycle {{
    create_before_destroy = true
  }}
}}

resource "aws_route53_record" "validation_{g}" {{
  for_each = {{
    for k, c in aws_acm_certificate.api_{g} : k => tolist(c.domain_validation_options)[0]
  }}
  zone_id  = aws_route53_zone.main.zone_id
  name     = each.value.resource_record_name
  type     = each.value.resource_record_type
  records  = [each.value.resource_record_value]
  ttl      = 60
}}

resource "aws_acm_certificate_validation" "api_{g}" {{
  for_each                = aws_acm_certificate.api_{g}
  certificate_arn         = each.value.arn
  validation_record_fqdns = [aws_route53_record.validation_{g}[each.key].fqdn]
}}

resource "aws_apigatewayv2_domain_name" "api_{g}" {{
  for_each    = local.domains_{g}
  domain_name = each.value
  domain_name_configuration {{
    certificate_arn = aws_acm_certificate_validation.api_{g}[each.key].certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }}
}}
"""


def generate_domains(out: Path, domains: int, per_block: int = 1000) -> None:
    """One module with DOMAINS domains, each with its own certificate, records and validation.

    Written as ``for_each`` over maps of at most ``per_block`` keys (iaccert's instance limit).
    """
    out.mkdir(parents=True, exist_ok=True)
    zone = 'resource "aws_route53_zone" "main" {\n  name = "example.com"\n}\n'
    groups = []
    for g, start in enumerate(range(0, domains, per_block)):
        keys = range(start, min(domains, start + per_block))
        entries = "\n".join(f'    "svc{i}" = "svc{i}.example.com"' for i in keys)
        groups.append(DOMAIN_GROUP.format(g=g, entries=entries))
    (out / "main.tf").write_text(zone + "\n" + "\n".join(groups), encoding="utf-8")
