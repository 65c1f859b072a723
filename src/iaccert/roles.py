"""The chain's roles, loaded from ``rules/bindings.yaml`` into validated dataclasses.

A front end produces resources; these roles say which resource types are certificate
consumers, certificates, validations and lookups, and where each role's facts sit in a
resource's attributes (jsonpath-ng selectors). A typo in the file is an error at load,
never a silently missing chain.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from .bindings import MISSING
from .compiled import catalog, document, find, find_paths

REGION_RULES = ("us-east-1", "own", "by-endpoint-type")
ENDPOINT_TYPES = ("EDGE", "REGIONAL", "PRIVATE")
VALIDATION_KINDS = ("resource", "inline")


class RolesError(ValueError):
    """``rules/bindings.yaml`` does not describe valid roles."""


@dataclass(frozen=True)
class Match:
    """One value a selector found, with the path where it sits (``aliases[1]``)."""

    value: Any
    path: str


def _parses(path: str) -> bool:
    """A selector the compiled catalog holds was parsed when it was compiled; any other
    (a bindings text given to ``load_roles``) is parsed by jsonpath-ng now."""
    if path in catalog()["selectors"]:
        return True
    from jsonpath_ng import parse

    try:
        parse(path)
    except Exception:  # jsonpath-ng raises several exception types
        return False
    return True


@dataclass(frozen=True)
class Selector:
    """A jsonpath-ng expression over a resource's evaluated attributes."""

    path: str

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not self.path.startswith("$."):
            raise RolesError(f"selector {self.path!r} must be a string starting with '$.'")
        if not _parses(self.path):
            raise RolesError(f"selector {self.path!r} does not parse")

    @property
    def top(self) -> str:
        """The top-level attribute it reads (``lifecycle`` for ``$.lifecycle[*].x``)."""
        return re.split(r"[.\[]", self.path[2:], maxsplit=1)[0]

    @property
    def static_path(self) -> str:
        """The path up to its first wildcard: where the fact goes when it is absent."""
        return self.path[2:].split("[*]", 1)[0].rstrip(".")

    def matches(self, attrs: dict) -> list[Match]:
        return [Match(value, path) for value, path in find_paths(self.path, attrs)]

    def find(self, attrs: dict) -> list[Any]:
        return find(self.path, attrs)

    def one(self, attrs: dict) -> Any:
        found = self.find(attrs)
        return found[0] if found else MISSING


@dataclass(frozen=True)
class CertificateSlot:
    """Where a consumer takes a certificate; ``endpoint_types`` empty = every endpoint."""

    slot: str  # the name a message and a fixer use for it
    path: Selector
    endpoint_types: tuple[str, ...] = ()

    def serves(self, endpoint: str | None) -> bool:
        return not self.endpoint_types or endpoint in self.endpoint_types


@dataclass(frozen=True)
class Attachment:
    """A resource that attaches certificates *to* a consumer (a listener certificate)."""

    type: str
    consumer: Selector  # the reference to the consumer
    certificates: Selector  # the certificates it attaches


@dataclass(frozen=True)
class ValueSelector:
    """A selector that holds when it finds one of ``values`` (default: true)."""

    path: Selector
    values: tuple[Any, ...] = (True, "true")

    def holds(self, attrs: dict) -> Match | None:
        for match in self.path.matches(attrs):
            value = match.value.upper() if isinstance(match.value, str) else match.value
            wanted = [v.upper() if isinstance(v, str) else v for v in self.values]
            if value in wanted:
                return match
        return None


@dataclass(frozen=True)
class ConsumerRole:
    """A resource type that serves a certificate: a domain, distribution or listener."""

    type: str
    noun: str  # the consumer's own word in messages: domain, distribution, listener
    service: str  # the service that serves it, in messages: API Gateway, CloudFront
    names: tuple[Selector, ...]
    region: str
    certificates: tuple[CertificateSlot, ...]
    endpoint_type: Selector | None = None
    default_endpoint_type: str | None = None
    attachments: tuple[Attachment, ...] = ()
    uploaded: tuple[Selector, ...] = ()  # an uploaded (IAM / API Gateway) certificate
    no_acm_certificate: tuple[ValueSelector, ...] = ()  # no ACM certificate by design
    certificate_optional: bool = False  # no certificate at all is not a finding (HTTP)

    def slot(self, name: str | None) -> CertificateSlot | None:
        return next((s for s in self.certificates if s.slot == name), None)


@dataclass(frozen=True)
class CertificateRole:
    type: str
    name: Selector
    sans: Selector
    validation_method: Selector
    validation: str  # resource: a separate validation resource; inline: in the certificate
    arn_attrs: tuple[str, ...]
    default_validation_method: str | None = None  # what the service takes when none is set
    validation_method_required: bool = False  # no method (and no private CA): refused at apply
    imported: tuple[Selector, ...] = ()
    private_ca: Selector | None = None
    create_before_destroy: Selector | None = None
    validation_records_from: str | None = None
    validation_options: Selector | None = None
    validation_option_name: str | None = None
    validation_option_zone: str | None = None
    ref_attr: str = "ref"


