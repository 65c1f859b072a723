"""One small check per rule id, over a consumer's chain.

A check returns Hits: the role fact where the fix goes (``certificate.validation_method``,
``consumer.names[1]``), a message, and the other links of the chain worth showing. The
chain maps a fact to the resource and attribute path that hold it, so a check never names
a Terraform or CloudFormation attribute. Severity and names come from the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .bindings import MISSING
from .chain import EDGE_REGION, Chain
from .model import Computed, Resource, Unknown
from .names import covered_by_any, normalise, plausible
from .roles import CertificateRole, roles

__all__ = ["CHECKS", "EDGE_REGION", "Hit", "check", "domain_label", "region_verdict"]


@dataclass
class Hit:
    """``fact``: where the fix goes, as a role fact, or facts in order of preference (the
    first one written in the code wins); ``related``: other links, as facts or resources."""

    fact: str | tuple[str, ...]
    message: str
    related: list[Resource | str] = field(default_factory=list)


CHECKS: dict[str, Callable[[Chain], Iterator[Hit]]] = {}


def check(rule_id: str):
    def register(fn: Callable[[Chain], Iterator[Hit]]):
        CHECKS[rule_id] = fn
        return fn

    return register


def domain_label(chain: Chain, name: object = MISSING) -> str:
    """``'api.example.com' (aws_x.y)``: the consumer's (first) name; a name the code leaves
    empty is not shown, and a consumer the code's values switch off says so."""
    name = chain.name if name is MISSING else name
    address = chain.domain.address
    label = f"'{name}' ({address})" if isinstance(name, str) and name.strip() else address
    if chain.domain.latent:
        label += f" (latent: {chain.domain.latent})"
    return label


def _kind(chain: Chain) -> str:
    """``EDGE domain``, ``distribution``, ``listener``: the consumer in its own words."""
    return f"{chain.endpoint_type} {chain.noun}" if chain.endpoint_type else chain.noun


def _cert(chain: Chain) -> Resource | None:
    return chain.certificate.resource if chain.certificate.origin == "resource" else None


def _set(value: Any) -> bool:
    return value is not MISSING and value is not None and value != "" and value != []


def _role(chain: Chain) -> CertificateRole:
    role = chain.cert_role
    assert role is not None  # every resource-origin certificate has a role
    return role


def _validation_method(chain: Chain) -> str | None:
    cert = _cert(chain)
    role = _role(chain)
    value = role.validation_method.one(cert.attrs)
    if value is MISSING or value is None:
        if _issued_elsewhere(chain):
            return None
        value = role.default_validation_method
    return value.upper() if isinstance(value, str) else None


def _issued_elsewhere(chain: Chain) -> bool:
    """Imported or private-CA certificates have no ACM domain validation at all."""
    cert = _cert(chain)
    role = _role(chain)
    imported = any(_set(s.one(cert.attrs)) for s in role.imported)
    return imported or (role.private_ca is not None and _set(role.private_ca.one(cert.attrs)))


def _dns_chain(chain: Chain) -> Resource | None:
    """The certificate, when it is an ACM DNS-validated request made in this code."""
    cert = _cert(chain)
    if cert is None or _issued_elsewhere(chain) or _validation_method(chain) != "DNS":
        return None
    return cert


@check("IAC101")
def email_validation(chain: Chain) -> Iterator[Hit]:
    cert = _cert(chain)
    if cert is not None and _validation_method(chain) == "EMAIL":
        yield Hit(
            "certificate.validation_method",
            f"certificate {cert.address} of {chain.noun} {domain_label(chain)} is validated by "
            "EMAIL: every issue and renewal waits for a person to approve an email; "
            "use DNS validation",
            ["consumer"],
        )


def _names_without_zone(cert: Resource, role: CertificateRole) -> list[Any] | None:
    """Names of an inline-validated certificate (CloudFormation) that no validation option
    with a hosted zone covers; None when the code cannot tell."""
    primary = role.name.one(cert.attrs)
    sans = role.sans.one(cert.attrs)
    options = role.validation_options.one(cert.attrs) if role.validation_options else MISSING
    sans = [] if sans is MISSING or sans is None else sans
    options = [] if options is MISSING or options is None else options
    if primary is MISSING or not isinstance(sans, list) or not isinstance(options, list):
        return None
    key_name, key_zone = role.validation_option_name, role.validation_option_zone
    zoned = [
        o.get(key_name)
        for o in options
        if isinstance(o, dict) and _set(o.get(key_zone)) and _set(o.get(key_name))
    ]
    if not zoned:
        return [primary, *sans]  # no option carries a hosted zone: nothing is validated
    if any(not isinstance(z, str) for z in zoned):
        return None  # an option names a domain the code does not know: it may be any name
    known = {normalise(z) for z in zoned}

    def covered(name: Any) -> bool:
        if not isinstance(name, str):
            return True  # not judged: the name is not known
        norm = normalise(name)
        return norm in known or (norm.startswith("*.") and norm[2:] in known)

    return [n for n in [primary, *sans] if not covered(n)]


