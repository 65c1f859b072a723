"""Build, for every API Gateway domain, its chain: certificate, validation, DNS records.

Works on model Resources only, guided by ``rules/bindings.yaml``; it never sees
HCL or YAML, so both front ends share it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .bindings import MISSING, bindings, select, select_one
from .model import Computed, Project, Region, Resource, Unknown, refs_of

ARN_RE = re.compile(
    r"^arn:aws[a-z-]*:(acm|iam):([a-z0-9-]*):(\d*):(certificate|server-certificate)/"
)
# CloudFormation dynamic references, resolved by CloudFormation at deploy time
DYNAMIC_REF = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):([^}]*)\}\}")


@dataclass
class Certificate:
    """Where a domain's certificate comes from, as far as the code shows."""

    origin: str  # resource | lookup | literal | unknown | none
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
    domain: Resource
    binding: dict
    name: Any
    endpoint_type: str | None
    cert_attr: str | None  # the domain attribute that carries the certificate
    cert_value: Any
    certificate: Certificate
    via_validation: Resource | None = None
    validations: list[Resource] = field(default_factory=list)
    records: list[Resource] = field(default_factory=list)
    awaited: bool = False
    uploaded: list[str] = field(default_factory=list)
    cert_attrs_set: list[str] = field(default_factory=list)

    @property
    def cert_binding(self) -> dict:
        res = self.certificate.resource
        return bindings()["certificates"].get(res.type, {}) if res else {}


def _endpoint_type(resource: Resource, binding: dict) -> str | None:
    found = select(resource.attrs, binding.get("endpoint_type"))
    known = [v for v in found if isinstance(v, str)]
    if known:
        return known[0].upper()
    if found:
        return None  # set, but unknown
    return binding.get("default_endpoint_type")


def _written(resource: Resource, attr: str) -> bool:
    """Set in the code: even an input defaulting to null says which kind of certificate is meant."""
    return attr in resource.attr_lines and resource.attrs.get(attr) != ""


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
            roles = set(bindings()["certificates"]) | set(bindings()["validations"])
            sources = {
                b.get("validation_records_from") for b in bindings()["certificates"].values()
            }
            for res in self.resources:
                if res.type in roles or res.kind != "resource":
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
                binding = bindings()["validations"].get(res.type)
                if binding is None or res.kind != "resource":
                    continue
                target = select_one(res.attrs, binding["certificate"])
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
    binding = bindings()["lookups"].get(res.type, {})
    said = res.attrs.get(binding.get("reason_attr", ""))
    if isinstance(said, str):  # the front end's own account of the lookup
        return f"{said}; the validation of an existing certificate is not in this code"
    describe = binding.get("describe", [])
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
    if res.kind == "data" and res.type in bindings()["lookups"]:
        return Certificate("lookup", resource=res, reason=_lookup_reason(res)), None
    cert_binding = bindings()["certificates"].get(res.type)
    if res.kind == "resource" and cert_binding and value.attr in cert_binding["arn_attrs"]:
        return Certificate("resource", resource=res, region=res.region), None
    val_binding = bindings()["validations"].get(res.type)
    if res.kind == "resource" and val_binding and value.attr in val_binding["output_attrs"]:
        inner, _ = resolve_certificate(select_one(res.attrs, val_binding["certificate"]), index)
        return inner, res
    return Certificate("unknown", reason=f"comes from {value.address}.{value.attr}"), None


def _build(domain: Resource, binding: dict, index: RootIndex) -> Chain:
    endpoint = _endpoint_type(domain, binding)
    set_attrs = []
    chosen = None
    for spec in binding.get("certificates", []):
        found = select(domain.attrs, spec["path"])
        found = [v for v in found if v is not None and v != ""]
        if found:
            set_attrs.append(spec["attr"])
            if chosen is None or (endpoint and endpoint in spec["endpoint_types"]):
                chosen = (spec["attr"], found[0])
    cert_attr, cert_value = chosen if chosen else (None, MISSING)
    certificate, via = resolve_certificate(cert_value, index)
    written = [
        s["attr"]
        for s in binding.get("certificates", [])
        if s["attr"] in domain.attr_lines
        # a block written without its certificate key (v2 configurations) does not count
        and (s["path"] == f"$.{s['attr']}" or select(domain.attrs, s["path"]))
    ]
    if certificate.origin == "none" and written:
        cert_attr = written[0]
        certificate = Certificate(
            "unknown",
            reason=f"{cert_attr} is null with the values in this code (an input not set?)",
        )
    chain = Chain(
        domain=domain,
        binding=binding,
        name=select_one(domain.attrs, binding.get("name")),
        endpoint_type=endpoint,
        cert_attr=cert_attr,
        cert_value=cert_value,
        certificate=certificate,
        via_validation=via,
        uploaded=[a for a in binding.get("uploaded", []) if _written(domain, a)],
        cert_attrs_set=set_attrs,
    )
    cert = certificate.resource
    if certificate.origin == "resource" and cert is not None:
        chain.validations = index.validations_for(cert)
        chain.records = index.records_for(cert)
        targets = {v.address for v in chain.validations}
        chain.awaited = via is not None or (bool(targets) and index.reaches(domain, targets))
    return chain


def build_chains(project: Project) -> list[Chain]:
    """One chain per API Gateway domain resource instance."""
    by_root: dict[str, list[Resource]] = defaultdict(list)
    for res in project.resources:
        by_root[res.root].append(res)
    chains = []
    for resources in by_root.values():
        index = RootIndex(resources)
        for res in resources:
            binding = bindings()["domains"].get(res.type)
            if binding is not None and res.kind == "resource":
                chains.append(_build(res, binding, index))
    return chains
