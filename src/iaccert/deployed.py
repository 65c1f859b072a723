"""What ``iaccert live`` found deployed: each certificate with its status and its consumers.

The reports show it beside the findings (the inventory is the answer to "what do we have?",
the findings to "what will break?"); it lives below both the live runner and the reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Consumer:
    """Something that serves a certificate. ``kind``: apigateway (a custom domain),
    cloudfront (a distribution), listener (an ELBv2 listener), or in-use-by (a resource ACM's
    ``InUseBy`` names that no consumer listing found; ``key`` is then its ARN)."""

    kind: str
    key: str  # the consumer's logical location (its findings' too): account/region/name
    name: str  # how it is called: the domain name, distribution id, "alb HTTPS:443"
    names: tuple[str, ...] = ()  # the host names it serves (a distribution's aliases)
    attribute: str = ""  # where it names the certificate (ViewerCertificate.ACMCertificateArn)
    status: str = ""  # its own status where its service reports one (API Gateway: AVAILABLE)


@dataclass
class DeployedCertificate:
    """One certificate: an ACM certificate (listed, or named by a consumer), an IAM server
    certificate or a certificate uploaded to API Gateway that a consumer serves."""

    arn: str  # ACM or IAM ARN; an IAM server certificate id; an uploaded certificate's name
    account: str
    region: str  # ACM: the ARN's region; IAM: global; an upload: its domain's region
    type: str  # AMAZON_ISSUED | IMPORTED | PRIVATE | IAM_SERVER_CERTIFICATE | API_GATEWAY_UPLOAD
    status: str  # ACM's status; UPLOADED; NOT_FOUND; COULD_NOT_CHECK
    domain_name: str | None = None
    key_algorithm: str | None = None
    not_after: str | None = None  # ISO 8601
    renewal_eligibility: str | None = None
    in_use_by: list[str] = field(default_factory=list)  # ACM's own list, as ACM gives it
    consumers: list[Consumer] = field(default_factory=list)

    def sort_key(self) -> tuple:
        return (self.account, self.region, self.arn)
