"""``iaccert live``: every selected account and region, on a bounded thread pool.

1. accounts: the caller's own, or each --accounts id through --role-arn (assumed once each);
   their regions (--region, the enabled ones for --all-regions, else the default region);
2. one task per (account, region) lists the API Gateway domains of both APIs, the ELBv2
   HTTPS/TLS listeners and every ACM certificate; one task per account lists CloudFront;
3. one task per (account, certificate region) describes that group's unique certificate
   ARNs (listed, or named by a consumer), each once (ACM DescribeCertificate is
   rate-limited per account and region);
4. the live rules run over each consumer and its certificates, and over each certificate
   no consumer serves; the inventory lists every certificate with its consumers.

Whatever could not be read is an Incomplete entry for exactly what it concerned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TypeVar

from .. import facts as rule_facts
from .. import registry
from ..deployed import Consumer, DeployedCertificate
from ..facts import Deployed, Facts, Served, Thresholds, Uploaded
from ..findings import Finding, Incomplete, make
from ..model import Location
from ..registry import Hit
from ..results import ScanResult
from .faults import boto_errors, incomplete
from .inventory import (
    GLOBAL,
    CertRef,
    CertResult,
    LiveDomain,
    ServerCertificates,
    arn_region,
    describe_any,
    is_iam_arn,
    list_certificates,
    list_distributions,
    list_domains,
    list_listeners,
)
from .session import Account, CallCounter, Credentials, LiveOptions

T = TypeVar("T")
R = TypeVar("R")
NO_LOCATION = Location("", 0)


@dataclass
class Inventory:
    domains: list[LiveDomain] = field(default_factory=list)  # API Gateway custom domains
    consumers: list[LiveDomain] = field(default_factory=list)  # distributions, listeners
    listed: list[tuple[str, str]] = field(default_factory=list)  # (account, ACM ARN) listed
    certificates: dict[tuple[str, str], CertResult] = field(default_factory=dict)
    incomplete: list[Incomplete] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    regions: int = 0  # (account, region) pairs listed
    # (account, region | "global") whose consumer listing failed: "no consumer" is unsure there
    partial: set[tuple[str, str]] = field(default_factory=set)

    def every_consumer(self) -> list[LiveDomain]:
        return sorted([*self.domains, *self.consumers], key=lambda d: d.key)


def _map(pool: ThreadPoolExecutor | None, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    items = list(items)
    if pool is None:
        return [fn(i) for i in items]
    return list(pool.map(fn, items))


def _prepare(creds: Credentials, account_id: str) -> tuple[Account | None, list[str], list]:
    errors = boto_errors()
    try:
        account = creds.account(account_id)
    except errors as exc:
        return None, [], [incomplete(exc, "sts:AssumeRole", account_id, None)]
    try:
        return account, creds.regions(account), []
    except errors as exc:
        return account, [], [incomplete(exc, "ec2:DescribeRegions", account_id, None)]


def collect(creds: Credentials, options: LiveOptions) -> Inventory:
    """Read everything the live rules need, each certificate once."""
    inv = Inventory()
    creds.require_region()
    try:
        targets = creds.targets()
    except boto_errors() as exc:  # not even the caller's identity: nothing was checked
        inv.incomplete.append(incomplete(exc, "sts:GetCallerIdentity", "unknown", None))
        return inv
    inv.accounts = targets
    workers = max(1, options.max_workers)
    pool = (
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="iaccert")
        if workers > 1
        else None
    )
    try:
        prepared = _map(pool, lambda a: _prepare(creds, a), targets)
        pairs: list[tuple[Account, str]] = []
        for account, regions, faults in prepared:
            inv.incomplete.extend(faults)
            pairs.extend((account, r) for r in regions if account is not None)
        inv.regions = len(pairs)
        accounts = {a.id: a for a, _ in pairs}
        _read_consumers(inv, pool, pairs, list(accounts.values()))
        groups, homes = _groups(inv)
        iam = ServerCertificates()

        def describe_group(group: tuple[str, str]) -> list[CertResult]:
            account = accounts[group[0]]
            home = homes[group]
            return [
                iam.describe_id(account, arn, home)
                if iam_id
                else describe_any(account, arn, home, iam)
                for arn, iam_id in groups[group]
            ]

        for group, results in zip(groups, _map(pool, describe_group, list(groups)), strict=True):
            for res in results:
                inv.certificates[(group[0], res.arn)] = res
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return inv


def _read_region(pair: tuple[Account, str]) -> tuple[list, list, list[str], list[Incomplete]]:
    """One (account, region): its API Gateway domains, listeners and ACM certificates."""
    account, region = pair
    domains, faults = list_domains(account, region)
    listeners, listener_faults = list_listeners(account, region)
    arns, acm_faults = list_certificates(account, region)
    return domains, listeners, arns, [*faults, *listener_faults, *acm_faults]


def _read_consumers(inv: Inventory, pool, pairs: list, accounts: list[Account]) -> None:
    """Fill ``inv`` with every consumer and listed certificate: the regional listings on the
    pool, then CloudFront once per account; a listing that failed marks its place partial."""
    by_key: dict[str, LiveDomain] = {}
    others: dict[str, LiveDomain] = {}
    for (account, region), (domains, listeners, arns, faults) in zip(
        pairs, _map(pool, _read_region, pairs), strict=True
    ):
        inv.incomplete.extend(faults)
        if any(f.operation.startswith(("apigateway", "elbv2")) for f in faults):
            inv.partial.add((account.id, region))
        for d in domains:
            by_key.setdefault(d.key, d)
        for listener in listeners:
            others.setdefault(listener.key, listener)
        inv.listed.extend((account.id, arn) for arn in arns)
    for account, (distributions, faults) in zip(
        accounts, _map(pool, list_distributions, accounts), strict=True
    ):
        inv.incomplete.extend(faults)
        if faults:
            inv.partial.add((account.id, GLOBAL))
        for dist in distributions:
            others.setdefault(dist.key, dist)
    inv.domains = sorted(by_key.values(), key=lambda d: d.key)
    inv.consumers = sorted(others.values(), key=lambda d: d.key)
    inv.listed = list(dict.fromkeys(inv.listed))


def _groups(inv: Inventory) -> tuple[dict, dict]:
    """Unique certificates, grouped by (account, the region whose ACM describes them | "iam"):
    each ((arn or IAM id, is an IAM id) list), and the region a group's calls start from."""
    groups: dict[tuple[str, str], list[tuple[str, bool]]] = defaultdict(list)
    homes: dict[tuple[str, str], str] = {}
    seen: set[tuple[str, str]] = set()
    wanted = [(d.account, ref, d.region) for d in inv.every_consumer() for ref in d.certificates]
    wanted += [(a, CertRef("", arn, "", ""), arn_region(arn, "")) for a, arn in inv.listed]
    for account, ref, region in wanted:
        if (account, ref.arn) in seen:
            continue
        seen.add((account, ref.arn))
        iam = ref.iam_id or is_iam_arn(ref.arn)
        home = region if region != GLOBAL else "us-east-1"
        group = (account, "iam" if iam else arn_region(ref.arn, home))
        groups[group].append((ref.arn, ref.iam_id))
        homes.setdefault(group, home)
    return groups, homes


