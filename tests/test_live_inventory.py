"""``iaccert live``'s inventory, unit by unit, over botocore Stubber clients (real request and
response shapes, no endpoint): CloudFront distributions, ELBv2 listeners and their extra
certificates, every ACM certificate, API Gateway's domain status (which moto always says is
AVAILABLE), uploaded certificates' age, and each new call's fault."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from test_live_units import _client, _StubAccount

pytest.importorskip("boto3")

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
ACCOUNT = "123456789012"
US = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555"
EU = f"arn:aws:acm:eu-west-1:{ACCOUNT}:certificate/66666666-7777-8888-9999-000000000000"
LB = f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:loadbalancer/app/shop/50dc6c495c0c9188"
LISTENER = (
    f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:listener/app/shop/50dc6c495c0c9188/f2f7"
)


def _issued(arn: str = US, **extra) -> dict:
    info = {
        "CertificateArn": arn,
        "DomainName": "shop.example.com",
        "Status": "ISSUED",
        "Type": "AMAZON_ISSUED",
        "KeyAlgorithm": "RSA_2048",
        "NotAfter": NOW + dt.timedelta(days=200),
        "RenewalEligibility": "ELIGIBLE",
        "InUseBy": [],
        "DomainValidationOptions": [
            {
                "DomainName": "shop.example.com",
                "ValidationStatus": "SUCCESS",
                "ValidationMethod": "DNS",
            }
        ],
    }
    info.update(extra)
    return info


def _rules(hits) -> list[tuple[str, str | None]]:
    return [(h.rule_id, h.severity) for _, h in hits]


@dataclass
class Found:
    """A registered rule's hit with its id: what a live finding is made of."""

    rule_id: str
    message: str
    severity: str | None


def domain_hits(d, inv, now, limits):
    """(resource, found) of every registered rule over one consumer's facts."""
    from iaccert import registry
    from iaccert.live.runner import consumer_facts

    facts_list, faults = consumer_facts(d, inv, now, limits)
    found = [
        (resource, Found(rule_id, hit.message, hit.severity))
        for resource, facts in facts_list
        for rule_id, hit in registry.run(facts)
    ]
    return found, faults


def unserved_hits(inv, served, now, limits):
    from iaccert import registry
    from iaccert.live.runner import unserved_facts

    facts_list, faults = unserved_facts(inv, served, now, limits)
    found = [
        (key, resource, Found(rule_id, hit.message, hit.severity))
        for key, resource, facts in facts_list
        for rule_id, hit in registry.run(facts)
    ]
    return found, faults


def _facts(**kwargs):
    from iaccert.facts import Consumer, Facts

    return Facts(Consumer("domain", "'d' (a/r)"), now=NOW, limits=_limits(), **kwargs)


def _run(facts) -> list[Found]:
    from iaccert import registry

    return [Found(r, h.message, h.severity) for r, h in registry.run(facts)]


# --- IAC208: API Gateway's own domain status ---------------------------------------------


def _status_enums() -> set[str]:
    import botocore.session

    session = botocore.session.get_session()
    found: set[str] = set()
    for service in ("apigateway", "apigatewayv2"):
        found |= set(session.get_service_model(service).shape_for("DomainNameStatus").enum)
    return found


def test_every_domain_status_but_available_is_reported():
    statuses = _status_enums()
    assert {"AVAILABLE", "UPDATING", "PENDING_CERTIFICATE_REIMPORT", "FAILED"} <= statuses
    assert _run(_facts(statuses=[("AVAILABLE", "Domain Name Available")])) == []
    for status in statuses - {"AVAILABLE"}:
        [hit] = _run(_facts(statuses=[(status, "why")]))
        assert hit.rule_id == "IAC208" and status in hit.message and "(why)" in hit.message
        passing = status in ("UPDATING", "PENDING")
        assert hit.severity == ("note" if passing else None), status  # None: the catalog's error
    [hit] = _run(_facts(statuses=[("SOMETHING_NEW", "")]))  # an enum value added later
    assert hit.severity is None and "not AVAILABLE" in hit.message


