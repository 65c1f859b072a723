"""Build, for every certificate consumer, its chain: certificate, validation, DNS records.

A consumer is an API Gateway, AppSync or Cognito custom domain, a CloudFront distribution
or a load balancer listener; the roles in ``rules/bindings.yaml`` (src/iaccert/roles.py)
say which. Works on model Resources only, so every front end shares it. A chain answers
*facts* by role (``certificate.validation_method``, ``consumer.names[1]``) and, through
``locate``, where each fact is written: checks never name a Terraform or CloudFormation
attribute.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .bindings import MISSING
from .model import Computed, Location, Project, Region, Resource, Unknown, refs_of
from .roles import CertificateRole, CertificateSlot, ConsumerRole, Match, Selector, roles

ARN_RE = re.compile(
    r"^arn:aws[a-z-]*:(acm|iam):([a-z0-9-]*):(\d*):(certificate|server-certificate)/"
)
# CloudFormation dynamic references, resolved by CloudFormation at deploy time
DYNAMIC_REF = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):([^}]*)\}\}")
EDGE_REGION = "us-east-1"
INDEX_RE = re.compile(r"^(?P<fact>[a-z_.]+)(?:\[(?P<index>\d+)\])?$")


@dataclass
class Certificate:
    """Where a consumer's certificate comes from, as far as the code shows."""

    origin: str  # resource | lookup | literal | unknown | none | by-design
    resource: Resource | None = None
    reason: str = ""
    arn: str | None = None
    region: Region | None = None

    @property
    def remedy(self) -> str:
        """What would let the certificate be checked, for the note that it cannot be."""
        if self.origin == "lookup":
            return "iaccert lint --live can look it up"
        if self.origin == "literal":
            return "iaccert lint --live can describe it"
        reason = self.reason
        if "SSM parameter" in reason or "secret " in reason:
            return (
                "iaccert does not read SSM or Secrets Manager: give the ARN with --parameter, "
                "or check the deployed domain with iaccert live"
            )
        if reason.startswith("variable var."):
            return "give the variable a value (--var, a .tfvars file) to check the certificate"
        if reason.startswith("parameter "):
            return "give the parameter a value (--parameter, --parameters-file) to check it"
        if "custom resource" in reason or "deploy time" in reason or "another stack" in reason:
            return "iaccert live checks the deployed domain's certificate"
        return ""


@dataclass
class Chain:
    """One consumer with one certificate it serves, and what validates that certificate."""

    domain: Resource  # the consumer (a domain, distribution or listener)
    binding: ConsumerRole
    names: list[Match]
    endpoint_type: str | None
    cert_slot: CertificateSlot | None  # the consumer's slot that carries the certificate
    cert_value: Any
    certificate: Certificate
    holder: Resource | None = None  # where the certificate is given (attachment or consumer)
    cert_path: str | None = None  # the path of that value in ``holder``
    via_validation: Resource | None = None
    validations: list[Resource] = field(default_factory=list)
    records: list[Resource] = field(default_factory=list)
    awaited: bool = False
    uploaded: list[str] = field(default_factory=list)  # paths of an uploaded certificate
    cert_attrs_set: list[str] = field(default_factory=list)  # slots given a value

    def __post_init__(self) -> None:
        if self.holder is None:
            self.holder = self.domain

    @property
    def name(self) -> Any:
        """The consumer's first name (MISSING when it has none)."""
        return self.names[0].value if self.names else MISSING

    @property
    def noun(self) -> str:
        return self.binding.noun

    @property
    def cert_attr(self) -> str | None:
        return self.cert_slot.slot if self.cert_slot else None

    @property
    def cert_role(self) -> CertificateRole | None:
        res = self.certificate.resource
        return roles().certificates.get(res.type) if res else None

    @property
    def chain_id(self) -> str:
        """Stable within one scan: the consumer, and the resource that gives the certificate."""
        holder = self.holder or self.domain
        extra = "" if holder is self.domain else f"+{holder.address}"
        return f"{self.domain.root}:{self.domain.address}{extra}"

    def required_region(self) -> tuple[str | None, Region | None]:
        """(a fixed region name, or the consumer's own region) the certificate must be in."""
        rule = self.binding.region
        if rule == "us-east-1" or (rule == "by-endpoint-type" and self.endpoint_type == "EDGE"):
            return EDGE_REGION, None
        if rule == "own" or self.endpoint_type in ("REGIONAL", "PRIVATE"):
            return None, self.domain.region
        return None, None

    # -- facts and where they are written ------------------------------------------------
    def locate(self, fact: str) -> tuple[Resource, str | None]:
        """The resource and attribute path where a role fact is written (or would go)."""
        match = INDEX_RE.match(fact)
        if match is None:
            raise ValueError(f"not a fact: {fact!r}")
        role, _, what = match.group("fact").partition(".")
        index = int(match.group("index") or 0)
        if role == "consumer":
            return self._consumer_fact(what, index)
        if role == "certificate" and self.certificate.resource is not None:
            return self.certificate.resource, self._certificate_path(what)
        if role == "validation" and self.validations:
            return self.validations[0], None
        raise ValueError(f"fact {fact!r} has no resource in this chain")

    def location_of(self, fact: str) -> Location:
        """The line where a fact is written, else its resource's."""
        resource, path = self.locate(fact)
        if path and resource.has_line(path):
            return resource.location_of(path)
        return resource.location

    def _consumer_fact(self, what: str, index: int) -> tuple[Resource, str | None]:
        if what == "":
            return self.domain, None
        if what == "names":
            return self.domain, self.names[index].path if index < len(self.names) else None
        if what == "certificate":
            path = self.cert_path or (self.cert_slot.path.static_path if self.cert_slot else None)
            return self.holder or self.domain, path
        if what == "uploaded":
            return self.domain, self.uploaded[0] if self.uploaded else None
        raise ValueError(f"unknown consumer fact {what!r}")

    def _certificate_path(self, what: str) -> str | None:
        role = self.cert_role
        if role is None or what == "":
            return None
        cert = self.certificate.resource
        if what == "imported":
            set_paths = [s.path for s in role.imported if _set(s.one(cert.attrs))]
            return set_paths[0][2:] if set_paths else None
        selector = getattr(role, what, None)
        if selector is None:
            return None
        if not hasattr(selector, "static_path"):
            raise ValueError(f"unknown certificate fact {what!r}")
        found = selector.matches(cert.attrs)
        return found[0].path if found else selector.static_path