def deployed_of(res: CertResult) -> tuple[Deployed, list[Uploaded]]:
    """The deployed facts of one described certificate; an IAM server certificate is also
    an upload (nothing renews it)."""
    info = res.info or {}
    found = Deployed(res.arn, res.kind, info, missing=res.missing)
    if res.kind == "iam" and not res.missing:
        return found, [Uploaded(f"IAM server certificate {res.arn}", info.get("UploadDate"))]
    return found, []


def served_names(d: LiveDomain) -> list[Served]:
    """The names a consumer serves: a domain its own, a distribution its aliases."""
    where = d.account if d.region == GLOBAL else f"{d.account}/{d.region}"
    names = d.names or ([d.name] if d.kind == "apigateway" else [])
    if names == [d.title or d.name]:
        return [Served(d.title or d.name, d.label)]
    return [Served(n, f"'{d.title or d.name}' ({where}) alias '{n}'") for n in names]


def consumer_facts(
    d: LiveDomain, inv: Inventory, now: datetime, limits: Thresholds
) -> tuple[list[tuple[str, Facts]], list[Incomplete]]:
    """(resource, facts) for one consumer (a domain, a distribution, a listener): each
    certificate it serves, its uploads, its own status; and the faults."""
    out: list[tuple[str, Facts]] = []
    faults: list[Incomplete] = []

    def facts_of(endpoint: str | None = None, required: str | None = None, **kw) -> Facts:
        consumer = rule_facts.Consumer(d.noun, d.label, endpoint or None, required or None)
        return Facts(consumer, now=now, limits=limits, **kw)

    for ref in d.certificates:
        iam = ref.iam_id or is_iam_arn(ref.arn)
        facts = facts_of(
            ref.endpoint_type,
            ref.required_region,
            certificate_region=None if iam else rule_facts.arn_region(ref.arn),
            certificate_name=ref.arn,
        )
        res = inv.certificates.get((d.account, ref.arn))
        if res is not None and res.fault is not None:
            faults.append(replace(res.fault, region=d.region, domain=d.name, certificate=ref.arn))
        elif res is not None:
            facts.deployed, facts.uploaded = deployed_of(res)
            facts.names = served_names(d)
            facts.certificate_names = facts.deployed.names()
        out.append((ref.arn, facts))
    for up in d.uploaded:
        what = f"certificate {up.name!r} uploaded to API Gateway ({up.attr})"
        out.append((up.name, facts_of(uploaded=[Uploaded(what, up.uploaded_at)])))
    if d.statuses:
        statuses = [(s.status, s.message) for s in d.statuses]
        out.append((d.name, facts_of(statuses=statuses)))
    return out, faults