def test_domain_status_from_both_apis_is_one_finding_per_status():
    from botocore.stub import Stubber

    from iaccert.live.inventory import list_domains
    from iaccert.live.runner import Inventory

    rest, v2 = _client("apigateway"), _client("apigatewayv2")
    message = "The imported certificate has expired; reimport it"
    with Stubber(rest) as rs, Stubber(v2) as vs:
        rs.add_response(
            "get_domain_names",
            {
                "items": [
                    {
                        "domainName": "api.example.com",
                        "regionalCertificateArn": EU,
                        "endpointConfiguration": {"types": ["REGIONAL"]},
                        "domainNameStatus": "PENDING_CERTIFICATE_REIMPORT",
                        "domainNameStatusMessage": message,
                    },
                    {"domainName": "ok.example.com", "domainNameStatus": "AVAILABLE"},
                ]
            },
            {"limit": 500},
        )
        vs.add_response(
            "get_domain_names",
            {
                "Items": [
                    {
                        "DomainName": "api.example.com",
                        "DomainNameConfigurations": [
                            {
                                "CertificateArn": EU,
                                "EndpointType": "REGIONAL",
                                "DomainNameStatus": "PENDING_CERTIFICATE_REIMPORT",
                                "DomainNameStatusMessage": message,
                            }
                        ],
                    }
                ]
            },
            {"MaxResults": "500"},
        )
        domains, faults = list_domains(
            _StubAccount({"apigateway": rest, "apigatewayv2": v2}), "eu-west-1"
        )
    assert faults == []
    by = {d.name: d for d in domains}
    assert [s.status for s in by["api.example.com"].statuses] == ["PENDING_CERTIFICATE_REIMPORT"]
    inv = Inventory(domains=domains)
    hits, _ = domain_hits(by["api.example.com"], inv, NOW, _limits())
    assert _rules(hits) == [("IAC208", None)]
    assert message in hits[0][1].message and "'api.example.com'" in hits[0][1].message
    assert domain_hits(by["ok.example.com"], inv, NOW, _limits())[0] == []


def _limits(**kwargs):
    from iaccert.facts import Thresholds

    return Thresholds(**kwargs)


# --- IAC206: uploaded certificates ---------------------------------------------------------


def test_an_upload_warns_from_its_first_day_and_is_an_error_past_the_age():
    from iaccert.facts import Uploaded

    def uploaded(when):
        return _run(_facts(uploaded=[Uploaded("certificate 'up'", when)]))

    young, old = NOW - dt.timedelta(days=3), NOW - dt.timedelta(days=400)
    [hit] = uploaded(young)
    assert (hit.rule_id, hit.severity) == ("IAC206", None)  # None: the catalog's warning
    assert "uploaded on 2026-10-29" in hit.message and "nobody renews" in hit.message
    [hit] = uploaded(old)
    assert (hit.rule_id, hit.severity) == ("IAC206", "error") and "400 days ago" in hit.message
    [hit] = uploaded(None)
    assert hit.severity is None and "no upload date" in hit.message


def test_iam_certificate_warns_when_served_and_lint_live_keeps_the_age_limit():
    from iaccert.live.checks import uploaded_certificate
    from iaccert.live.inventory import CertResult
    from iaccert.live.runner import deployed_of

    meta = {"UploadDate": NOW - dt.timedelta(days=10), "Expiration": NOW + dt.timedelta(days=300)}
    arn = f"arn:aws:iam::{ACCOUNT}:server-certificate/legacy"
    found, uploads = deployed_of(CertResult(arn, info=meta, kind="iam"))
    served = _run(_facts(deployed=found, uploaded=uploads))
    assert [(h.rule_id, h.severity) for h in served] == [("IAC206", None)]
    # lint --live: the code names the upload (IAC108), so only its age would be news
    in_code = _facts(deployed=found, uploaded=uploads)
    in_code.chain = object()
    assert list(uploaded_certificate(in_code)) == []


def test_an_api_gateway_upload_is_listed_and_warned_of():
    from iaccert.live.inventory import LiveDomain, Uploaded
    from iaccert.live.runner import Inventory, deployed

    d = LiveDomain(ACCOUNT, "eu-west-1", "up.example.com")
    d.uploaded.append(Uploaded("certificateName", "partner", NOW - dt.timedelta(days=1)))
    inv = Inventory(domains=[d])
    hits, _ = domain_hits(d, inv, NOW, _limits())
    assert _rules(hits) == [("IAC206", None)]  # the catalog's warning
    [entry] = deployed(inv)
    assert (entry.arn, entry.type, entry.status) == ("partner", "API_GATEWAY_UPLOAD", "UPLOADED")
    assert [c.key for c in entry.consumers] == [f"{ACCOUNT}/eu-west-1/up.example.com"]


