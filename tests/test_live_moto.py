"""Live mode against a real HTTP endpoint: moto's server, seeded through boto3, and a proxy
that injects real AWS error shapes so botocore's own retry and timeout logic runs."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

import pytest
from live_support import (
    ACCOUNT_A,
    ACCOUNT_B,
    ACCOUNT_C,
    ROLE,
    SECRET,
    TOKEN,
    Fault,
    FaultProxy,
    aws_env,
    write_tf,
)
from snapshots import FIXTURES, run_cli

pytest.importorskip("boto3")
pytest.importorskip("moto")

REGIONS = ["--region", "us-east-1", "--region", "eu-west-1"]


def key(domain: str, region: str = "us-east-1", account: str = ACCOUNT_A) -> str:
    return f"{account}/{region}/{domain}"


def triples(report: dict) -> set[tuple[str, str, str]]:
    return {(f["rule_id"], f["domain"], f["resource"]) for f in report["findings"]}


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def live(endpoint: str, *args: str, env: dict | None = None, subprocess: bool = False) -> Ran:
    """``iaccert live ARGS`` against ``endpoint``: in this process (typer's runner, faster),
    or as a user runs it (``subprocess=True``)."""
    full_env = {**aws_env(endpoint), **(env or {})}
    if subprocess:
        proc = run_cli(["live", *args], FIXTURES, env=full_env)
        assert "Traceback" not in proc.stderr, proc.stderr
        return Ran(proc.returncode, proc.stdout, proc.stderr)
    from typer.testing import CliRunner

    from iaccert.cli import app

    result = CliRunner().invoke(app, ["live", *args], env=full_env, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def lint(endpoint: str, cwd, *args: str, monkeypatch) -> Ran:
    """``iaccert lint ARGS`` in this process, run from ``cwd`` (paths in reports are relative)."""
    from typer.testing import CliRunner

    from iaccert.cli import app

    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(app, ["lint", *args], env=aws_env(endpoint), catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def in_process(seeded, monkeypatch):
    """live_scan in this process, pointed at moto by AWS_ENDPOINT_URL (as a user would)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", seeded.endpoint)
    from iaccert.live.runner import live_scan
    from iaccert.live.session import CallCounter, LiveOptions

    def run(endpoint: str | None = None, **kwargs):
        if endpoint:
            monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        kwargs.setdefault("regions", ["us-east-1", "eu-west-1"])
        counter = CallCounter()
        return live_scan(LiveOptions(**kwargs), counter=counter), counter

    return run


def test_every_live_rule_on_the_seeded_account(seeded):
    proc = live(
        seeded.endpoint, *REGIONS, "--format", "json", "--upload-max-age-days", "0", subprocess=True
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    a = seeded.arns
    assert triples(report) == {
        ("IAC204", key("api.example.com"), a["api"]),
        ("IAC201", key("pending.example.com"), a["pending"]),  # IAC202 does not repeat it
        ("IAC207", key("gone.example.com"), seeded.dangling),
        ("IAC203", key("legacy.example.com"), seeded.iam_arn),
        ("IAC206", key("legacy.example.com"), seeded.iam_arn),
        ("IAC206", key("uploaded.example.com"), "partner-upload"),
        ("IAC205", key("imported.example.com", "eu-west-1"), a["imported"]),
        ("IAC203", key("imported.example.com", "eu-west-1"), a["imported"]),
        ("IAC105", key("wrong-region.example.com", "eu-west-1"), a["api"]),
        # api.example.com's certificate does not cover it either: IAC106, as deployed
        ("IAC106", key("wrong-region.example.com", "eu-west-1"), a["api"]),
        ("IAC204", key("wrong-region.example.com", "eu-west-1"), a["api"]),
        ("IAC204", key("www.example.com", "eu-west-1"), a["wildcard_eu"]),
    }
    by = {(f["rule_id"], f["domain"]): f for f in report["findings"]}
    expired = by[("IAC203", key("legacy.example.com"))]
    assert expired["severity"] == "error" and "expired on" in expired["message"]
    soon = by[("IAC203", key("imported.example.com", "eu-west-1"))]
    assert soon["severity"] == "warning" and "expires on" in soon["message"]
    assert "PENDING_VALIDATION" in by[("IAC201", key("pending.example.com"))]["message"]
    for f in report["findings"]:  # a logical location, never a fake file
        assert f["file"] is None and f["line"] is None
        assert f["logical_location"] == f["domain"]
    assert report["incomplete"] == [] and report["summary"]["incomplete"] == 0
    assert report["summary"]["domains"] == 8


def test_each_certificate_is_described_once_and_v1_v2_domains_merge(in_process, seeded):
    result, counter = in_process()
    names = [d for d in (f.domain for f in result.findings) if d.endswith("/api.example.com")]
    assert names == [key("api.example.com")]  # REST and v2 listings: one domain, one finding
    unique = {f.resource for f in result.findings if f.resource.startswith("arn:aws:acm:")} | {
        seeded.arns["imported"]
    }
    assert counter.calls["acm:DescribeCertificate"] == len(unique) == 5
    assert counter.calls["iam:ListServerCertificates"] == 1
    assert counter.calls["apigateway:GetDomainNames"] == 2  # one page per region
    assert counter.calls["apigatewayv2:GetDomainNames"] == 2


def test_text_format_names_domain_and_certificate(seeded):
    proc = live(seeded.endpoint, "--region", "us-east-1")
    assert proc.returncode == 1
    line = next(x for x in proc.stdout.splitlines() if "IAC207" in x)
    assert line.startswith(f"{key('gone.example.com')}: IAC207 [error]")
    assert seeded.dangling in line
    assert proc.stdout.rstrip().splitlines()[-1].endswith("(live); 0 could not be checked")


def test_junit_has_one_test_case_per_live_domain(seeded):
    import xml.etree.ElementTree as ET

    proc = live(seeded.endpoint, "--region", "us-east-1", "-f", "junit")
    cases = ET.fromstring(proc.stdout).iter("testcase")
    by_name = {c.get("name"): c for c in cases}
    live_cases = [c for c in by_name.values() if c.get("classname") == "aws"]
    assert len(live_cases) == len(by_name)  # every finding of a live run concerns a domain
    assert set(by_name) == {
        key(d)
        for d in (
            "api.example.com",
            "pending.example.com",
            "gone.example.com",
            "legacy.example.com",
            "uploaded.example.com",  # IAC206 warns of an upload from its first day
        )
    }
    legacy = by_name[key("legacy.example.com")].find("failure")
    assert legacy.get("message").startswith("2 findings: IAC203")  # both of its findings


def test_assume_role_across_two_accounts(seeded):
    proc = live(
        seeded.endpoint,
        "--region",
        "us-east-1",
        "--role-arn",
        ROLE,
        "--accounts",
        f"{ACCOUNT_A},{ACCOUNT_B}",
        "-f",
        "json",
    )
    report = json.loads(proc.stdout)
    domains = {f["domain"] for f in report["findings"]}
    assert key("b.example.org", account=ACCOUNT_B) in domains
    assert key("gone.example.com") in domains
    assert ("IAC204", key("b.example.org", account=ACCOUNT_B), seeded.arns["b"]) in triples(report)


def test_role_name_and_accounts_file(seeded, tmp_path):
    (tmp_path / "accounts.txt").write_text(f"# audited\n{ACCOUNT_B}\n", encoding="utf-8")
    proc = live(
        seeded.endpoint,
        "--region",
        "us-east-1",
        "--role-arn",
        "iaccert-audit",
        "--accounts",
        str(tmp_path / "accounts.txt"),
        "--external-id",
        "x-1234",
        "-f",
        "json",
    )
    report = json.loads(proc.stdout)
    assert {f["domain"] for f in report["findings"]} == {key("b.example.org", account=ACCOUNT_B)}


def test_all_regions_are_the_enabled_ones(in_process, seeded):
    result, counter = in_process(regions=[], all_regions=True)
    assert counter.calls["ec2:DescribeRegions"] == 1
    regions = {f.domain.split("/")[1] for f in result.findings}
    assert {"us-east-1", "eu-west-1"} <= regions
    listed = counter.calls["apigateway:GetDomainNames"]
    assert 10 <= listed < 40  # enabled regions only: moto lists opt-in regions as not opted in


def test_access_denied_is_could_not_check_for_that_certificate(seeded):
    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(
            Fault("deny", "acm", operation="DescribeCertificate", body_contains=seeded.arns["api"])
        )
        proc = live(proxy.endpoint, *REGIONS, "-f", "json")
        allowed = live(proxy.endpoint, *REGIONS, "-f", "json", "--allow-incomplete")
    assert proc.returncode == 2, proc.stderr
    assert allowed.returncode == 1
    report = json.loads(proc.stdout)
    got = {(i["account"], i["region"], i["domain"], i["certificate"]) for i in report["incomplete"]}
    assert got == {
        (ACCOUNT_A, "us-east-1", "api.example.com", seeded.arns["api"]),
        (ACCOUNT_A, "eu-west-1", "wrong-region.example.com", seeded.arns["api"]),
    }
    first = report["incomplete"][0]
    assert first["reason"] == "access-denied" and first["code"] == "AccessDeniedException"
    assert first["operation"] == "acm:DescribeCertificate"
    assert report["summary"]["incomplete"] == 2
    # the region check needs no call: it still runs; nothing about that certificate passes
    assert ("IAC105", key("wrong-region.example.com", "eu-west-1"), seeded.arns["api"]) in triples(
        report
    )
    assert not any(
        f["resource"] == seeded.arns["api"] and f["rule_id"] == "IAC204" for f in report["findings"]
    )


def test_throttling_retries_then_gives_up(seeded):
    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(Fault("throttle", "apigateway", region="eu-west-1", operation="GET /domainnames"))
        proc = live(proxy.endpoint, *REGIONS, "-f", "json", "--max-attempts", "2")
        attempts = proxy.count("apigateway", "GET /domainnames")
    assert proc.returncode == 2
    report = json.loads(proc.stdout)
    [entry] = report["incomplete"]
    assert (entry["account"], entry["region"], entry["domain"]) == (ACCOUNT_A, "eu-west-1", None)
    assert entry["reason"] == "throttled" and entry["code"] == "TooManyRequestsException"
    assert "2 attempts" in entry["message"]
    # two attempts at the throttled region; us-east-1 was listed once
    assert attempts == 3
    # v2 domains of the region are still checked
    assert key("imported.example.com", "eu-west-1") in {f["domain"] for f in report["findings"]}


def test_throttled_once_then_served_is_a_pass(seeded):
    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(Fault("throttle", "acm", operation="DescribeCertificate", times=1))
        proc = live(proxy.endpoint, *REGIONS, "-f", "json", "--max-attempts", "3")
        attempts = proxy.count("acm", "DescribeCertificate")
    report = json.loads(proc.stdout)
    assert proc.returncode == 1 and report["incomplete"] == []
    assert attempts == 5 + 1  # five ACM certificates, one retried


def test_disabled_region(seeded):
    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(Fault("disabled", region="ap-southeast-3"))
        proc = live(proxy.endpoint, "--region", "ap-southeast-3", "-f", "json")
    assert proc.returncode == 2
    report = json.loads(proc.stdout)
    assert {(i["operation"], i["reason"], i["code"]) for i in report["incomplete"]} == {
        ("apigateway:GetDomainNames", "region-disabled", "UnrecognizedClientException"),
        ("apigatewayv2:GetDomainNames", "region-disabled", "UnrecognizedClientException"),
        ("acm:ListCertificates", "region-disabled", "UnrecognizedClientException"),
        ("elbv2:DescribeLoadBalancers", "region-disabled", "InvalidClientTokenId"),
    }


def test_timeout(seeded):
    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(
            Fault(
                "delay",
                "acm",
                operation="DescribeCertificate",
                delay=1.5,
                body_contains=seeded.arns["pending"],
            )
        )
        proc = live(
            proxy.endpoint,
            "--region",
            "us-east-1",
            "-f",
            "json",
            "--timeout",
            "0.5",
            "--max-attempts",
            "1",
        )
    report = json.loads(proc.stdout)
    [entry] = report["incomplete"]
    assert entry["reason"] == "timeout" and entry["domain"] == "pending.example.com"
    assert entry["certificate"] == seeded.arns["pending"]


def test_iam_and_assume_role_denied_in_text_and_json(seeded):
    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(Fault("deny", "iam", operation="ListServerCertificates"))
        proxy.add(Fault("deny", "sts", operation="AssumeRole", body_contains=ACCOUNT_B))
        args = [
            "--region",
            "us-east-1",
            "--role-arn",
            ROLE,
            "--accounts",
            f"{ACCOUNT_A} {ACCOUNT_B}",
        ]
        text = live(proxy.endpoint, *args)
        report = json.loads(live(proxy.endpoint, *args, "-f", "json").stdout)
    assert text.returncode == 2
    got = {(i["account"], i["region"], i["domain"], i["operation"]) for i in report["incomplete"]}
    assert got == {
        (ACCOUNT_A, "us-east-1", "legacy.example.com", "iam:ListServerCertificates"),
        (ACCOUNT_B, None, None, "sts:AssumeRole"),
    }
    lines = [x for x in text.stdout.splitlines() if "could not check" in x]
    assert len(lines) == 2
    assert any(
        x.startswith(f"{ACCOUNT_B}: could not check: sts:AssumeRole access-denied") for x in lines
    )
    assert text.stdout.rstrip().endswith("2 could not be checked")


def test_credentials_never_printed(seeded):
    """A fake secret key and session token in the environment appear in no output."""
    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(Fault("deny", "acm"))
        proxy.add(Fault("disabled", "apigateway", region="eu-west-1"))
        args = [*REGIONS, "--role-arn", ROLE, "--accounts", ACCOUNT_A]
        outputs = []
        for fmt in ("text", "json", "sarif", "concise", "github", "junit"):
            ran = live(proxy.endpoint, *args, "-f", fmt, subprocess=fmt == "text")
            assert ran.returncode == 2
            outputs += [ran.stdout, ran.stderr]
        lint = run_cli(
            ["lint", "tf_iac109_unresolved", "--live", "--region", "eu-west-1"],
            FIXTURES,
            env=aws_env(proxy.endpoint),
        )
        outputs += [lint.stdout, lint.stderr]
    assert all(SECRET not in out and TOKEN not in out for out in outputs)
    assert sum("could not check" in out for out in outputs) >= 4


def test_no_credentials_is_a_usage_error(tmp_path, seeded):
    env = {
        **aws_env(seeded.endpoint),
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
        "AWS_SESSION_TOKEN": "",
    }
    proc = run_cli(["live", "--region", "us-east-1"], tmp_path, env=env)
    assert proc.returncode == 2 and "no AWS credentials" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_lint_live_replaces_iac109_at_the_source_line(seeded, tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "tf_iac109_unresolved", tmp_path / "m")
    proc = lint(seeded.endpoint, tmp_path, "m", "--live", "-f", "json", monkeypatch=monkeypatch)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    got = {(f["rule_id"], f["file"], f["line"], f["domain"]) for f in report["findings"]}
    assert got == {
        # a variable without a value: nothing to look up, the note stays
        ("IAC109", "m/domains.tf", 3, "aws_api_gateway_domain_name.public"),
        # data "aws_acm_certificate" (*.example.com, eu-west-1): found, checked as deployed
        ("IAC204", "m/domains.tf", 10, "aws_apigatewayv2_domain_name.webhooks"),
        # the literal ARN does not exist in the account
        ("IAC207", "m/domains.tf", 18, "aws_api_gateway_domain_name.legacy"),
    }
    note = next(f for f in report["findings"] if f["rule_id"] == "IAC109")
    assert "--live" not in note["message"] + note["fix"]  # nothing to look up
    assert note["fix"].startswith("give the variable a value")
    webhooks = next(f for f in report["findings"] if f["rule_id"] == "IAC204")
    assert seeded.arns["wildcard_eu"] in webhooks["message"]
    assert report["incomplete"] == []
    # the two looked up are checked now; the variable without a value stays unknown
    assert (report["summary"]["domains_checked"], report["summary"]["domains_unknown"]) == (2, 1)


def test_lint_live_literal_arn_of_a_pending_certificate(seeded, tmp_path, monkeypatch):
    arn = seeded.arns["pending"]
    write_tf(
        tmp_path / "m",
        {
            "main.tf": (
                'provider "aws" {\n  region = "us-east-1"\n}\n\n'
                'resource "aws_api_gateway_domain_name" "api" {\n'
                '  domain_name              = "pending.example.com"\n'
                f'  regional_certificate_arn = "{arn}"\n'
                "  endpoint_configuration {\n"
                '    types = ["REGIONAL"]\n'
                "  }\n}\n"
            )
        },
    )
    static = lint(seeded.endpoint, tmp_path, "m", "-f", "json", monkeypatch=monkeypatch)
    assert [f["rule_id"] for f in json.loads(static.stdout)["findings"]] == ["IAC109"]
    proc = lint(seeded.endpoint, tmp_path, "m", "--live", monkeypatch=monkeypatch)
    assert proc.returncode == 1
    heads = [x for x in proc.stdout.splitlines() if x.startswith("m/main.tf:")]
    assert [h.split(" ")[1] for h in heads] == ["IAC201"]  # its validation: not said twice
    assert all(h.startswith("m/main.tf:7:") for h in heads)
    assert "0 could not be checked" in proc.stdout


def test_lint_live_fault_keeps_the_note(seeded, tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "tf_iac109_unresolved", tmp_path / "m")
    with FaultProxy(seeded.endpoint) as proxy:
        proxy.add(Fault("deny", "acm"))
        proc = lint(proxy.endpoint, tmp_path, "m", "--live", "-f", "json", monkeypatch=monkeypatch)
    assert proc.returncode == 2
    report = json.loads(proc.stdout)
    assert {f["rule_id"] for f in report["findings"]} == {"IAC109"}
    looked_up = [f for f in report["findings"] if f["line"] in (10, 18)]
    assert len(looked_up) == 2
    for note in looked_up:  # the lookup was tried: the note no longer suggests --live
        assert "lint --live can" not in note["message"] + note["fix"]
        assert note["fix"].startswith("the live lookup could not be made")
    assert {(i["file"], i["line"], i["operation"]) for i in report["incomplete"]} == {
        ("m/domains.tf", 10, "acm:ListCertificates"),
        ("m/domains.tf", 18, "acm:DescribeCertificate"),
    }


def test_lint_live_cloudformation_parameter_from_the_command_line(seeded, tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "cfn_iac109_parameter", tmp_path / "m")
    args = ["m", "--parameter", f"CertificateArn={seeded.arns['pending']}", "--region", "us-east-1"]
    proc = lint(seeded.endpoint, tmp_path, *args, "--live", "-f", "json", monkeypatch=monkeypatch)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    got = {(f["rule_id"], f["file"], f["line"], f["domain"]) for f in report["findings"]}
    assert got == {
        ("IAC201", "m/template.yaml", 19, "ReportsDomain"),
        # the certificate given is pending.example.com's: it does not cover reports.example.com
        ("IAC106", "m/template.yaml", 19, "ReportsDomain"),
        ("IAC109", "m/template.yaml", 27, "LegacyApi"),  # an SSM parameter: not resolvable
    }


def test_per_service_endpoint_variables_are_honoured(seeded):
    """AWS_ENDPOINT_URL points nowhere; the per-service variables point at moto: it works."""
    services = (
        "ACM",
        "API_GATEWAY",
        "APIGATEWAYV2",
        "IAM",
        "STS",
        "CLOUDFRONT",
        "ELASTIC_LOAD_BALANCING_V2",
    )
    env = {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        **{f"AWS_ENDPOINT_URL_{s}": seeded.endpoint for s in services},
    }
    ran = live(
        seeded.endpoint, "--region", "us-east-1", "-f", "json", "--max-attempts", "1", env=env
    )
    report = json.loads(ran.stdout)
    assert ran.returncode == 1 and report["incomplete"] == []
    assert key("gone.example.com") in {f["domain"] for f in report["findings"]}
    # and with the ACM variable also pointing nowhere, ACM calls fail: could not check
    ran = live(
        seeded.endpoint,
        "--region",
        "us-east-1",
        "-f",
        "json",
        "--max-attempts",
        "1",
        "--timeout",
        "1",
        env={**env, "AWS_ENDPOINT_URL_ACM": "http://127.0.0.1:9"},
    )
    report = json.loads(ran.stdout)
    assert ran.returncode == 2
    assert {i["reason"] for i in report["incomplete"]} == {"unreachable"}


def test_acm_describe_is_rate_limited_per_account_and_region(seeded):
    with FaultProxy(seeded.endpoint) as proxy:
        ran = live(proxy.endpoint, "--region", "us-east-1", "--acm-rps", "2", "-f", "json")
        stamps = [t for op, t in proxy.times if op == "DescribeCertificate"]
    assert ran.returncode == 1
    assert len(stamps) == 3  # api, pending, the dangling ARN: all in us-east-1
    # The spacing itself is asserted with a fake clock (test_live_units.py): arrival times at
    # the proxy also carry connection set-up and scheduling on a busy machine.
    assert stamps == sorted(stamps)


def test_no_region_is_a_usage_error(seeded):
    ran = live(seeded.endpoint, env={"AWS_REGION": None, "AWS_DEFAULT_REGION": None})
    assert ran.returncode == 2 and "no region" in ran.stderr


def _inventory_run(consumers_seeded, *args: str) -> Ran:
    return live(
        consumers_seeded.endpoint, *REGIONS, "--role-arn", ROLE, "--accounts", ACCOUNT_C, *args
    )


def test_every_acm_certificate_is_listed_with_its_consumers(consumers_seeded):
    ran = _inventory_run(consumers_seeded, "-f", "json")
    assert ran.returncode == 1, ran.stderr
    report = json.loads(ran.stdout)
    assert report["incomplete"] == []
    a, ids = consumers_seeded.arns, consumers_seeded.distributions
    by_arn = {c["arn"]: c for c in report["certificates"]}
    assert set(by_arn) == set(a.values())  # every key type, used or not, both regions
    listener = f"{ACCOUNT_C}/us-east-1/" + consumers_seeded.listener.split(":", 5)[5]

    def served(role: str) -> set[tuple]:
        return {
            (u["kind"], u["logical_location"], tuple(u["names"]))
            for u in by_arn[a[role]]["consumers"]
        }

    assert served("unused") == set()
    assert served("shop") == {("apigateway", key("shop.example.net", account=ACCOUNT_C), ())}
    # API Gateway's own status of the domain (moto: always AVAILABLE; IAC208 for the others is
    # unit-tested in test_live_inventory.py); consumers without one have none
    assert [u["status"] for u in by_arn[a["shop"]]["consumers"]] == ["AVAILABLE"]
    assert {u["status"] for u in by_arn[a["cdn"]]["consumers"]} == {None}
    assert served("cdn") == {
        (
            "cloudfront",
            f"{ACCOUNT_C}/global/distribution/{ids['cdn']}",
            ("cdn.example.net", "www.cdn.example.net"),
        )
    }
    assert served("cdn_eu") == {
        ("cloudfront", f"{ACCOUNT_C}/global/distribution/{ids['cdn_eu']}", ("eu.example.net",))
    }
    # the listener's default certificate and the one added to it with AddListenerCertificates
    assert served("alb") == served("extra_ec") == {("listener", listener, ())}
    assert {c["consumers"][0]["name"] for c in by_arn.values() if c["consumers"]} >= {
        "shop-alb HTTPS:443"
    }
    for role in ("unused", "shop", "cdn", "cdn_eu", "alb"):
        entry = by_arn[a[role]]
        assert (entry["status"], entry["type"], entry["key_algorithm"]) == (
            "ISSUED",
            "AMAZON_ISSUED",
            "RSA_2048",
        )
        assert entry["account"] == ACCOUNT_C and entry["not_after"]
    ec = by_arn[a["extra_ec"]]
    assert (ec["type"], ec["key_algorithm"], ec["region"]) == (
        "IMPORTED",
        "EC_prime256v1",
        "us-east-1",
    )
    assert by_arn[a["cdn_eu"]]["region"] == "eu-west-1"
    assert report["summary"]["certificates"] == 6
    assert report["summary"]["certificates_unused"] == 1
    assert report["summary"]["domains"] == 1  # API Gateway domains, as before


def test_findings_point_at_each_consumer_or_at_the_unused_certificate(consumers_seeded):
    report = json.loads(_inventory_run(consumers_seeded, "-f", "json").stdout)
    a, ids = consumers_seeded.arns, consumers_seeded.distributions
    listener = f"{ACCOUNT_C}/us-east-1/" + consumers_seeded.listener.split(":", 5)[5]
    unused = f"{ACCOUNT_C}/us-east-1/" + a["unused"].split(":", 5)[5]
    cdn_eu = f"{ACCOUNT_C}/global/distribution/{ids['cdn_eu']}"
    cdn = f"{ACCOUNT_C}/global/distribution/{ids['cdn']}"
    # moto says INELIGIBLE for every certificate: IAC204 on each ACM-issued one
    assert triples(report) == {
        ("IAC204", unused, a["unused"]),
        ("IAC204", key("shop.example.net", account=ACCOUNT_C), a["shop"]),
        ("IAC204", cdn, a["cdn"]),
        ("IAC204", cdn_eu, a["cdn_eu"]),
        ("IAC105", cdn_eu, a["cdn_eu"]),  # CloudFront serves only us-east-1 certificates
        ("IAC204", listener, a["alb"]),
        ("IAC205", listener, a["extra_ec"]),
    }
    by = {(f["rule_id"], f["domain"]): f["message"] for f in report["findings"]}
    assert "(no consumer found)" in by[("IAC204", unused)]
    assert "InUseBy lists none" in by[("IAC204", unused)]
    assert by[("IAC105", cdn_eu)].startswith(
        f"CloudFront distribution '{ids['cdn_eu']}' ({ACCOUNT_C}) needs its certificate in "
        "us-east-1"
    )
    assert "load balancer listener 'shop-alb HTTPS:443'" in by[("IAC205", listener)]


def test_text_lists_every_certificate_and_the_calls_are_made_once(consumers_seeded, in_process):
    ran = _inventory_run(consumers_seeded)
    a = consumers_seeded.arns
    block = ran.stdout.split("certificates (6):\n", 1)[1]
    lines = {line.split(" ", 3)[2]: line for line in block.splitlines() if line.startswith("  ")}
    assert set(lines) == set(a.values())
    assert lines[a["unused"]].endswith("; no consumer found")
    assert "(cdn.example.net, www.cdn.example.net)" in lines[a["cdn"]]
    assert "IMPORTED, EC_prime256v1" in lines[a["extra_ec"]]
    assert "6 certificates (1 unused) (live)" in ran.stdout.splitlines()[-1]
    result, counter = in_process(role_arn=ROLE, accounts=[ACCOUNT_C])
    assert counter.calls["cloudfront:ListDistributions"] == 1  # global: once per account
    assert counter.calls["acm:ListCertificates"] == 2  # once per region
    assert counter.calls["acm:DescribeCertificate"] == 6  # each certificate once
    assert counter.calls["elbv2:DescribeListenerCertificates"] == 1  # the HTTPS listener only
    assert len(result.certificates) == 6