def certificate_key(account: str, arn: str) -> str:
    """``account/region/certificate/ID``: where the findings of a certificate nobody serves
    point (the ARN's own resource part, after its account and region)."""
    parts = arn.split(":", 5)
    resource = parts[5] if len(parts) == 6 else arn
    return f"{account}/{arn_region(arn, GLOBAL)}/{resource}"


def _serves(d: LiveDomain, arn: str) -> bool:
    """Whether an ARN of ACM's InUseBy names this consumer (an API Gateway domain by its
    domainNameArn, or ``arn:<partition>:apigateway:<region>::/domainnames/<name>``)."""
    if arn in d.arns:
        return True
    return d.kind == "apigateway" and arn.endswith(f":apigateway:{d.region}::/domainnames/{d.name}")


def _status(d: LiveDomain) -> str:
    """The consumer's own status(es), as its service reports them (both API Gateway APIs
    report a domain's: one when they agree)."""
    return ", ".join(dict.fromkeys(s.status for s in d.statuses))


def consumers_of(inv: Inventory) -> dict[tuple[str, str], list[Consumer]]:
    """(account, certificate) -> the consumers that name it, then those ACM's InUseBy names."""
    out: dict[tuple[str, str], list[Consumer]] = defaultdict(list)
    everyone = inv.every_consumer()
    for d in everyone:
        for ref in d.certificates:
            consumer = Consumer(
                d.kind, d.key, d.title or d.name, tuple(d.names), ref.attr, _status(d)
            )
            if consumer not in out[(d.account, ref.arn)]:
                out[(d.account, ref.arn)].append(consumer)
    for (account, arn), res in inv.certificates.items():
        found = out[(account, arn)]
        for used in (res.info or {}).get("InUseBy", []) if res.kind == "acm" else []:
            known = [d for d in everyone if d.account == account and _serves(d, used)]
            if any(c.key in {d.key for d in known} for c in found):
                continue
            if known:
                d = known[0]
                found.append(
                    Consumer(d.kind, d.key, d.title or d.name, tuple(d.names), status=_status(d))
                )
            else:
                found.append(Consumer("in-use-by", used, used))
    return out


def _unserved_label(inv: Inventory, account: str, arn: str, info: dict) -> str:
    """What the findings of a certificate no listed consumer serves say instead of one."""
    in_use = info.get("InUseBy") or []
    text = f"in use by {', '.join(in_use)}; no consumer listed" if in_use else "no consumer found"
    if (account, arn_region(arn, "")) in inv.partial or (account, GLOBAL) in inv.partial:
        text += "; the consumer listings are incomplete"
    return text


def unserved_facts(
    inv: Inventory, served: set[tuple[str, str]], now: datetime, limits: Thresholds
) -> tuple[list[tuple[str, str, Facts]], list[Incomplete]]:
    """(key, resource, facts) and faults for each listed ACM certificate no consumer names:
    the rule is about every issue and renewal request, used or not."""
    out: list[tuple[str, str, Facts]] = []
    faults: list[Incomplete] = []
    for account, arn in inv.listed:
        if (account, arn) in served:
            continue
        res = inv.certificates.get((account, arn))
        if res is None or res.missing:  # deleted between the listing and the description
            continue
        if res.fault is not None:
            faults.append(replace(res.fault, certificate=arn))
            continue
        label = _unserved_label(inv, account, arn, res.info or {})
        found, uploaded = deployed_of(res)
        facts = Facts(
            rule_facts.Consumer("", label),
            deployed=found,
            uploaded=uploaded,
            now=now,
            limits=limits,
        )
        out.append((certificate_key(account, arn), arn, facts))
    return out, faults


