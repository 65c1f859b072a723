"""One small check per rule id, over a domain's chain.

A check returns Hits: the resource (and attribute) where the fix goes, a message,
and the other links of the chain worth showing. Severity and names come from the
catalog, so a check never repeats them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .bindings import MISSING, select, select_one
from .chain import Chain
from .model import Computed, Resource, Unknown
from .names import covered_by_any, normalise, plausible

EDGE_REGION = "us-east-1"


@dataclass
class Hit:
    resource: Resource
    attr: str | None
    message: str
    related: list[Resource] = field(default_factory=list)


CHECKS: dict[str, Callable[[Chain], Iterator[Hit]]] = {}


def check(rule_id: str):
    def register(fn: Callable[[Chain], Iterator[Hit]]):
        CHECKS[rule_id] = fn
        return fn

    return register


def domain_label(chain: Chain) -> str:
    """``'api.example.com' (aws_x.y)``; a name the code leaves empty is not shown, and a
    domain the code's values switch off says so."""
    name, address = chain.name, chain.domain.address
    label = f"'{name}' ({address})" if isinstance(name, str) and name.strip() else address
    if chain.domain.latent:
        label += f" (latent: {chain.domain.latent})"
    return label


def _cert(chain: Chain) -> Resource | None:
    return chain.certificate.resource if chain.certificate.origin == "resource" else None


def _set(value: Any) -> bool:
    return value is not MISSING and value is not None and value != "" and value != []


def _validation_method(chain: Chain) -> str | None:
    cert = _cert(chain)
    binding = chain.cert_binding
    value = select_one(cert.attrs, binding.get("validation_method"))
    if value is MISSING or value is None:
        if _issued_elsewhere(chain):
            return None
        value = binding.get("default_validation_method")
    return value.upper() if isinstance(value, str) else None


def _issued_elsewhere(chain: Chain) -> bool:
    """Imported or private-CA certificates have no ACM domain validation at all."""
    cert = _cert(chain)
    binding = chain.cert_binding
    imported = any(_set(cert.attrs.get(a)) for a in binding.get("imported", []))
    return imported or _set(select_one(cert.attrs, binding.get("private_ca")))


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
            cert,
            chain.cert_binding.get("validation_method", "validation_method").removeprefix("$."),
            f"certificate {cert.address} of domain {domain_label(chain)} is validated by EMAIL: "
            "every issue and renewal waits for a person to approve an email; use DNS validation",
            [chain.domain],
        )


def _names_without_zone(cert: Resource, binding: dict) -> list[Any] | None:
    """Names of an inline-validated certificate (CloudFormation) that no validation option
    with a hosted zone covers; None when the code cannot tell."""
    primary = select_one(cert.attrs, binding.get("name"))
    sans = select_one(cert.attrs, binding.get("sans"))
    options = select_one(cert.attrs, binding.get("validation_options"))
    sans = [] if sans is MISSING or sans is None else sans
    options = [] if options is MISSING or options is None else options
    if primary is MISSING or not isinstance(sans, list) or not isinstance(options, list):
        return None
    key_name, key_zone = binding["validation_option_name"], binding["validation_option_zone"]
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
    binding = chain.cert_binding
    if cert is None or not binding.get("validation_method_required") or _issued_elsewhere(chain):
        return
    value = select_one(cert.attrs, binding.get("validation_method"))
    if value is MISSING or value is None:
        method = binding["validation_method"].removeprefix("$.")
        ca = binding["private_ca"].removeprefix("$.")
        yield Hit(
            cert,
            method if method in cert.attr_lines else None,
            f"certificate {cert.address} of domain {domain_label(chain)} sets neither {method} "
            f"nor {ca}: the AWS provider refuses to create it at apply (plan passes); "
            f'set {method} = "DNS"',
            [chain.domain],
        )


