"""The live rules, over what is deployed: one small function per rule, like the static checks.

Each takes what inventory read (an ACM description, IAM server certificate metadata, an
API Gateway upload, a domain's status) and a label naming the consumer, and returns LiveHits;
the caller decides where a finding points (a logical AWS location in ``iaccert live``, the
source line of the certificate attribute in ``iaccert lint --live``).

``noun`` says what the label names: ``domain`` (the default), ``CloudFront distribution``,
``load balancer listener``; None when no consumer serves the certificate, and the label then
says so (``no consumer found``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

EDGE_REGION = "us-east-1"


@dataclass(frozen=True)
class LiveHit:
    rule_id: str
    message: str
    severity: str | None = None  # overrides the catalog default (an expired certificate: error)


@dataclass(frozen=True)
class Thresholds:
    expiry_days: int = 30
    upload_max_age_days: int = 395


def _utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return None


def _day(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d")


def _of(label: str, noun: str | None) -> str:
    """`` of domain 'x' (a/r)``, or `` (no consumer found)`` for a certificate nobody serves."""
    return f" of {noun} {label}" if noun else f" ({label})"


def _cannot_serve(noun: str | None) -> str:
    return f"the {noun} cannot serve it" if noun else "nothing can serve it"


def not_issued(arn: str, info: dict, label: str, noun: str | None = "domain") -> list[LiveHit]:
    """IAC201: the certificate's status is anything but ISSUED."""
    status = info.get("Status", "UNKNOWN")
    if status == "ISSUED":
        return []
    why = f" ({info['FailureReason']})" if info.get("FailureReason") else ""
    return [
        LiveHit(
            "IAC201",
            f"certificate {arn}{_of(label, noun)} is {status}{why}, not ISSUED: "
            f"{_cannot_serve(noun)}",
        )
    ]


def validation_not_successful(
    arn: str, info: dict, label: str, noun: str | None = "domain"
) -> list[LiveHit]:
    """IAC202: a name validated by another method than DNS, or (on an issued certificate)
    a validation that is not SUCCESS. A certificate that is not issued is IAC201's: its
    pending or failed validations are why, and are not said twice."""
    if info.get("Type") != "AMAZON_ISSUED":
        return []
    issued = info.get("Status") == "ISSUED"
    problems = []
    for option in info.get("DomainValidationOptions", []):
        name = option.get("DomainName", "?")
        method = option.get("ValidationMethod", "EMAIL" if option.get("ValidationEmails") else "")
        status = option.get("ValidationStatus", "UNKNOWN")
        if method and method != "DNS":
            done = " (it succeeded; each renewal waits for someone to approve it)"
            problems.append(
                f"{name} is validated by {method}" + (done if status == "SUCCESS" else "")
            )
        if issued and status != "SUCCESS":
            problems.append(f"validation of {name} is {status}")
    if not problems:
        return []
    return [
        LiveHit(
            "IAC202",
            f"certificate {arn}{_of(label, noun)}: {'; '.join(problems)}; "
            "ACM renews by itself only names validated by DNS",
        )
    ]


def expiring(
    arn: str, not_after: Any, label: str, now: datetime, days: int, noun: str | None = "domain"
) -> list[LiveHit]:
    """IAC203: expires within ``days`` (a warning), or has expired (an error)."""
    end = _utc(not_after)
    if end is None:
        return []
    left = end - now
    if left.total_seconds() <= 0:
        return [
            LiveHit(
                "IAC203",
                f"certificate {arn}{_of(label, noun)} expired on {_day(end)}",
                severity="error",
            )
        ]
    if left.days < days:
        return [
            LiveHit(
                "IAC203",
                f"certificate {arn}{_of(label, noun)} expires on {_day(end)}, in {left.days} "
                f"days (threshold {days})",
            )
        ]
    return []


def renewal_at_risk(arn: str, info: dict, label: str, noun: str | None = "domain") -> list[LiveHit]:
    """IAC204: ACM will not renew it (ineligible), or its renewal failed or waits for validation."""
    if info.get("Type") != "AMAZON_ISSUED" or info.get("Status") != "ISSUED":
        return []
    reasons = []
    renewal = info.get("RenewalSummary") or {}
    status = renewal.get("RenewalStatus")
    if status in ("FAILED", "PENDING_VALIDATION"):
        why = renewal.get("RenewalStatusReason")
        pending = [
            f"{o.get('DomainName')} {o.get('ValidationStatus')}"
            for o in renewal.get("DomainValidationOptions", [])
            if o.get("ValidationStatus") not in (None, "SUCCESS")
        ]
        detail = ", ".join(x for x in [why, *pending] if x)
        reasons.append(f"renewal is {status}" + (f" ({detail})" if detail else ""))
    if info.get("RenewalEligibility") == "INELIGIBLE":
        unused = info.get("InUseBy") == []
        why = " (ACM renews only certificates in use; InUseBy lists none)" if unused else ""
        reasons.append(f"RenewalEligibility is INELIGIBLE{why}")
    if not reasons:
        return []
    return [
        LiveHit(
            "IAC204",
            f"renewal of certificate {arn}{_of(label, noun)} is at risk: {'; '.join(reasons)}",
        )
    ]


