"""Live mode against damaged and hostile answers: a fault-injecting proxy (127.0.0.1 only) in
front of moto's server damages the answer of every call iaccert makes (truncated, cut off
mid-body, of the wrong type, an HTML page with 200 or 500, each carrying planted
credentials), or pages without end. Every one is a "could not check" entry for what that
call covered and exit 2: never a pass with domains missing, never an internal error, never
a planted credential in any output."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass

import pytest
from live_support import (
    ACCOUNT_A,
    ACCOUNT_B,
    ACCOUNT_C,
    BODY_KINDS,
    PLANTED,
    ROLE,
    Fault,
    FaultProxy,
)
from snapshots import FIXTURES
from test_live_moto import key, lint, live

pytest.importorskip("boto3")
pytest.importorskip("moto")

ONE_TRY = ("--max-attempts", "1", "--timeout", "5")


@dataclass(frozen=True)
class Operation:
    """A call iaccert makes, how a run reaches it, and the entry its fault must give."""

    service: str
    match: str  # the proxy's name of the call
    operation: str  # as the entry names it
    args: tuple[str, ...]
    account: str = ACCOUNT_A
    region: str | None = "us-east-1"
    domain: str | None = None  # the entry's domain (consumer) starts with it
    lint: bool = False


IN_C = ("--role-arn", ROLE, "--accounts", ACCOUNT_C)  # account C has every kind of consumer


OPERATIONS = [
    Operation("apigateway", "GET /domainnames", "apigateway:GetDomainNames", ()),
    Operation("apigatewayv2", "GET /v2/domainnames", "apigatewayv2:GetDomainNames", ()),
    Operation(
        "acm", "DescribeCertificate", "acm:DescribeCertificate", (), domain="api.example.com"
    ),
    Operation(
        "iam",
        "ListServerCertificates",
        "iam:ListServerCertificates",
        (),
        region="us-east-1",
        domain="legacy.example.com",
    ),
    Operation(
        "sts", "GetCallerIdentity", "sts:GetCallerIdentity", (), account="unknown", region=None
    ),
    Operation(
        "sts",
        "AssumeRole",
        "sts:AssumeRole",
        ("--role-arn", ROLE, "--accounts", ACCOUNT_B),
        account=ACCOUNT_B,
        region=None,
    ),
    Operation("ec2", "DescribeRegions", "ec2:DescribeRegions", ("--all-regions",), region=None),
    Operation("acm", "ListCertificates", "acm:ListCertificates", (), region="eu-west-1", lint=True),
    Operation("acm", "ListCertificates", "acm:ListCertificates", ()),
    Operation(
        "cloudfront",
        "GET /2020-05-31/distribution",
        "cloudfront:ListDistributions",
        IN_C,
        account=ACCOUNT_C,
        region="global",
    ),
    Operation(
        "elasticloadbalancing",
        "DescribeLoadBalancers",
        "elbv2:DescribeLoadBalancers",
        IN_C,
        account=ACCOUNT_C,
    ),
    Operation(
        "elasticloadbalancing",
        "DescribeListeners",
        "elbv2:DescribeListeners",
        IN_C,
        account=ACCOUNT_C,
        domain="shop-alb",
    ),
    Operation(
        "elasticloadbalancing",
        "DescribeListenerCertificates",
        "elbv2:DescribeListenerCertificates",
        IN_C,
        account=ACCOUNT_C,
        domain="listener/app/shop-alb/",
    ),
]
REASONS = {
    "truncated": {"malformed"},
    "cut": {"unreachable", "malformed"},
    "wrong-type": {"malformed"},
    "html": {"malformed"},
    "html-error": {"error"},
}


def _run(proxy: FaultProxy, op: Operation, fmt: str, tmp_path, monkeypatch):
    if op.lint:
        if not (tmp_path / "m").exists():
            shutil.copytree(FIXTURES / "tf_iac109_unresolved", tmp_path / "m")
        return lint(proxy.endpoint, tmp_path, "m", "--live", "-f", fmt, monkeypatch=monkeypatch)
    region = () if "--all-regions" in op.args else ("--region", "us-east-1")
    return live(proxy.endpoint, *region, *op.args, *ONE_TRY, "-f", fmt)


def _ids(op: Operation) -> str:
    return op.operation


@pytest.mark.parametrize("kind", BODY_KINDS)
@pytest.mark.parametrize("op", OPERATIONS, ids=_ids)
def test_every_damaged_answer_is_could_not_check(
    seeded, consumers_seeded, tmp_path, monkeypatch, op, kind
):
    with FaultProxy(seeded.endpoint) as proxy:
        fault = proxy.add(Fault(kind, op.service, operation=op.match))
        ran = _run(proxy, op, "json", tmp_path, monkeypatch)
    assert fault.hits >= 1, "the scenario never reached its call"
    assert ran.returncode == 2, (ran.stdout, ran.stderr)
    assert "internal error" not in ran.stderr
    report = json.loads(ran.stdout)
    entries = [i for i in report["incomplete"] if i["operation"] == op.operation]
    assert entries, report["incomplete"]
    reasons = {i["reason"] for i in entries}
    # an error answer (a dangling ARN's 400) damaged in the same way is an "error"
    assert reasons & REASONS[kind] and reasons <= REASONS[kind] | {"error"}, entries
    got = {(i["account"], i["region"]) for i in entries}
    assert (op.account, op.region) in got
    if op.domain:
        assert any((i["domain"] or "").startswith(op.domain) for i in entries), entries
    for text in (ran.stdout, ran.stderr):
        assert not any(secret in text for secret in PLANTED), text
    if op.lint:  # a damaged listing is no "not found"
        assert "IAC207" not in {f["rule_id"] for f in report["findings"] if f["line"] == 9}


def test_damaged_answers_leak_no_planted_credential_in_any_format(seeded, tmp_path):
    """Planted key, secret and token in damaged STS, IAM and ACM answers: in no format
    (one run writes every format, ``-o FORMAT:FILE``)."""
    formats = ("json", "sarif", "concise", "github", "junit", "gitlab")
    outputs = []
    for service, match, args in (
        ("sts", "AssumeRole", ("--role-arn", ROLE, "--accounts", ACCOUNT_B)),
        ("sts", "GetCallerIdentity", ()),
        ("iam", "ListServerCertificates", ()),
        ("acm", "DescribeCertificate", ()),
    ):
        for kind in ("truncated", "html", "html-error", "wrong-type"):
            files = {fmt: tmp_path / f"{service}-{match}-{kind}.{fmt}" for fmt in formats}
            many = [x for fmt, path in files.items() for x in ("-o", f"{fmt}:{path}")]
            with FaultProxy(seeded.endpoint) as proxy:
                proxy.add(Fault(kind, service, operation=match))
                ran = live(proxy.endpoint, "--region", "us-east-1", *args, *ONE_TRY, *many)
            assert ran.returncode == 2, (service, kind, ran.stderr)
            written = {fmt: path.read_text(encoding="utf-8") for fmt, path in files.items()}
            for fmt, text in [("text", ran.stdout), *written.items()]:
                said = any(w in text for w in ("could not check", "could-not-check", '"reason"'))
                assert said, (service, kind, fmt)
            outputs += [ran.stdout, ran.stderr, *written.values()]
    assert len(outputs) == 4 * 4 * (len(formats) + 2)
    leaks = [out for out in outputs if any(secret in out for secret in PLANTED)]
    assert leaks == []


def test_an_error_body_that_quotes_itself_is_not_printed(seeded):
    """botocore makes an unparsable JSON error body the message: iaccert shows the status."""
    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(Fault("html-error", "acm", operation="DescribeCertificate"))
        ran = live(proxy.endpoint, "--region", "us-east-1", *ONE_TRY, "-f", "json")
    entries = json.loads(ran.stdout)["incomplete"]
    assert entries and all("<" not in i["message"] and "html" not in i["message"] for i in entries)
    assert {i["message"] for i in entries} == {"Internal Server Error"}  # the status's words


def test_alternating_page_tokens_end_as_could_not_check(seeded):
    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(Fault("pages-cycle", "apigateway", operation="GET /domainnames"))
        ran = live(proxy.endpoint, "--region", "us-east-1", *ONE_TRY, "-f", "json")
        pages = proxy.count("apigateway", "GET /domainnames")
    assert ran.returncode == 2
    [entry] = [i for i in json.loads(ran.stdout)["incomplete"]]
    assert (entry["operation"], entry["reason"], entry["code"]) == (
        "apigateway:GetDomainNames",
        "pagination",
        "RepeatedPageToken",
    )
    assert pages == 3  # A, B, then A again: botocore's own check (same token twice) misses it


def test_new_listings_refuse_a_cycle_for_what_they_cover(consumers_seeded):
    """CloudFront's marker is inside its answer (DistributionList.NextMarker); ELBv2's
    listings page by NextMarker: a cycle in either ends as could not check, and the rest of
    the account is still checked."""
    with FaultProxy(consumers_seeded.endpoint) as proxy:
        proxy.add(Fault("pages-cycle", "cloudfront"))
        proxy.add(Fault("pages-cycle", "elasticloadbalancing", operation="DescribeListeners"))
        ran = live(proxy.endpoint, "--region", "us-east-1", *IN_C, *ONE_TRY, "-f", "json")
        pages = proxy.count("cloudfront", "GET /2020-05-31/distribution")
    assert ran.returncode == 2 and pages == 3
    report = json.loads(ran.stdout)
    got = {(i["operation"], i["code"], i["region"], i["domain"]) for i in report["incomplete"]}
    assert got == {
        ("cloudfront:ListDistributions", "RepeatedPageToken", "global", None),
        ("elbv2:DescribeListeners", "RepeatedPageToken", "us-east-1", "shop-alb"),
    }
    # without the consumer listings, no certificate is said to be served by nobody for sure
    unused = [f["message"] for f in report["findings"] if "no consumer found" in f["message"]]
    assert unused and all("the consumer listings are incomplete" in m for m in unused)
    assert f"{ACCOUNT_C}/us-east-1/shop.example.net" in {f["domain"] for f in report["findings"]}


def test_endless_pages_stop_at_the_bound(seeded, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", seeded.endpoint)
    from iaccert.live.runner import live_scan
    from iaccert.live.session import LiveOptions

    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(Fault("pages-endless", "apigatewayv2", operation="GET /v2/domainnames"))
        proxy.add(Fault("pages-cycle", "iam", operation="ListServerCertificates"))
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        result = live_scan(LiveOptions(regions=["us-east-1"], max_pages=50, max_attempts=1))
        pages = proxy.count("apigatewayv2", "GET /v2/domainnames")
        iam_pages = proxy.count("iam", "ListServerCertificates")
    assert pages == 50 and iam_pages == 3
    got = {(i.operation, i.code, i.domain) for i in result.incomplete}
    assert got == {
        ("apigatewayv2:GetDomainNames", "TooManyPages", None),
        ("iam:ListServerCertificates", "RepeatedPageToken", "legacy.example.com"),
    }
    # the REST listing of the region still counts: its domains are checked
    assert key("gone.example.com") in {f.domain for f in result.findings}


def test_a_slow_region_opens_the_circuit(seeded, monkeypatch):
    """After two timeouts in a row in us-east-1, its last certificate is not even tried."""
    from iaccert.live.runner import live_scan
    from iaccert.live.session import LiveOptions

    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(Fault("delay", "acm", operation="DescribeCertificate", delay=2.0))
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        options = LiveOptions(
            regions=["us-east-1"], timeout=0.5, max_attempts=1, breaker=2, max_workers=1
        )
        started = time.monotonic()
        result = live_scan(options)
        took = time.monotonic() - started
        tried = proxy.count("acm", "DescribeCertificate")
    acm = [i for i in result.incomplete if i.operation == "acm:DescribeCertificate"]
    assert tried == 2
    assert {i.domain for i in acm} == {"api.example.com", "gone.example.com", "pending.example.com"}
    assert {i.reason for i in acm} == {"timeout"}
    assert [i.code for i in acm].count("CircuitOpen") == 1
    assert took < 6
    # IAM is global: its own breaker, still read
    assert key("legacy.example.com") in {f.domain for f in result.findings}


def test_deadline_leaves_the_rest_could_not_check(seeded):
    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(Fault("delay", "apigateway", operation="GET /domainnames", delay=1.5))
        started = time.monotonic()
        ran = live(
            proxy.endpoint,
            "--region",
            "us-east-1",
            "--deadline",
            "1",
            "--max-workers",
            "1",
            "-f",
            "json",
        )
        took = time.monotonic() - started
    assert ran.returncode == 2
    report = json.loads(ran.stdout)
    late = {
        (i["operation"], i["domain"]) for i in report["incomplete"] if i["reason"] == "deadline"
    }
    assert ("apigatewayv2:GetDomainNames", None) in late
    assert ("acm:DescribeCertificate", "api.example.com") in late
    assert all(i["code"] == "DeadlineExceeded" for i in report["incomplete"])
    assert took < 5


def test_expired_credentials_have_one_reason_in_every_protocol(seeded):
    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(Fault("expired", "acm", operation="DescribeCertificate"))
        proxy.add(Fault("expired", "iam"))
        proxy.add(Fault("expired", "sts", operation="AssumeRole"))
        args = ("--role-arn", ROLE, "--accounts", f"{ACCOUNT_A},{ACCOUNT_B}")
        ran = live(proxy.endpoint, "--region", "us-east-1", *args, *ONE_TRY, "-f", "json")
    entries = json.loads(ran.stdout)["incomplete"]
    assert {i["operation"] for i in entries} == {"sts:AssumeRole"}  # every account's role
    assert {i["reason"] for i in entries} == {"expired-credentials"}
    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(Fault("expired", "acm", operation="DescribeCertificate"))
        proxy.add(Fault("expired", "iam"))
        proxy.add(Fault("expired", "apigateway"))
        ran = live(proxy.endpoint, "--region", "us-east-1", *ONE_TRY, "-f", "json")
    entries = json.loads(ran.stdout)["incomplete"]
    # the v2 listing still answers: its domain's certificate is described, and expired too
    assert {i["operation"] for i in entries} == {
        "apigateway:GetDomainNames",
        "acm:DescribeCertificate",
    }
    assert {(i["reason"], i["code"]) for i in entries} == {
        ("expired-credentials", "ExpiredTokenException")
    }


# --- units: pages and shapes, no endpoint ----------------------------------------------------


def _pager(answers: list[dict]):
    calls = []

    def call(**kwargs):
        calls.append(dict(kwargs))
        return answers[min(len(calls), len(answers)) - 1]

    return call, calls


def test_pages_refuse_a_cycle_a_b_a_b_and_too_many_items():
    from iaccert.live.calls import CallFault, pages

    tokens = ["A", "B", "C", "B"]
    answers = [{"Items": [], "NextToken": t} for t in tokens]
    call, calls = _pager(answers)
    with pytest.raises(CallFault) as caught:
        list(pages(call, "apigatewayv2:GetDomainNames", 100, 1000))
    assert caught.value.code == "RepeatedPageToken" and len(calls) == 4
    call, _ = _pager([{"Items": [{"DomainName": "x"}] * 60, "NextToken": "t"}, {"Items": []}])
    with pytest.raises(CallFault) as caught:
        list(pages(call, "apigatewayv2:GetDomainNames", 100, 50))
    assert caught.value.code == "TooManyItems"
    call, calls = _pager([{"Items": [{"DomainName": "x"}], "NextToken": "t"}, {"Items": []}])
    assert [len(p) for p in pages(call, "apigatewayv2:GetDomainNames", 100, 50)] == [1, 0]
    assert calls[1]["NextToken"] == "t" and calls[0]["MaxResults"] == "500"


def test_shapes_name_keys_never_values():
    from iaccert.live.calls import CallFault, check_shape

    secret = PLANTED[1]
    damaged = [
        {},
        {"Certificate": secret},
        {"Certificate": {"CertificateArn": secret}},
        {"Certificate": {"CertificateArn": "arn:x", "Status": ["ISSUED"]}},
        {"Certificate": {"CertificateArn": "arn:x", "Status": "ISSUED", "NotAfter": secret}},
    ]
    for answer in damaged:
        with pytest.raises(CallFault) as caught:
            check_shape("acm:DescribeCertificate", answer)
        assert secret not in caught.value.message and caught.value.reason == "malformed"
    ok = {"Certificate": {"CertificateArn": "arn:x", "Status": "ISSUED"}}
    assert check_shape("acm:DescribeCertificate", ok) is ok
    assert check_shape("apigateway:GetDomainNames", {"items": []}) == {"items": []}
    with pytest.raises(CallFault):  # an empty listing only when it is a listing
        check_shape("apigateway:GetDomainNames", {"ResponseMetadata": {}})
    with pytest.raises(CallFault):
        check_shape("sts:AssumeRole", {"Credentials": {"AccessKeyId": "A", "SecretAccessKey": ""}})


def test_an_internal_error_in_live_mode_names_its_class_only(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    import iaccert.live.runner
    from iaccert.cli import app

    def broken(options):
        raise KeyError(f"<Credentials>{PLANTED[1]}</Credentials>")

    monkeypatch.setattr(iaccert.live.runner, "live_scan", broken)
    monkeypatch.chdir(tmp_path)
    ran = CliRunner().invoke(app, ["live", "--region", "us-east-1"], catch_exceptions=False)
    assert ran.exit_code == 2
    assert ran.stderr.strip() == "iaccert: internal error in live mode: KeyError"
