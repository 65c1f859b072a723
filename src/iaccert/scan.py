"""One scan: discover, load, build chains, run checks. The CLI and tests call this."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .chain import Chain, build_chains
from .checks import CHECKS, Hit
from .discover import discover, display_path
from .findings import Finding, Incomplete, Related, make
from .model import Location, Project, Resource
from .policy import DEFAULT_POLICY, Policy, apply_policy


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
    configuration: dict | None = None  # the file read and what it changed (config.describe)


ROLE_NAMES = {"consumer": "consumer", "certificate": "certificate", "validation": "validation"}


def _role_of(facts: str | tuple[str, ...]) -> str:
    """``certificate.validation_method`` -> ``certificate``."""
    first = facts if isinstance(facts, str) else facts[0]
    return ROLE_NAMES.get(first.split(".", 1)[0].split("[", 1)[0], "")


def _place(chain: Chain, facts: str | tuple[str, ...]) -> tuple[Resource, Location]:
    """The resource and line of the first fact written in the code (else the first's)."""
    options = (facts,) if isinstance(facts, str) else facts
    placed = [chain.locate(fact) for fact in options]
    for resource, path in placed:
        if path and resource.has_line(path):
            return resource, resource.location_of(path)
    resource, path = placed[0]
    return resource, resource.location_of(path) if path else resource.location


def _finding(rule_id: str, hit: Hit, chain: Chain) -> Finding:
    related = []
    for item in hit.related:
        if item is None:
            continue
        if isinstance(item, str):
            resource, location = _place(chain, item)
            role = _role_of(item)
        else:
            resource, location, role = item, item.location, _link_role(chain, item)
        related.append(Related(location, resource.address, role, _annotation(chain, item)))
    resource, location = _place(chain, hit.fact)
    holder = chain.holder
    if holder is not None and holder is not chain.domain and resource is not holder:
        # a certificate attached to the consumer: show where it is attached
        location_at = holder.location_of(chain.cert_path or "")
        related.append(
            Related(location_at, holder.address, "attachment", "attaches the certificate")
        )
    return make(
        rule_id,
        hit.message,
        location,
        resource.address,
        chain.domain.address,
        related,
        role=_role_of(hit.fact),
        chain_id=chain.chain_id,
    )


def _link_role(chain: Chain, resource: Resource) -> str:
    if resource is chain.domain:
        return "consumer"
    if resource is chain.certificate.resource:
        return "certificate"
    if resource in chain.validations or resource is chain.via_validation:
        return "validation"
    return "records" if resource in chain.records else ""


def _annotation(chain: Chain, item: Resource | str) -> str:
    """What a related link is to the finding, in the chain's words."""
    if isinstance(item, str) and item.startswith("consumer.names["):
        index = int(item[len("consumer.names[") : -1])
        name = chain.names[index].value if index < len(chain.names) else None
        return f"the {chain.noun} name {name}" if isinstance(name, str) else ""
    return ""  # the role says it all


def findings_for(project: Project) -> ScanResult:
    chains = build_chains(project)
    findings = [
        make(p.rule, p.message, Location(p.file, p.line, p.line, p.column), "", None)
        for p in project.problems
    ]
    for chain in chains:
        for rule_id, fn in CHECKS.items():
            findings.extend(_finding(rule_id, hit, chain) for hit in fn(chain))
    findings.sort(key=Finding.sort_key)
    # a domain analysed on several Fn::If branches (same place, same logical id) is one domain
    domains = {
        (c.domain.location.file, c.domain.location.line, c.domain.logical_id or c.domain.address)
        for c in chains
    }
    return ScanResult(findings, len(project.files), len(domains), chains)


def _finish(project: Project, policy: Policy | None) -> ScanResult:
    result = findings_for(project)
    result.project = project
    if policy is not None:
        apply_policy(result, policy)
    return result


def scan(
    paths: list[Path],
    tf_options=None,
    plans: list[Path] | None = None,
    cfn_options=None,
    exclude=None,
    policy: Policy | None = DEFAULT_POLICY,
) -> ScanResult:
    """Scan paths; plan files (given as paths or ``plans``) replace the sources' evaluation,
    and the sources then only say where each resource is written.

    ``exclude`` (an ``Exclusions``, src/iaccert/exclusion.py: exclude globs, .gitignore)
    leaves paths out of discovery; a plain ``exclude(path) -> bool`` drops Terraform
    directories and templates after it.
    ``policy`` (selection, severities, suppressions, baseline) is applied to the findings;
    the default honours in-source suppressions; None leaves every finding as checked."""
    from .terraform import TfOptions, load_terraform
    from .terraform.plan import is_plan_file, load_plan, strip_keys

    plans = list(plans or [])
    sources = []
    for path in paths:
        (plans if is_plan_file(path) else sources).append(path)
    exclusions = exclude if hasattr(exclude, "walker") else None
    targets = discover(sources, exclusions)
    exclude = exclusions.excluded if exclusions is not None else exclude
    if exclude is not None:
        targets.terraform_dirs = [d for d in targets.terraform_dirs if not exclude(d)]
        targets.cfn_templates = [t for t in targets.cfn_templates if not exclude(t)]
        targets.cdk_manifests = [m for m in targets.cdk_manifests if not exclude(m)]
        targets.serverless_files = [f for f in targets.serverless_files if not exclude(f)]
    project = Project()
    source_project = Project()
    if targets.terraform_dirs:
        options = tf_options or TfOptions()
        source_project = load_terraform(targets.terraform_dirs, options, display_path)
    if targets.cfn_templates:  # cfn-lint is imported only here, only when a template was found
        from .cloudformation import CfnOptions, load_cloudformation

        cfn = cfn_options or CfnOptions()
        project.merge(
            load_cloudformation(targets.cfn_templates, targets.cdk_manifests, cfn, display_path)
        )
    from .unanalysed import find_unanalysed

    project.problems.extend(find_unanalysed(sources, display_path, exclude))
    if targets.serverless_files:
        from .serverless import load_serverless

        project.merge(load_serverless(targets.serverless_files, cfn_options, display_path))
    if not plans:
        project.merge(source_project)
        return _finish(project, policy)
    by_config: dict[str, object] = {}
    for res in source_project.resources:
        by_config.setdefault(strip_keys(res.address), res)
    project.problems.extend(source_project.problems)
    project.files |= source_project.files
    for plan in plans:
        project.merge(load_plan(plan, display_path(plan), by_config.get))
    return _finish(project, policy)