# --- every ACM certificate ----------------------------------------------------------------


def test_every_acm_certificate_is_listed_with_every_key_type_and_pages():
    from botocore.stub import Stubber

    from iaccert.live.inventory import all_key_types, list_certificates

    acm = _client("acm")
    keys = all_key_types(acm)
    with Stubber(acm) as stub:
        stub.add_response(
            "list_certificates",
            {"CertificateSummaryList": [{"CertificateArn": EU}], "NextToken": "t"},
            {"Includes": {"keyTypes": keys}, "MaxItems": 1000},  # no status filter: all
        )
        stub.add_response(
            "list_certificates",
            {"CertificateSummaryList": [{"CertificateArn": US}, {"CertificateArn": EU}]},
            {"Includes": {"keyTypes": keys}, "MaxItems": 1000, "NextToken": "t"},
        )
        arns, faults = list_certificates(_StubAccount({"acm": acm}), "eu-west-1")
        stub.assert_no_pending_responses()
    assert (arns, faults) == ([EU, US], [])


def test_a_certificate_nobody_serves_is_checked_and_named_by_its_arn():
    from iaccert.live.inventory import CertResult
    from iaccert.live.runner import Inventory, deployed

    classic = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/legacy"
    inv = Inventory(listed=[(ACCOUNT, US), (ACCOUNT, EU)])
    inv.certificates[(ACCOUNT, US)] = CertResult(
        US, info=_issued(RenewalEligibility="INELIGIBLE", Status="ISSUED")
    )
    inv.certificates[(ACCOUNT, EU)] = CertResult(
        EU, info=_issued(EU, Status="PENDING_VALIDATION", InUseBy=[classic])
    )
    hits, faults = unserved_hits(inv, set(), NOW, _limits())
    assert faults == []
    got = {(key, rule): h.message for key, _, h in hits for rule in [h.rule_id]}
    us_key = f"{ACCOUNT}/us-east-1/certificate/11111111-2222-3333-4444-555555555555"
    eu_key = f"{ACCOUNT}/eu-west-1/certificate/66666666-7777-8888-9999-000000000000"
    assert set(got) == {(us_key, "IAC204"), (eu_key, "IAC201")}
    assert f"certificate {US} (no consumer found) is at risk" in got[(us_key, "IAC204")]
    assert "InUseBy lists none" in got[(us_key, "IAC204")]
    assert f"(in use by {classic}; no consumer listed)" in got[(eu_key, "IAC201")]
    assert "nothing can serve it" in got[(eu_key, "IAC201")]
    entries = {e.arn: e for e in deployed(inv)}
    assert entries[US].consumers == []
    assert [(c.kind, c.key) for c in entries[EU].consumers] == [("in-use-by", classic)]
    inv.partial.add((ACCOUNT, "global"))  # CloudFront could not be listed: say so
    hits, _ = unserved_hits(inv, set(), NOW, _limits())
    assert all("the consumer listings are incomplete" in h.message for _, _, h in hits)


# --- CloudFront ---------------------------------------------------------------------------


def _dist(dist_id: str, aliases: list[str], viewer: dict) -> dict:
    return {
        "Id": dist_id,
        "ARN": f"arn:aws:cloudfront::{ACCOUNT}:distribution/{dist_id}",
        "Status": "Deployed",
        "LastModifiedTime": NOW,
        "DomainName": f"{dist_id.lower()}.cloudfront.net",
        "Aliases": {"Quantity": len(aliases), "Items": aliases} if aliases else {"Quantity": 0},
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "origin.example.com"}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only"},
        "CacheBehaviors": {"Quantity": 0},
        "CustomErrorResponses": {"Quantity": 0},
        "Comment": "",
        "PriceClass": "PriceClass_All",
        "Enabled": True,
        "ViewerCertificate": viewer,
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "WebACLId": "",
        "HttpVersion": "http2",
        "IsIPV6Enabled": True,
        "Staging": False,
    }


