"""AWS errors become "could not check" entries: a check that was not made is never a pass.

Each entry names exactly what was not checked (account, region, domain, certificate, the
call) and why, in words a person can act on: access-denied, throttled (after the retries),
region-disabled, expired-credentials, timeout, unreachable, malformed (a damaged answer),
pagination (a listing that does not end), deadline or error. The message of an AWS error
is AWS's own, when its error body was well-formed, on one line, bounded and scrubbed of any
credential value iaccert knows of; every other message is iaccert's own and names the fault
class only, never a body, a header or a credential.
"""

from __future__ import annotations

import re
import threading

from ..findings import Incomplete
from ..model import Location

ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "AuthorizationError",
    "Forbidden",
}
REGION_DISABLED = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "OptInRequired",
    "AuthFailure",
}
EXPIRED = {
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "TokenRefreshRequired",
}
THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "LimitExceededException",
}

MAX_MESSAGE = 300  # characters of an AWS error message shown
# what a credential looks like: an access key id, or a long run of base64 (secret key, token)
CREDENTIAL_SHAPED = re.compile(r"(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}|[A-Za-z0-9/+=]{32,}")

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(*values: str | None) -> None:
    """Credential values that must never appear in any output (secret keys, session tokens)."""
    with _secrets_lock:
        _secrets.update(v for v in values if v and len(v) >= 8)


def redact(text: str) -> str:
    """Every credential iaccert knows of, and anything shaped like one, as ****."""
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for value in secrets:
        text = text.replace(value, "****")
    return CREDENTIAL_SHAPED.sub("****", text)


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", "")) or type(exc).__name__
    return type(exc).__name__


def classify(exc: BaseException) -> tuple[str, str, str]:
    """(reason, code, message) of an exception raised by a boto3 call."""
    from botocore.exceptions import (
        ClientError,
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        ReadTimeoutError,
    )

    from .calls import CallFault

    if isinstance(exc, CallFault):
        return exc.reason, exc.code, redact(exc.message)
    code = error_code(exc)
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        message = str(exc.response.get("Error", {}).get("Message", "") or "")
        message = message or f"HTTP {status}" if status else message
        attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        code = redact(_printable(code)[:100]) or "Unknown"
        if code in EXPIRED:
            reason = "expired-credentials"
        elif code in ACCESS_DENIED:
            reason = "access-denied"
        elif code in REGION_DISABLED:
            reason = "region-disabled"
        elif code in THROTTLED or status == 429:
            reason = "throttled"
            message = f"{message} (gave up after {attempts + 1} attempts)"
        elif status == 403:
            reason = "access-denied"
        else:
            reason = "error"
    elif isinstance(exc, ConnectTimeoutError | ReadTimeoutError):
        reason, message = "timeout", str(exc)
    elif isinstance(exc, EndpointConnectionError | ConnectionClosedError):
        reason, message = "unreachable", str(exc)
    elif isinstance(exc, NoCredentialsError):
        reason, message = "no-credentials", str(exc)
    else:  # any other botocore failure: its class, never its text (it may quote an answer)
        reason, message = "error", f"the call failed ({type(exc).__name__})"
    return reason, code, redact(_bounded(message))


def _printable(text: str) -> str:
    return "".join(c for c in text if c.isprintable())


def _bounded(message: str) -> str:
    """One line, printable, at most MAX_MESSAGE characters."""
    message = " ".join(_printable(message.replace("\n", " ")).split())
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return message


def incomplete(
    exc: BaseException,
    operation: str,
    account: str,
    region: str,
    domain: str | None = None,
    certificate: str | None = None,
    location: Location | None = None,
) -> Incomplete:
    reason, code, message = classify(exc)
    return Incomplete(
        account, region, domain, certificate, operation, reason, code, message, location
    )


def boto_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a boto3 call raises for AWS-side or transport failures."""
    from botocore.exceptions import BotoCoreError, ClientError

    from .calls import CallFault

    return (ClientError, BotoCoreError, CallFault)
