"""The static rules: one small check per rule id, registered with the facts it needs
(src/iaccert/registry.py). Most read the code's chain; IAC105 and IAC106 read facts that
AWS fills as well, so the same rule judges code and deployed certificates.

A check returns Hits: the role fact where the fix goes (``certificate.validation_method``,
``consumer.names[1]``), what is wrong, how to fix it, and the other links of the chain worth
showing. The chain maps a fact to the resource and attribute path that hold it, so a check
never names a Terraform or CloudFormation attribute. Severity and names come from the
catalog.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .bindings import MISSING
from .chain import EDGE_REGION, Chain
from .facts import Facts
from .model import Computed, Resource, Unknown
from .names import covered_by_any, normalise, plausible
from .registry import Hit, rule
from .roles import CertificateRole, roles

__all__ = ["EDGE_REGION", "Hit", "domain_label"]


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


@rule("IAC101", needs=("code",))
def email_validation(facts: Facts) -> Iterator[Hit]:
    chain = facts.chain
    cert = _cert(chain)
    if cert is not None and _validation_method(chain) == "EMAIL":
        yield Hit(
            "certificate.validation_method",
            f"certificate {cert.address} of {chain.noun} {domain_label(chain)} is validated by "
            "EMAIL: every issue and renewal waits for a person to approve an email",
            ["consumer"],
            fix="use DNS validation",
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


@rule("IAC114", needs=("code",))
def validation_method_missing(facts: Facts) -> Iterator[Hit]:
    chain = facts.chain
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
            f"{method}{ca}: the AWS provider refuses to create it at apply (plan passes)",
            ["consumer"],
            fix=f'set {method} = "DNS"',
        )


@rule("IAC102", needs=("code",))
def validation_not_automated(facts: Facts) -> Iterator[Hit]:
    chain = facts.chain
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
                fix=f"give each name a {path} entry with its {role.validation_option_zone}",
            )
        return
    if not chain.validations:
        validation_types = ", ".join(roles().validations)
        yield Hit(
            "certificate",
            f"DNS certificate {cert.address} of {chain.noun} {domain_label(chain)} has no "
            f"validation resource ({validation_types}): nothing waits for it to be issued",
            ["consumer"],
            fix="validate it in this code, with its DNS records",
        )


@rule("IAC103", needs=("code",))
def validation_records_missing(facts: Facts) -> Iterator[Hit]:
    chain = facts.chain
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
        fix=f"create the DNS records from {cert.address}.{_role(chain).validation_records_from}",
    )


@rule("IAC104", needs=("code",))
def validation_not_awaited(facts: Facts) -> Iterator[Hit]:
    chain = facts.chain
    cert = _cert(chain)
    if cert is None or not chain.validations or chain.awaited:
        return
    validation = chain.validations[0]
    via = "" if chain.holder is chain.domain else f" through {chain.holder.address}"
    output = roles().validations[validation.type].output_attrs[0]
    yield Hit(
        "consumer.certificate",
        f"{chain.noun} {domain_label(chain)} takes the ARN of {cert.address} directly{via} and "
        f"is not ordered after {validation.address}: the first apply races the validation",
        ["certificate", "validation"],
        fix=f"use {validation.address}.{output} or depends_on",
    )


@rule("IAC105", needs=("region",))
def certificate_region_mismatch(facts: Facts) -> Iterator[Hit]:
    """One implementation for the code and for AWS: the facts say where the certificate is
    (its resource's region, or its ARN's) and where the consumer needs it."""
    if facts.region_verdict() is not False:
        return
    consumer = facts.consumer
    have = facts.certificate_region.name or "another region"
    need = consumer.required_name or consumer.required_region.name
    need = need or f"the {consumer.noun}'s region"
    in_code = facts.chain is not None and _cert(facts.chain) is not None and not facts.deployed
    yield Hit(
        "certificate" if in_code else "consumer.certificate",
        f"{consumer.kind} {consumer.label} needs its certificate in {need}, "
        f"but {facts.certificate_name} is in {have}",
        ["consumer"] if in_code else [],
        fix=f"request the certificate in {need}",
    )


def certificate_names(chain: Chain) -> list[str] | None:
    """The names a certificate in the code covers, when the code fixes all of them."""
    cert = _cert(chain)
    if cert is None:
        return None
    role = _role(chain)
    primary = role.name.one(cert.attrs)
    sans = role.sans.one(cert.attrs)
    sans = [] if sans is MISSING or sans is None else sans
    if not isinstance(primary, str) or not isinstance(sans, list):
        return None
    if not all(isinstance(s, str) for s in sans):
        return None
    names = [primary, *sans]
    return names if all(plausible(n) for n in names) else None


@rule("IAC106", needs=("names",))
def certificate_does_not_cover_domain(facts: Facts) -> Iterator[Hit]:
    """One implementation for the code and for AWS: every name the consumer serves against
    the names its certificate covers (the code's, or as ACM describes it)."""
    names = facts.certificate_names
    in_code = facts.chain is not None and _cert(facts.chain) is not None and not facts.deployed
    for index, served in enumerate(facts.names):
        name = served.name
        if not isinstance(name, str) or not plausible(name) or covered_by_any(names, name):
            continue
        hint = (
            "a wildcard name is covered only by the same wildcard name"
            if normalise(name).startswith("*.")
            else "a wildcard covers exactly one label"
        )
        yield Hit(
            "certificate.name" if in_code else "consumer.certificate",
            f"certificate {facts.certificate_name} ({', '.join(names)}) does not cover "
            f"{facts.consumer.noun} {served.label}",
            [f"consumer.names[{index}]"] if facts.chain is not None else [],
            fix=f"add it to the subject alternative names ({hint})",
        )


@rule("IAC107", needs=("code",))
def imported_certificate(facts: Facts) -> Iterator[Hit]:
    chain = facts.chain
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
            fix="request an ACM certificate validated by DNS instead",
        )


