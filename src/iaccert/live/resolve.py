"""``iaccert lint --live``: the deployed facts for what the code can only name.

For every chain whose certificate is a literal ARN, or a ``data "aws_acm_certificate"``
lookup, or anything a front end turned into a literal (a Terraform ``--var``, a
CloudFormation parameter given on the command line), it finds the deployed certificate
and gives it to the scan as that chain's deployed facts (src/iaccert/facts.py). The scan
then runs every rule once, static and live, over code and AWS together: nothing here
writes a finding. What cannot be looked up is a "could not check" entry, and the chain's
IAC109 note says why.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..bindings import MISSING
from ..chain import Chain, parse_arn
from ..checks import domain_label
from ..facts import Deployed, LiveFacts, LiveLookup, Thresholds
from ..findings import Incomplete
from ..model import is_known
from .faults import boto_errors, incomplete
from .inventory import (
    CertResult,
    LookupCriteria,
    ServerCertificates,
    arn_region,
    describe_any,
    lookup_certificate,
)
from .runner import deployed_of
from .session import CallCounter, Credentials, LiveOptions

RESOLVABLE = ("literal", "lookup")
WHERE = "consumer.certificate"


def _strings(value: Any) -> tuple[str, ...] | None:
    """A list of known strings (None when some element is not known)."""
    if value is MISSING or value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def criteria_of(attrs: dict) -> LookupCriteria | None:
    """The data source's arguments, when the code fixes all of them (else None)."""
    domain = attrs.get("domain")
    if not isinstance(domain, str) or not is_known(domain) or attrs.get("tags"):
        return None
    statuses = _strings(attrs.get("statuses", MISSING))
    types = _strings(attrs.get("types", MISSING))
    key_types = _strings(attrs.get("key_types", MISSING))
    most_recent = attrs.get("most_recent", False)
    if statuses is None or types is None or key_types is None:
        return None
    if not isinstance(most_recent, bool):
        most_recent = str(most_recent).lower() == "true"
    match = attrs.get("match", "data-source")  # how the tool that looks it up matches names
    if not isinstance(match, str):
        return None
    return LookupCriteria(domain, statuses or ("ISSUED",), types, key_types, most_recent, match)


class Resolver:
    def __init__(self, options: LiveOptions, counter: CallCounter | None = None):
        self.options = options
        self.creds = Credentials(options, counter)
        self.iam = ServerCertificates()
        self._described: dict[tuple[str, str], CertResult] = {}

    def lookup_region(self, chain: Chain) -> str | None:
        res = chain.certificate.resource
        if res is not None and res.region is not None and res.region.name:
            return res.region.name
        return (self.options.regions or [None])[0] or self.creds.default_region

    def describe(self, arn: str, default_region: str | None) -> CertResult:
        parsed = parse_arn(arn)
        account_id = parsed[2] if parsed and parsed[2] else self.creds.targets()[0]
        key = (account_id, arn)
        if key not in self._described:
            region = arn_region(arn, default_region or self.creds.home_region())
            try:
                account = self.creds.account(account_id)
            except boto_errors() as exc:
                fault = incomplete(exc, "sts:AssumeRole", account_id, None, None, arn)
                self._described[key] = CertResult(arn, fault=fault)
            else:
                self._described[key] = describe_any(account, arn, region, self.iam)
        return self._described[key]

    def resolve(self, chain: Chain) -> tuple[LiveLookup, Incomplete | None]:
        """The deployed certificate of one chain, or why there is none."""
        name = chain.name if isinstance(chain.name, str) else chain.domain.address
        where = chain.location_of(WHERE)
        cert = chain.certificate
        arn = cert.arn
        region = None
        if cert.origin == "lookup":
            criteria = criteria_of(cert.resource.attrs) if cert.resource else None
            if criteria is None:  # the lookup's own arguments are unknown
                return LiveLookup(status="unresolvable"), None
            region = self.lookup_region(chain)
            account_id = self.creds.targets()[0]
            if region is None:
                why = f"the region of {cert.resource.address} is not known: pass --region"
                fault = Incomplete(
                    account_id,
                    None,
                    name,
                    None,
                    "acm:ListCertificates",
                    "no-region",
                    "NoRegion",
                    why,
                    where,
                )
                return LiveLookup(status="fault"), fault
            try:
                arn = lookup_certificate(self.creds.account(account_id), region, criteria)
            except boto_errors() as exc:
                op = "acm:ListCertificates"
                return LiveLookup(status="fault"), incomplete(
                    exc, op, account_id, region, name, None, where
                )
            if arn is None:
                wanted = f"{criteria.domain!r} ({', '.join(criteria.statuses)})"
                when = "plan" if criteria.match == "data-source" else "deploy"
                why = (
                    f"{cert.resource.address} finds no certificate {wanted} in "
                    f"{account_id}/{region} for {chain.noun} {domain_label(chain)}: the "
                    f"lookup fails at {when} time"
                )
                found = Deployed(cert.resource.address, missing=True, missing_why=why)
                return LiveLookup(found), None
        if not arn:
            return LiveLookup(status="unresolvable"), None
        res = self.describe(arn, region)
        if res.fault is not None:
            fault = replace(res.fault, domain=name, certificate=arn, location=where)
            return LiveLookup(status="fault"), fault
        deployed, uploaded = deployed_of(res)
        return LiveLookup(deployed, uploaded), None


def look_up(
    chains: list[Chain], options: LiveOptions, counter: CallCounter | None = None
) -> LiveFacts:
    """The deployed facts of every chain whose certificate the code names but cannot
    show; the scan runs the rules over them (src/iaccert/scan.py)."""
    found = LiveFacts(limits=Thresholds(options.expiry_days, options.upload_max_age_days))
    work = [c for c in chains if c.certificate.origin in ("lookup", "literal", "unknown")]
    resolver: Resolver | None = None
    for chain in work:
        if chain.certificate.origin not in RESOLVABLE:
            found.lookups[id(chain)] = LiveLookup(status="unresolvable")
            continue
        resolver = resolver or Resolver(options, counter)
        try:
            looked, fault = resolver.resolve(chain)
        except boto_errors() as exc:  # not even the caller's identity
            op = "sts:GetCallerIdentity"
            where = chain.location_of(WHERE)
            looked, fault = (
                LiveLookup(status="fault"),
                incomplete(exc, op, "unknown", None, location=where),
            )
        found.lookups[id(chain)] = looked
        if fault is not None:
            found.faults.append(fault)
    found.faults.sort(key=Incomplete.sort_key)
    return found