def test_distributions_page_and_each_names_its_certificate_and_aliases():
    from botocore.stub import Stubber

    from iaccert.live.inventory import CertResult, ServerCertificates, list_distributions
    from iaccert.live.runner import Inventory

    cf, iam = _client("cloudfront"), _client("iam")
    page = {"Marker": "", "MaxItems": 100, "Quantity": 2}
    with Stubber(cf) as stub, Stubber(iam) as iam_stub:
        stub.add_response(
            "list_distributions",
            {
                "DistributionList": {
                    **page,
                    "IsTruncated": True,
                    "NextMarker": "m1",
                    "Items": [
                        _dist(
                            "EAAA", ["a.example.com", "b.example.com"], {"ACMCertificateArn": EU}
                        ),
                        _dist("EDEF", [], {"CloudFrontDefaultCertificate": True}),
                    ],
                }
            },
            {"MaxItems": "100"},
        )
        stub.add_response(
            "list_distributions",
            {
                "DistributionList": {
                    **page,
                    "Quantity": 1,
                    "IsTruncated": False,
                    "Items": [
                        _dist(
                            "EIAM",
                            ["old.example.com"],
                            {"IAMCertificateId": "ASCAOLDCERTIFICATE01"},
                        )
                    ],
                }
            },
            {"MaxItems": "100", "Marker": "m1"},
        )
        iam_stub.add_response(
            "list_server_certificates",
            {
                "ServerCertificateMetadataList": [
                    {
                        "Path": "/cloudfront/",
                        "ServerCertificateName": "old",
                        "ServerCertificateId": "ASCAOLDCERTIFICATE01",
                        "Arn": f"arn:aws:iam::{ACCOUNT}:server-certificate/cloudfront/old",
                        "UploadDate": NOW - dt.timedelta(days=500),
                        "Expiration": NOW + dt.timedelta(days=10),
                    }
                ],
                "IsTruncated": False,
            },
            {},
        )
        account = _StubAccount({"cloudfront": cf, "iam": iam})
        dists, faults = list_distributions(account)
        by = {d.title: d for d in dists}
        assert faults == [] and sorted(by) == ["EAAA", "EIAM"]  # the default one serves none
        assert by["EAAA"].names == ["a.example.com", "b.example.com"]
        assert by["EAAA"].key == f"{ACCOUNT}/global/distribution/EAAA"
        inv = Inventory(consumers=dists)
        inv.certificates[(ACCOUNT, EU)] = CertResult(EU, info=_issued(EU))
        inv.certificates[(ACCOUNT, "ASCAOLDCERTIFICATE01")] = ServerCertificates().describe_id(
            account, "ASCAOLDCERTIFICATE01", "us-east-1"
        )
    hits, _ = domain_hits(by["EAAA"], inv, NOW, _limits())
    # CloudFront serves only us-east-1 certificates (IAC105), and the certificate
    # (shop.example.com) covers neither alias (IAC106): the rules that judge the code
    assert sorted(_rules(hits)) == [("IAC105", None), ("IAC106", None), ("IAC106", None)]
    region = next(h for _, h in hits if h.rule_id == "IAC105")
    assert region.message.startswith(
        f"CloudFront distribution 'EAAA' ({ACCOUNT}) needs its certificate in us-east-1"
    )
    names = sorted(h.message for _, h in hits if h.rule_id == "IAC106")
    assert names == [
        f"certificate {EU} (shop.example.com) does not cover CloudFront distribution "
        f"'EAAA' ({ACCOUNT}) alias '{alias}'"
        for alias in ("a.example.com", "b.example.com")
    ]
    covering = _issued(EU, SubjectAlternativeNames=["shop.example.com", "*.example.com"])
    inv.certificates[(ACCOUNT, EU)] = CertResult(EU, info=covering)
    hits, _ = domain_hits(by["EAAA"], inv, NOW, _limits())
    assert _rules(hits) == [("IAC105", None)]
    hits, _ = domain_hits(by["EIAM"], inv, NOW, _limits())
    assert sorted(_rules(hits)) == [("IAC203", None), ("IAC206", "error")]