def _set(value: Any) -> bool:
    return value is not MISSING and value is not None and value != "" and value != []


def _endpoint_type(resource: Resource, role: ConsumerRole) -> str | None:
    if role.endpoint_type is None:
        return None
    found = role.endpoint_type.find(resource.attrs)
    known = [v for v in found if isinstance(v, str)]
    if known:
        return known[0].upper()
    if found:
        return None  # set, but unknown
    return role.default_endpoint_type


def _written(resource: Resource, path: str) -> bool:
    """Written in the code: even an input defaulting to null says which kind is meant."""
    return path in resource.attr_lines


def _slot_written(resource: Resource, slot: CertificateSlot) -> bool:
    """The slot's own argument is written in the code (its value may be null): a block
    around it that says nothing of a certificate does not count."""
    paths = [m.path for m in slot.path.matches(resource.attrs)]
    paths.append(slot.path.path[2:].replace("[*]", "[0]"))
    return any(p in resource.attr_lines for p in paths)


def _plain(selector: Selector) -> bool:
    """A selector without wildcards: its path is one attribute a front end may record."""
    return selector.static_path == selector.path[2:]


def _uploaded(resource: Resource, role: ConsumerRole, acm_given: bool = False) -> list[str]:
    """Paths of an uploaded certificate: set to a value, or written (top-level) and not ''.
    A value the code does not fix is not an upload when an ACM certificate is given too:
    which of the two serves is unknown (IAC109's to say), not an uploaded one for sure."""
    out = []
    for selector in role.uploaded:
        found = selector.matches(resource.attrs)
        given = [m for m in found if m.value not in (None, "", False)]
        if acm_given:
            given = [m for m in given if not isinstance(m.value, Unknown | Computed)]
        if given:
            out.append(given[0].path)
        elif (
            _plain(selector)
            and _written(resource, selector.static_path)
            and all(m.value != "" for m in found)
        ):
            out.append(selector.static_path)
    return out