@check("IAC114")
def validation_method_missing(chain: Chain) -> Iterator[Hit]:
    cert = _cert(chain)
    if cert is None or not _role(chain).validation_method_required or _issued_elsewhere(chain):
        return
    role = _role(chain)
    value = role.validation_method.one(cert.attrs)
    if value is MISSING or value is None:
        method = role.validation_method.static_path
        ca = f" nor {role.private_ca.static_path}" if role.private_ca else ""
        yield Hit(
            "certificate.validation_method",
            f"certificate {cert.address} of {chain.noun} {domain_label(chain)} sets neither "
            f"{method}{ca}: the AWS provider refuses to create it at apply (plan passes); "
            f'set {method} = "DNS"',
            ["consumer"],
        )


@check("IAC102")
def validation_not_automated(chain: Chain) -> Iterator[Hit]:
    cert = _dns_chain(chain)
    if cert is None:
        return
    role = _role(chain)
    if role.validation == "inline":
        uncovered = _names_without_zone(cert, role)
        if uncovered:
            path = role.validation_options.static_path if role.validation_options else ""
            names = ", ".join(
                n if isinstance(n, str) else "(a name not known here)" for n in uncovered
            )
            yield Hit(
                ("certificate.validation_options", "certificate.validation_method"),
                f"DNS certificate {cert.address} of {chain.noun} {domain_label(chain)} has no "
                f"{path} entry with a {role.validation_option_zone} for {names}: each time the "
                "certificate is created or replaced, the stack waits for someone to add the "
                "validation records",
                ["consumer"],
            )
        return
    if not chain.validations:
        validation_types = ", ".join(roles().validations)
        yield Hit(
            "certificate",
            f"DNS certificate {cert.address} of {chain.noun} {domain_label(chain)} has no "
            f"validation resource ({validation_types}): nothing waits for it to be issued",
            ["consumer"],
        )


@check("IAC103")
def validation_records_missing(chain: Chain) -> Iterator[Hit]:
    cert = _dns_chain(chain)
    if cert is None or not chain.validations or chain.records:
        return
    validation = chain.validations[0]
    yield Hit(
        "validation",
        f"validation {validation.address} waits for certificate {cert.address} of "
        f"{chain.noun} {domain_label(chain)}, but no DNS record in this code is built from "
        f"its {_role(chain).validation_records_from}: the validation never completes",
        ["certificate", "consumer"],
    )


@check("IAC104")
def validation_not_awaited(chain: Chain) -> Iterator[Hit]:
    cert = _cert(chain)
    if cert is None or not chain.validations or chain.awaited:
        return
    validation = chain.validations[0]
    via = "" if chain.holder is chain.domain else f" through {chain.holder.address}"
    output = roles().validations[validation.type].output_attrs[0]
    yield Hit(
        "consumer.certificate",
        f"{chain.noun} {domain_label(chain)} takes the ARN of {cert.address} directly{via} and "
        f"is not ordered after {validation.address}: the first apply races the validation; "
        f"use {validation.address}.{output} or depends_on",
        ["certificate", "validation"],
    )


def region_verdict(chain: Chain) -> bool | None:
    """True when the certificate's region fits the consumer, False when not, None when unknown."""
    region = chain.certificate.region
    if region is None:
        return None
    needed_name, needed_region = chain.required_region()
    if needed_name:
        return region.name == needed_name if region.name else None
    if needed_region is not None:
        return region.same_as(needed_region)
    return None


@check("IAC105")
def certificate_region_mismatch(chain: Chain) -> Iterator[Hit]:
    if region_verdict(chain) is not False:
        return
    cert = _cert(chain)
    have = chain.certificate.region.name or "another region"
    need, own = chain.required_region()
    if need is None:
        need = (own.name if own else None) or f"the {chain.noun}'s region"
    what = cert.address if cert else chain.certificate.arn
    yield Hit(
        "certificate" if cert else "consumer.certificate",
        f"{_kind(chain)} {domain_label(chain)} needs its certificate in {need}, "
        f"but {what} is in {have}",
        ["consumer"] if cert else [],
    )


@check("IAC106")
def certificate_does_not_cover_domain(chain: Chain) -> Iterator[Hit]:
    cert = _cert(chain)
    if cert is None:
        return
    role = _role(chain)
    primary = role.name.one(cert.attrs)
    sans = role.sans.one(cert.attrs)
    sans = [] if sans is MISSING or sans is None else sans
    if not isinstance(primary, str) or not isinstance(sans, list):
        return
    if not all(isinstance(s, str) for s in sans):
        return
    names = [primary, *sans]
    if not all(plausible(n) for n in names):
        return
    for index, served in enumerate(chain.names):  # every name the consumer serves
        name = served.value
        if not isinstance(name, str) or not plausible(name) or covered_by_any(names, name):
            continue
        hint = (
            "a wildcard name is covered only by the same wildcard name"
            if normalise(name).startswith("*.")
            else "a wildcard covers exactly one label"
        )
        yield Hit(
            "certificate.name",
            f"certificate {cert.address} ({', '.join(names)}) does not cover {chain.noun} "
            f"{domain_label(chain, name)}: add it to the subject alternative names ({hint})",
            [f"consumer.names[{index}]"],
        )