# --- ELBv2 listeners ----------------------------------------------------------------------


def test_listeners_serve_their_default_and_added_certificates():
    from botocore.stub import Stubber

    from iaccert.live.inventory import CertResult, list_listeners
    from iaccert.live.runner import Inventory

    elb = _client("elbv2")
    with Stubber(elb) as stub:
        stub.add_response(
            "describe_load_balancers",
            {"LoadBalancers": [{"LoadBalancerArn": LB, "LoadBalancerName": "shop"}]},
            {"PageSize": 400},
        )
        stub.add_response(
            "describe_listeners",
            {
                "Listeners": [
                    {
                        "ListenerArn": LISTENER,
                        "Port": 443,
                        "Protocol": "HTTPS",
                        "Certificates": [{"CertificateArn": EU}],
                    },
                    {"ListenerArn": LISTENER + "http", "Port": 80, "Protocol": "HTTP"},
                ]
            },
            {"LoadBalancerArn": LB, "PageSize": 400},
        )
        stub.add_response(
            "describe_listener_certificates",
            {
                "Certificates": [
                    {"CertificateArn": EU, "IsDefault": True},
                    {"CertificateArn": US, "IsDefault": False},
                ],
                "NextMarker": "m",
            },
            {"ListenerArn": LISTENER, "PageSize": 400},
        )
        stub.add_response(
            "describe_listener_certificates",
            {"Certificates": []},
            {"ListenerArn": LISTENER, "PageSize": 400, "Marker": "m"},
        )
        listeners, faults = list_listeners(_StubAccount({"elbv2": elb}), "eu-west-1")
        stub.assert_no_pending_responses()
    assert faults == []
    [listener] = listeners  # the HTTP listener serves no certificate
    assert listener.title == "shop HTTPS:443"
    assert [c.arn for c in listener.certificates] == [EU, US]
    assert LB in listener.arns  # ACM's InUseBy names the load balancer
    inv = Inventory(consumers=listeners)
    inv.certificates[(ACCOUNT, EU)] = CertResult(EU, info=_issued(EU))
    inv.certificates[(ACCOUNT, US)] = CertResult(US, info=_issued())
    hits, _ = domain_hits(listener, inv, NOW, _limits())
    assert [(r, h.rule_id) for r, h in hits] == [(US, "IAC105")]  # the listener's own region
    assert "load balancer listener 'shop HTTPS:443'" in hits[0][1].message


def test_in_use_by_the_load_balancer_is_the_listener_not_another_consumer():
    from iaccert.live.inventory import CertRef, CertResult, LiveDomain
    from iaccert.live.runner import Inventory, consumers_of

    listener = LiveDomain(ACCOUNT, "eu-west-1", "listener/app/shop/1/2", kind="listener")
    listener.arns = {LISTENER, LB}
    listener.add_cert(CertRef("Certificates", EU, "", "eu-west-1"))
    domain = LiveDomain(ACCOUNT, "eu-west-1", "api.example.com")  # named only by InUseBy
    api = "arn:aws:apigateway:eu-west-1::/domainnames/api.example.com"
    inv = Inventory(domains=[domain], consumers=[listener])
    inv.certificates[(ACCOUNT, EU)] = CertResult(EU, info=_issued(EU, InUseBy=[LB, api]))
    users = consumers_of(inv)[(ACCOUNT, EU)]
    assert [(u.kind, u.key) for u in users] == [
        ("listener", f"{ACCOUNT}/eu-west-1/listener/app/shop/1/2"),
        ("apigateway", f"{ACCOUNT}/eu-west-1/api.example.com"),
    ]


# --- each new call's fault: an entry for exactly what it covered ----------------------------


def _denied(stub, method: str) -> None:
    stub.add_client_error(method, "AccessDenied", "not authorized", 403)