class RootIndex:
    """The resources of one root (module tree or template), for lookups by address."""

    def __init__(self, resources: list[Resource]):
        self.resources = resources
        self.by_address = {r.address: r for r in resources}
        self._records: dict[str, list[Resource]] | None = None
        self._validations: dict[str, list[Resource]] | None = None

    def get(self, address: str) -> Resource | None:
        return self.by_address.get(address)

    def records_for(self, cert: Resource) -> list[Resource]:
        """Resources whose values derive from the certificate's validation options."""
        if self._records is None:
            self._records = defaultdict(list)
            table = roles()
            skip = set(table.certificates) | set(table.validations)
            sources = {c.validation_records_from for c in table.certificates.values()}
            for res in self.resources:
                if res.type in skip or res.kind != "resource":
                    continue
                for ref in refs_of(res.attrs):
                    if ref.attr in sources:
                        self._records[ref.address].append(res)
        seen, out = set(), []
        for res in self._records.get(cert.address, []):
            if res.address not in seen:
                seen.add(res.address)
                out.append(res)
        return out

    def validations_for(self, cert: Resource) -> list[Resource]:
        """The validation resources that name this certificate (indexed once per root)."""
        if self._validations is None:
            self._validations = defaultdict(list)
            for res in self.resources:
                role = roles().validations.get(res.type)
                if role is None or res.kind != "resource":
                    continue
                target = role.certificate.one(res.attrs)
                if isinstance(target, Computed):
                    self._validations[target.address].append(res)
        return list(self._validations.get(cert.address, []))

    def reaches(self, start: Resource, targets: set[str]) -> bool:
        """Is any target ordered before ``start`` (references, depends_on, module depends_on)?"""
        seen, stack = set(), [start]
        while stack:
            res = stack.pop()
            if res.address in seen:
                continue
            seen.add(res.address)
            edges = set(res.depends_on)
            for ref in refs_of(res.attrs):
                edges.add(ref.address)
                edges |= set(ref.after)
            for edge in edges:
                if any(_within(t, edge) for t in targets):
                    return True
                stack.extend(r for r in self._matching(edge) if r.address not in seen)
        return False

    def _matching(self, prefix: str) -> list[Resource]:
        exact = self.by_address.get(prefix)
        if exact is not None:
            return [exact]
        return [r for r in self.resources if _within(r.address, prefix)]


def _within(address: str, prefix: str) -> bool:
    """``module.a.aws_x.y[0]`` is within ``module.a`` and within ``module.a.aws_x.y``."""
    return address == prefix or address.startswith((prefix + ".", prefix + "["))


def parse_arn(arn: str) -> tuple[str, str, str] | None:
    """(service, region, account) of an ACM or IAM certificate ARN."""
    match = ARN_RE.match(arn)
    return (match.group(1), match.group(2), match.group(3)) if match else None


def _lookup_reason(res: Resource) -> str:
    role = roles().lookups.get(res.type)
    said = res.attrs.get(role.reason_attr) if role and role.reason_attr else None
    if isinstance(said, str):  # the front end's own account of the lookup
        return f"{said}; the validation of an existing certificate is not in this code"
    describe = role.describe if role else ()
    parts = [f"{k} = {res.attrs[k]!r}" for k in describe if k in res.attrs]
    detail = f" ({', '.join(parts)})" if parts else ""
    return (
        f"looked up by {res.address}{detail}; "
        "the validation of an existing certificate is not in this code"
    )


def resolve_certificate(value: Any, index: RootIndex) -> tuple[Certificate, Resource | None]:
    """Follow a domain's certificate value to the certificate and the validation it came through."""
    if value is MISSING or value is None:
        return Certificate("none"), None
    if isinstance(value, str):
        arn = parse_arn(value)
        dynamic = DYNAMIC_REF.search(value)
        if arn is None and dynamic:
            store = "SSM parameter" if dynamic.group(1).startswith("ssm") else "secret"
            name = dynamic.group(2).split(":")[0]
            return Certificate(
                "unknown",
                reason=f"read from {store} {name!r} by a dynamic reference at deploy time",
            ), None
        if arn is None:
            return Certificate("unknown", reason=f"{value!r} is not a certificate ARN"), None
        region = Region(f"arn:{value}", arn[1] or None)
        return Certificate(
            "literal",
            arn=value,
            region=region,
            reason=f"a literal ARN ({value}); what it points at is not in this code",
        ), None
    if isinstance(value, Unknown):
        return Certificate("unknown", reason=value.reason), None
    if not isinstance(value, Computed):
        return Certificate("unknown", reason="the certificate value is not an ARN"), None
    res = index.get(value.address)
    if res is None:
        return Certificate("unknown", reason=f"comes from {value.address}.{value.attr}"), None
    table = roles()
    if res.kind == "data" and res.type in table.lookups:
        return Certificate("lookup", resource=res, reason=_lookup_reason(res)), None
    cert_role = table.certificates.get(res.type)
    if res.kind == "resource" and cert_role and value.attr in cert_role.arn_attrs:
        return Certificate("resource", resource=res, region=res.region), None
    val_role = table.validations.get(res.type)
    if res.kind == "resource" and val_role and value.attr in val_role.output_attrs:
        inner, _ = resolve_certificate(val_role.certificate.one(res.attrs), index)
        return inner, res
    return Certificate("unknown", reason=f"comes from {value.address}.{value.attr}"), None


