"""``iaccert lint --live``: look up what static analysis could only note as IAC109.

A step after the static checks. For every chain whose certificate is a literal ARN, or a
``data "aws_acm_certificate"`` lookup, or anything a front end turned into a literal (a
Terraform ``--var``, a CloudFormation parameter given on the command line), it finds the
deployed certificate, runs the live certificate rules on it and reports them at the source
line of the domain's certificate attribute, in place of the IAC109 note. What cannot be
looked up keeps its IAC109 note and adds a "could not check" entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from ..bindings import MISSING
from ..chain import Certificate, Chain, parse_arn
from ..checks import CHECKS, domain_label
from ..findings import Finding, Incomplete, make
from ..model import Region, is_known
from ..scan import ScanResult, domain_key
from . import checks
from .faults import boto_errors, incomplete
from .inventory import (
    CertResult,
    LookupCriteria,
    ServerCertificates,
    arn_region,
    describe_any,
    is_iam_arn,
    lookup_certificate,
)
from .session import CallCounter, Credentials, LiveOptions

RESOLVABLE = ("literal", "lookup")
# IAC109's suggestion of --live, as the static check words it (Certificate.remedy)
LIVE_HINT = re.compile(r"; iaccert lint --live can [a-z ]+$")


def _note_after_live(note: Finding, outcome: Outcome) -> None:
    """The IAC109 note that stays under --live no longer suggests --live: it says why the
    live lookup did not settle it."""
    hint = LIVE_HINT.search(note.message)
    if hint is None:
        return
    if outcome.fault is not None:
        why = '; the live lookup could not be made (see its "could not check" entry)'
    else:
        why = "; --live cannot resolve it either: the code does not fix what to look up"
    note.message = note.message[: hint.start()] + why


def _note_for(result: ScanResult, chain: Chain) -> Finding | None:
    """The chain's own IAC109 note (by chain id: a listener has one chain per certificate)."""
    for f in result.findings:
        if f.rule.id == "IAC109" and f.chain_id == chain.chain_id:
            return f
    return None


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


def _region_hits(chain: Chain, arn: str, cert_region: str) -> list[checks.LiveHit]:
    """IAC105 for a looked-up certificate: the static check, run on the chain with the
    certificate found (one implementation of the rule for code and for AWS)."""
    found = Certificate("literal", arn=arn, region=Region(f"arn:{arn}", cert_region or None))
    return [
        checks.LiveHit("IAC105", hit.message)
        for hit in CHECKS["IAC105"](replace(chain, certificate=found))
    ]


@dataclass
class Outcome:
    checked: bool  # the certificate was looked up: the IAC109 note gives way to ``hits``
    hits: list[checks.LiveHit] = field(default_factory=list)
    fault: Incomplete | None = None


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

    def resolve(self, chain: Chain, note: Finding) -> Outcome:
        """The live hits for one chain, or the fault that kept it from being checked."""
        label = domain_label(chain)
        name = chain.name if isinstance(chain.name, str) else chain.domain.address
        cert = chain.certificate
        arn = cert.arn
        region = None
        if cert.origin == "lookup":
            criteria = criteria_of(cert.resource.attrs) if cert.resource else None
            if criteria is None:
                return Outcome(False)  # the lookup's own arguments are unknown: IAC109 stays
            region = self.lookup_region(chain)
            account_id = self.creds.targets()[0]
            if region is None:
                return Outcome(
                    False,
                    fault=Incomplete(
                        account_id,
                        None,
                        name,
                        None,
                        "acm:ListCertificates",
                        "no-region",
                        "NoRegion",
                        f"the region of {cert.resource.address} is not known: pass --region",
                        note.location,
                    ),
                )
            try:
                arn = lookup_certificate(self.creds.account(account_id), region, criteria)
            except boto_errors() as exc:
                op = "acm:ListCertificates"
                fault = incomplete(exc, op, account_id, region, name, None, note.location)
                return Outcome(False, fault=fault)
            if arn is None:
                wanted = f"{criteria.domain!r} ({', '.join(criteria.statuses)})"
                return Outcome(
                    True,
                    [
                        checks.LiveHit(
                            "IAC207",
                            f"{cert.resource.address} finds no certificate {wanted} in "
                            f"{account_id}/{region} for domain {label}: the lookup fails "
                            f"at {'plan' if criteria.match == 'data-source' else 'deploy'} time",
                        )
                    ],
                )
        if not arn:
            return Outcome(False)
        res = self.describe(arn, region)
        if res.fault is not None:
            fault = replace(res.fault, domain=name, certificate=arn, location=note.location)
            return Outcome(False, fault=fault)
        now = datetime.now(timezone.utc)
        limits = checks.Thresholds(self.options.expiry_days, self.options.upload_max_age_days)
        if res.missing:
            hits = checks.not_found(arn, label)
        elif res.kind == "iam":
            hits = checks.iam_certificate(arn, res.info or {}, label, now, limits)
        else:
            hits = checks.acm_certificate(arn, res.info or {}, label, now, limits)
        if not is_iam_arn(arn) and cert.origin == "lookup":
            hits = _region_hits(chain, arn, arn_region(arn, region or "")) + hits
        return Outcome(True, hits)


def resolve_static(
    result: ScanResult, options: LiveOptions, counter: CallCounter | None = None
) -> ScanResult:
    """Replace each resolvable IAC109 note by the live findings for its certificate."""
    result.live = True
    work = []
    for chain in result.chains:
        note = _note_for(result, chain)
        if note is None:
            continue
        if chain.certificate.origin in RESOLVABLE:
            work.append((chain, note))
        else:  # nothing a lookup could find
            _note_after_live(note, Outcome(False))
    if not work:
        return result
    resolver = Resolver(options, counter)
    for chain, note in work:
        try:
            outcome = resolver.resolve(chain, note)
        except boto_errors() as exc:  # not even the caller's identity
            op = "sts:GetCallerIdentity"
            outcome = Outcome(
                False, fault=incomplete(exc, op, "unknown", None, location=note.location)
            )
        if outcome.fault is not None:
            result.incomplete.append(outcome.fault)
        if not outcome.checked:
            _note_after_live(note, outcome)
            continue  # the IAC109 note stays
        result.findings.remove(note)
        if domain_key(chain) in result.domain_states:
            result.domain_states[domain_key(chain)] = "checked"
        for hit in outcome.hits:
            finding = make(
                hit.rule_id,
                hit.message,
                note.location,
                note.resource,
                note.domain,
                list(note.related),
            )
            if hit.severity:
                finding.severity = hit.severity
            result.findings.append(finding)
    result.findings.sort(key=Finding.sort_key)
    result.incomplete.sort(key=Incomplete.sort_key)
    return result
