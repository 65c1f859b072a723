"""Live mode, unit by unit: what moto cannot produce comes from botocore's Stubber (renewal
FAILED, ELIGIBLE, pagination tokens); the rate limiter, account lists and fault
classification need no endpoint at all. And a static scan never imports boto3."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from snapshots import FIXTURES, ROOT

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
ARN = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"


def test_static_scan_never_imports_boto3():
    code = (
        "import sys\n"
        "from iaccert import cli\n"
        "sys.argv = ['iaccert', 'lint', 'tf_iac109_unresolved', '-f', 'json']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "sys.argv = ['iaccert', 'lint', 'tf_iac109_unresolved', '-f', 'sarif']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'moto')]\n"
        "assert not loaded, loaded\n"
        "assert 'iaccert.live.session' not in sys.modules\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=FIXTURES, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


def test_live_mode_is_never_implicit(tmp_path):
    """Without --live, lint neither looks anything up nor reports live keys."""
    import json

    from snapshots import run_cli

    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "x"}
    proc = run_cli(["lint", "tf_iac109_unresolved", "-f", "json"], FIXTURES, env=env)
    report = json.loads(proc.stdout)
    assert "incomplete" not in report and "incomplete" not in report["summary"]
    assert {f["rule_id"] for f in report["findings"]} == {"IAC109"}


# --- checks over descriptions moto cannot produce ------------------------------------------


def _stubbed_describe(certificate: dict) -> dict:
    """A DescribeCertificate answer through a real botocore client and Stubber."""
    boto3 = pytest.importorskip("boto3")
    from botocore.stub import Stubber

    client = boto3.client(
        "acm",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
        endpoint_url="http://127.0.0.1:9",
    )
    with Stubber(client) as stub:
        stub.add_response(
            "describe_certificate", {"Certificate": certificate}, {"CertificateArn": ARN}
        )
        return client.describe_certificate(CertificateArn=ARN)["Certificate"]


def _issued(**extra) -> dict:
    base = {
        "CertificateArn": ARN,
        "DomainName": "api.example.com",
        "Status": "ISSUED",
        "Type": "AMAZON_ISSUED",
        "NotAfter": NOW + dt.timedelta(days=200),
        "RenewalEligibility": "ELIGIBLE",
        "InUseBy": ["arn:aws:apigateway:us-east-1::/domainnames/api.example.com"],
        "DomainValidationOptions": [
            {
                "DomainName": "api.example.com",
                "ValidationStatus": "SUCCESS",
                "ValidationMethod": "DNS",
            }
        ],
    }
    base.update(extra)
    return base


def _facts(info: dict | None = None, kind: str = "acm", uploaded=(), **limits):
    from iaccert.facts import Consumer, Deployed, Facts, Thresholds

    deployed = Deployed(ARN, kind, info) if info is not None else None
    consumer = Consumer("domain", "'api.example.com'")
    return Facts(
        consumer, deployed=deployed, uploaded=list(uploaded), now=NOW, limits=Thresholds(**limits)
    )


def _hits(info: dict | None = None, **kwargs) -> list:
    """(rule id, hit) of every registered rule over the deployed facts alone."""
    from iaccert import registry

    return list(registry.run(_facts(info, **kwargs)))


def _rules(info: dict, **limits) -> list[tuple[str, str | None]]:
    return [(rule_id, hit.severity) for rule_id, hit in _hits(info, **limits)]


def _one(rule_id: str, info: dict | None = None, **kwargs):
    found = [hit for r, hit in _hits(info, **kwargs) if r == rule_id]
    assert len(found) == 1, found
    return found[0]


def test_eligible_issued_dns_certificate_passes():
    assert _rules(_stubbed_describe(_issued())) == []


def test_renewal_failed_is_reported_with_its_reason():
    info = _stubbed_describe(
        _issued(
            RenewalSummary={
                "RenewalStatus": "FAILED",
                "RenewalStatusReason": "CAA_ERROR",
                "DomainValidationOptions": [
                    {"DomainName": "api.example.com", "ValidationStatus": "FAILED"}
                ],
                "UpdatedAt": NOW,
            }
        )
    )
    hit = _one("IAC204", info)
    assert "renewal is FAILED (CAA_ERROR, api.example.com FAILED)" in hit.message


def test_renewal_pending_validation_and_ineligible():
    info = _stubbed_describe(
        _issued(
            RenewalEligibility="INELIGIBLE",
            RenewalSummary={
                "RenewalStatus": "PENDING_VALIDATION",
                "UpdatedAt": NOW,
                "DomainValidationOptions": [
                    {"DomainName": "api.example.com", "ValidationStatus": "PENDING_VALIDATION"}
                ],
            },
        )
    )
    hit = _one("IAC204", info)
    assert "renewal is PENDING_VALIDATION (api.example.com PENDING_VALIDATION)" in hit.message
    assert "RenewalEligibility is INELIGIBLE" in hit.message


def test_expired_is_an_error_and_expiring_a_warning():
    expired = _stubbed_describe(_issued(NotAfter=NOW - dt.timedelta(days=1), Status="EXPIRED"))
    assert ("IAC203", "error") in _rules(expired)
    assert ("IAC201", None) in _rules(expired)
    soon = _stubbed_describe(_issued(NotAfter=NOW + dt.timedelta(days=20)))
    assert _rules(soon) == [("IAC203", None)]
    assert _rules(soon, expiry_days=10) == []


def test_email_validation_is_not_successful():
    info = _stubbed_describe(
        _issued(
            DomainValidationOptions=[
                {
                    "DomainName": "api.example.com",
                    "ValidationStatus": "SUCCESS",
                    "ValidationMethod": "EMAIL",
                }
            ]
        )
    )
    hit = _one("IAC202", info)
    assert "api.example.com is validated by EMAIL" in hit.message


def test_a_pending_certificate_is_iac201_alone_and_email_success_is_said_so():
    """IAC202 does not repeat IAC201's pending validation; a successful EMAIL validation is
    not called unsuccessful; an imported certificate past its date is not "valid until"."""
    pending = _stubbed_describe(
        _issued(
            Status="PENDING_VALIDATION",
            DomainValidationOptions=[
                {
                    "DomainName": "api.example.com",
                    "ValidationStatus": "PENDING_VALIDATION",
                    "ValidationMethod": "DNS",
                }
            ],
        )
    )
    assert [r for r, _ in _rules(pending)] == ["IAC201"]
    email = {
        "DomainName": "api.example.com",
        "ValidationStatus": "SUCCESS",
        "ValidationMethod": "EMAIL",
    }
    pending_email = _stubbed_describe(
        _issued(Status="PENDING_VALIDATION", DomainValidationOptions=[email])
    )
    assert [r for r, _ in _rules(pending_email)] == ["IAC201", "IAC202"]  # the method still

    hit = _one("IAC202", _issued(DomainValidationOptions=[email]))
    assert "validated by EMAIL (it succeeded;" in hit.message
    assert "is SUCCESS" not in hit.message and "not successful" not in hit.message
    past = _issued(Type="IMPORTED", NotAfter=NOW - dt.timedelta(days=3))
    hit = _one("IAC205", past)
    assert "expired on 2026-10-29" in hit.message and "valid until" not in hit.message
    hit = _one("IAC205", _issued(Type="IMPORTED"))
    assert "valid until 2027-05-20" in hit.message


def test_uploaded_certificate_age():
    from iaccert.facts import Uploaded

    old = [Uploaded("certificate 'x'", NOW - dt.timedelta(days=400))]
    hit = _one("IAC206", uploaded=old, upload_max_age_days=395)
    assert "400 days ago" in hit.message and hit.severity == "error"
    [(_, young)] = _hits(uploaded=old, upload_max_age_days=400)  # served: still a warning
    assert young.severity is None and "an error after 400 days" in young.message


def test_region_mismatch_as_deployed():
    """IAC105 over deployed facts: the same rule that judges the code."""
    from iaccert import registry
    from iaccert.facts import Consumer, Facts, arn_region

    def region_hits(endpoint: str, required: str) -> list:
        consumer = Consumer("domain", "d", endpoint, required)
        facts = Facts(consumer, certificate_region=arn_region(ARN), certificate_name=ARN)
        return [hit for rule_id, hit in registry.run(facts) if rule_id == "IAC105"]

    assert region_hits("EDGE", "us-east-1") == []
    [hit] = region_hits("REGIONAL", "eu-west-1")
    assert "REGIONAL domain d needs its certificate in eu-west-1" in hit.message


# --- inventory: pagination and dedupe (Stubber) ---------------------------------------------


class _StubClients:
    """What an Account needs of Clients: stubbed clients by service, the guard, the options."""

    def __init__(self, clients: dict, **options):
        from iaccert.live.calls import Guard
        from iaccert.live.session import LiveOptions

        self.by_service = clients
        self.options = LiveOptions(**options)
        self.guard = Guard(self.options.deadline, self.options.breaker)

    def get(self, account_id, credentials, service: str, region: str):
        return self.by_service[service]


def _StubAccount(clients: dict, **options):
    """A real Account (guarded calls, bounded pages) over botocore Stubber clients."""
    from iaccert.live.session import Account

    return Account("123456789012", _StubClients(clients, **options))


def _client(service: str):
    boto3 = pytest.importorskip("boto3")
    return boto3.client(
        service,
        region_name="eu-west-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
        endpoint_url="http://127.0.0.1:9",
    )


def test_both_apis_paginate_and_domains_are_one_per_name():
    from botocore.stub import Stubber

    from iaccert.live.inventory import list_domains

    rest, v2 = _client("apigateway"), _client("apigatewayv2")
    cert = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
    with Stubber(rest) as rs, Stubber(v2) as vs:
        rs.add_response(
            "get_domain_names",
            {
                "items": [
                    {
                        "domainName": "a.example.com",
                        "regionalCertificateArn": cert,
                        "endpointConfiguration": {"types": ["REGIONAL"]},
                    }
                ],
                "position": "p1",
            },
            {"limit": 500},
        )
        rs.add_response(
            "get_domain_names",
            {"items": [{"domainName": "b.example.com", "certificateArn": cert}]},
            {"limit": 500, "position": "p1"},
        )
        vs.add_response(
            "get_domain_names",
            {
                "Items": [
                    {
                        "DomainName": "a.example.com",
                        "DomainNameConfigurations": [
                            {"CertificateArn": cert, "EndpointType": "REGIONAL"}
                        ],
                    },
                    {  # the REST EDGE domain, as the v2 API lists it too
                        "DomainName": "b.example.com",
                        "DomainNameConfigurations": [
                            {"CertificateArn": cert, "EndpointType": "EDGE"}
                        ],
                    },
                ],
                "NextToken": "n1",
            },
            {"MaxResults": "500"},
        )
        vs.add_response(
            "get_domain_names",
            {
                "Items": [
                    {
                        "DomainName": "c.example.com",
                        "DomainNameConfigurations": [
                            {
                                "CertificateName": "up",
                                "CertificateUploadDate": NOW,
                                "EndpointType": "REGIONAL",
                            }
                        ],
                    }
                ]
            },
            {"MaxResults": "500", "NextToken": "n1"},
        )
        domains, faults = list_domains(
            _StubAccount({"apigateway": rest, "apigatewayv2": v2}), "eu-west-1"
        )
        rs.assert_no_pending_responses()
        vs.assert_no_pending_responses()
    assert faults == []
    by = {d.name: d for d in domains}
    assert sorted(by) == ["a.example.com", "b.example.com", "c.example.com"]
    assert by["a.example.com"].apis == {"rest", "v2"}
    assert [(c.attr, c.required_region) for c in by["a.example.com"].certificates] == [
        ("regionalCertificateArn", "eu-west-1")
    ]
    assert [(c.endpoint_type, c.required_region) for c in by["b.example.com"].certificates] == [
        ("EDGE", "us-east-1")
    ]
    assert [u.name for u in by["c.example.com"].uploaded] == ["up"]


def test_lookup_lists_every_key_type_and_pages():
    from botocore.stub import Stubber

    from iaccert.live.inventory import LookupCriteria, all_key_types, lookup_certificate

    acm = _client("acm")
    keys = all_key_types(acm)
    assert {"RSA_2048", "EC_prime256v1", "RSA_4096"} <= set(keys)
    older = "arn:aws:acm:eu-west-1:123456789012:certificate/old"
    newer = "arn:aws:acm:eu-west-1:123456789012:certificate/new"
    with Stubber(acm) as stub:
        stub.add_response(
            "list_certificates",
            {
                "CertificateSummaryList": [
                    {
                        "CertificateArn": older,
                        "DomainName": "*.example.com",
                        "NotBefore": NOW - dt.timedelta(days=300),
                    },
                    {
                        "CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/other",
                        "DomainName": "other.example.com",
                    },
                ],
                "NextToken": "t",
            },
            {"CertificateStatuses": ["ISSUED"], "Includes": {"keyTypes": keys}, "MaxItems": 1000},
        )
        stub.add_response(
            "list_certificates",
            {
                "CertificateSummaryList": [
                    {"CertificateArn": newer, "DomainName": "*.example.com", "NotBefore": NOW}
                ]
            },
            {
                "CertificateStatuses": ["ISSUED"],
                "Includes": {"keyTypes": keys},
                "MaxItems": 1000,
                "NextToken": "t",
            },
        )
        got = lookup_certificate(
            _StubAccount({"acm": acm}),
            "eu-west-1",
            LookupCriteria("*.example.com", ("ISSUED",), most_recent=True),
        )
    assert got == newer


def test_lookup_criteria_from_terraform_attributes():
    from iaccert.live.resolve import criteria_of
    from iaccert.model import Unknown

    c = criteria_of({"domain": "*.example.com", "statuses": ["ISSUED"], "most_recent": True})
    assert (c.domain, c.statuses, c.most_recent) == ("*.example.com", ("ISSUED",), True)
    assert criteria_of({"domain": "x.example.com"}).statuses == ("ISSUED",)
    assert criteria_of({"domain": Unknown("var.domain")}) is None
    assert criteria_of({"domain": "x", "statuses": [Unknown("v")]}) is None
    assert criteria_of({"tags": {"env": "prod"}}) is None


# --- session: accounts, rate limit, faults --------------------------------------------------


def test_parse_accounts(tmp_path):
    from iaccert.live.session import LiveUsageError, parse_accounts

    path = tmp_path / "accounts.txt"
    path.write_text("111111111111  # prod\n\n222222222222,333333333333\n", encoding="utf-8")
    assert parse_accounts(["444444444444, 111111111111", str(path), f"@{path}"]) == [
        "444444444444",
        "111111111111",
        "222222222222",
        "333333333333",
    ]
    with pytest.raises(LiveUsageError):
        parse_accounts(["12345"])


def test_an_accounts_file_that_is_a_fifo_or_huge_is_a_usage_error_not_a_hang(tmp_path):
    import os

    from iaccert.live.session import LiveUsageError, parse_accounts

    fifo = tmp_path / "accounts.fifo"
    os.mkfifo(fifo)
    with pytest.raises(LiveUsageError, match="cannot read accounts file"):
        parse_accounts([f"@{fifo}"])  # opened for reading, a FIFO would block the run
    huge = tmp_path / "accounts.txt"
    huge.write_text("111111111111\n" * 100_000, encoding="utf-8")
    with pytest.raises(LiveUsageError, match="larger than 1 MiB"):
        parse_accounts([f"@{huge}"])
    hostile = tmp_path / "hostile.txt"
    hostile.write_text("x" * 5000 + "\x1b[2J", encoding="utf-8")
    with pytest.raises(LiveUsageError) as raised:
        parse_accounts([f"@{hostile}"])
    assert len(str(raised.value)) < 200  # the token is quoted, cut, never the whole file


def test_rate_limiter_never_exceeds_its_rate_in_any_second():
    from iaccert.live.session import RateLimiter

    clock = [0.0]
    stamps = []
    limiter = RateLimiter(
        10, clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s)
    )
    for _ in range(35):
        limiter.acquire()
        stamps.append(clock[0])
    for i, t in enumerate(stamps):
        assert sum(1 for u in stamps[i:] if u - t < 1.0) <= 10
    assert stamps[-1] == pytest.approx(3.0)
    slow = RateLimiter(
        0.5, clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s)
    )
    start = clock[0]
    slow.acquire()
    slow.acquire()
    assert clock[0] - start == pytest.approx(2.0)


def test_faults_are_classified():
    pytest.importorskip("botocore")
    from botocore.exceptions import ClientError, ReadTimeoutError

    from iaccert.live.faults import classify, register_secret

    def err(code: str, status: int = 400, message: str = "m") -> ClientError:
        return ClientError(
            {
                "Error": {"Code": code, "Message": message},
                "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": 4},
            },
            "DescribeCertificate",
        )

    assert classify(err("AccessDeniedException"))[0] == "access-denied"
    assert classify(err("UnauthorizedOperation", 403))[0] == "access-denied"
    assert classify(err("UnrecognizedClientException"))[0] == "region-disabled"
    assert classify(err("InvalidClientTokenId", 403))[0] == "region-disabled"
    reason, code, message = classify(err("ThrottlingException"))
    assert (reason, code) == ("throttled", "ThrottlingException") and "5 attempts" in message
    assert classify(err("Whatever", 429))[0] == "throttled"
    assert classify(ReadTimeoutError(endpoint_url="http://127.0.0.1:9"))[0] == "timeout"
    register_secret("sEcReTvAlUe0123456789")
    assert "sEcReT" not in classify(err("X", message="token sEcReTvAlUe0123456789 bad"))[2]


def test_live_usage_errors(monkeypatch):
    pytest.importorskip("boto3")
    from iaccert.live.session import Credentials, LiveOptions, LiveUsageError

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    with pytest.raises(LiveUsageError, match="--accounts needs --role-arn"):
        Credentials(LiveOptions(accounts=["111111111111"]))
    creds = Credentials(
        LiveOptions(
            role_arn="arn:aws:iam::111111111111:role/r", accounts=["111111111111", "222222222222"]
        )
    )
    with pytest.raises(LiveUsageError, match="{account}"):
        creds.targets()
    creds = Credentials(LiveOptions(role_arn="audit", regions=["eu-west-1"]))
    with pytest.raises(LiveUsageError, match="full role ARN"):
        creds.targets()
    assert creds.role_for("111111111111") == "arn:aws:iam::111111111111:role/audit"
    cn = Credentials(LiveOptions(role_arn="audit", regions=["cn-north-1"]))
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    assert cn.role_for("111111111111").startswith("arn:aws-cn:iam::")


def test_live_without_boto3_says_how_to_install(tmp_path):
    code = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def fake(name, *a, **k):\n"
        "    if name.split('.')[0] in ('boto3', 'botocore'):\n"
        "        raise ModuleNotFoundError(name=name.split('.')[0])\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = fake\n"
        "sys.argv = ['iaccert', 'live', '--region', 'us-east-1']\n"
        "from iaccert import cli\n"
        "cli.main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "pip install 'iaccert[live]'" in proc.stderr and "Traceback" not in proc.stderr


def test_lint_live_runs_every_rule_once_over_code_and_deployed_facts():
    """A looked-up certificate joins the chain's facts: IAC105 (the one implementation)
    judges its ARN's region, the live rules its description, and the IAC109 note is not
    written, rather than written and taken back."""
    from iaccert.facts import Deployed, LiveFacts, LiveLookup
    from iaccert.scan import scan

    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    target = "aws_apigatewayv2_domain_name.webhooks"

    def provider(chains):
        [chain] = [c for c in chains if c.domain.address == target]
        info = {"Status": "PENDING_VALIDATION", "Type": "AMAZON_ISSUED"}
        return LiveFacts({id(chain): LiveLookup(Deployed(arn, "acm", info))})

    static = scan([fixtures / "tf_iac109_unresolved"], policy=None)
    result = scan([fixtures / "tf_iac109_unresolved"], policy=None, live=provider)
    about = [f for f in result.findings if f.domain == target]
    assert sorted(f.rule.id for f in about) == ["IAC105", "IAC201"]
    [region] = [f for f in about if f.rule.id == "IAC105"]
    assert region.message == (
        "REGIONAL domain 'webhooks.example.com' (aws_apigatewayv2_domain_name.webhooks) needs "
        f"its certificate in eu-west-1, but {arn} is in us-east-1"
    )
    [note] = [f for f in static.findings if f.domain == target and f.rule.id == "IAC109"]
    assert {f.location for f in about} == {note.location}  # the certificate argument's line
    assert result.live and result.domain_states != static.domain_states


def test_lint_live_checks_the_names_of_the_certificate_it_found():
    """IAC106 is one rule for the code and for AWS: the looked-up certificate's names (as ACM
    describes them) are checked against the domain's."""
    from iaccert.facts import Deployed, LiveFacts, LiveLookup
    from iaccert.scan import scan

    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
    target = "aws_apigatewayv2_domain_name.webhooks"

    def provider_for(names: list[str]):
        def provider(chains):
            [chain] = [c for c in chains if c.domain.address == target]
            info = {"Status": "ISSUED", "Type": "AMAZON_ISSUED", "DomainName": names[0]}
            info["SubjectAlternativeNames"] = names
            return LiveFacts({id(chain): LiveLookup(Deployed(arn, "acm", info))})

        return provider

    def rules_for(names: list[str]) -> list[str]:
        result = scan([fixtures / "tf_iac109_unresolved"], policy=None, live=provider_for(names))
        return sorted(f.rule.id for f in result.findings if f.domain == target)

    assert rules_for(["*.example.com"]) == []
    assert rules_for(["hooks.example.org"]) == ["IAC106"]
