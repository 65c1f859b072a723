terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

variable "hosted_zone_id" {
  description = "Public hosted zone that serves example.com"
  type        = string
}

# IAC101: every renewal waits for someone to approve an email.
resource "aws_acm_certificate" "partners" {
  domain_name       = "partners.example.com"
  validation_method = "EMAIL"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_acm_certificate_validation" "partners" {
  certificate_arn = aws_acm_certificate.partners.arn
}

resource "aws_apigatewayv2_domain_name" "partners" {
  domain_name = "partners.example.com"

  domain_name_configuration {
    certificate_arn = aws_acm_certificate_validation.partners.certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}

resource "aws_acm_certificate" "billing" {
  domain_name       = "billing.example.com"
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_acm_certificate_validation" "billing" {
  certificate_arn         = aws_acm_certificate.billing.arn
  validation_record_fqdns = [for r in aws_route53_record.billing_validation : r.fqdn]
}

# IAC104: takes the certificate's own ARN, so the first apply races the validation.
resource "aws_api_gateway_domain_name" "billing" {
  domain_name              = "billing.example.com"
  regional_certificate_arn = aws_acm_certificate.billing.arn
  security_policy          = "TLS_1_2"

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

# IAC109: the certificate is looked up, its validation is not in this code.
data "aws_acm_certificate" "wildcard" {
  domain      = "*.example.com"
  statuses    = ["ISSUED"]
  most_recent = true
}

resource "aws_apigatewayv2_domain_name" "webhooks" {
  domain_name = "webhooks.example.com"

  domain_name_configuration {
    certificate_arn = data.aws_acm_certificate.wildcard.arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}