def test_each_new_call_denied_is_could_not_check_for_what_it_covered():
    from botocore.stub import Stubber

    from iaccert.live.inventory import list_certificates, list_distributions, list_listeners

    cf, acm, elb = _client("cloudfront"), _client("acm"), _client("elbv2")
    with Stubber(cf) as cfs, Stubber(acm) as acms, Stubber(elb) as elbs:
        _denied(cfs, "list_distributions")
        _denied(acms, "list_certificates")
        _denied(elbs, "describe_load_balancers")
        account = _StubAccount({"cloudfront": cf, "acm": acm, "elbv2": elb}, max_attempts=1)
        got = [
            list_distributions(account),
            list_certificates(account, "eu-west-1"),
            list_listeners(account, "eu-west-1"),
        ]
    faults = [(f.operation, f.reason, f.region, f.domain) for _, found in got for f in found]
    assert faults == [
        ("cloudfront:ListDistributions", "access-denied", "global", None),
        ("acm:ListCertificates", "access-denied", "eu-west-1", None),
        ("elbv2:DescribeLoadBalancers", "access-denied", "eu-west-1", None),
    ]
    assert all(items == [] for items, _ in got)

    with Stubber(elb) as stub:  # one load balancer's listeners, one listener's certificates
        lbs = [
            {"LoadBalancerArn": LB, "LoadBalancerName": "shop"},
            {"LoadBalancerArn": LB + "2", "LoadBalancerName": "other"},
        ]
        stub.add_response("describe_load_balancers", {"LoadBalancers": lbs}, {"PageSize": 400})
        _denied(stub, "describe_listeners")
        stub.add_response(
            "describe_listeners",
            {
                "Listeners": [
                    {
                        "ListenerArn": LISTENER,
                        "Port": 443,
                        "Protocol": "TLS",
                        "Certificates": [{"CertificateArn": EU}],
                    }
                ]
            },
            {"LoadBalancerArn": LB + "2", "PageSize": 400},
        )
        _denied(stub, "describe_listener_certificates")
        listeners, faults = list_listeners(
            _StubAccount({"elbv2": elb}, max_attempts=1), "eu-west-1"
        )
    assert [(f.operation, f.domain) for f in faults] == [
        ("elbv2:DescribeListeners", "shop"),
        ("elbv2:DescribeListenerCertificates", "listener/app/shop/50dc6c495c0c9188/f2f7"),
    ]
    # the listener whose extra certificates could not be read still serves its default one
    assert [[c.arn for c in item.certificates] for item in listeners] == [[EU]]


# --- reports ------------------------------------------------------------------------------


def test_the_inventory_is_in_json_and_text_with_every_aws_string_escaped():
    import json

    from iaccert.deployed import Consumer, DeployedCertificate
    from iaccert.report import render
    from iaccert.scan import ScanResult

    hostile = "evil.example.com\x1b[31m\nIAC201 [error] forged"
    entry = DeployedCertificate(US, ACCOUNT, "us-east-1", "AMAZON_ISSUED", "ISSUED", hostile)
    entry.consumers = [
        Consumer("cloudfront", f"{ACCOUNT}/global/distribution/E1", "E1", (hostile,))
    ]
    unused = DeployedCertificate(EU, ACCOUNT, "eu-west-1", "IMPORTED", "EXPIRED")
    result = ScanResult(live=True, certificates=[entry, unused])
    out = render("text", result)
    assert "\x1b" not in out and "\nIAC201" not in out
    listing = out.split("certificates (2):\n", 1)[1].splitlines()
    assert listing[0].startswith(f"  {US} ({ACCOUNT}/us-east-1): ISSUED, AMAZON_ISSUED")
    assert f"served by {ACCOUNT}/global/distribution/E1 (" in listing[0]
    assert listing[1].endswith("EXPIRED, IMPORTED; no consumer found")
    assert "2 certificates (1 unused) (live)" in out.splitlines()[-1]
    assert "certificates (" not in render("text", result, _quiet())
    doc = json.loads(render("json", result))
    assert doc["summary"]["certificates"] == 2 and doc["summary"]["certificates_unused"] == 1
    [first, second] = doc["certificates"]
    assert first["domain_name"] == hostile  # JSON keeps AWS's string, escaped by JSON itself
    assert first["consumers"][0]["names"] == [hostile]
    assert (second["status"], second["consumers"]) == ("EXPIRED", [])
    static = json.loads(render("json", ScanResult(live=True)))  # lint --live: no inventory
    assert "certificates" not in static and "certificates" not in static["summary"]


def _quiet():
    from iaccert.report import RenderOptions

    return RenderOptions(quiet=True)
