"""One AWS call, guarded: its answer checked, its pages bounded, its region's health and the
run's deadline respected. Whatever goes wrong is a CallFault that names the operation and the
fault class, never the answer: a damaged body may carry anything, a credential included.

- the body: a 2xx answer must be well-formed for its protocol (a JSON object, or XML whose
  root is ``<Operation>Response``) before botocore parses it; an error answer that is not
  well-formed is read from its status and headers only (botocore would quote the body);
- the shape: each operation's parsed answer must have what the operation must return, with
  the right types (SCHEMAS); an empty listing is accepted only when it is a listing;
- pages: at most ``max_pages`` pages and ``max_items`` items per listing; a token seen before
  (repeated, or cycling A, B, A, B) ends it as a fault;
- the circuit breaker: after ``breaker`` consecutive timeouts in one account and region, the
  rest of that region's calls are not tried;
- the deadline: no call starts after ``--deadline`` seconds.
"""

from __future__ import annotations

import json
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from typing import Any

MAX_BODY = 16 * 1024 * 1024  # bytes of one answer; every answer iaccert reads is far smaller
CUT_OFF = {"ProtocolError", "IncompleteRead", "ResponseStreamingError"}  # urllib3, botocore
GLOBAL = ("iam", "sts")  # one breaker per account for these, whatever region serves them


class CallFault(Exception):
    """A call whose answer cannot be used, or that was not made: (reason, code, message).

    The message is iaccert's own words about the fault; it never quotes the answer."""

    def __init__(self, reason: str, code: str, message: str):
        super().__init__(message)
        self.reason, self.code, self.message = reason, code, message


# A schema: {key: spec}; a key ending in "?" may be absent. A spec is a type, a tuple of
# types, a list [spec] (a list whose items match spec) or a nested schema (a dict).
ARN = str
MAYBE_EMPTY = (str,)  # a string that may be empty (CloudFront writes unused fields as "")
SCHEMAS: dict[str, dict] = {
    "apigateway:GetDomainNames": {
        "items": [
            {
                "domainName": str,
                "domainNameArn?": ARN,
                "certificateArn?": ARN,
                "regionalCertificateArn?": ARN,
                "ownershipVerificationCertificateArn?": ARN,
                "certificateName?": str,
                "regionalCertificateName?": str,
                "certificateUploadDate?": datetime,
                "endpointConfiguration?": {"types?": [str]},
                "domainNameStatus?": str,
                "domainNameStatusMessage?": str,
            }
        ],
        "position?": str,
    },
    "apigatewayv2:GetDomainNames": {
        "Items": [
            {
                "DomainName": str,
                "DomainNameConfigurations?": [
                    {
                        "CertificateArn?": ARN,
                        "OwnershipVerificationCertificateArn?": ARN,
                        "CertificateName?": str,
                        "CertificateUploadDate?": datetime,
                        "EndpointType?": str,
                        "DomainNameStatus?": str,
                        "DomainNameStatusMessage?": str,
                    }
                ],
            }
        ],
        "NextToken?": str,
    },
    "acm:DescribeCertificate": {
        "Certificate": {
            "CertificateArn": ARN,
            "Status": str,
            "Type?": str,
            "DomainName?": str,
            "KeyAlgorithm?": str,
            "NotAfter?": datetime,
            "FailureReason?": str,
            "RenewalEligibility?": str,
            "InUseBy?": [str],
            "DomainValidationOptions?": [
                {
                    "DomainName": str,
                    "ValidationStatus?": str,
                    "ValidationMethod?": str,
                    "ValidationEmails?": [str],
                }
            ],
            "RenewalSummary?": {
                "RenewalStatus": str,
                "RenewalStatusReason?": str,
                "DomainValidationOptions?": [{"DomainName": str, "ValidationStatus?": str}],
            },
        }
    },
    "acm:ListCertificates": {
        "CertificateSummaryList": [
            {
                "CertificateArn": ARN,
                "DomainName?": str,
                "SubjectAlternativeNameSummaries?": [str],
                "Type?": str,
                "KeyAlgorithm?": str,
                "Status?": str,
            }
        ],
        "NextToken?": str,
    },
    "iam:ListServerCertificates": {
        "ServerCertificateMetadataList": [
            {
                "Arn": ARN,
                "ServerCertificateName": str,
                "ServerCertificateId?": str,
                "Expiration?": datetime,
                "UploadDate?": datetime,
            }
        ],
        "IsTruncated?": bool,
        "Marker?": str,
    },
    "cloudfront:ListDistributions": {
        "DistributionList": {
            "IsTruncated": bool,
            "NextMarker?": str,
            "Items?": [
                {
                    "Id": str,
                    "ARN": ARN,
                    "Aliases?": {"Items?": [str]},
                    "ViewerCertificate?": {
                        "ACMCertificateArn?": MAYBE_EMPTY,
                        "IAMCertificateId?": MAYBE_EMPTY,
                        "CloudFrontDefaultCertificate?": bool,
                    },
                }
            ],
        }
    },
    "elbv2:DescribeLoadBalancers": {
        "LoadBalancers": [
            {"LoadBalancerArn": ARN, "LoadBalancerName?": str, "Type?": str, "DNSName?": str}
        ],
        "NextMarker?": str,
    },
    "elbv2:DescribeListeners": {
        "Listeners": [
            {
                "ListenerArn": ARN,
                "Port?": int,
                "Protocol?": str,
                "Certificates?": [{"CertificateArn?": ARN, "IsDefault?": bool}],
            }
        ],
        "NextMarker?": str,
    },
    "elbv2:DescribeListenerCertificates": {
        "Certificates": [{"CertificateArn": ARN, "IsDefault?": bool}],
        "NextMarker?": str,
    },
    "sts:GetCallerIdentity": {"Account": str, "Arn?": str},
    "sts:AssumeRole": {
        "Credentials": {
            "AccessKeyId": str,
            "SecretAccessKey": str,
            "SessionToken": str,
            "Expiration?": datetime,
        },
        "AssumedRoleUser": {"Arn": str},
    },
    "ec2:DescribeRegions": {"Regions": [{"RegionName": str, "OptInStatus?": str}]},
}
NOT_EMPTY = {"ec2:DescribeRegions": "Regions"}  # an account always has an enabled region


