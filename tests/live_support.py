"""Live-mode test support: a real moto server, a fault-injecting proxy, seeded accounts.

Everything listens on 127.0.0.1 and nothing touches the real network. Tests that use these
fixtures skip cleanly where boto3 or moto is not installed (the ``test`` extra has both).

- ``moto_endpoint``: ``moto.server.ThreadedMotoServer`` on an ephemeral port (session).
- ``seeded``: two accounts seeded through boto3 (the second reached by STS AssumeRole):
  issued, pending and imported ACM certificates, REST and v2 domains, an IAM server
  certificate, several regions. Its attributes name what was created.
- ``FaultProxy``: stdlib http.server forwarding to moto that answers chosen calls with the
  error shapes the service's protocol uses (JSON ``__type``, REST ``x-amzn-ErrorType``,
  query/EC2 XML), or answers late, so botocore's real retry and timeout logic runs; or
  damages the answer (BODY_KINDS: truncated, cut off mid-body, of the wrong type, an HTML
  page with 200 or 500), each carrying PLANTED credentials; or pages without end (PAGE_KINDS).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

ACCOUNT_A = "123456789012"  # moto's default account
ACCOUNT_B = "222222222222"
ACCOUNT_C = "333333333333"  # consumers of every kind (consumers_seeded)
ROLE = "arn:aws:iam::{account}:role/iaccert-audit"
SECRET = "FAKEsecretKEY0123456789doNotPrintMe42xyz"
TOKEN = "FAKEsessionTOKENdoNotPrintMe0123456789abcdefXYZ"
BASE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": SECRET,
    "AWS_SESSION_TOKEN": TOKEN,
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "MOTO_ACM_VALIDATION_WAIT": "0",
}


def aws_env(endpoint: str) -> dict[str, str]:
    """The environment a live run needs: dummy credentials and every endpoint on 127.0.0.1."""
    return {**BASE_ENV, "AWS_ENDPOINT_URL": endpoint}


@pytest.fixture(scope="session")
def moto_endpoint():
    os.environ.update(BASE_ENV)  # dummy credentials; no user profile, SSO or IMDS is consulted
    pytest.importorskip("boto3")
    pytest.importorskip("moto")
    import logging

    from moto import settings
    from moto.server import ThreadedMotoServer

    settings.ACM_VALIDATION_WAIT = 0  # as MOTO_ACM_VALIDATION_WAIT=0, if moto was imported before

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def self_signed(name: str, days: int, ec: bool = False) -> tuple[bytes, bytes]:
    """A certificate and key valid from yesterday for ``days`` days (for ImportCertificate);
    an RSA 2048 key, or with ``ec`` a P-256 one."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec as ecc
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    if ec:
        key = ecc.generate_private_key(ecc.SECP256R1())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return pem, key_pem


@dataclass
class Seeded:
    endpoint: str
    arns: dict[str, str] = field(default_factory=dict)
    iam_arn: str = ""
    dangling: str = ""


def _clients(endpoint: str, account_session=None):
    import boto3

    session = account_session or boto3.Session(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="seeding",
        region_name="us-east-1",
    )

    def client(service: str, region: str = "us-east-1"):
        return session.client(service, region_name=region, endpoint_url=endpoint)

    return client