@dataclass(frozen=True)
class ValidationRole:
    type: str
    certificate: Selector
    output_attrs: tuple[str, ...]


@dataclass(frozen=True)
class LookupRole:
    type: str
    describe: tuple[str, ...] = ()
    reason_attr: str | None = None


@dataclass(frozen=True)
class Roles:
    consumers: dict[str, ConsumerRole] = field(default_factory=dict)
    certificates: dict[str, CertificateRole] = field(default_factory=dict)
    validations: dict[str, ValidationRole] = field(default_factory=dict)
    lookups: dict[str, LookupRole] = field(default_factory=dict)

    def attachment(self, resource_type: str) -> tuple[ConsumerRole, Attachment] | None:
        """The consumer role an attaching resource type serves, and how it attaches."""
        for role in self.consumers.values():
            for attachment in role.attachments:
                if attachment.type == resource_type:
                    return role, attachment
        return None

    @functools.cached_property
    def types(self) -> frozenset[str]:
        """Every resource type that plays a role (findings point only at these)."""
        return frozenset(
            {*self.consumers, *self.certificates, *self.validations, *self.lookups}
            | self.attachment_types
        )

    @property
    def attachment_types(self) -> set[str]:
        return {a.type for r in self.consumers.values() for a in r.attachments}

    def attributes_read(self) -> dict[str, set[str]]:
        """The top-level attributes the selectors read, per consumer, attachment and
        certificate type: what a front end must resolve for the chain."""
        out: dict[str, set[str]] = {}
        for name, role in {**self.consumers, **self.certificates}.items():
            out[name] = {s.top for s in _selectors_in(role)}
        for role in self.consumers.values():
            for attachment in role.attachments:
                out[attachment.type] = {attachment.consumer.top, attachment.certificates.top}
        return out


def _selectors_in(value: Any) -> list[Selector]:
    """Every selector inside a role (its slots, attachments and value selectors too)."""
    if isinstance(value, Selector):
        return [value]
    if isinstance(value, tuple):
        return [s for item in value for s in _selectors_in(item)]
    if isinstance(value, Attachment):
        return []  # an attachment is a resource of its own
    if hasattr(value, "__dataclass_fields__"):
        return [s for f in value.__dataclass_fields__ for s in _selectors_in(getattr(value, f))]
    return []


# -- loading ------------------------------------------------------------------------------


def _entry(where: str, raw: Any, required: set[str], optional: set[str]) -> dict:
    if not isinstance(raw, dict):
        raise RolesError(f"{where}: expected a mapping, got {type(raw).__name__}")
    unknown = set(raw) - required - optional
    if unknown:
        raise RolesError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    missing = required - set(raw)
    if missing:
        raise RolesError(f"{where}: missing required key(s) {', '.join(sorted(missing))}")
    return raw


def _selector(where: str, raw: Any) -> Selector:
    try:
        return Selector(raw)
    except RolesError as exc:
        raise RolesError(f"{where}: {exc}") from None


def _selectors(where: str, raw: Any) -> tuple[Selector, ...]:
    if not isinstance(raw, list):
        raise RolesError(f"{where}: expected a list of selectors")
    return tuple(_selector(f"{where}[{i}]", s) for i, s in enumerate(raw))


def _strings(where: str, raw: Any, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise RolesError(f"{where}: expected a list of strings")
    bad = [s for s in raw if allowed is not None and s not in allowed]
    if bad:
        raise RolesError(f"{where}: {', '.join(bad)} not one of {', '.join(allowed or ())}")
    return tuple(raw)


def _choice(where: str, raw: Any, allowed: tuple[str, ...]) -> str:
    if raw not in allowed:
        raise RolesError(f"{where}: {raw!r} is not one of {', '.join(allowed)}")
    return raw


def _consumer(name: str, raw: Any) -> ConsumerRole:
    where = f"consumers.{name}"
    raw = _entry(
        where,
        raw,
        {"noun", "service", "names", "region", "certificates"},
        {
            "endpoint_type",
            "default_endpoint_type",
            "attachments",
            "uploaded",
            "no_acm_certificate",
            "certificate_optional",
        },
    )
    slots = []
    if not isinstance(raw["certificates"], list) or not raw["certificates"]:
        raise RolesError(f"{where}.certificates: expected a non-empty list")
    for i, spec in enumerate(raw["certificates"]):
        at = f"{where}.certificates[{i}]"
        spec = _entry(at, spec, {"slot", "path"}, {"endpoint_types"})
        types = _strings(f"{at}.endpoint_types", spec.get("endpoint_types", []), ENDPOINT_TYPES)
        slots.append(CertificateSlot(spec["slot"], _selector(f"{at}.path", spec["path"]), types))
    attachments = []
    for i, spec in enumerate(raw.get("attachments", [])):
        at = f"{where}.attachments[{i}]"
        spec = _entry(at, spec, {"type", "consumer", "certificates"}, set())
        attachments.append(
            Attachment(
                spec["type"],
                _selector(f"{at}.consumer", spec["consumer"]),
                _selector(f"{at}.certificates", spec["certificates"]),
            )
        )
    no_acm = []
    for i, spec in enumerate(raw.get("no_acm_certificate", [])):
        at = f"{where}.no_acm_certificate[{i}]"
        spec = _entry(at, spec, {"path"}, {"values"})
        values = spec.get("values", [True, "true"])
        if not isinstance(values, list):
            raise RolesError(f"{at}.values: expected a list")
        no_acm.append(ValueSelector(_selector(f"{at}.path", spec["path"]), tuple(values)))
    region = _choice(f"{where}.region", raw["region"], REGION_RULES)
    endpoint = raw.get("endpoint_type")
    default_endpoint = raw.get("default_endpoint_type")
    if region == "by-endpoint-type" and (endpoint is None or default_endpoint is None):
        raise RolesError(f"{where}: region by-endpoint-type needs endpoint_type and its default")
    if default_endpoint is not None:
        _choice(f"{where}.default_endpoint_type", default_endpoint, ENDPOINT_TYPES)
    return ConsumerRole(
        type=name,
        noun=_choice(f"{where}.noun", raw["noun"], ("domain", "distribution", "listener")),
        service=str(raw["service"]),
        names=_selectors(f"{where}.names", raw["names"]),
        region=region,
        certificates=tuple(slots),
        endpoint_type=_selector(f"{where}.endpoint_type", endpoint) if endpoint else None,
        default_endpoint_type=default_endpoint,
        attachments=tuple(attachments),
        uploaded=_selectors(f"{where}.uploaded", raw.get("uploaded", [])),
        no_acm_certificate=tuple(no_acm),
        certificate_optional=bool(raw.get("certificate_optional", False)),
    )


def _certificate(name: str, raw: Any) -> CertificateRole:
    where = f"certificates.{name}"
    raw = _entry(
        where,
        raw,
        {"name", "sans", "validation_method", "validation", "arn_attrs"},
        {
            "default_validation_method",
            "validation_method_required",
            "imported",
            "private_ca",
            "create_before_destroy",
            "validation_records_from",
            "validation_options",
            "validation_option_name",
            "validation_option_zone",
            "ref_attr",
        },
    )
    validation = _choice(f"{where}.validation", raw["validation"], VALIDATION_KINDS)
    inline = ("validation_options", "validation_option_name", "validation_option_zone")
    if validation == "inline" and any(k not in raw for k in inline):
        raise RolesError(f"{where}: inline validation needs {', '.join(inline)}")

    def optional(key: str) -> Selector | None:
        return _selector(f"{where}.{key}", raw[key]) if key in raw else None

    return CertificateRole(
        type=name,
        name=_selector(f"{where}.name", raw["name"]),
        sans=_selector(f"{where}.sans", raw["sans"]),
        validation_method=_selector(f"{where}.validation_method", raw["validation_method"]),
        validation=validation,
        arn_attrs=_strings(f"{where}.arn_attrs", raw["arn_attrs"]),
        default_validation_method=raw.get("default_validation_method"),
        validation_method_required=bool(raw.get("validation_method_required", False)),
        imported=_selectors(f"{where}.imported", raw.get("imported", [])),
        private_ca=optional("private_ca"),
        create_before_destroy=optional("create_before_destroy"),
        validation_records_from=raw.get("validation_records_from"),
        validation_options=optional("validation_options"),
        validation_option_name=raw.get("validation_option_name"),
        validation_option_zone=raw.get("validation_option_zone"),
        ref_attr=raw.get("ref_attr", "ref"),
    )


def _validation(name: str, raw: Any) -> ValidationRole:
    where = f"validations.{name}"
    raw = _entry(where, raw, {"certificate", "output_attrs"}, set())
    return ValidationRole(
        name,
        _selector(f"{where}.certificate", raw["certificate"]),
        _strings(f"{where}.output_attrs", raw["output_attrs"]),
    )


def _lookup(name: str, raw: Any) -> LookupRole:
    where = f"lookups.{name}"
    raw = _entry(where, raw, set(), {"describe", "reason_attr"})
    describe = _strings(f"{where}.describe", raw.get("describe", []))
    return LookupRole(name, describe, raw.get("reason_attr"))


def parse_roles(data: Any) -> Roles:
    """Validate the bindings document; raises RolesError naming the bad entry."""
    sections = _entry("bindings", data, {"consumers", "certificates", "validations"}, {"lookups"})
    builders = {
        "consumers": _consumer,
        "certificates": _certificate,
        "validations": _validation,
        "lookups": _lookup,
    }
    parsed: dict[str, dict] = {}
    for section, build in builders.items():
        entries = sections.get(section) or {}
        if not isinstance(entries, dict):
            raise RolesError(f"{section}: expected a mapping of resource types")
        parsed[section] = {str(k): build(str(k), v) for k, v in entries.items()}
    return Roles(**parsed)


def load_roles(text: str) -> Roles:
    """Roles from a bindings text (tests, a catalog being written): PyYAML only here."""
    import yaml

    return parse_roles(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


@functools.lru_cache(maxsize=1)
def roles() -> Roles:
    """The roles of the shipped ``rules/bindings.yaml`` (validated once, from the compiled
    catalog)."""
    return parse_roles(document("bindings.yaml"))