def _type_name(spec: Any) -> str:
    if isinstance(spec, list):
        return "a list"
    if isinstance(spec, dict):
        return "an object"
    names = {str: "a string", bool: "a boolean", int: "a number", datetime: "a date"}
    return names.get(spec, "a value")


def shape_problem(value: Any, spec: Any, path: str = "") -> str | None:
    """Where ``value`` departs from ``spec`` (a key path and what was expected), else None.
    Names keys of the schema only, never a value of the answer."""
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return f"{path or 'the answer'} is not an object"
        for raw_key, sub in spec.items():
            key = raw_key.rstrip("?")
            where = f"{path}.{key}" if path else key
            if key not in value or value[key] is None:
                if raw_key.endswith("?"):
                    continue
                return f"{where} is missing"
            problem = shape_problem(value[key], sub, where)
            if problem:
                return problem
        return None
    if isinstance(spec, list):
        if not isinstance(value, list):
            return f"{path} is not a list"
        for i, item in enumerate(value):
            problem = shape_problem(item, spec[0], f"{path}[{i}]")
            if problem:
                return problem
        return None
    wrong = not isinstance(value, spec) or (spec is int and isinstance(value, bool))
    if wrong or (spec is str and not value.strip()):
        return f"{path} is not {_type_name(spec)}"
    return None


def check_shape(operation: str, answer: Any) -> dict:
    """The answer, when it has what ``operation`` must return; else a CallFault."""
    problem = shape_problem(answer, SCHEMAS[operation])
    if not problem and operation in NOT_EMPTY and not answer[NOT_EMPTY[operation]]:
        problem = f"{NOT_EMPTY[operation]} is empty"
    if problem:
        raise CallFault(
            "malformed", "MalformedResponse", f"the answer to {operation} is damaged: {problem}"
        )
    return answer


def well_formed(body: bytes, protocol: str, operation: str) -> bool:
    """A 2xx body as its protocol writes it: a JSON object, or XML rooted at ``operation``
    (the operation's name plus ``Response``; for rest-xml, the payload's element)."""
    if protocol in ("json", "rest-json"):
        try:
            return isinstance(json.loads(body.decode("utf-8")), dict)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return False
    try:
        root = ET.fromstring(body)
    except (ET.ParseError, ValueError, RecursionError):
        return False
    return root.tag.rsplit("}", 1)[-1] == operation