def _iso(value) -> str | None:
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat()
    return None


def deployed(inv: Inventory) -> list[DeployedCertificate]:
    """Every certificate seen, with its status and consumers (the reports' inventory)."""
    users = consumers_of(inv)
    out: list[DeployedCertificate] = []
    for (account, arn), res in inv.certificates.items():
        if res.missing and not users.get((account, arn)):
            continue  # listed, then deleted before it was described: nothing to show
        info = res.info or {}
        entry = DeployedCertificate(arn, account, GLOBAL, "IAM_SERVER_CERTIFICATE", "UPLOADED")
        if res.kind == "acm":
            entry.region = arn_region(arn, GLOBAL)
            entry.type = info.get("Type", "UNKNOWN") if res.info else "UNKNOWN"
            entry.status = info.get("Status", "UNKNOWN")
            entry.domain_name = info.get("DomainName")
            entry.key_algorithm = info.get("KeyAlgorithm")
            entry.not_after = _iso(info.get("NotAfter"))
            entry.renewal_eligibility = info.get("RenewalEligibility")
            entry.in_use_by = list(info.get("InUseBy") or [])
        else:
            entry.domain_name = info.get("ServerCertificateName")
            entry.not_after = _iso(info.get("Expiration"))
        if res.missing:
            entry.status = "NOT_FOUND"
        elif res.fault is not None:
            entry.status = "COULD_NOT_CHECK"
        entry.consumers = users.get((account, arn), [])
        out.append(entry)
    for d in inv.domains:
        for up in d.uploaded:
            entry = DeployedCertificate(
                up.name, d.account, d.region, "API_GATEWAY_UPLOAD", "UPLOADED"
            )
            entry.consumers = [Consumer(d.kind, d.key, d.name, (), up.attr, _status(d))]
            out.append(entry)
    return sorted(out, key=DeployedCertificate.sort_key)


def _rule_failed(faults: list[Incomplete], account: str, region: str, domain, certificate: str):
    """An internal error of one rule on what AWS described: that check could not be made
    (never a pass); the other rules ran."""

    def failed(rule_id: str, exc: Exception) -> None:
        name = type(exc).__name__
        message = f"rule {rule_id} failed on this answer (internal error: {name})"
        faults.append(
            Incomplete(account, region, domain, certificate, rule_id, "error", name, message)
        )

    return failed


def live_finding(rule_id: str, hit: Hit, resource: str, domain_key: str) -> Finding:
    finding = make(rule_id, hit.message, NO_LOCATION, resource, domain_key, fix=hit.fix)
    finding.logical_location = domain_key
    if hit.severity:
        finding.severity = hit.severity
    return finding


def evaluate(inv: Inventory, options: LiveOptions, now: datetime | None = None) -> ScanResult:
    """Every registered rule over each consumer's and each unused certificate's facts: the
    rules that read the code are skipped, their facts are not here."""
    now = now or datetime.now(timezone.utc)
    limits = Thresholds(options.expiry_days, options.upload_max_age_days)
    findings: list[Finding] = []
    faults = list(inv.incomplete)
    served: set[tuple[str, str]] = set()
    for d in inv.every_consumer():
        facts_list, consumer_faults = consumer_facts(d, inv, now, limits)
        for resource, facts in facts_list:
            failed = _rule_failed(faults, d.account, d.region, d.name, resource)
            hits = registry.run(facts, failed)
            findings.extend(live_finding(r, h, resource, d.key) for r, h in hits)
        faults.extend(consumer_faults)
        served.update((d.account, ref.arn) for ref in d.certificates)
    unserved, unserved_faults = unserved_facts(inv, served, now, limits)
    for key, resource, facts in unserved:
        account, region = key.split("/", 2)[:2]
        failed = _rule_failed(faults, account, region, None, resource)
        findings.extend(live_finding(r, h, resource, key) for r, h in registry.run(facts, failed))
    faults.extend(unserved_faults)
    findings.sort(key=Finding.sort_key)
    faults.sort(key=Incomplete.sort_key)
    result = ScanResult(findings, 0, len(inv.domains), live=True, incomplete=faults)
    result.certificates = deployed(inv)
    return result


def live_scan(
    options: LiveOptions, now: datetime | None = None, counter: CallCounter | None = None
) -> ScanResult:
    """``iaccert live``: inventory every selected account and region, then the live rules."""
    creds = Credentials(options, counter)
    return evaluate(collect(creds, options), options, now)