@pytest.fixture(scope="session")
def seeded(moto_endpoint) -> Seeded:
    """Account A (us-east-1, eu-west-1) and account B (us-east-1), as described in each line."""
    from moto import settings

    out = Seeded(moto_endpoint)
    c = _clients(moto_endpoint)
    acm_us, acm_eu = c("acm"), c("acm", "eu-west-1")

    def issued(client, name: str, sans: list[str] | None = None) -> str:
        kwargs = {"SubjectAlternativeNames": sans} if sans else {}
        arn = client.request_certificate(DomainName=name, ValidationMethod="DNS", **kwargs)
        arn = arn["CertificateArn"]
        client.describe_certificate(CertificateArn=arn)  # MOTO_ACM_VALIDATION_WAIT=0: ISSUED now
        return arn

    out.arns["api"] = issued(acm_us, "api.example.com")
    out.arns["wildcard_eu"] = issued(acm_eu, "*.example.com")
    pem, key = self_signed("imported.example.com", days=10)
    out.arns["imported"] = acm_eu.import_certificate(Certificate=pem, PrivateKey=key)[
        "CertificateArn"
    ]
    cert_b = _seed_account_b(moto_endpoint, issued)
    out.arns["b"] = cert_b
    # from here on, a requested certificate stays PENDING_VALIDATION (moto reads this setting
    # on every describe; the certificates above are ISSUED already and stay so)
    settings.ACM_VALIDATION_WAIT = 10**9
    out.arns["pending"] = acm_us.request_certificate(
        DomainName="pending.example.com", ValidationMethod="DNS"
    )["CertificateArn"]
    out.dangling = out.arns["api"][:-12] + "000000000000"

    pem_iam, key_iam = self_signed("legacy.example.com", days=400)
    iam = c("iam")
    meta = iam.upload_server_certificate(
        ServerCertificateName="legacy-2010",
        CertificateBody=pem_iam.decode(),
        PrivateKey=key_iam.decode(),
    )["ServerCertificateMetadata"]
    out.iam_arn = meta["Arn"]

    rest_us, rest_eu = c("apigateway"), c("apigateway", "eu-west-1")
    v2_us, v2_eu = c("apigatewayv2"), c("apigatewayv2", "eu-west-1")
    # us-east-1: an EDGE domain on the issued certificate, listed by both APIs (one domain)
    rest_us.create_domain_name(domainName="api.example.com", certificateArn=out.arns["api"])
    v2_us.create_domain_name(
        DomainName="api.example.com",
        DomainNameConfigurations=[{"CertificateArn": out.arns["api"], "EndpointType": "REGIONAL"}],
    )
    regional = {"types": ["REGIONAL"]}
    rest_us.create_domain_name(
        domainName="pending.example.com",
        regionalCertificateArn=out.arns["pending"],
        endpointConfiguration=regional,
    )
    rest_us.create_domain_name(domainName="gone.example.com", certificateArn=out.dangling)
    rest_us.create_domain_name(domainName="legacy.example.com", certificateArn=out.iam_arn)
    rest_us.create_domain_name(
        domainName="uploaded.example.com",
        certificateName="partner-upload",
        certificateBody=pem_iam.decode(),
        certificatePrivateKey=key_iam.decode(),
    )
    # eu-west-1: a v2 domain on the imported certificate; a REGIONAL domain whose certificate
    # is in us-east-1 (wrong region); a v2 domain on the wildcard (clean but for moto's
    # INELIGIBLE renewal)
    v2_eu.create_domain_name(
        DomainName="imported.example.com",
        DomainNameConfigurations=[
            {"CertificateArn": out.arns["imported"], "EndpointType": "REGIONAL"}
        ],
    )
    rest_eu.create_domain_name(
        domainName="wrong-region.example.com",
        regionalCertificateArn=out.arns["api"],
        endpointConfiguration=regional,
    )
    v2_eu.create_domain_name(
        DomainName="www.example.com",
        DomainNameConfigurations=[
            {"CertificateArn": out.arns["wildcard_eu"], "EndpointType": "REGIONAL"}
        ],
    )
    return out


def _assumed(endpoint: str, account: str):
    """A boto3 session in ``account``, reached as the live run reaches it: STS AssumeRole."""
    import boto3

    sts = boto3.client(
        "sts",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="seeding",
    )
    creds = sts.assume_role(RoleArn=ROLE.format(account=account), RoleSessionName="seed")[
        "Credentials"
    ]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )


def _seed_account_b(endpoint: str, issued) -> str:
    """Account B, reached as the live run will reach it: STS AssumeRole from account A."""
    c = _clients(endpoint, _assumed(endpoint, ACCOUNT_B))
    arn = issued(c("acm"), "b.example.org")
    c("apigateway").create_domain_name(
        domainName="b.example.org",
        regionalCertificateArn=arn,
        endpointConfiguration={"types": ["REGIONAL"]},
    )
    return arn