@check("IAC102")
def validation_not_automated(chain: Chain) -> Iterator[Hit]:
    cert = _dns_chain(chain)
    how = chain.cert_binding.get("validation")
    if cert is None:
        return
    if how == "inline":
        uncovered = _names_without_zone(cert, chain.cert_binding)
        if uncovered:
            path = chain.cert_binding["validation_options"].removeprefix("$.")
            names = ", ".join(
                n if isinstance(n, str) else "(a name not known here)" for n in uncovered
            )
            yield Hit(
                cert,
                path if path in cert.attr_lines else "ValidationMethod",
                f"DNS certificate {cert.address} of domain {domain_label(chain)} has no "
                f"{path} entry with a HostedZoneId for {names}: each time the certificate is "
                "created or replaced, the stack waits for someone to add the validation records",
                [chain.domain],
            )
        return
    if how != "resource":
        return
    if not chain.validations:
        yield Hit(
            cert,
            None,
            f"DNS certificate {cert.address} of domain {domain_label(chain)} has no validation "
            "resource (aws_acm_certificate_validation): nothing waits for it to be issued",
            [chain.domain],
        )


@check("IAC103")
def validation_records_missing(chain: Chain) -> Iterator[Hit]:
    cert = _dns_chain(chain)
    if cert is None or not chain.validations or chain.records:
        return
    validation = chain.validations[0]
    yield Hit(
        validation,
        None,
        f"validation {validation.address} waits for certificate {cert.address} of domain "
        f"{domain_label(chain)}, but no DNS record in this code is built from its "
        "domain_validation_options: the validation never completes",
        [cert, chain.domain],
    )


@check("IAC104")
def validation_not_awaited(chain: Chain) -> Iterator[Hit]:
    cert = _cert(chain)
    if cert is None or not chain.validations or chain.awaited:
        return
    validation = chain.validations[0]
    yield Hit(
        chain.domain,
        chain.cert_attr,
        f"domain {domain_label(chain)} takes the ARN of {cert.address} directly and is not "
        f"ordered after {validation.address}: the first apply races the validation; use "
        f"{validation.address}.certificate_arn or depends_on",
        [cert, validation],
    )


def _required_region(chain: Chain) -> tuple[str | None, Any]:
    """The region the certificate must be in: us-east-1 for EDGE, else the domain's."""
    if chain.endpoint_type == "EDGE":
        return EDGE_REGION, None
    if chain.endpoint_type in ("REGIONAL", "PRIVATE"):
        return None, chain.domain.region
    return None, None


def region_verdict(chain: Chain) -> bool | None:
    """True when the certificate's region fits the endpoint, False when not, None when unknown."""
    region = chain.certificate.region
    if region is None:
        return None
    needed_name, needed_region = _required_region(chain)
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
    if chain.endpoint_type == "EDGE":
        need = EDGE_REGION
    else:
        need = chain.domain.region.name or "the domain's region"
    what = cert.address if cert else chain.certificate.arn
    yield Hit(
        cert or chain.domain,
        None if cert else chain.cert_attr,
        f"{chain.endpoint_type} domain {domain_label(chain)} needs its certificate in {need}, "
        f"but {what} is in {have}",
        [chain.domain] if cert else [],
    )


@check("IAC106")
def certificate_does_not_cover_domain(chain: Chain) -> Iterator[Hit]:
    cert = _cert(chain)
    if cert is None or not isinstance(chain.name, str):
        return
    binding = chain.cert_binding
    primary = select_one(cert.attrs, binding.get("name"))
    sans = select_one(cert.attrs, binding.get("sans"))
    sans = [] if sans is MISSING or sans is None else sans
    if not isinstance(primary, str) or not isinstance(sans, list):
        return
    if not all(isinstance(s, str) for s in sans):
        return
    names = [primary, *sans]
    if not all(plausible(n) for n in [*names, chain.name]):
        return
    if not covered_by_any(names, chain.name):
        hint = (
            "a wildcard domain is covered only by the same wildcard name"
            if normalise(chain.name).startswith("*.")
            else "a wildcard covers exactly one label"
        )
        yield Hit(
            cert,
            "domain_name" if "domain_name" in cert.attr_lines else None,
            f"certificate {cert.address} ({', '.join(names)}) does not cover domain "
            f"{domain_label(chain)}: add it to the subject alternative names ({hint})",
            [chain.domain],
        )


@check("IAC107")
def imported_certificate(chain: Chain) -> Iterator[Hit]:
    cert = _cert(chain)
    if cert is None:
        return
    imported = [a for a in chain.cert_binding.get("imported", []) if _set(cert.attrs.get(a))]
    if imported:
        yield Hit(
            cert,
            imported[0],
            f"certificate {cert.address} of domain {domain_label(chain)} is imported "
            f"({', '.join(imported)}): ACM never renews an imported certificate",
            [chain.domain],
        )


