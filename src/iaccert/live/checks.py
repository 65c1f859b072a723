"""The live rules, over what is deployed: one small function per rule, like the static checks.

Each takes what inventory read (an ACM description, IAM server certificate metadata, an
API Gateway upload) and a label naming the domain, and returns LiveHits; the caller decides
where a finding points (a logical AWS location in ``iaccert live``, the source line of the
certificate attribute in ``iaccert lint --live``).
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


def not_issued(arn: str, info: dict, label: str) -> list[LiveHit]:
    """IAC201: the certificate's status is anything but ISSUED."""
    status = info.get("Status", "UNKNOWN")
    if status == "ISSUED":
        return []
    why = f" ({info['FailureReason']})" if info.get("FailureReason") else ""
    return [
        LiveHit(
            "IAC201",
            f"certificate {arn} of domain {label} is {status}{why}, not ISSUED: "
            "the domain cannot serve it",
        )
    ]


def validation_not_successful(arn: str, info: dict, label: str) -> list[LiveHit]:
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
            f"certificate {arn} of domain {label}: {'; '.join(problems)}; "
            "ACM renews by itself only names validated by DNS",
        )
    ]


def expiring(arn: str, not_after: Any, label: str, now: datetime, days: int) -> list[LiveHit]:
    """IAC203: expires within ``days`` (a warning), or has expired (an error)."""
    end = _utc(not_after)
    if end is None:
        return []
    left = end - now
    if left.total_seconds() <= 0:
        return [
            LiveHit(
                "IAC203",
                f"certificate {arn} of domain {label} expired on {_day(end)}",
                severity="error",
            )
        ]
    if left.days < days:
        return [
            LiveHit(
                "IAC203",
                f"certificate {arn} of domain {label} expires on {_day(end)}, in {left.days} "
                f"days (threshold {days})",
            )
        ]
    return []


def renewal_at_risk(arn: str, info: dict, label: str) -> list[LiveHit]:
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
            f"renewal of certificate {arn} of domain {label} is at risk: {'; '.join(reasons)}",
        )
    ]


def imported(arn: str, info: dict, label: str, now: datetime) -> list[LiveHit]:
    """IAC205: an imported certificate serves the domain; ACM never renews it."""
    if info.get("Type") != "IMPORTED":
        return []
    end = _utc(info.get("NotAfter"))
    until = ""
    if end is not None:
        until = f"; it expired on {_day(end)}" if end <= now else f"; it is valid until {_day(end)}"
    return [
        LiveHit(
            "IAC205",
            f"certificate {arn} of domain {label} is imported: ACM never renews it, someone "
            f"must re-import it before it expires{until}",
        )
    ]


def upload_too_old(
    what: str, uploaded_at: Any, label: str, now: datetime, max_days: int
) -> list[LiveHit]:
    """IAC206: an uploaded certificate (IAM or API Gateway) older than ``max_days``."""
    when = _utc(uploaded_at)
    if when is None:
        return []
    if now - when <= timedelta(days=max_days):
        return []
    age = (now - when).days
    return [
        LiveHit(
            "IAC206",
            f"{what} of domain {label} was uploaded on {_day(when)}, {age} days ago "
            f"(limit {max_days}): nobody renews an uploaded certificate; move it to ACM",
        )
    ]


def not_found(arn: str, label: str) -> list[LiveHit]:
    """IAC207: the domain points at a certificate that does not exist."""
    return [
        LiveHit(
            "IAC207",
            f"certificate {arn} of domain {label} does not exist (deleted, or in another "
            "account or region): the domain has no certificate to serve",
        )
    ]


def region_mismatch(
    arn: str, cert_region: str, endpoint_type: str, required: str | None, label: str
) -> list[LiveHit]:
    """IAC105 as deployed: EDGE needs us-east-1, REGIONAL/PRIVATE the domain's own region."""
    if not required or not cert_region or cert_region == required:
        return []
    return [
        LiveHit(
            "IAC105",
            f"{endpoint_type} domain {label} needs its certificate in {required}, but {arn} "
            f"is in {cert_region}",
        )
    ]


def acm_certificate(
    arn: str, info: dict, label: str, now: datetime, limits: Thresholds
) -> list[LiveHit]:
    """Every certificate rule over one ACM DescribeCertificate result."""
    return [
        *not_issued(arn, info, label),
        *validation_not_successful(arn, info, label),
        *expiring(arn, info.get("NotAfter"), label, now, limits.expiry_days),
        *renewal_at_risk(arn, info, label),
        *imported(arn, info, label, now),
    ]


def iam_certificate(
    arn: str, meta: dict, label: str, now: datetime, limits: Thresholds
) -> list[LiveHit]:
    """Every rule over one IAM server certificate's metadata."""
    what = f"IAM server certificate {arn}"
    return [
        *expiring(arn, meta.get("Expiration"), label, now, limits.expiry_days),
        *upload_too_old(what, meta.get("UploadDate"), label, now, limits.upload_max_age_days),
    ]