@dataclass
class Consumers:
    """Account C: what consumers_seeded created (``arns`` by role, the consumers' ids)."""

    endpoint: str
    arns: dict[str, str] = field(default_factory=dict)
    distributions: dict[str, str] = field(default_factory=dict)  # certificate role -> id
    listener: str = ""  # the HTTPS listener's ARN
    balancer: str = "shop-alb"


def _distribution(cloudfront, ref: str, aliases: list[str], viewer: dict) -> str:
    config = {
        "CallerReference": ref,
        "Aliases": {"Quantity": len(aliases), "Items": aliases},
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "origin",
                    "DomainName": "origin.example.net",
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "https-only",
                    },
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "origin",
            "ViewerProtocolPolicy": "redirect-to-https",
            "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
        },
        "Comment": ref,
        "Enabled": True,
        "ViewerCertificate": viewer,
    }
    return cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"]


@pytest.fixture(scope="session")
def consumers_seeded(seeded) -> Consumers:
    """Account C (us-east-1, eu-west-1): an unused certificate, one served by a REST domain,
    two by CloudFront distributions (one in eu-west-1: the wrong region), one by an ALB's
    HTTPS listener and an imported EC certificate added to it as a listener certificate;
    a distribution on CloudFront's default certificate and an HTTP listener serve none."""
    from moto import settings

    out = Consumers(seeded.endpoint)
    c = _clients(seeded.endpoint, _assumed(seeded.endpoint, ACCOUNT_C))
    acm_us, acm_eu = c("acm"), c("acm", "eu-west-1")
    wait, settings.ACM_VALIDATION_WAIT = settings.ACM_VALIDATION_WAIT, 0
    try:
        for role, client, name in [
            ("unused", acm_us, "unused.example.net"),
            ("shop", acm_us, "shop.example.net"),
            ("cdn", acm_us, "cdn.example.net"),
            ("cdn_eu", acm_eu, "eu.example.net"),
            ("alb", acm_us, "alb.example.net"),
        ]:
            arn = client.request_certificate(
                DomainName=name,
                ValidationMethod="DNS",
                SubjectAlternativeNames=[name, f"www.{name}"],
            )["CertificateArn"]
            client.describe_certificate(CertificateArn=arn)  # ISSUED from now on
            out.arns[role] = arn
    finally:
        settings.ACM_VALIDATION_WAIT = wait
    pem, key = self_signed("extra.example.net", days=200, ec=True)
    out.arns["extra_ec"] = acm_us.import_certificate(Certificate=pem, PrivateKey=key)[
        "CertificateArn"
    ]
    c("apigateway").create_domain_name(
        domainName="shop.example.net",
        regionalCertificateArn=out.arns["shop"],
        endpointConfiguration={"types": ["REGIONAL"]},
    )
    cloudfront = c("cloudfront")
    for role, aliases in [
        ("cdn", ["cdn.example.net", "www.cdn.example.net"]),
        ("cdn_eu", ["eu.example.net"]),
    ]:
        viewer = {"ACMCertificateArn": out.arns[role], "SSLSupportMethod": "sni-only"}
        out.distributions[role] = _distribution(cloudfront, role, aliases, viewer)
    _distribution(cloudfront, "default", [], {"CloudFrontDefaultCertificate": True})

    ec2, elb = c("ec2"), c("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate(("us-east-1a", "us-east-1b"))
    ]
    lb = elb.create_load_balancer(Name=out.balancer, Subnets=subnets, Type="application")
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    action = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]
    out.listener = elb.create_listener(
        LoadBalancerArn=lb_arn,
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": out.arns["alb"]}],
        DefaultActions=action,
    )["Listeners"][0]["ListenerArn"]
    elb.add_listener_certificates(
        ListenerArn=out.listener, Certificates=[{"CertificateArn": out.arns["extra_ec"]}]
    )
    elb.create_listener(LoadBalancerArn=lb_arn, Protocol="HTTP", Port=80, DefaultActions=action)
    return out


