"""Findings: what a check reports, with the rule's identity and the chain's locations."""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalog import Rule, rules
from .model import Location

SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}


@dataclass(frozen=True)
class Related:
    location: Location
    resource: str


@dataclass
class Finding:
    rule: Rule
    message: str
    location: Location
    resource: str
    domain: str | None
    severity: str = ""
    related: list[Related] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.severity:
            self.severity = self.rule.severity

    def sort_key(self) -> tuple:
        return (
            self.location.file,
            self.location.line,
            self.rule.id,
            self.resource,
            self.domain or "",
        )


def make(
    rule_id: str,
    message: str,
    location: Location,
    resource: str,
    domain: str | None,
    related: list[Related] | None = None,
) -> Finding:
    return Finding(rules()[rule_id], message, location, resource, domain, related=related or [])


def fails(findings: list[Finding], fail_on: str = "warning") -> bool:
    """Exit-code policy: any finding at or above ``fail_on`` fails the run."""
    limit = SEVERITY_ORDER[fail_on]
    return any(SEVERITY_ORDER[f.severity] <= limit for f in findings)
