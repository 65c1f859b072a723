"""``iaccert live``: every selected account and region, on a bounded thread pool.

1. accounts: the caller's own, or each --accounts id through --role-arn (assumed once each);
   their regions (--region, the enabled ones for --all-regions, else the default region);
2. one task per (account, region) lists the domains of both APIs;
3. one task per (account, certificate region) describes that group's unique certificate
   ARNs, each once (ACM DescribeCertificate is rate-limited per account and region);
4. the live rules run over each domain and its certificates.

Whatever could not be read is an Incomplete entry for exactly what it concerned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TypeVar

from .. import registry
from ..facts import Consumer, Deployed, Facts, Thresholds, Uploaded
from ..facts import arn_region as arn_region_of
from ..findings import Finding, Incomplete, make
from ..model import Location
from ..registry import Hit
from ..scan import ScanResult
from .faults import boto_errors, incomplete
from .inventory import (
    CertResult,
    LiveDomain,
    ServerCertificates,
    arn_region,
    describe_any,
    is_iam_arn,
    list_domains,
)
from .session import Account, CallCounter, Credentials, LiveOptions

T = TypeVar("T")
R = TypeVar("R")
NO_LOCATION = Location("", 0)


@dataclass
class Inventory:
    domains: list[LiveDomain] = field(default_factory=list)
    certificates: dict[tuple[str, str], CertResult] = field(default_factory=dict)
    incomplete: list[Incomplete] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    regions: int = 0  # (account, region) pairs listed


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
        by_name: dict[str, LiveDomain] = {}
        accounts = {a.id: a for a, _ in pairs}
        for domains, faults in _map(pool, lambda p: list_domains(*p), pairs):
            inv.incomplete.extend(faults)
            for d in domains:
                by_name.setdefault(d.key, d)
        inv.domains = sorted(by_name.values(), key=lambda d: d.key)

        # unique ARNs, grouped by (account, the region whose ACM describes them | "iam")
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        homes: dict[tuple[str, str], str] = {}
        seen: set[tuple[str, str]] = set()
        for d in inv.domains:
            for ref in d.certificates:
                if (d.account, ref.arn) in seen:
                    continue
                seen.add((d.account, ref.arn))
                group = (d.account, "iam" if is_iam_arn(ref.arn) else arn_region(ref.arn, d.region))
                groups[group].append(ref.arn)
                homes.setdefault(group, d.region)
        iam = ServerCertificates()

        def describe_group(group: tuple[str, str]) -> list[CertResult]:
            account = accounts[group[0]]
            home = homes[group]
            return [describe_any(account, arn, home, iam) for arn in groups[group]]

        for group, results in zip(groups, _map(pool, describe_group, list(groups)), strict=True):
            for res in results:
                inv.certificates[(group[0], res.arn)] = res
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return inv


def _label(d: LiveDomain) -> str:
    return f"'{d.name}' ({d.account}/{d.region})"


def deployed_of(res: CertResult) -> tuple[Deployed, list[Uploaded]]:
    """The deployed facts of one described certificate; an IAM server certificate is also
    an upload (nothing renews it)."""
    info = res.info or {}
    deployed = Deployed(res.arn, res.kind, info, missing=res.missing)
    if res.kind == "iam" and not res.missing:
        return deployed, [Uploaded(f"IAM server certificate {res.arn}", info.get("UploadDate"))]
    return deployed, []


def domain_facts(
    d: LiveDomain, inv: Inventory, now: datetime, limits: Thresholds
) -> tuple[list[tuple[str, Facts]], list[Incomplete]]:
    """(resource, facts) for each certificate the domain serves, and the faults."""
    label = _label(d)
    out: list[tuple[str, Facts]] = []
    faults: list[Incomplete] = []
    for ref in d.certificates:
        consumer = Consumer("domain", label, ref.endpoint_type, ref.required_region or None)
        facts = Facts(
            consumer,
            certificate_region=None if is_iam_arn(ref.arn) else arn_region_of(ref.arn),
            certificate_name=ref.arn,
            now=now,
            limits=limits,
        )
        res = inv.certificates.get((d.account, ref.arn))
        if res is not None and res.fault is not None:
            faults.append(replace(res.fault, region=d.region, domain=d.name, certificate=ref.arn))
        elif res is not None:
            facts.deployed, facts.uploaded = deployed_of(res)
        out.append((ref.arn, facts))
    for up in d.uploaded:
        what = f"certificate {up.name!r} uploaded to API Gateway ({up.attr})"
        consumer = Consumer("domain", label)
        uploaded = [Uploaded(what, up.uploaded_at)]
        out.append((up.name, Facts(consumer, uploaded=uploaded, now=now, limits=limits)))
    return out, faults


def live_finding(rule_id: str, hit: Hit, resource: str, domain_key: str) -> Finding:
    finding = make(rule_id, hit.message, NO_LOCATION, resource, domain_key)
    finding.logical_location = domain_key
    if hit.severity:
        finding.severity = hit.severity
    return finding


def evaluate(inv: Inventory, options: LiveOptions, now: datetime | None = None) -> ScanResult:
    now = now or datetime.now(timezone.utc)
    limits = Thresholds(options.expiry_days, options.upload_max_age_days)
    findings: list[Finding] = []
    faults = list(inv.incomplete)
    for d in inv.domains:
        facts_list, domain_faults = domain_facts(d, inv, now, limits)
        for resource, facts in facts_list:
            findings.extend(live_finding(r, h, resource, d.key) for r, h in registry.run(facts))
        faults.extend(domain_faults)
    findings.sort(key=Finding.sort_key)
    faults.sort(key=Incomplete.sort_key)
    return ScanResult(findings, 0, len(inv.domains), live=True, incomplete=faults)


def live_scan(
    options: LiveOptions, now: datetime | None = None, counter: CallCounter | None = None
) -> ScanResult:
    """``iaccert live``: inventory every selected account and region, then the live rules."""
    creds = Credentials(options, counter)
    return evaluate(collect(creds, options), options, now)
