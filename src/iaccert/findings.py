"""Findings: what a check reports, with the rule's identity and the chain's locations."""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalog import Rule, rules
from .model import Location

SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}


@dataclass(frozen=True)
class Related:
    """Another link of the chain: ``role`` is the link's role (consumer, certificate,
    validation, records, attachment), ``annotation`` what it is to the finding."""

    location: Location
    resource: str
    role: str = ""
    annotation: str = ""


@dataclass(frozen=True)
class Suppression:
    """Why a finding is hidden: ``inSource`` (a comment or CloudFormation Metadata) or
    ``external`` (a ``--baseline`` file); SARIF's suppression kinds."""

    kind: str
    reason: str = ""


@dataclass
class Finding:
    rule: Rule
    message: str
    location: Location
    resource: str
    domain: str | None
    severity: str = ""
    related: list[Related] = field(default_factory=list)
    # live findings: "account/region/domain-name" (SARIF logicalLocations); location.file is ""
    logical_location: str | None = None
    suppressed: Suppression | None = None  # set by policy.py: in ScanResult.suppressed instead
    # where the value that decided it was written on its way to ``location`` (the resource's
    # own line, each module argument): a suppression at any of them applies
    trail: tuple[Location, ...] = ()
    role: str = ""  # the chain role of the primary location (consumer, certificate, ...)
    chain_id: str = ""  # the chain it concerns (Chain.chain_id), for reports that show chains
    # how to fix it, apart from what is wrong (``message``); "" when the message says it all.
    # Not Rule.fix, which says what `lint --fix` can do for the rule.
    fix: str = ""

    def __post_init__(self) -> None:
        if not self.severity:
            self.severity = self.rule.severity

    @property
    def message_and_fix(self) -> str:
        """The message, then the fix, as one line reads (one-line formats, titles)."""
        return f"{self.message}; {self.fix}" if self.fix else self.message

    def sort_key(self) -> tuple:
        return (
            self.location.file,
            self.location.line,
            self.logical_location or "",
            self.rule.id,
            self.resource,
            self.domain or "",
        )


@dataclass(frozen=True)
class Incomplete:
    """A check that could not be made (access denied, throttled, region disabled, timeout).

    Never a pass: every report lists it, and it makes the exit code 2 unless allowed.
    """

    account: str
    region: str | None  # None when a whole account could not be read
    domain: str | None  # domain name, None when a whole account or region could not be read
    certificate: str | None  # certificate ARN (or uploaded certificate name) concerned
    operation: str  # the AWS call, e.g. "acm:DescribeCertificate"
    reason: str  # access-denied | throttled | region-disabled | timeout | error
    code: str  # the AWS error code (AccessDeniedException, ...) or exception name
    message: str
    location: Location | None = None  # lint --live: the source line whose certificate it concerns

    @property
    def logical_location(self) -> str:
        return "/".join(p for p in (self.account, self.region, self.domain) if p)

    def sort_key(self) -> tuple:
        return (
            self.account,
            self.region or "",
            self.domain or "",
            self.certificate or "",
            self.operation,
        )


def make(
    rule_id: str,
    message: str,
    location: Location,
    resource: str,
    domain: str | None,
    related: list[Related] | None = None,
    role: str = "",
    chain_id: str = "",
    fix: str = "",
) -> Finding:
    """The one way a finding is built (static checks, front-end problems, live lookups)."""
    return Finding(
        rules()[rule_id],
        message,
        location,
        resource,
        domain,
        related=related or [],
        role=role,
        chain_id=chain_id,
        fix=fix,
    )


def fails(findings: list[Finding], fail_on: str = "warning") -> bool:
    """Exit-code policy: any finding at or above ``fail_on`` fails the run."""
    limit = SEVERITY_ORDER[fail_on]
    return any(SEVERITY_ORDER[f.severity] <= limit for f in findings)
