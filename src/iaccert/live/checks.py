"""The live rules, over the deployed facts: one small rule per id, registered like the
static checks (src/iaccert/registry.py).

Each reads ``facts.deployed`` (an ACM description or IAM server certificate metadata) or
``facts.uploaded`` and names the consumer as ``facts.consumer`` says; where a finding
points is the provider's: a logical AWS location in ``iaccert live``, the source line of
the certificate argument in ``iaccert lint --live``. No boto3 here: a static scan loads
this module with the registry and skips these rules, whose facts it never has.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from ..facts import Facts
from ..registry import Hit, rule

WHERE = "consumer.certificate"  # every live finding concerns the consumer's certificate


def _utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return None


def _day(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d")


def _of(facts: Facts) -> str:
    """``certificate arn:... of domain 'api.example.com' (...)``."""
    consumer = facts.consumer
    return f"certificate {facts.deployed.arn} of {consumer.noun} {consumer.label}"


def _acm(facts: Facts) -> dict | None:
    return facts.deployed.info if facts.deployed.kind == "acm" else None


@rule("IAC201", needs=("deployed",))
def not_issued(facts: Facts) -> Iterator[Hit]:
    """The certificate's status is anything but ISSUED."""
    info = _acm(facts)
    if info is None:
        return
    status = info.get("Status", "UNKNOWN")
    if status == "ISSUED":
        return
    why = f" ({info['FailureReason']})" if info.get("FailureReason") else ""
    yield Hit(
        WHERE,
        f"{_of(facts)} is {status}{why}, not ISSUED: the {facts.consumer.noun} cannot serve it",
    )


@rule("IAC202", needs=("deployed",))
def validation_not_successful(facts: Facts) -> Iterator[Hit]:
    """A name validated by another method than DNS, or (on an issued certificate) a
    validation that is not SUCCESS. A certificate that is not issued is IAC201's: its
    pending or failed validations are why, and are not said twice."""
    info = _acm(facts)
    if info is None or info.get("Type") != "AMAZON_ISSUED":
        return
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
    if problems:
        yield Hit(
            WHERE,
            f"{_of(facts)}: {'; '.join(problems)}; "
            "ACM renews by itself only names validated by DNS",
        )


@rule("IAC203", needs=("deployed",))
def expiring(facts: Facts) -> Iterator[Hit]:
    """Expires within the threshold (a warning), or has expired (an error)."""
    info = facts.deployed.info
    end = _utc(info.get("NotAfter") if facts.deployed.kind == "acm" else info.get("Expiration"))
    if end is None:
        return
    left = end - facts.now
    days = facts.limits.expiry_days
    if left.total_seconds() <= 0:
        yield Hit(WHERE, f"{_of(facts)} expired on {_day(end)}", severity="error")
    elif left.days < days:
        yield Hit(
            WHERE,
            f"{_of(facts)} expires on {_day(end)}, in {left.days} days (threshold {days})",
        )


@rule("IAC204", needs=("deployed",))
def renewal_at_risk(facts: Facts) -> Iterator[Hit]:
    """ACM will not renew it (ineligible), or its renewal failed or waits for validation."""
    info = _acm(facts)
    if info is None or info.get("Type") != "AMAZON_ISSUED" or info.get("Status") != "ISSUED":
        return
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
    if reasons:
        consumer = facts.consumer
        yield Hit(
            WHERE,
            f"renewal of certificate {facts.deployed.arn} of {consumer.noun} {consumer.label} "
            f"is at risk: {'; '.join(reasons)}",
        )


@rule("IAC205", needs=("deployed",))
def imported(facts: Facts) -> Iterator[Hit]:
    """An imported certificate serves the consumer; ACM never renews it."""
    info = _acm(facts)
    if info is None or info.get("Type") != "IMPORTED":
        return
    end = _utc(info.get("NotAfter"))
    until = ""
    if end is not None:
        gone = end <= facts.now
        until = f"; it expired on {_day(end)}" if gone else f"; it is valid until {_day(end)}"
    yield Hit(
        WHERE,
        f"{_of(facts)} is imported: ACM never renews it, someone must re-import it before "
        f"it expires{until}",
    )


@rule("IAC206", needs=("uploaded",))
def upload_too_old(facts: Facts) -> Iterator[Hit]:
    """An uploaded certificate (IAM or API Gateway) older than the maximum age."""
    max_days = facts.limits.upload_max_age_days
    consumer = facts.consumer
    for up in facts.uploaded:
        when = _utc(up.uploaded_at)
        if when is None or facts.now - when <= timedelta(days=max_days):
            continue
        age = (facts.now - when).days
        yield Hit(
            WHERE,
            f"{up.what} of {consumer.noun} {consumer.label} was uploaded on {_day(when)}, "
            f"{age} days ago (limit {max_days}): nobody renews an uploaded certificate; "
            "move it to ACM",
        )


@rule("IAC207", needs=("deployed.missing",))
def not_found(facts: Facts) -> Iterator[Hit]:
    """The consumer points at a certificate that does not exist (or a lookup finds none)."""
    if facts.deployed.missing_why:
        yield Hit(WHERE, facts.deployed.missing_why)
        return
    yield Hit(
        WHERE,
        f"{_of(facts)} does not exist (deleted, or in another account or region): the "
        f"{facts.consumer.noun} has no certificate to serve",
    )