@check("IAC107")
def imported_certificate(chain: Chain) -> Iterator[Hit]:
    cert = _cert(chain)
    if cert is None:
        return
    imported = [s.static_path for s in _role(chain).imported if _set(s.one(cert.attrs))]
    if imported:
        yield Hit(
            "certificate.imported",
            f"certificate {cert.address} of {chain.noun} {domain_label(chain)} is imported "
            f"({', '.join(imported)}): ACM never renews an imported certificate",
            ["consumer"],
        )


@check("IAC108")
def uploaded_server_certificate(chain: Chain) -> Iterator[Hit]:
    if chain.uploaded:
        yield Hit(
            "consumer.uploaded",
            f"{chain.noun} {domain_label(chain)} carries an uploaded certificate "
            f"({', '.join(chain.uploaded)}), not an ACM certificate: nobody renews it",
        )


def _serving_slots(chain: Chain) -> list[str]:
    """The consumer's certificate slots for its endpoint type (all when none fits)."""
    slots = chain.binding.certificates
    fitting = [s.slot for s in slots if chain.endpoint_type and s.serves(chain.endpoint_type)]
    return fitting or [s.slot for s in slots]


@check("IAC113")
def no_certificate(chain: Chain) -> Iterator[Hit]:
    if chain.certificate.origin != "none" or chain.uploaded:
        return  # latent too: no code writes a certificate, so switching it on fails
    slots = " or ".join(_serving_slots(chain))
    yield Hit(
        "consumer",
        f"{_kind(chain)} {domain_label(chain)} sets no certificate: {chain.binding.service} "
        f"refuses to create it without one; set {slots} to an ACM certificate",
    )


@check("IAC109")
def certificate_unresolved(chain: Chain) -> Iterator[Hit]:
    cert = chain.certificate
    if cert.origin in ("lookup", "literal", "unknown"):
        remedy = cert.remedy
        yield Hit(
            "consumer.certificate",
            f"the certificate of {chain.noun} {domain_label(chain)} cannot be checked here: "
            f"{cert.reason}" + (f"; {remedy}" if remedy else ""),
            [cert.resource] if cert.resource else [],
        )
    elif (
        cert.origin == "resource"
        and region_verdict(chain) is None
        and chain.required_region() != (None, None)
    ):
        why = cert.region.why_unknown if cert.region and not cert.region.name else ""
        why = why or (chain.domain.region.why_unknown if chain.domain.region else "")
        yield Hit(
            "consumer.certificate",
            f"the region of certificate {cert.resource.address} for {_kind(chain)} "
            f"{domain_label(chain)} cannot be determined" + (f": {why}" if why else ""),
            ["certificate"],
        )


@check("IAC110")
def certificate_replacement_unsafe(chain: Chain) -> Iterator[Hit]:
    cert = _cert(chain)
    selector = _role(chain).create_before_destroy if cert is not None else None
    if cert is None or selector is None:
        return
    if any(_set(s.one(cert.attrs)) for s in _role(chain).imported):
        return  # an imported certificate is re-imported in place, never replaced
    values = selector.find(cert.attrs)
    if any(v is True or v == "true" for v in values):
        return
    if any(isinstance(v, Unknown | Computed) for v in values):
        return
    yield Hit(
        "certificate.create_before_destroy",
        f"certificate {cert.address} is used by {chain.noun} {domain_label(chain)} but has no "
        "lifecycle { create_before_destroy = true }: replacing it fails while the "
        f"{chain.noun} uses it",
        ["consumer"],
    )


@check("IAC111")
def certificate_attribute_mismatch(chain: Chain) -> Iterator[Hit]:
    endpoint = chain.endpoint_type
    slots = chain.binding.certificates
    if not endpoint or not chain.cert_attrs_set or len(slots) < 2:
        return
    if chain.holder is not chain.domain:  # an attached certificate fills no slot
        return
    serving = {s.slot for s in slots if s.serves(endpoint)}
    if not serving or serving & set(chain.cert_attrs_set):
        return  # an endpoint type no certificate slot serves is not this rule's to judge
    given = chain.cert_attrs_set[0]
    yield Hit(
        "consumer.certificate",
        f"{endpoint} {chain.noun} {domain_label(chain)} sets only {given}, which {endpoint} "
        f"endpoints ignore: use {' or '.join(sorted(serving))}",
    )


@check("IAC112")
def private_ca_certificate(chain: Chain) -> Iterator[Hit]:
    cert = _cert(chain)
    selector = _role(chain).private_ca if cert is not None else None
    if selector is not None and _set(selector.one(cert.attrs)):
        yield Hit(
            "certificate.private_ca",
            f"certificate {cert.address} of {chain.noun} {domain_label(chain)} is issued by a "
            "private CA: it is not DNS-validated and browsers do not trust it",
            ["consumer"],
        )
