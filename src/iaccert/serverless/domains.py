"""The serverless-domain-manager plugin's ``custom.customDomain`` / ``custom.customDomains``
as domains whose certificate is found at deploy time.

What the plugin does (amplify-education/serverless-domain-manager 10.x, src/models/
domain-config.ts, src/aws/acm-wrapper.ts, src/index.ts): each entry (or each of its
``rest`` / ``http`` / ``websocket`` keys) is one domain; ``enabled`` defaults to true and
disabled entries are skipped; ``endpointType`` defaults to EDGE and ``apiType`` to REST.
Without ``certificateArn`` it lists the ACM certificates (status PENDING_VALIDATION,
ISSUED or INACTIVE, every key type) in us-east-1 for EDGE, else in the deploy region, and
takes the first whose DomainName equals ``certificateName``, or, without one, the
certificate with the longest name (wildcard ``*`` dropped, SANs included) contained in
``domainName``. It then creates the domain with that ARN in the attribute the endpoint
type needs, so the certificate attribute never mismatches.

A domain is a Resource of type ``serverless:customDomain``; a certificate found by name is
a lookup (``serverless:certificateLookup``) that ``lint --live`` resolves as the plugin
would. A disabled entry is still checked, as a latent domain: the flag must not hide a
broken chain.
"""

from __future__ import annotations

from typing import Any

from ..cloudformation.decode import end_line_of, line_of
from ..model import Computed, Location, Region, Resource, Unknown
from .variables import Variables

DOMAIN_TYPE = "serverless:customDomain"
LOOKUP_TYPE = "serverless:certificateLookup"
LOOKUP_STATUSES = ["PENDING_VALIDATION", "ISSUED", "INACTIVE"]
API_TYPES = ("rest", "http", "websocket")
EDGE_REGION = "us-east-1"
ELSEWHERE = (
    "; the domains defined there are not checked: write them in this file, or lint the "
    "file they come from"
)


def _entries(custom: dict) -> list[tuple[str, Any, Any]]:
    """(address, config node, node giving the line) for every domain the plugin reads."""
    out = []
    key = next((k for k in custom if k == "customDomain"), None)
    if key is not None:
        out.append(("custom.customDomain", custom[key], key))
    domains = custom.get("customDomains")
    if isinstance(domains, list):
        for index, item in enumerate(domains):
            out.append((f"custom.customDomains[{index}]", item, item))
    flat = []
    for address, node, where in out:
        typed = [t for t in API_TYPES if isinstance(node, dict) and isinstance(node.get(t), dict)]
        if typed:
            flat.extend((f"{address}.{t}", _with_type(node[t], t), where) for t in typed)
        else:
            flat.append((address, node, where))
    return flat


def _with_type(node: dict, api_type: str) -> dict:
    return {**node, "apiType": node.get("apiType", api_type)}


def _key_line(node: dict, name: str, default: int) -> int | None:
    for key in node:
        if key == name:
            return line_of(key, default)
    return None


def _flag(value: Any, default: bool) -> Any:
    """The plugin's evaluateBoolean: true/false/1/0 in any case; else Unknown."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, Unknown):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    return Unknown(f"{value!r} is not a boolean the plugin accepts")


def _upper(value: Any, default: str) -> Any:
    if value is None:
        return default
    return value.upper() if isinstance(value, str) else value


class PluginDomains:
    """The plugin's domains in one serverless file."""

    def __init__(self, variables: Variables, display: str, region: Region):
        self.variables = variables
        self.display = display
        self.region = region

    def resources(self, custom: Any) -> tuple[list[Resource], list[tuple[str, int]]]:
        """The domain and lookup Resources, and what could not be read, with its line."""
        if not isinstance(custom, dict):
            return [], []
        resources: list[Resource] = []
        unread: list[tuple[str, int]] = []
        for address, node, where in _entries(custom):
            config = self.variables.resolve(node)
            if isinstance(config, Unknown):
                unread.append((f"{address}: {config.reason}{ELSEWHERE}", line_of(where)))
                continue
            if not isinstance(config, dict):
                what = f"{address} is {_kind(config)}, not a mapping of the plugin's settings"
                unread.append((what, line_of(where)))
                continue
            resources.extend(self.domain(address, node, config, line_of(where)))
        return resources, unread

    def domain(self, address: str, node: dict, config: dict, line: int) -> list[Resource]:
        lines = {}
        for name in config:
            found = _key_line(node, str(name), line) if isinstance(node, dict) else None
            lines[str(name)] = found or line
        enabled = _flag(config.get("enabled"), True)
        endpoint = _upper(config.get("endpointType"), "EDGE")
        attrs: dict[str, Any] = {
            "domainName": config.get("domainName"),
            "endpointType": endpoint,
            "apiType": _upper(config.get("apiType"), "REST"),
            "enabled": enabled,
        }
        location = Location(self.display, line, end_line_of(node, line))
        out = []
        arn = config.get("certificateArn")
        if arn is not None:
            attrs["certificateArn"] = arn
        else:
            lookup = self.lookup(address, config, endpoint, lines, location)
            attrs["certificateArn"] = Computed(lookup.address, "arn")
            if "certificateName" in lines:
                lines["certificateArn"] = lines["certificateName"]
            out.append(lookup)
        out.append(
            Resource(
                address=address,
                type=DOMAIN_TYPE,
                location=location,
                attrs=attrs,
                attr_lines=lines,
                region=self.region,
                source="serverless",
                root=self.display,
                latent="enabled is false" if enabled is False else "",
            )
        )
        return out

    def lookup(
        self, address: str, config: dict, endpoint: Any, lines: dict, location: Location
    ) -> Resource:
        by_name = config.get("certificateName")
        name = by_name if by_name is not None else config.get("domainName")
        edge = Region(f"region:{EDGE_REGION}", EDGE_REGION)
        region = edge if endpoint == "EDGE" else self.region  # where the plugin searches
        where = region.name or "the deploy region"
        if by_name is not None:
            how = "the first ACM certificate named " + _shown(name, "by certificateName")
            line = lines.get("certificateName", location.line)
        else:
            how = "the ACM certificate with the longest name (or SAN) contained in " + _shown(
                name, "the domain name"
            )
            line = location.line
        statuses = ", ".join(LOOKUP_STATUSES[:-1]) + " or " + LOOKUP_STATUSES[-1]
        reason = (
            f"serverless-domain-manager finds it by name at deploy time: {how}, in {where} "
            f"(status {statuses})"
        )
        return Resource(
            address=f"{address}.certificate",
            type=LOOKUP_TYPE,
            location=Location(self.display, line, line),
            attrs={
                "domain": name,
                "statuses": list(LOOKUP_STATUSES),
                "match": "name" if by_name is not None else "contained",
                "reason": reason,
            },
            region=region,
            kind="data",
            source="serverless",
            root=self.display,
        )


def _shown(name: Any, what: str) -> str:
    if isinstance(name, str):
        return repr(name)
    why = f": {name.reason}" if isinstance(name, Unknown) else ""
    return f"{what}, which is not known here ({why.removeprefix(': ') or 'not a string'})"


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    return "a string" if isinstance(value, str) else "a single value"
