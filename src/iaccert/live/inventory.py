"""What is deployed: every ACM certificate, the consumers that serve certificates (API
Gateway custom domains, CloudFront distributions, ELBv2 listeners), IAM server certificates.

Domains come from both APIs (REST ``apigateway.get_domain_names`` and HTTP/WebSocket
``apigatewayv2.get_domain_names``), paginated, and are one domain per (account, region,
name): in AWS both APIs list the same custom domains. CloudFront is global: listed once
per account. Listeners are read per load balancer, and an HTTPS/TLS listener's extra
certificates with ``DescribeListenerCertificates``. ACM certificates are listed per region
with every key type. Each unique certificate ARN is described once, with an ACM client in
the ARN's own region; IAM server certificates are listed once per account, when a
consumer needs them.

Every call that fails becomes a fault for exactly what it concerned (see faults.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..chain import parse_arn
from ..findings import Incomplete
from .calls import CallFault
from .faults import boto_errors, error_code, incomplete
from .session import Account

EDGE_REGION = "us-east-1"
GLOBAL = "global"  # the region of a CloudFront distribution's key and of IAM faults
DANGLING = {"ResourceNotFoundException", "InvalidArnException", "NoSuchEntity"}
TLS_PROTOCOLS = ("HTTPS", "TLS")  # listeners that serve certificates
# what each kind of consumer is called in messages
NOUNS = {
    "apigateway": "domain",
    "cloudfront": "CloudFront distribution",
    "listener": "load balancer listener",
}


@dataclass(frozen=True)
class CertRef:
    """A certificate a consumer uses: the attribute that carries it and where it must live.

    ``iam_id``: ``arn`` is an IAM server certificate id (CloudFront's IAMCertificateId),
    not an ARN."""

    attr: str
    arn: str
    endpoint_type: str
    required_region: str
    iam_id: bool = False


@dataclass(frozen=True)
class Uploaded:
    """A certificate uploaded to API Gateway itself (certificateName + certificateUploadDate)."""

    attr: str
    name: str
    uploaded_at: datetime | None


@dataclass(frozen=True)
class DomainStatus:
    """An API Gateway domain's own status (one per API listing and endpoint configuration)."""

    attr: str
    status: str
    message: str = ""


@dataclass
class LiveDomain:
    """A certificate consumer: an API Gateway custom domain (``kind`` apigateway), a CloudFront
    distribution or an ELBv2 listener. ``name`` makes its key (its logical location),
    ``title`` is how messages name it, ``names`` the host names it serves."""

    account: str
    region: str
    name: str
    apis: set[str] = field(default_factory=set)  # rest, v2
    endpoint_types: list[str] = field(default_factory=list)
    certificates: list[CertRef] = field(default_factory=list)
    uploaded: list[Uploaded] = field(default_factory=list)
    statuses: list[DomainStatus] = field(default_factory=list)
    kind: str = "apigateway"
    title: str = ""
    names: list[str] = field(default_factory=list)
    arns: set[str] = field(default_factory=set)  # what ACM's InUseBy may call it

    @property
    def key(self) -> str:
        return f"{self.account}/{self.region}/{self.name}"

    @property
    def noun(self) -> str:
        return NOUNS[self.kind]

    @property
    def label(self) -> str:
        """``'api.example.com' (123456789012/eu-west-1)``: the consumer, in messages."""
        where = self.account if self.region == GLOBAL else f"{self.account}/{self.region}"
        return f"'{self.title or self.name}' ({where})"

    def add_status(self, status: DomainStatus) -> None:
        if all((s.status, s.message) != (status.status, status.message) for s in self.statuses):
            self.statuses.append(status)

    def add_cert(self, ref: CertRef) -> None:
        if all(
            (c.arn, c.required_region) != (ref.arn, ref.required_region) for c in self.certificates
        ):
            self.certificates.append(ref)


@dataclass
class CertResult:
    """What describing one certificate ARN gave: its description, not found, or a fault."""

    arn: str
    info: dict[str, Any] | None = None  # ACM DescribeCertificate "Certificate", or IAM metadata
    kind: str = "acm"  # acm | iam
    missing: bool = False
    fault: Incomplete | None = None


def _rest_domain(account: str, region: str, item: dict, domain: LiveDomain) -> None:
    types = [t.upper() for t in item.get("endpointConfiguration", {}).get("types", [])] or ["EDGE"]
    domain.apis.add("rest")
    for t in types:
        if t not in domain.endpoint_types:
            domain.endpoint_types.append(t)
    if item.get("domainNameStatus"):
        message = item.get("domainNameStatusMessage") or ""
        domain.add_status(DomainStatus("domainNameStatus", item["domainNameStatus"], message))
    if item.get("domainNameArn"):
        domain.arns.add(item["domainNameArn"])
    if item.get("certificateArn"):
        kind = "PRIVATE" if "PRIVATE" in types else "EDGE"
        need = region if kind == "PRIVATE" else EDGE_REGION
        domain.add_cert(CertRef("certificateArn", item["certificateArn"], kind, need))
    if item.get("regionalCertificateArn"):
        arn = item["regionalCertificateArn"]
        domain.add_cert(CertRef("regionalCertificateArn", arn, "REGIONAL", region))
    if item.get("ownershipVerificationCertificateArn"):
        arn = item["ownershipVerificationCertificateArn"]
        domain.add_cert(CertRef("ownershipVerificationCertificateArn", arn, "REGIONAL", region))
    for attr in ("certificateName", "regionalCertificateName"):
        if item.get(attr):
            up = Uploaded(attr, item[attr], item.get("certificateUploadDate"))
            if up not in domain.uploaded:
                domain.uploaded.append(up)


def _v2_domain(account: str, region: str, item: dict, domain: LiveDomain) -> None:
    domain.apis.add("v2")
    for i, conf in enumerate(item.get("DomainNameConfigurations", [])):
        kind = (conf.get("EndpointType") or "REGIONAL").upper()
        if kind not in domain.endpoint_types:
            domain.endpoint_types.append(kind)
        attr = f"DomainNameConfigurations[{i}]"
        if conf.get("DomainNameStatus"):
            message = conf.get("DomainNameStatusMessage") or ""
            status = DomainStatus(f"{attr}.DomainNameStatus", conf["DomainNameStatus"], message)
            domain.add_status(status)
        need = EDGE_REGION if kind == "EDGE" else region  # v2 also lists REST EDGE domains
        if conf.get("CertificateArn"):
            domain.add_cert(CertRef(f"{attr}.CertificateArn", conf["CertificateArn"], kind, need))
        if conf.get("OwnershipVerificationCertificateArn"):
            arn = conf["OwnershipVerificationCertificateArn"]
            domain.add_cert(
                CertRef(f"{attr}.OwnershipVerificationCertificateArn", arn, kind, region)
            )
        if conf.get("CertificateName"):
            up = Uploaded(
                f"{attr}.CertificateName",
                conf["CertificateName"],
                conf.get("CertificateUploadDate"),
            )
            if up not in domain.uploaded:
                domain.uploaded.append(up)


def list_domains(account: Account, region: str) -> tuple[list[LiveDomain], list[Incomplete]]:
    """Every custom domain of one account and region, from both APIs, one per name."""
    errors = boto_errors()
    domains: dict[str, LiveDomain] = {}
    faults: list[Incomplete] = []

    def domain_for(name: str) -> LiveDomain:
        return domains.setdefault(name, LiveDomain(account.id, region, name))

    try:
        for items in account.pages("apigateway", region, "get_domain_names"):
            for item in items:
                _rest_domain(account.id, region, item, domain_for(item["domainName"]))
    except errors as exc:
        faults.append(incomplete(exc, "apigateway:GetDomainNames", account.id, region))
    try:
        for items in account.pages("apigatewayv2", region, "get_domain_names"):
            for item in items:
                _v2_domain(account.id, region, item, domain_for(item["DomainName"]))
    except errors as exc:
        faults.append(incomplete(exc, "apigatewayv2:GetDomainNames", account.id, region))
    return sorted(domains.values(), key=lambda d: d.name), faults


def list_distributions(account: Account) -> tuple[list[LiveDomain], list[Incomplete]]:
    """Every CloudFront distribution of an account that serves a certificate of its own
    (ACM or IAM); the default ``*.cloudfront.net`` certificate is nobody's to renew."""
    out: list[LiveDomain] = []
    try:
        for items in account.pages("cloudfront", EDGE_REGION, "list_distributions"):
            for item in items:
                dist = _distribution(account.id, item)
                if dist.certificates:
                    out.append(dist)
    except boto_errors() as exc:
        return [], [incomplete(exc, "cloudfront:ListDistributions", account.id, GLOBAL)]
    return sorted(out, key=lambda d: d.key), []


def _distribution(account: str, item: dict) -> LiveDomain:
    aliases = list((item.get("Aliases") or {}).get("Items") or [])
    dist = LiveDomain(account, GLOBAL, f"distribution/{item['Id']}", kind="cloudfront")
    dist.title, dist.names, dist.arns = item["Id"], aliases, {item["ARN"]}
    viewer = item.get("ViewerCertificate") or {}
    attr = "ViewerCertificate"
    if viewer.get("ACMCertificateArn"):
        arn = viewer["ACMCertificateArn"]
        dist.add_cert(CertRef(f"{attr}.ACMCertificateArn", arn, "", EDGE_REGION))
    elif viewer.get("IAMCertificateId"):
        ref = CertRef(f"{attr}.IAMCertificateId", viewer["IAMCertificateId"], "", "", iam_id=True)
        dist.add_cert(ref)
    return dist


def list_listeners(account: Account, region: str) -> tuple[list[LiveDomain], list[Incomplete]]:
    """Every HTTPS/TLS listener of the region's load balancers, with each certificate it
    serves: the default one and those added with AddListenerCertificates."""
    errors = boto_errors()
    out: list[LiveDomain] = []
    faults: list[Incomplete] = []
    try:
        balancers = [
            lb
            for items in account.pages("elbv2", region, "describe_load_balancers")
            for lb in items
        ]
    except errors as exc:
        return [], [incomplete(exc, "elbv2:DescribeLoadBalancers", account.id, region)]
    for lb in balancers:
        name = lb.get("LoadBalancerName") or lb["LoadBalancerArn"].rsplit("/", 2)[-2]
        arn = lb["LoadBalancerArn"]
        try:
            listeners = [
                item
                for items in account.pages(
                    "elbv2", region, "describe_listeners", LoadBalancerArn=arn
                )
                for item in items
            ]
        except errors as exc:
            faults.append(incomplete(exc, "elbv2:DescribeListeners", account.id, region, name))
            continue
        for item in listeners:
            if (item.get("Protocol") or "").upper() not in TLS_PROTOCOLS:
                continue
            listener = _listener(account.id, region, name, arn, item)
            try:
                for items in account.pages(
                    "elbv2",
                    region,
                    "describe_listener_certificates",
                    ListenerArn=item["ListenerArn"],
                ):
                    for cert in items:
                        ref = CertRef("ListenerCertificates", cert["CertificateArn"], "", region)
                        listener.add_cert(ref)
            except errors as exc:
                faults.append(
                    incomplete(
                        exc, "elbv2:DescribeListenerCertificates", account.id, region, listener.name
                    )
                )
            out.append(listener)
    return sorted(out, key=lambda d: d.key), faults


def _listener(account: str, region: str, lb_name: str, lb_arn: str, item: dict) -> LiveDomain:
    arn = item["ListenerArn"]
    name = arn.split(":", 5)[-1] if arn.count(":") >= 5 else arn  # listener/app/NAME/ID/ID
    listener = LiveDomain(account, region, name, kind="listener")
    port = item.get("Port")
    listener.title = f"{lb_name} {item.get('Protocol', '')}:{port}" if port else lb_name
    listener.arns = {arn, lb_arn}  # ACM's InUseBy names the load balancer
    for cert in item.get("Certificates") or []:
        if cert.get("CertificateArn"):
            listener.add_cert(CertRef("Certificates", cert["CertificateArn"], "", region))
    return listener


def list_certificates(account: Account, region: str) -> tuple[list[str], list[Incomplete]]:
    """Every ACM certificate ARN of one account and region, whatever its status or key type."""
    try:
        client = account.client("acm", region)
        kwargs = {"Includes": {"keyTypes": all_key_types(client)}}
        arns = [
            summary["CertificateArn"]
            for items in account.pages("acm", region, "list_certificates", **kwargs)
            for summary in items
        ]
    except boto_errors() as exc:
        return [], [incomplete(exc, "acm:ListCertificates", account.id, region)]
    return list(dict.fromkeys(arns)), []


def arn_region(arn: str, default: str) -> str:
    parsed = parse_arn(arn)
    return parsed[1] if parsed and parsed[1] else default


def is_iam_arn(arn: str) -> bool:
    parsed = parse_arn(arn)
    return parsed is not None and parsed[0] == "iam"


def describe_certificate(account: Account, arn: str, default_region: str) -> CertResult:
    """DescribeCertificate with an ACM client in the ARN's own region."""
    region = arn_region(arn, default_region)
    try:
        info = account.call("acm", region, "describe_certificate", CertificateArn=arn)
    except boto_errors() as exc:
        if error_code(exc) in DANGLING:
            return CertResult(arn, missing=True)
        fault = incomplete(exc, "acm:DescribeCertificate", account.id, region, None, arn)
        return CertResult(arn, fault=fault)
    if info["Certificate"]["CertificateArn"] != arn:
        exc = CallFault(
            "malformed",
            "MalformedResponse",
            "the answer to acm:DescribeCertificate describes another certificate",
        )
        fault = incomplete(exc, "acm:DescribeCertificate", account.id, region, None, arn)
        return CertResult(arn, fault=fault)
    return CertResult(arn, info=info["Certificate"])


class ServerCertificates:
    """IAM server certificates, listed at most once per account (on first need)."""

    def __init__(self) -> None:
        self._by_account: dict[str, dict[str, dict] | Incomplete] = {}
        self._lock = threading.Lock()
        self._account_locks: dict[str, threading.Lock] = {}

    def listing(self, account: Account, region: str) -> dict[str, dict] | Incomplete:
        with self._lock:
            lock = self._account_locks.setdefault(account.id, threading.Lock())
        with lock:
            found = self._by_account.get(account.id)
            if found is None:
                found = self._list(account, region)
                self._by_account[account.id] = found
            return found

    @staticmethod
    def _list(account: Account, region: str) -> dict[str, dict] | Incomplete:
        out: dict[str, dict] = {}
        try:
            for items in account.pages("iam", region, "list_server_certificates"):
                for meta in items:
                    out[meta["Arn"]] = meta
        except boto_errors() as exc:
            return incomplete(exc, "iam:ListServerCertificates", account.id, "global")
        return out

    def describe(self, account: Account, arn: str, region: str) -> CertResult:
        listing = self.listing(account, region)
        if isinstance(listing, Incomplete):
            return CertResult(arn, kind="iam", fault=listing)
        meta = listing.get(arn)
        return CertResult(arn, info=meta, kind="iam", missing=meta is None)

    def describe_id(self, account: Account, cert_id: str, region: str) -> CertResult:
        """The IAM server certificate a CloudFront distribution names by its id."""
        listing = self.listing(account, region)
        if isinstance(listing, Incomplete):
            return CertResult(cert_id, kind="iam", fault=listing)
        meta = next((m for m in listing.values() if m.get("ServerCertificateId") == cert_id), None)
        return CertResult(cert_id, info=meta, kind="iam", missing=meta is None)


def describe_any(
    account: Account, arn: str, default_region: str, iam: ServerCertificates
) -> CertResult:
    if is_iam_arn(arn):
        return iam.describe(account, arn, default_region)
    return describe_certificate(account, arn, default_region)


@dataclass(frozen=True)
class LookupCriteria:
    """The arguments of a ``data "aws_acm_certificate"`` lookup, or of another tool's
    search by name (``match``): ``data-source`` is Terraform's (DomainName equal, case
    aside; the most recent), ``name`` and ``contained`` are serverless-domain-manager's
    (the first certificate whose DomainName is ``domain``; the one whose name or SAN,
    ``*`` dropped, is the longest contained in ``domain``)."""

    domain: str
    statuses: tuple[str, ...] = ("ISSUED",)
    types: tuple[str, ...] = ()
    key_types: tuple[str, ...] = ()
    most_recent: bool = False
    match: str = "data-source"


def all_key_types(client) -> list[str]:
    """Every key type ACM knows (ListCertificates returns only RSA_1024/RSA_2048 otherwise)."""
    shape = client.meta.service_model.operation_model("ListCertificates").input_shape
    return list(shape.members["Includes"].members["keyTypes"].member.enum)


def _issued_at(summary: dict) -> datetime:
    for key in ("NotBefore", "IssuedAt", "ImportedAt", "CreatedAt"):
        value = summary.get(key)
        if isinstance(value, datetime):
            return value
    return datetime.min


def lookup_certificate(account: Account, region: str, criteria: LookupCriteria) -> str | None:
    """The ARN the lookup would pick, or None; boto errors propagate."""
    client = account.client("acm", region)
    kwargs: dict[str, Any] = {
        "Includes": {"keyTypes": list(criteria.key_types) or all_key_types(client)}
    }
    if criteria.statuses:
        kwargs["CertificateStatuses"] = list(criteria.statuses)
    summaries = [
        summary
        for items in account.pages("acm", region, "list_certificates", **kwargs)
        for summary in items
    ]
    if criteria.match in ("name", "contained"):
        return _plugin_choice(summaries, criteria)
    matches = []
    for summary in summaries:
        if summary.get("DomainName", "").lower() != criteria.domain.lower():
            continue
        if criteria.types and summary.get("Type") not in criteria.types:
            continue
        matches.append(summary)
    if not matches:
        return None
    matches.sort(key=_issued_at, reverse=True)
    return matches[0]["CertificateArn"]


def _plugin_choice(summaries: list[dict], criteria: LookupCriteria) -> str | None:
    """serverless-domain-manager's choice (src/aws/acm-wrapper.ts), in ListCertificates order."""
    if criteria.match == "name":
        found = next((s for s in summaries if s.get("DomainName") == criteria.domain), None)
        return found["CertificateArn"] if found else None
    best, length = None, 0
    for summary in summaries:
        sans = summary.get("SubjectAlternativeNameSummaries", [])
        for name in [summary.get("DomainName", ""), *sans]:
            name = name[1:] if name.startswith("*") else name
            if name and name in criteria.domain and len(name) > length:
                best, length = summary["CertificateArn"], len(name)
    return best