@rule("IAC108", needs=("code",))
def uploaded_server_certificate(facts: Facts) -> Iterator[Hit]:
    chain = facts.chain
    if chain.uploaded:
        yield Hit(
            "consumer.uploaded",
            f"{chain.noun} {domain_label(chain)} carries an uploaded certificate "
            f"({', '.join(chain.uploaded)}), not an ACM certificate: nobody renews it",
            fix="serve an ACM certificate validated by DNS instead",
        )


def _serving_slots(chain: Chain) -> list[str]:
    """The consumer's certificate slots for its endpoint type (all when none fits)."""
    slots = chain.binding.certificates
    fitting = [s.slot for s in slots if chain.endpoint_type and s.serves(chain.endpoint_type)]
    return fitting or [s.slot for s in slots]


@rule("IAC113", needs=("code",))
def no_certificate(facts: Facts) -> Iterator[Hit]:
    chain = facts.chain
    if chain.certificate.origin != "none" or chain.uploaded:
        return  # latent too: no code writes a certificate, so switching it on fails
    slots = " or ".join(_serving_slots(chain))
    yield Hit(
        "consumer",
        f"{_kind(chain)} {domain_label(chain)} sets no certificate: {chain.binding.service} "
        "refuses to create it without one",
        fix=f"set {slots} to an ACM certificate",
    )


LIVE_LOOKUP = {
    "fault": 'the live lookup could not be made (see its "could not check" entry)',
    "unresolvable": "--live cannot resolve it either: the code does not fix what to look up",
}


@rule("IAC109", needs=("code",))
def certificate_unresolved(facts: Facts) -> Iterator[Hit]:
    """The code cannot tell; a deployed certificate (lint --live) settles it."""
    chain = facts.chain
    cert = chain.certificate
    if facts.deployed is not None:
        return
    if cert.origin in ("lookup", "literal", "unknown"):
        remedy = cert.remedy
        if facts.live_lookup and "lint --live" in remedy:  # it was tried: say what happened
            remedy = LIVE_LOOKUP[facts.live_lookup]
        yield Hit(
            "consumer.certificate",
            f"the certificate of {chain.noun} {domain_label(chain)} cannot be checked here: "
            f"{cert.reason}",
            [cert.resource] if cert.resource else [],
            fix=remedy,
        )
    elif (
        cert.origin == "resource"
        and facts.region_verdict() is None
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


@rule("IAC110", needs=("code",))
def certificate_replacement_unsafe(facts: Facts) -> Iterator[Hit]:
    chain = facts.chain
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
    setting = selector.path[2:].replace("[*]", "")
    yield Hit(
        "certificate.create_before_destroy",
        f"certificate {cert.address} is used by {chain.noun} {domain_label(chain)} but does "
        f"not set {setting}: replacing it fails while the {chain.noun} uses it",
        ["consumer"],
        fix=f"set {setting} = true",
    )


@rule("IAC111", needs=("code",))
def certificate_attribute_mismatch(facts: Facts) -> Iterator[Hit]:
    chain = facts.chain
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
        "endpoints ignore",
        fix=f"use {' or '.join(sorted(serving))}",
    )


@rule("IAC112", needs=("code",))
def private_ca_certificate(facts: Facts) -> Iterator[Hit]:
    chain = facts.chain
    cert = _cert(chain)
    selector = _role(chain).private_ca if cert is not None else None
    if selector is not None and _set(selector.one(cert.attrs)):
        yield Hit(
            "certificate.private_ca",
            f"certificate {cert.address} of {chain.noun} {domain_label(chain)} is issued by a "
            "private CA: it is not DNS-validated and browsers do not trust it",
            ["consumer"],
            fix="use a public ACM certificate validated by DNS",
        )