def _xml_name(name: str, shape) -> str:
    return shape.serialization.get("name", name)


def xml_problem(node: ET.Element, shape) -> bool:
    """True when a structure or a list of the answer is text: the wrong type, which botocore
    would read as empty. Walks the answer along the operation's output shape."""
    if shape.type_name not in ("structure", "list"):
        return False
    if (node.text or "").strip():
        return True
    if shape.type_name == "list":
        return any(xml_problem(child, shape.member) for child in node)
    members = {_xml_name(n, m): m for n, m in shape.members.items()}
    for child in node:
        member = members.get(child.tag.rsplit("}", 1)[-1])
        if member is not None and xml_problem(child, member):
            return True
    return False


def _xml_shape_problem(body: bytes, operation_model) -> bool:
    root = ET.fromstring(body)
    shape = operation_model.output_shape
    if shape is None:
        return False
    wrapper = shape.serialization.get("resultWrapper")
    if wrapper:  # query protocol: <OpResponse><OpResult>...</OpResult></OpResponse>
        found = [c for c in root if c.tag.rsplit("}", 1)[-1] == wrapper]
        return not found or xml_problem(found[0], shape)
    return xml_problem(root, shape)


def _xml_root(operation_model) -> str:
    """The root element of a 2xx XML answer: ``<Operation>Response`` (query, ec2), or for
    rest-xml the payload member's element (CloudFront: ``<DistributionList>``)."""
    shape = operation_model.output_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    if operation_model.service_model.resolved_protocol == "rest-xml" and payload:
        member = shape.members[payload]
        return member.serialization.get("name", member.name)
    return f"{operation_model.name}Response"


def _error_readable(body: bytes, protocol: str) -> bool:
    if not body:
        return True
    if protocol in ("json", "rest-json"):
        try:
            return isinstance(json.loads(body.decode("utf-8")), dict)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return False
    try:
        ET.fromstring(body)
    except (ET.ParseError, ValueError, RecursionError):
        return False
    return True


def check_body(service: str):
    """A botocore ``before-parse`` handler: refuse a damaged 2xx body before it is parsed;
    blank an error body botocore could only quote."""

    def handler(operation_model, response_dict, **_) -> None:
        body = response_dict.get("body") or b""
        status = response_dict.get("status_code") or 0
        protocol = operation_model.service_model.resolved_protocol
        operation = f"{service}:{operation_model.name}"
        if len(body) > MAX_BODY:
            raise CallFault(
                "malformed", "ResponseTooLarge", f"the answer to {operation} is too large"
            )
        if 200 <= status < 300:
            broken = not well_formed(body, protocol, _xml_root(operation_model))
            if not broken and protocol in ("query", "ec2"):
                broken = _xml_shape_problem(body, operation_model)
            if broken:
                raise CallFault(
                    "malformed",
                    "UnparsableResponse",
                    f"the answer to {operation} (HTTP {status}) is not well-formed {protocol}",
                )
        elif not _error_readable(body, protocol):
            response_dict["body"] = b""  # read from the status and headers, never quoted

    return handler


class Guard:
    """The run's deadline and each (account, region)'s circuit breaker, across threads."""

    def __init__(self, deadline: float | None, breaker: int, clock=time.monotonic):
        self._clock = clock
        self._end = None if deadline is None else clock() + deadline
        self.deadline = deadline
        self.breaker = max(1, breaker)
        self._timeouts: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def before(self, key: tuple[str, str]) -> None:
        if self._end is not None and self._clock() >= self._end:
            raise CallFault(
                "deadline",
                "DeadlineExceeded",
                f"not tried: the run's --deadline of {self.deadline:g} s had passed",
            )
        with self._lock:
            count = self._timeouts.get(key, 0)
        if count >= self.breaker:
            raise CallFault(
                "timeout",
                "CircuitOpen",
                f"not tried: {count} calls in a row timed out in this account and region",
            )

    def after(self, key: tuple[str, str], timed_out: bool) -> None:
        with self._lock:
            self._timeouts[key] = self._timeouts.get(key, 0) + 1 if timed_out else 0