def imported(
    arn: str, info: dict, label: str, now: datetime, noun: str | None = "domain"
) -> list[LiveHit]:
    """IAC205: an imported certificate; ACM never renews it."""
    if info.get("Type") != "IMPORTED":
        return []
    end = _utc(info.get("NotAfter"))
    until = ""
    if end is not None:
        until = f"; it expired on {_day(end)}" if end <= now else f"; it is valid until {_day(end)}"
    return [
        LiveHit(
            "IAC205",
            f"certificate {arn}{_of(label, noun)} is imported: ACM never renews it, someone "
            f"must re-import it before it expires{until}",
        )
    ]


def upload_too_old(
    what: str,
    uploaded_at: Any,
    label: str,
    now: datetime,
    max_days: int,
    noun: str | None = "domain",
) -> list[LiveHit]:
    """IAC206 as an error: an uploaded certificate (IAM or API Gateway) older than
    ``max_days``."""
    when = _utc(uploaded_at)
    if when is None:
        return []
    if now - when <= timedelta(days=max_days):
        return []
    age = (now - when).days
    return [
        LiveHit(
            "IAC206",
            f"{what}{_of(label, noun)} was uploaded on {_day(when)}, {age} days ago "
            f"(limit {max_days}): nobody renews an uploaded certificate; move it to ACM",
            severity="error",
        )
    ]


def uploaded(
    what: str,
    uploaded_at: Any,
    label: str,
    now: datetime,
    max_days: int,
    noun: str | None = "domain",
) -> list[LiveHit]:
    """IAC206: an uploaded certificate is served. Nothing renews it, so it is a warning from
    the day it is uploaded, and an error once older than ``max_days`` (upload_too_old)."""
    old = upload_too_old(what, uploaded_at, label, now, max_days, noun)
    if old:
        return old
    when = _utc(uploaded_at)
    since = f" on {_day(when)}" if when is not None else " (no upload date given)"
    return [
        LiveHit(
            "IAC206",
            f"{what}{_of(label, noun)} was uploaded{since}: nobody renews an uploaded "
            f"certificate, someone must replace it before it expires (an error after "
            f"{max_days} days); move it to ACM",
            severity="warning",
        )
    ]


def not_found(arn: str, label: str, noun: str = "domain") -> list[LiveHit]:
    """IAC207: the consumer points at a certificate that does not exist."""
    return [
        LiveHit(
            "IAC207",
            f"certificate {arn} of {noun} {label} does not exist (deleted, or in another "
            f"account or region): the {noun} has no certificate to serve",
        )
    ]


def region_mismatch(
    arn: str,
    cert_region: str,
    endpoint_type: str,
    required: str | None,
    label: str,
    noun: str = "domain",
) -> list[LiveHit]:
    """IAC105 as deployed: EDGE domains and CloudFront need us-east-1, REGIONAL/PRIVATE
    domains and listeners their own region."""
    if not required or not cert_region or cert_region == required:
        return []
    kind = f"{endpoint_type} " if endpoint_type else ""
    return [
        LiveHit(
            "IAC105",
            f"{kind}{noun} {label} needs its certificate in {required}, but {arn} "
            f"is in {cert_region}",
        )
    ]


# API Gateway domain statuses (botocore's DomainNameStatus enums, REST and v2): AVAILABLE is
# fine, these pass on their own, anything else needs someone
PASSING_STATUSES = {"UPDATING": "is being updated", "PENDING": "is being created"}


def domain_status(status: str, message: str, label: str) -> list[LiveHit]:
    """IAC208: an API Gateway domain whose own status is not AVAILABLE, with API Gateway's
    message. UPDATING and PENDING pass on their own (a note); PENDING_CERTIFICATE_REIMPORT,
    PENDING_OWNERSHIP_VERIFICATION and FAILED wait for someone (an error)."""
    if status == "AVAILABLE":
        return []
    why = f" ({message})" if message else ""
    if status in PASSING_STATUSES:
        return [
            LiveHit(
                "IAC208",
                f"domain {label} {PASSING_STATUSES[status]}: its status is {status}{why}; "
                "check that it becomes AVAILABLE",
                severity="note",
            )
        ]
    return [
        LiveHit(
            "IAC208",
            f"domain {label} is {status}{why}, not AVAILABLE: API Gateway may not serve it "
            "with its certificate until someone acts",
        )
    ]


def acm_certificate(
    arn: str,
    info: dict,
    label: str,
    now: datetime,
    limits: Thresholds,
    noun: str | None = "domain",
) -> list[LiveHit]:
    """Every certificate rule over one ACM DescribeCertificate result."""
    return [
        *not_issued(arn, info, label, noun),
        *validation_not_successful(arn, info, label, noun),
        *expiring(arn, info.get("NotAfter"), label, now, limits.expiry_days, noun),
        *renewal_at_risk(arn, info, label, noun),
        *imported(arn, info, label, now, noun),
    ]


def iam_certificate(
    arn: str,
    meta: dict,
    label: str,
    now: datetime,
    limits: Thresholds,
    noun: str = "domain",
    served: bool = False,
) -> list[LiveHit]:
    """Every rule over one IAM server certificate's metadata. ``served`` (``iaccert live``,
    where a consumer serves it): IAC206 warns from the upload on; else (``lint --live``,
    where IAC108 already names it in the code) only past the maximum age."""
    what = f"IAM server certificate {arn}"
    age_rule = uploaded if served else upload_too_old
    max_days = limits.upload_max_age_days
    return [
        *expiring(arn, meta.get("Expiration"), label, now, limits.expiry_days, noun),
        *age_rule(what, meta.get("UploadDate"), label, now, max_days, noun),
    ]
