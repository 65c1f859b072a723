"""SAM: ``Domain`` of AWS::Serverless::Api / HttpApi / WebSocketApi, with ``Globals``.

cfn-lint no longer expands SAM, and the names SAM generates (ApiGatewayDomainName<hash>)
are not where anyone writes a fix. So a SAM API with a Domain is itself the domain
resource: its logical id and line, its ``Domain`` properties read through the SAM
bindings in rules/bindings.yaml.
"""

from __future__ import annotations

from typing import Any

from .decode import line_of
from .intrinsics import is_intrinsic

# SAM resource type -> its section in Globals
SAM_DOMAIN_TYPES = {
    "AWS::Serverless::Api": "Api",
    "AWS::Serverless::HttpApi": "HttpApi",
    "AWS::Serverless::WebSocketApi": "WebSocketApi",
}
NESTED_APPLICATION = "AWS::Serverless::Application"


def _key(mapping: dict, name: str) -> Any:
    """The key object (with its mark) of ``name`` in a decoded mapping."""
    for key in mapping:
        if key == name:
            return key
    return None


def _merge(inherited: Any, own: Any) -> Any:
    """SAM's Globals merge: maps merge key by key, lists concatenate, the resource wins."""
    if own is None:
        return inherited
    mergeable = isinstance(inherited, dict) and isinstance(own, dict)
    if mergeable and not is_intrinsic(inherited) and not is_intrinsic(own):
        out = dict(inherited)
        for key, value in own.items():
            merged = _merge(inherited[key], value) if key in inherited else value
            out.pop(key, None)  # keep the resource's key, and with it its line
            out[key] = merged
        return out
    if isinstance(inherited, list) and isinstance(own, list):
        return [*inherited, *own]
    return own


def globals_domain(template: dict, resource_type: str) -> tuple[Any, Any]:
    """(Globals.<Api>.Domain, its key) for a SAM API type, or (None, None)."""
    section = template.get("Globals")
    kind = SAM_DOMAIN_TYPES.get(resource_type)
    if not isinstance(section, dict) or kind is None:
        return None, None
    block = section.get(kind)
    if not isinstance(block, dict) or "Domain" not in block:
        return None, None
    return block["Domain"], _key(block, "Domain")


def sam_domain(template: dict, resource_type: str, props: dict) -> tuple[dict, dict[str, int]]:
    """The SAM API's Properties with its effective Domain, and the lines of the Domain keys
    (``Domain`` and ``Domain.<Key>``, in the resource or in Globals, wherever written)."""
    inherited, inherited_key = globals_domain(template, resource_type)
    own = props.get("Domain")
    own_key = _key(props, "Domain")
    lines: dict[str, int] = {}
    if own is None and inherited is None:
        return props, lines
    domain = _merge(inherited, own)
    key = own_key if own is not None else inherited_key
    lines["Domain"] = line_of(key)
    if isinstance(domain, dict) and not is_intrinsic(domain):
        for sub in domain:
            lines[f"Domain.{sub}"] = line_of(sub, lines["Domain"])
    return {**props, "Domain": domain}, lines
