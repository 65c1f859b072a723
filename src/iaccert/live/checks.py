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


def _consumer(facts: Facts) -> str:
    """`` of domain 'api.example.com' (...)``, or `` (no consumer found)`` for a
    certificate nobody serves (``iaccert live`` checks every certificate)."""
    consumer = facts.consumer
    return f" of {consumer.noun} {consumer.label}" if consumer.noun else f" ({consumer.label})"


def _of(facts: Facts) -> str:
    """``certificate arn:... of domain 'api.example.com' (...)``."""
    return f"certificate {facts.deployed.arn}{_consumer(facts)}"


def _cannot_serve(facts: Facts) -> str:
    noun = facts.consumer.noun
    return f"the {noun} cannot serve it" if noun else "nothing can serve it"


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
        f"{_of(facts)} is {status}{why}, not ISSUED: {_cannot_serve(facts)}",
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
        yield Hit(WHERE, f"renewal of {_of(facts)} is at risk: {'; '.join(reasons)}")


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
def uploaded_certificate(facts: Facts) -> Iterator[Hit]:
    """An uploaded certificate (IAM or API Gateway) is served: nothing renews it, so it is a
    warning from the day it is uploaded, and an error once older than the maximum age.
    Where the code names it (lint --live) IAC108 has said so: only the age is news."""
    max_days = facts.limits.upload_max_age_days
    for up in facts.uploaded:
        when = _utc(up.uploaded_at)
        if when is not None and facts.now - when > timedelta(days=max_days):
            yield Hit(
                WHERE,
                f"{up.what}{_consumer(facts)} was uploaded on {_day(when)}, "
                f"{(facts.now - when).days} days ago (limit {max_days}): nobody renews an "
                "uploaded certificate",
                severity="error",
                fix="move it to ACM",
            )
        elif facts.chain is None:
            since = f" on {_day(when)}" if when is not None else " (no upload date given)"
            yield Hit(
                WHERE,
                f"{up.what}{_consumer(facts)} was uploaded{since}: nobody renews an uploaded "
                "certificate, someone must replace it before it expires (an error after "
                f"{max_days} days)",
                fix="move it to ACM",
            )


@rule("IAC207", needs=("deployed.missing",))
def not_found(facts: Facts) -> Iterator[Hit]:
    """The consumer points at a certificate that does not exist (or a lookup finds none)."""
    if facts.deployed.missing_why:
        yield Hit(WHERE, facts.deployed.missing_why)
        return
    noun = facts.consumer.noun or "consumer"
    yield Hit(
        WHERE,
        f"{_of(facts)} does not exist (deleted, or in another account or region): the "
        f"{noun} has no certificate to serve",
    )


# API Gateway domain statuses (botocore's DomainNameStatus enums, REST and v2): AVAILABLE is
# fine, these pass on their own, anything else needs someone
PASSING_STATUSES = {"UPDATING": "is being updated", "PENDING": "is being created"}


@rule("IAC208", needs=("status",))
def domain_not_available(facts: Facts) -> Iterator[Hit]:
    """The consumer's own status (an API Gateway domain's) is not AVAILABLE, with the
    service's message. UPDATING and PENDING pass on their own (a note);
    PENDING_CERTIFICATE_REIMPORT, PENDING_OWNERSHIP_VERIFICATION and FAILED wait for
    someone (an error)."""
    consumer = facts.consumer
    for status, message in facts.statuses:
        if status == "AVAILABLE":
            continue
        why = f" ({message})" if message else ""
        if status in PASSING_STATUSES:
            yield Hit(
                "consumer",
                f"{consumer.noun} {consumer.label} {PASSING_STATUSES[status]}: its status is "
                f"{status}{why}",
                severity="note",
                fix="check that it becomes AVAILABLE",
            )
        else:
            yield Hit(
                "consumer",
                f"{consumer.noun} {consumer.label} is {status}{why}, not AVAILABLE: API Gateway "
                "may not serve it with its certificate until someone acts",
            )