def _consumer_names(consumer: Resource, role: ConsumerRole) -> list[Match]:
    names: list[Match] = []
    for selector in role.names:
        for match in selector.matches(consumer.attrs):
            if isinstance(match.value, list):  # a whole list selected: each item is a name
                names.extend(Match(v, f"{match.path}[{i}]") for i, v in enumerate(match.value))
            elif match.value is not None:
                names.append(match)
    return names


def _slot_values(consumer: Resource, role: ConsumerRole, endpoint: str | None):
    """(chosen slot, its value, its path, the slots given a value): the endpoint's own slot
    when it is set, else the first one set."""
    set_slots: list[str] = []
    chosen = None
    for slot in role.certificates:
        found = [m for m in slot.path.matches(consumer.attrs) if m.value not in (None, "")]
        if found:
            set_slots.append(slot.slot)
            if chosen is None or (endpoint and slot.serves(endpoint) and slot.endpoint_types):
                chosen = (slot, found[0])
    return chosen, set_slots


def _build(
    consumer: Resource,
    role: ConsumerRole,
    index: RootIndex,
    given: tuple[Resource, CertificateSlot | None, Any, str | None] | None = None,
) -> Chain | None:
    """The chain of one certificate a consumer serves: its own slot, or ``given`` by an
    attachment (holder, slot, value, path). None when no certificate is expected."""
    endpoint = _endpoint_type(consumer, role)
    chosen, set_slots = _slot_values(consumer, role, endpoint)
    holder = consumer
    if given is not None:
        holder, slot, cert_value, cert_path = given
    elif chosen is not None:
        slot, cert_value, cert_path = chosen[0], chosen[1].value, chosen[1].path
    else:
        slot, cert_value, cert_path = None, MISSING, None
    certificate, via = resolve_certificate(cert_value, index)
    acm_given = certificate.origin != "none"
    uploaded = _uploaded(consumer, role, acm_given) if given is None else []
    if certificate.origin == "none" and given is None:
        written = [s for s in role.certificates if _slot_written(consumer, s)]
        by_design = next((s for s in role.no_acm_certificate if s.holds(consumer.attrs)), None)
        if by_design is not None:
            certificate = Certificate("by-design", reason=by_design.path.static_path)
        elif written and not uploaded and not role.certificate_optional:
            # an uploaded certificate is the answer (IAC108); a consumer that may take no
            # certificate (an HTTP listener made from a module's listener map) needs none
            slot = written[0]
            certificate = Certificate(
                "unknown",
                reason=f"{slot.slot} is null with the values in this code (an input not set?)",
            )
        elif role.certificate_optional and not uploaded:
            return None
    chain = Chain(
        domain=consumer,
        binding=role,
        names=_consumer_names(consumer, role),
        endpoint_type=endpoint,
        cert_slot=slot,
        cert_value=cert_value,
        certificate=certificate,
        holder=holder,
        cert_path=cert_path,
        via_validation=via,
        uploaded=uploaded,
        cert_attrs_set=set_slots,
    )
    cert = certificate.resource
    if certificate.origin == "resource" and cert is not None:
        chain.validations = index.validations_for(cert)
        chain.records = index.records_for(cert)
        targets = {v.address for v in chain.validations}
        chain.awaited = via is not None or (bool(targets) and index.reaches(holder, targets))
    return chain


def _attached(resources: list[Resource]) -> dict[str, list[tuple[Resource, Any, str]]]:
    """Certificates attached *to* a consumer, by the consumer's address."""
    table = roles()
    out: dict[str, list[tuple[Resource, Any, str]]] = defaultdict(list)
    for res in resources:
        found = table.attachment(res.type) if res.kind == "resource" else None
        if found is None:
            continue
        _, attachment = found
        target = attachment.consumer.one(res.attrs)
        if not isinstance(target, Computed):
            continue
        for match in attachment.certificates.matches(res.attrs):
            out[target.address].append((res, match.value, match.path))
    return out


def build_chains(project: Project) -> list[Chain]:
    """One chain per certificate each consumer resource instance serves."""
    by_root: dict[str, list[Resource]] = defaultdict(list)
    for res in project.resources:
        by_root[res.root].append(res)
    consumers = roles().consumers
    chains = []
    for resources in by_root.values():
        index = RootIndex(resources)
        attached = _attached(resources)
        for res in resources:
            role = consumers.get(res.type)
            if role is None or res.kind != "resource":
                continue
            chain = _build(res, role, index)
            if chain is not None:
                chains.append(chain)
            for holder, value, path in attached.get(res.address, []):
                extra = _build(res, role, index, (holder, None, value, path))
                if extra is not None:
                    chains.append(extra)
    return chains