@check("IAC108")
def uploaded_server_certificate(chain: Chain) -> Iterator[Hit]:
    if chain.uploaded:
        yield Hit(
            chain.domain,
            chain.uploaded[0],
            f"domain {domain_label(chain)} carries an uploaded certificate "
            f"({', '.join(chain.uploaded)}), not an ACM certificate: nobody renews it",
        )


def _serving_attrs(chain: Chain) -> list[str]:
    """The domain attributes that can carry its certificate, for its endpoint type."""
    specs = chain.binding.get("certificates", [])
    fitting = [s["attr"] for s in specs if chain.endpoint_type in s["endpoint_types"]]
    return fitting or [s["attr"] for s in specs]


@check("IAC113")
def no_certificate(chain: Chain) -> Iterator[Hit]:
    if chain.certificate.origin != "none" or chain.uploaded:
        return  # latent too: no code writes a certificate, so switching it on fails
    attrs = " or ".join(_serving_attrs(chain))
    endpoint = f"{chain.endpoint_type} " if chain.endpoint_type else ""
    yield Hit(
        chain.domain,
        None,
        f"{endpoint}domain {domain_label(chain)} sets no certificate: API Gateway refuses to "
        f"create a custom domain without one; set {attrs} to an ACM certificate",
    )


@check("IAC109")
def certificate_unresolved(chain: Chain) -> Iterator[Hit]:
    cert = chain.certificate
    if cert.origin in ("lookup", "literal", "unknown"):
        remedy = cert.remedy
        yield Hit(
            chain.domain,
            chain.cert_attr,
            f"the certificate of domain {domain_label(chain)} cannot be checked here: "
            f"{cert.reason}" + (f"; {remedy}" if remedy else ""),
            [cert.resource] if cert.resource else [],
        )
    elif cert.origin == "resource" and region_verdict(chain) is None and chain.endpoint_type:
        why = cert.region.why_unknown if cert.region and not cert.region.name else ""
        why = why or (chain.domain.region.why_unknown if chain.domain.region else "")
        yield Hit(
            chain.domain,
            chain.cert_attr,
            f"the region of certificate {cert.resource.address} for {chain.endpoint_type} domain "
            f"{domain_label(chain)} cannot be determined" + (f": {why}" if why else ""),
            [cert.resource],
        )


@check("IAC110")
def certificate_replacement_unsafe(chain: Chain) -> Iterator[Hit]:
    cert = _cert(chain)
    path = chain.cert_binding.get("create_before_destroy")
    if cert is None or not path:
        return
    if any(_set(cert.attrs.get(a)) for a in chain.cert_binding.get("imported", [])):
        return  # an imported certificate is re-imported in place, never replaced
    values = select(cert.attrs, path)
    if any(v is True or v == "true" for v in values):
        return
    if any(isinstance(v, Unknown | Computed) for v in values):
        return
    yield Hit(
        cert,
        "lifecycle" if "lifecycle" in cert.attr_lines else None,
        f"certificate {cert.address} is used by domain {domain_label(chain)} but has no "
        "lifecycle { create_before_destroy = true }: replacing it fails while the domain uses it",
        [chain.domain],
    )


@check("IAC111")
def certificate_attribute_mismatch(chain: Chain) -> Iterator[Hit]:
    endpoint = chain.endpoint_type
    specs = chain.binding.get("certificates", [])
    if not endpoint or not chain.cert_attrs_set or len(specs) < 2:
        return
    serving = {s["attr"] for s in specs if endpoint in s["endpoint_types"]}
    if not serving or serving & set(chain.cert_attrs_set):
        return  # an endpoint type no certificate attribute serves is not this rule's to judge
    given = chain.cert_attrs_set[0]
    yield Hit(
        chain.domain,
        given,
        f"{endpoint} domain {domain_label(chain)} sets only {given}, which {endpoint} "
        f"endpoints ignore: use {' or '.join(sorted(serving))}",
    )


@check("IAC112")
def private_ca_certificate(chain: Chain) -> Iterator[Hit]:
    cert = _cert(chain)
    if cert is None:
        return
    path = chain.cert_binding.get("private_ca")
    if _set(select_one(cert.attrs, path)):
        yield Hit(
            cert,
            path.removeprefix("$."),
            f"certificate {cert.address} of domain {domain_label(chain)} is issued by a private "
            "CA: it is not DNS-validated and browsers do not trust it",
            [chain.domain],
        )
