"""What a run found: the result every report renders. Below both the scan and the reports,
so a report (or a tool that reads results) never imports the scan that makes them."""

from __future__ import annotations

from dataclasses import dataclass, field

from .chain import Chain
from .findings import Finding, Incomplete
from .model import Project


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    domains: int = 0
    chains: list[Chain] = field(default_factory=list)
    live: bool = False  # live mode ran (iaccert live, lint --live): reports list `incomplete`
    incomplete: list[Incomplete] = field(default_factory=list)  # "could not check", never a pass
    project: Project | None = None  # what was loaded (resources' line ranges, for suppressions)
    suppressed: list[Finding] = field(default_factory=list)  # hidden by a suppression/baseline
    stale_baseline: list | None = None  # --baseline: entries no finding matches any more
    fixable: tuple[int, int] = (0, 0)  # (safe, unsafe-only) fixes `lint --fix` has: text hint
    # each domain seen -> checked | unknown (IAC109: the code cannot tell) | latent (switched
    # off by the code's values); what the summary's counts say
    domain_states: dict = field(default_factory=dict)
    ignored_not_analysed: int = 0  # IAC000/IAC001 findings --ignore or the configuration hid
    configuration: dict | None = None  # the file read and what it changed (config.describe)
    # iaccert live: every certificate seen with its consumers (deployed.DeployedCertificate)
    certificates: list | None = None

    def domains_in(self, state: str) -> int:
        return sum(1 for s in self.domain_states.values() if s == state)


def domain_key(chain: Chain) -> tuple:
    """A domain analysed on several Fn::If branches (same place, same logical id) is one;
    one Terraform module run by two roots (two Terragrunt units, say) makes two."""
    domain = chain.domain
    root = domain.root if domain.source == "terraform" else ""
    return (root, domain.location.file, domain.location.line, domain.logical_id or domain.address)


def domain_states(chains: list[Chain], unknown: set[int]) -> dict:
    """Each domain's state; of several chains for one domain, unknown wins over checked,
    and a domain is latent only when every chain of it is."""
    rank = {"latent": 0, "checked": 1, "unknown": 2}
    states: dict = {}
    for chain in chains:
        if chain.domain.latent:
            state = "latent"
        else:
            state = "unknown" if id(chain) in unknown else "checked"
        key = domain_key(chain)
        if key not in states or rank[state] > rank[states[key]]:
            states[key] = state
    return states
