"""One scan: discover, load, build chains, run checks. The CLI and tests call this."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from . import registry
from .catalog import rules
from .chain import Chain, build_chains
from .discover import discover, display_path
from .facts import Facts, LiveFacts
from .findings import Finding, Related, make
from .gc_tuning import load_phase
from .model import Location, ParseProblem, Project, Resource
from .policy import DEFAULT_POLICY, Policy, apply_policy
from .registry import Hit

# the result types live below the scan and the reports; imported from here too (live code)
from .results import ScanResult as ScanResult
from .results import domain_key as domain_key
from .results import domain_states
from .roles import roles
from .safe_read import Roots

UNKNOWN_RULE = "IAC109"
#: ``lint --live``: looks up the deployed certificates of the chains (live/resolve.py)
LiveProvider = Callable[[list[Chain]], LiveFacts]

ROLE_NAMES = frozenset({"consumer", "certificate", "validation"})  # the roles a fact names


def _role_of(facts: str | tuple[str, ...]) -> str:
    """``certificate.validation_method`` -> ``certificate``."""
    first = facts if isinstance(facts, str) else facts[0]
    role = first.split(".", 1)[0].split("[", 1)[0]
    return role if role in ROLE_NAMES else ""


def _place(chain: Chain, facts: str | tuple[str, ...]) -> tuple[Resource, str | None]:
    """The resource and attribute path of the first fact written in the code (else the
    first's: its resource's own line)."""
    options = (facts,) if isinstance(facts, str) else facts
    placed = [chain.locate(fact) for fact in options]
    for resource, path in placed:
        if path and resource.has_line(path):
            return resource, path
    return placed[0][0], None


def _related(chain: Chain, hit: Hit) -> list[Related]:
    related = []
    for item in hit.related:
        if item is None:
            continue
        if isinstance(item, str):
            resource, path = _place(chain, item)
            location = resource.location_of(path) if path else resource.location
            role = _role_of(item)
        else:
            resource, location, role = item, item.location, _link_role(chain, item)
        related.append(Related(location, resource.address, role, _annotation(chain, item)))
    return related


def _finding(rule_id: str, hit: Hit, chain: Chain) -> Finding:
    related = _related(chain, hit)
    resource, path = _place(chain, hit.fact)
    holder = chain.holder
    if holder is not None and holder is not chain.domain and resource is not holder:
        # a certificate attached to the consumer: show where it is attached
        location_at = holder.location_of(chain.cert_path or "")
        related.append(
            Related(location_at, holder.address, "attachment", "attaches the certificate")
        )
    to_origin = rules()[rule_id].points_at_origin
    location, note, trail = origin_location(resource, path, to_origin)
    finding = make(
        rule_id,
        hit.message + note,
        location,
        resource.address,
        chain.domain.address,
        [Related(where, what) for where, what in trail] + related,
        role=_role_of(hit.fact),
        chain_id=chain.chain_id,
        fix=hit.fix,
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
        t for t in roles().consumers if re.search(rf"(?<![\w:]){re.escape(t)}(?![\w])", text)
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
            f"{problem.message}; a certificate consumer ({named}) in the part that does not "
            "parse is not analysed"
        )
    return f"{problem.message}; the certificate consumers it defines ({named}) are not analysed"


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


def _rule_failed(findings: list[Finding], chain: Chain, unknown: set[int]):
    """An internal error of one rule on one chain: IAC000 at the consumer, saying which rule
    did not check it (its class only: the text may quote the code), and the consumer is not
    counted as checked."""

    def failed(rule_id: str, exc: Exception) -> None:
        unknown.add(id(chain))
        message = (
            f"rule {rule_id} could not check {chain.noun} {chain.domain.address} (internal "
            f"error: {type(exc).__name__}); the other rules ran"
        )
        where = chain.domain.location
        findings.append(make("IAC000", message, where, chain.domain.address, None))

    return failed


def findings_for(project: Project, live: LiveProvider | None = None) -> ScanResult:
    """Every rule once over each chain's facts: the code's, and with ``live`` (lint
    --live) the deployed certificate it looked up."""
    chains = build_chains(project)
    looked = live(chains) if live is not None else None
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
        if looked is None:
            facts = Facts.of_chain(chain)
        else:
            lookup = looked.lookups.get(id(chain))
            facts = Facts.of_chain(chain, lookup, looked.now, looked.limits)
        for rule_id, hit in registry.run(facts, _rule_failed(findings, chain, unknown)):
            if rule_id == UNKNOWN_RULE:
                unknown.add(id(chain))
            findings.append(_finding(rule_id, hit, chain))
    findings.sort(key=Finding.sort_key)
    states = domain_states(chains, unknown)
    result = ScanResult(findings, len(project.files), len(states), chains)
    result.domain_states = states
    if looked is not None:
        result.live = True
        result.incomplete = list(looked.faults)
    return result


def _finish(project: Project, policy: Policy | None, live: LiveProvider | None) -> ScanResult:
    result = findings_for(project, live)
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
    live: LiveProvider | None = None,
) -> ScanResult:
    """Scan paths (see ``_scan``) with the garbage collector tuned for loading."""
    with load_phase():
        return _scan(paths, tf_options, plans, cfn_options, exclude, policy, roots, live)


def _scan(
    paths: list[Path],
    tf_options=None,
    plans: list[Path] | None = None,
    cfn_options=None,
    exclude=None,
    policy: Policy | None = DEFAULT_POLICY,
    roots: Roots | None = None,
    live: LiveProvider | None = None,
) -> ScanResult:
    """Scan paths; plan files (given as paths or ``plans``) replace the sources' evaluation,
    and the sources then only say where each resource is written.

    ``exclude`` (an ``Exclusions``, src/iaccert/exclusion.py: exclude globs, .gitignore)
    leaves paths out of discovery; a plain ``exclude(path) -> bool`` drops Terraform
    directories and templates after it.
    ``policy`` (selection, severities, suppressions, baseline) is applied to the findings;
    the default honours in-source suppressions; None leaves every finding as checked.
    ``roots``: where files may be read (src/iaccert/safe_read.py); default: the repository
    of each path, and the ``plans`` named. ``live``: lint --live's lookups, whose deployed
    facts every rule sees with the code's."""
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
        return _finish(project, policy, live)
    by_config: dict[str, object] = {}
    for res in source_project.resources:
        by_config.setdefault(strip_keys(res.address), res)
    project.problems.extend(source_project.problems)
    project.files |= source_project.files
    for plan in plans:
        project.merge(load_plan(plan, display_path(plan), by_config.get, roots))
    return _finish(project, policy, live)