def guarded_call(client, guard: Guard, key: tuple[str, str], service: str, method: str, **kwargs):
    """``client.<method>(**kwargs)``, its answer checked against the operation's schema."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectTimeoutError,
        ReadTimeoutError,
    )

    operation = client.meta.method_to_api_mapping.get(method, method)
    name = f"{service}:{operation}"
    key = (key[0], service) if service in GLOBAL else key
    guard.before(key)
    try:
        answer = getattr(client, method)(**kwargs)
    except (ConnectTimeoutError, ReadTimeoutError):
        guard.after(key, True)
        raise
    except (ClientError, BotoCoreError, CallFault):
        guard.after(key, False)
        raise
    except Exception as exc:  # noqa: BLE001 - botocore choked on the answer: its fault
        guard.after(key, False)
        if type(exc).__name__ in CUT_OFF:
            raise CallFault(
                "unreachable",
                "ConnectionClosed",
                f"the connection closed before the answer to {name} ended",
            ) from None
        raise CallFault(
            "malformed",
            type(exc).__name__,
            f"the answer to {name} could not be read ({type(exc).__name__})",
        ) from None
    guard.after(key, False)
    return check_shape(name, answer)


# How each listing pages: (token sent, token received, the list, the page size argument);
# a dotted name reaches into the answer (CloudFront's list is inside DistributionList)
PAGING = {
    "apigateway:GetDomainNames": ("position", "position", "items", ("limit", 500)),
    "apigatewayv2:GetDomainNames": ("NextToken", "NextToken", "Items", ("MaxResults", "500")),
    "acm:ListCertificates": (
        "NextToken",
        "NextToken",
        "CertificateSummaryList",
        ("MaxItems", 1000),
    ),
    "iam:ListServerCertificates": ("Marker", "Marker", "ServerCertificateMetadataList", None),
    "cloudfront:ListDistributions": (
        "Marker",
        "DistributionList.NextMarker",
        "DistributionList.Items",
        ("MaxItems", "100"),
    ),
    "elbv2:DescribeLoadBalancers": ("Marker", "NextMarker", "LoadBalancers", ("PageSize", 400)),
    "elbv2:DescribeListeners": ("Marker", "NextMarker", "Listeners", ("PageSize", 400)),
    "elbv2:DescribeListenerCertificates": (
        "Marker",
        "NextMarker",
        "Certificates",
        ("PageSize", 400),
    ),
}
# listings that say in a flag whether another page follows (their marker alone does not)
TRUNCATED_FLAG = {
    "iam:ListServerCertificates": "IsTruncated",
    "cloudfront:ListDistributions": "DistributionList.IsTruncated",
}


def _dig(answer: dict, dotted: str):
    """``answer["a"]["b"]`` for ``"a.b"``; None where a step is absent (an empty list's
    ``Items`` is left out of a rest-xml answer)."""
    value = answer
    for step in dotted.split("."):
        value = value.get(step) if isinstance(value, dict) else None
    return value


def pages(call, operation: str, max_pages: int, max_items: int, **kwargs) -> Iterator[list[dict]]:
    """The items of each page of a listing; ``call(**kwargs)`` makes one guarded call.

    Ends with a CallFault when a page token comes back that was seen before (botocore's own
    check misses A, B, A, B), after ``max_pages`` pages, or past ``max_items`` items."""
    token_in, token_out, list_key, size = PAGING[operation]
    if size is not None:
        kwargs.setdefault(*size)
    seen: set[str] = set()
    items = 0
    for number in range(1, max_pages + 1):
        page = call(**kwargs)
        found = _dig(page, list_key) or []
        items += len(found)
        if items > max_items:
            raise CallFault(
                "pagination", "TooManyItems", f"{operation} listed more than {max_items} items"
            )
        yield found
        token = _dig(page, token_out)
        flag = TRUNCATED_FLAG.get(operation)
        if flag and not _dig(page, flag):
            return
        if not token:
            if flag:  # truncated, and no marker
                raise CallFault(
                    "malformed",
                    "MalformedResponse",
                    f"the answer to {operation} is damaged: {flag} without a marker",
                )
            return
        if token in seen:
            raise CallFault(
                "pagination",
                "RepeatedPageToken",
                f"{operation} returned a page token it had already returned (page {number})",
            )
        seen.add(token)
        kwargs[token_in] = token
    raise CallFault("pagination", "TooManyPages", f"{operation} had more than {max_pages} pages")