# --- fault-injecting proxy ---------------------------------------------------------------

SCOPE_RE = re.compile(r"Credential=[^/]+/\d+/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
PROTOCOL = {
    "acm": "json",
    "apigateway": "rest-json",
    "apigatewayv2": "rest-json",
    "iam": "query",
    "sts": "query",
    "ec2": "ec2",
    "elasticloadbalancing": "query",  # elbv2's signing name
    "cloudfront": "rest-xml",
}
SHAPES = {  # kind -> (code, HTTP status, message) as AWS sends them
    "throttle": {
        "json": ("ThrottlingException", 400, "Rate exceeded"),
        "rest-json": ("TooManyRequestsException", 429, "Too Many Requests"),
        "query": ("Throttling", 400, "Rate exceeded"),
        "ec2": ("RequestLimitExceeded", 503, "Request limit exceeded."),
        "rest-xml": ("Throttling", 400, "Rate exceeded"),
    },
    "deny": {
        "json": ("AccessDeniedException", 400, "User is not authorized to perform this action"),
        "rest-json": ("AccessDeniedException", 403, "User is not authorized to access this"),
        "query": ("AccessDenied", 403, "User is not authorized to perform this action"),
        "ec2": ("UnauthorizedOperation", 403, "You are not authorized to perform this operation."),
        "rest-xml": ("AccessDenied", 403, "User is not authorized to perform this action"),
    },
    "expired": {
        "json": (
            "ExpiredTokenException",
            400,
            "The security token included in the request is expired",
        ),
        "rest-json": (
            "ExpiredTokenException",
            403,
            "The security token included in the request is expired",
        ),
        "query": ("ExpiredToken", 403, "The security token included in the request is expired"),
        "ec2": ("RequestExpired", 400, "Request has expired."),
        "rest-xml": ("ExpiredToken", 403, "The security token included in the request is expired"),
    },
    "disabled": {
        "json": ("UnrecognizedClientException", 400, "The security token is invalid."),
        "rest-json": ("UnrecognizedClientException", 403, "The security token is invalid."),
        "query": ("InvalidClientTokenId", 403, "The security token is invalid."),
        "ec2": ("AuthFailure", 401, "AWS was not able to validate the provided credentials."),
        "rest-xml": ("InvalidClientTokenId", 403, "The security token is invalid."),
    },
}


# credentials planted in damaged answers: no output may ever show them
PLANTED_KEY = "ASIAPLANTEDKEY7EXAMPL"
PLANTED_SECRET = "PLANTEDsecretKEYneverPRINTED0123456789abc"
PLANTED_TOKEN = "PLANTEDsessionTOKENneverPRINTED0123456789xyzXYZ"
PLANTED = (PLANTED_KEY, PLANTED_SECRET, PLANTED_TOKEN)
PLANTED_XML = (
    f"<Credentials><AccessKeyId>{PLANTED_KEY}</AccessKeyId>"
    f"<SecretAccessKey>{PLANTED_SECRET}</SecretAccessKey>"
    f"<SessionToken>{PLANTED_TOKEN}</SessionToken></Credentials>"
)
PLANTED_JSON = json.dumps(
    {"AccessKeyId": PLANTED_KEY, "SecretAccessKey": PLANTED_SECRET, "SessionToken": PLANTED_TOKEN}
)
BODY_KINDS = ("truncated", "cut", "wrong-type", "html", "html-error")
PAGE_KINDS = ("pages-cycle", "pages-endless")
MAX_HOSTILE_PAGES = 10_000  # the proxy's own bound: a test never loops forever


@dataclass
class Fault:
    kind: str  # throttle | deny | disabled | delay | one of BODY_KINDS | one of PAGE_KINDS
    service: str | None = None
    region: str | None = None
    operation: str | None = None  # DescribeCertificate, ListServerCertificates, "GET /v2/..."
    body_contains: str | None = None
    times: int | None = None  # None: always
    delay: float = 0.0
    hits: int = 0

    def matches(self, service: str, region: str, operation: str, body: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.service and self.service != service:
            return False
        if self.region and self.region != region:
            return False
        if self.operation and not operation.startswith(self.operation):
            return False
        return not (self.body_contains and self.body_contains not in body)


class FaultProxy:
    """HTTP proxy to moto on 127.0.0.1 that injects AWS faults; counts requests per call."""

    def __init__(self, upstream: str):
        self.upstream = upstream.removeprefix("http://")
        self.faults: list[Fault] = []
        self.seen: list[tuple[str, str, str]] = []
        self.times: list[tuple[str, float]] = []  # (operation, time.monotonic()) per request
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.handle(self, body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def count(self, service: str, operation: str) -> int:
        with self._lock:
            return sum(1 for s, _, o in self.seen if s == service and o.startswith(operation))

    @staticmethod
    def identify(handler, body: bytes) -> tuple[str, str, str]:
        match = SCOPE_RE.search(handler.headers.get("Authorization", ""))
        region, service = match.groups() if match else ("", "")
        path = handler.path.split("?", 1)[0]
        if service == "apigateway" and path.startswith("/v2/"):
            service = "apigatewayv2"
        target = handler.headers.get("X-Amz-Target", "")
        if target:
            operation = target.split(".")[-1]
        elif service in ("iam", "sts", "ec2", "elasticloadbalancing"):
            operation = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
        else:
            operation = f"{handler.command} {path}"
        return service, region, operation

    def handle(self, handler, body: bytes) -> None:
        service, region, operation = self.identify(handler, body)
        text = body.decode("utf-8", "replace")
        with self._lock:
            self.seen.append((service, region, operation))
            self.times.append((operation, time.monotonic()))
            fault = next(
                (f for f in self.faults if f.matches(service, region, operation, text)), None
            )
            if fault is not None:
                fault.hits += 1
        protocol = PROTOCOL.get(service, "json")
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay)
        elif fault is not None and fault.kind in BODY_KINDS:
            return self._forward(handler, body, damage=(fault.kind, protocol, operation))
        elif fault is not None and fault.kind in PAGE_KINDS:
            return self._page(handler, fault, service, operation)
        elif fault is not None:
            return self._error(handler, fault.kind, protocol)
        self._forward(handler, body)

    def _forward(self, handler, body: bytes, damage: tuple[str, str, str] | None = None) -> None:
        conn = http.client.HTTPConnection(self.upstream, timeout=30)
        headers = {k: v for k, v in handler.headers.items() if k.lower() != "host"}
        headers["Host"] = self.upstream
        try:
            conn.request(handler.command, handler.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        status, sent = resp.status, None
        resp_headers = [
            (k, v)
            for k, v in resp.getheaders()
            if k.lower() not in ("content-length", "connection", "transfer-encoding")
        ]
        if damage is not None:
            status, data, sent, resp_headers = damaged(damage, status, data, resp_headers)
        try:
            handler.send_response(status)
            for key, value in resp_headers:
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(data)))
            if sent is not None:
                handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(data if sent is None else data[:sent])
            if sent is not None:
                handler.wfile.flush()
                handler.close_connection = True
                handler.connection.shutdown(2)
        except OSError:
            pass  # the client gave up (a timeout test)

    def _page(self, handler, fault: Fault, service: str, operation: str) -> None:
        """One page of a listing that never ends: tokens A, B, A, B... or always new."""
        if fault.hits > MAX_HOSTILE_PAGES:
            token = ""
        elif fault.kind == "pages-cycle":
            token = "tokenA" if fault.hits % 2 else "tokenB"
        else:
            token = f"token{fault.hits}"
        if service == "apigateway":
            data = json.dumps({"item": [], "position": token}).encode()
        elif service == "apigatewayv2":
            data = json.dumps({"items": [], "nextToken": token}).encode()
        elif service == "acm":
            data = json.dumps({"CertificateSummaryList": [], "NextToken": token}).encode()
        elif service == "cloudfront":
            data = (
                "<DistributionList><Marker></Marker>"
                f"<NextMarker>{token}</NextMarker><MaxItems>100</MaxItems>"
                f"<IsTruncated>{'true' if token else 'false'}</IsTruncated>"
                "<Quantity>0</Quantity></DistributionList>"
            ).encode()
        elif service == "elasticloadbalancing":
            list_key = {
                "DescribeLoadBalancers": "LoadBalancers",
                "DescribeListeners": "Listeners",
                "DescribeListenerCertificates": "Certificates",
            }[operation]
            data = (
                f"<{operation}Response><{operation}Result><{list_key}/>"
                f"<NextMarker>{token}</NextMarker>"
                f"</{operation}Result></{operation}Response>"
            ).encode()
        else:
            data = (
                f"<{operation}Response><{operation}Result><ServerCertificateMetadataList/>"
                f"<IsTruncated>{'true' if token else 'false'}</IsTruncated><Marker>{token}</Marker>"
                f"</{operation}Result></{operation}Response>"
            ).encode()
        xml = service in ("iam", "cloudfront", "elasticloadbalancing")
        ctype = "text/xml" if xml else "application/json"
        handler.send_response(200)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    @staticmethod
    def _error(handler, kind: str, protocol: str) -> None:
        code, status, message = SHAPES[kind][protocol]
        headers = {"x-amzn-RequestId": "iaccert-test"}
        if protocol == "json":
            data = json.dumps({"__type": code, "message": message}).encode()
            headers["Content-Type"] = "application/x-amz-json-1.1"
        elif protocol == "rest-json":
            data = json.dumps({"message": message}).encode()
            headers["Content-Type"] = "application/json"
            headers["x-amzn-ErrorType"] = code
        elif protocol in ("query", "rest-xml"):
            data = (
                "<ErrorResponse><Error><Type>Sender</Type>"
                f"<Code>{code}</Code><Message>{message}</Message></Error>"
                "<RequestId>iaccert-test</RequestId></ErrorResponse>"
            ).encode()
            headers["Content-Type"] = "text/xml"
        else:
            data = (
                f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
                "</Error></Errors><RequestID>iaccert-test</RequestID></Response>"
            ).encode()
            headers["Content-Type"] = "text/xml"
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


def damaged(damage: tuple[str, str, str], status: int, data: bytes, headers: list):
    """(status, body, bytes to send or None for all, headers): the answer, damaged."""
    kind, protocol, operation = damage
    xml = protocol in ("query", "ec2", "rest-xml")
    planted = PLANTED_XML if xml else PLANTED_JSON
    if kind == "truncated":  # cut short, and consistent: Content-Length says so
        return status, data[: len(data) // 2] + planted.encode(), None, headers
    if kind == "cut":  # the connection closes mid-body
        return status, data + planted.encode(), len(data) // 2, headers
    if kind == "wrong-type":
        if xml:  # the result, a structure, is text: the planted credentials
            op = operation
            text = " ".join(PLANTED)
            body = f"<{op}Response><{op}Result>{text}</{op}Result></{op}Response>"
            if protocol == "ec2":
                body = f"<{op}Response><regionInfo>{text}</regionInfo></{op}Response>"
            if protocol == "rest-xml":  # CloudFront: the payload, a structure, is text
                body = f"<DistributionList>{text}</DistributionList>"
        else:  # every member of the answer a string
            try:
                parsed = json.loads(data or b"{}")
            except ValueError:
                parsed = {}
            keys = list(parsed) if isinstance(parsed, dict) and parsed else ["item"]
            body = json.dumps({k: PLANTED_SECRET for k in keys})
        return status, body.encode(), None, headers
    html = (
        "<!DOCTYPE html><html><head><title>Gateway</title></head><body>"
        f"<p>proxy maintenance</p><pre>{planted}</pre></body></html>"
    )
    headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
    headers.append(("Content-Type", "text/html"))
    return (200 if kind == "html" else 500), html.encode(), None, headers


def write_tf(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory
