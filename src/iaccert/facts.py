"""What the rules know about one consumer's certificate, from the code, from AWS, or both.

The code provider is a chain (``Facts.of_chain``); the AWS provider is what live mode read
(``Deployed``, and for ``iaccert live`` a ``Consumer`` named by its account and region).
``lint --live`` gives a chain its deployed certificate (``Facts.of_chain(chain, looked)``)
and every rule runs once over both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .chain import parse_arn
from .findings import Incomplete
from .model import Region

if TYPE_CHECKING:
    from .chain import Chain


@dataclass(frozen=True)
class Thresholds:
    """Live limits: IAC203 warns this many days before expiry; IAC206's upload age."""

    expiry_days: int = 30
    upload_max_age_days: int = 395


@dataclass(frozen=True)
class Uploaded:
    """A certificate uploaded to the consumer's service or to IAM: nothing renews it."""

    what: str  # how messages name it: "IAM server certificate arn:...", "certificate 'x' ..."
    uploaded_at: Any = None  # datetime (or epoch seconds) when AWS says; None from code


@dataclass(frozen=True)
class Deployed:
    """One certificate as AWS describes it: ACM ``DescribeCertificate``'s ``Certificate``
    (``kind`` acm) or IAM server certificate metadata (``kind`` iam); ``missing`` when AWS
    says it does not exist (``missing_why`` words a lookup that found nothing)."""

    arn: str
    kind: str = "acm"
    info: dict[str, Any] = field(default_factory=dict)
    missing: bool = False
    missing_why: str = ""

    def names(self) -> list[str] | None:
        """The names an ACM certificate covers (None for IAM metadata, which has none)."""
        if self.kind != "acm" or self.missing or not isinstance(self.info.get("DomainName"), str):
            return None
        sans = self.info.get("SubjectAlternativeNames") or []
        names = [self.info["DomainName"], *(n for n in sans if isinstance(n, str))]
        return list(dict.fromkeys(names))


@dataclass
class LiveLookup:
    """What ``lint --live`` found for one chain: the deployed certificate, or why not
    (``status`` "fault": the lookup failed; "unresolvable": nothing to look up)."""

    deployed: Deployed | None = None
    uploaded: list[Uploaded] = field(default_factory=list)
    status: str = ""


@dataclass
class LiveFacts:
    """``lint --live``'s part of a run: a lookup per chain (by ``id()``: two chains of one
    domain on two ``Fn::If`` branches may name two certificates), the checks it could not
    make (never a pass), and its limits."""

    lookups: dict[int, LiveLookup] = field(default_factory=dict)
    faults: list[Incomplete] = field(default_factory=list)
    limits: Thresholds = field(default_factory=Thresholds)
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass(frozen=True)
class Consumer:
    """How rules name the consumer and what it needs of the certificate's region."""

    noun: str  # domain, distribution, listener; "" when nothing serves the certificate
    label: str  # 'api.example.com' (aws_api_gateway_domain_name.api) | (account/region)
    endpoint_type: str | None = None
    required_name: str | None = None  # a fixed region the certificate must be in
    required_region: Region | None = None  # or the consumer's own region

    @property
    def kind(self) -> str:
        """``EDGE domain``, ``distribution``: the consumer in its own words."""
        return f"{self.endpoint_type} {self.noun}" if self.endpoint_type else self.noun


@dataclass(frozen=True)
class Served:
    """One name the consumer serves, and how messages name the consumer by it."""

    name: Any  # a string, or a value the code does not fix
    label: str


@dataclass
class Facts:
    """Everything a rule may read about one consumer and one certificate it serves; which
    of it is present (``has``) decides which rules run."""

    consumer: Consumer
    chain: Chain | None = None
    certificate_region: Region | None = None
    certificate_name: str = ""  # how messages name the certificate: address or ARN
    deployed: Deployed | None = None
    # every name the consumer serves, in order (a fact path consumer.names[i] each), and the
    # names the certificate covers (None: not known, from the code or from AWS)
    names: list[Served] = field(default_factory=list)
    certificate_names: list[str] | None = None
    uploaded: list[Uploaded] = field(default_factory=list)
    # the consumer's own (status, message) as its service reports it (API Gateway domains)
    statuses: list[tuple[str, str]] = field(default_factory=list)
    # lint --live, for a chain it did not give a deployed certificate: "fault" (the lookup
    # failed) or "unresolvable" (the code does not say what to look up); "" otherwise
    live_lookup: str = ""
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    limits: Thresholds = field(default_factory=Thresholds)

    def has(self, need: str) -> bool:
        if need == "code":
            return self.chain is not None
        if need == "deployed":
            return self.deployed is not None and not self.deployed.missing
        if need == "deployed.missing":
            return self.deployed is not None and self.deployed.missing
        if need == "region":
            wanted = self.consumer.required_name or self.consumer.required_region
            return self.certificate_region is not None and wanted is not None
        if need == "uploaded":
            return bool(self.uploaded)
        if need == "status":
            return bool(self.statuses)
        if need == "names":
            return bool(self.names) and self.certificate_names is not None
        raise ValueError(f"unknown fact {need!r}")

    def region_verdict(self) -> bool | None:
        """True when the certificate's region fits the consumer, False when not, None when
        unknown."""
        region = self.certificate_region
        if region is None:
            return None
        if self.consumer.required_name:
            return region.name == self.consumer.required_name if region.name else None
        if self.consumer.required_region is not None:
            return region.same_as(self.consumer.required_region)
        return None

    @classmethod
    def of_chain(
        cls,
        chain: Chain,
        looked: LiveLookup | None = None,
        now: datetime | None = None,
        limits: Thresholds | None = None,
    ) -> Facts:
        """The code's facts, and the deployed certificate ``lint --live`` found for it
        (its ARN then says where the certificate is)."""
        from .checks import certificate_names, domain_label

        need_name, need_region = chain.required_region()
        consumer = Consumer(
            chain.noun, domain_label(chain), chain.endpoint_type, need_name, need_region
        )
        cert = chain.certificate
        region, name = cert.region, cert.resource.address if cert.resource else cert.arn or ""
        covers = certificate_names(chain)
        looked = looked or LiveLookup()
        if looked.deployed is not None:
            region, name = arn_region(looked.deployed.arn), looked.deployed.arn
            covers = looked.deployed.names()
        return cls(
            consumer,
            chain,
            certificate_region=region,
            certificate_name=name,
            names=[Served(m.value, domain_label(chain, m.value)) for m in chain.names],
            certificate_names=covers,
            deployed=looked.deployed,
            uploaded=list(looked.uploaded),
            live_lookup=looked.status,
            now=now or datetime.now(timezone.utc),
            limits=limits or Thresholds(),
        )


def arn_region(arn: str) -> Region | None:
    """Where an ACM certificate ARN says it is; None for IAM (global) or a foreign string."""
    parsed = parse_arn(arn)
    if parsed is None or parsed[0] != "acm" or not parsed[1]:
        return None
    return Region(f"arn:{arn}", parsed[1])
