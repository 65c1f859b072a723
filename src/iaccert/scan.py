"""One scan: discover, load, build chains, run checks. The CLI and tests call this."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .bindings import bindings
from .catalog import rules
from .chain import Chain, build_chains
from .checks import CHECKS, Hit
from .discover import discover, display_path
from .findings import Finding, Incomplete, Related, make
from .gc_tuning import load_phase
from .model import Location, ParseProblem, Project, Resource
from .policy import DEFAULT_POLICY, Policy, apply_policy
from .safe_read import Roots


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


UNKNOWN_RULE = "IAC109"


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


def _finding(rule_id: str, hit: Hit, chain: Chain) -> Finding:
    related = [Related(r.location, r.address) for r in hit.related if r is not None]
    to_origin = rules()[rule_id].points_at_origin
    location, note, trail = origin_location(hit.resource, hit.attr, to_origin)
    finding = make(
        rule_id,
        hit.message + note,
        location,
        hit.resource.address,
        chain.domain.address,
        [Related(where, what) for where, what in trail] + related,
    )
    finding.trail = tuple(where for where, _ in trail)
    return finding


def origin_location(
    resource: Resource, attr: str | None, to_origin: bool = True
) -> tuple[Location, str, list[tuple[Location, str]]]:
    """Where a finding about ``attr`` of ``resource`` points, when a front end recorded
    where the attribute's value was set (a caller's argument, a variables file, a default).

    Returns (primary location, a note for the message, the other steps as (location, what
    is set there)). With ``to_origin`` the primary location is the outermost step, where
    the value is changed, and the attribute's own line is a step; else the attribute's line
    stays primary and every step is listed."""
    own = resource.location_of(attr) if attr else resource.location
    steps = resource.attr_origins.get(attr, []) if attr else []
    if not steps:
        return own, "", []
    last = steps[-1]
    note = f"; {attr} is set by {last.what}"
    if last.location is not None:
        note += f" at {last.location.file}:{last.location.line}"
    located = [(s.location, s.address) for s in steps if s.location is not None]
    if not located:
        return own, note, []
    if not to_origin:
        return own, note, [(where, what) for where, what in located if where != own]
    primary = located[-1][0]
    trail = [(own, resource.address), *located[:-1]]
    return primary, note, [(where, what) for where, what in trail if where != primary]


NOTE_MAX_BYTES = 5 * 1024 * 1024


def _domain_types_in(file: str) -> list[str]:
    """The domain resource types a file's text names (read once more, bounded)."""
    from .safe_read import default_roots, read_bytes
    from .terraform.prefilter import searchable_text

    try:  # as every read of scanned input: a FIFO or a link out of the tree is not opened
        data = read_bytes(Path(file), default_roots(Path(file)), NOTE_MAX_BYTES)
    except OSError:
        return []

    text = searchable_text(file, data.decode("utf-8", "replace"))
    # whole names: aws_api_gateway_domain_name_access_association is not a domain
    return sorted(
        t for t in bindings()["domains"] if re.search(rf"(?<![\w:]){re.escape(t)}(?![\w])", text)
    )


def _problem_message(problem, chains: list[Chain]) -> str:
    """An unparsable file that names a domain type says that its domains were not analysed."""
    if problem.rule != "IAC000" or "not analysed" in problem.message:
        return problem.message
    types = _domain_types_in(problem.file)
    if not types:
        return problem.message
    named = ", ".join(types)
    if any(c.domain.location.file == problem.file for c in chains):
        return (
            f"{problem.message}; an API Gateway domain ({named}) in the part that does not "
            "parse is not analysed"
        )
    return f"{problem.message}; the API Gateway domains it defines ({named}) are not analysed"


