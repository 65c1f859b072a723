resource "aws_api_gateway_domain_name" "api" {
  domain_name     = "api.example.com"
  certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f6b7c1e-3a2d-4c5b-9e8f-1a2b3c4d5e6f"

  endpoint_configuration {
    types = ["EDGE"]
  }