def findings_for(project: Project) -> ScanResult:
    chains = build_chains(project)
    findings = [
        make(
            p.rule,
            _problem_message(p, chains),
            Location(p.file, p.line, p.line, p.column),
            "",
            None,
        )
        for p in project.problems
    ]
    unknown: set[int] = set()
    for chain in chains:
        for rule_id, fn in CHECKS.items():
            hits = list(fn(chain))
            if hits and rule_id == UNKNOWN_RULE:
                unknown.add(id(chain))
            findings.extend(_finding(rule_id, hit, chain) for hit in hits)
    findings.sort(key=Finding.sort_key)
    states = domain_states(chains, unknown)
    result = ScanResult(findings, len(project.files), len(states), chains)
    result.domain_states = states
    return result


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
    roots: Roots | None = None,
) -> ScanResult:
    """Scan paths (see ``_scan``) with the garbage collector tuned for loading."""
    with load_phase():
        return _scan(paths, tf_options, plans, cfn_options, exclude, policy, roots)


def _scan(
    paths: list[Path],
    tf_options=None,
    plans: list[Path] | None = None,
    cfn_options=None,
    exclude=None,
    policy: Policy | None = DEFAULT_POLICY,
    roots: Roots | None = None,
) -> ScanResult:
    """Scan paths; plan files (given as paths or ``plans``) replace the sources' evaluation,
    and the sources then only say where each resource is written.

    ``exclude`` (an ``Exclusions``, src/iaccert/exclusion.py: exclude globs, .gitignore)
    leaves paths out of discovery; a plain ``exclude(path) -> bool`` drops Terraform
    directories and templates after it.
    ``policy`` (selection, severities, suppressions, baseline) is applied to the findings;
    the default honours in-source suppressions; None leaves every finding as checked.
    ``roots``: where files may be read (src/iaccert/safe_read.py); default: the repository
    of each path, and the ``plans`` named."""
    from .terraform import TfOptions, load_terraform
    from .terraform.plan import is_plan_file, load_plan, strip_keys

    plans = list(plans or [])
    roots = (roots if roots is not None else Roots.of(paths)).with_files(plans)
    sources = []
    for path in paths:
        (plans if is_plan_file(path, roots) else sources).append(path)
    exclusions = exclude if hasattr(exclude, "walker") else None
    targets = discover(sources, exclusions, roots)
    exclude = exclusions.excluded if exclusions is not None else exclude
    if exclude is not None:
        targets.terraform_dirs = [d for d in targets.terraform_dirs if not exclude(d)]
        targets.cfn_templates = [t for t in targets.cfn_templates if not exclude(t)]
        targets.cdk_manifests = [m for m in targets.cdk_manifests if not exclude(m)]
        targets.serverless_files = [f for f in targets.serverless_files if not exclude(f)]
    project = Project(roots=roots)
    for file, reason in targets.refused:
        project.problems.append(ParseProblem(display_path(file), 1, 1, f"not read: {reason}"))
        project.files.add(display_path(file))
    source_project = Project()
    if targets.terraform_dirs:
        options = replace(tf_options or TfOptions(), roots=roots)
        source_project = load_terraform(targets.terraform_dirs, options, display_path)
    if targets.cfn_templates:  # cfn-lint is imported only here, only when a template was found
        from .cloudformation import CfnOptions, load_cloudformation

        cfn = replace(cfn_options or CfnOptions(), roots=roots)
        project.merge(
            load_cloudformation(targets.cfn_templates, targets.cdk_manifests, cfn, display_path)
        )
    from .unanalysed import find_unanalysed

    project.problems.extend(find_unanalysed(sources, display_path, exclude))
    if targets.serverless_files:
        from .cloudformation.options import CfnOptions as SlsOptions
        from .serverless import load_serverless

        sls = replace(cfn_options or SlsOptions(), roots=roots)
        project.merge(load_serverless(targets.serverless_files, sls, display_path))
    if not plans:
        project.merge(source_project)
        return _finish(project, policy)
    by_config: dict[str, object] = {}
    for res in source_project.resources:
        by_config.setdefault(strip_keys(res.address), res)
    project.problems.extend(source_project.problems)
    project.files |= source_project.files
    for plan in plans:
        project.merge(load_plan(plan, display_path(plan), by_config.get, roots))
    return _finish(project, policy)
