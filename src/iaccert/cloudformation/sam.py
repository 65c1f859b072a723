"""SAM: ``Domain`` of AWS::Serverless::Api / HttpApi / WebSocketApi, with ``Globals``.

cfn-lint no longer expands SAM, and the names SAM generates (ApiGatewayDomainName<hash>)
are not where anyone writes a fix. So a SAM API with a Domain is itself the domain
resource: its logical id and line, its ``Domain`` properties read through the SAM
bindings in rules/bindings.yaml.

Implicit APIs: a function (or state machine) event of type ``Api`` without ``RestApiId``
makes SAM create the REST API ``ServerlessRestApi``; one of type ``HttpApi`` without
``ApiId`` the HTTP API ``ServerlessHttpApi``. SAM builds them as AWS::Serverless::Api /
HttpApi resources, so ``Globals.<Api>.Domain`` applies to them (samtranslator's
implicit API plugins; its translator tests ``api_with_custom_domains_regional`` and
``api_with_basic_custom_domain``). They are written nowhere but in that Globals block,
which is where they are reported. SAM replaces a resource of the same logical id, and
gives the implicit API the Condition of its functions when they all share one.
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
# event type -> (the event property naming an explicit API, implicit API logical id, its type)
IMPLICIT_APIS = {
    "Api": ("RestApiId", "ServerlessRestApi", "AWS::Serverless::Api"),
    "HttpApi": ("ApiId", "ServerlessHttpApi", "AWS::Serverless::HttpApi"),
}
EVENT_SOURCES = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")
IMPLICIT_MARK = "iaccert:implicit"  # the synthetic node's Globals Domain block (its lines)


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


def _implicit_events(resources: dict) -> dict[str, list[Any]]:
    """Implicit API logical id -> the Conditions of the resources whose events use it
    (None for a resource without one)."""
    used: dict[str, list[Any]] = {}
    for node in resources.values():
        if not isinstance(node, dict) or node.get("Type") not in EVENT_SOURCES:
            continue
        props = node.get("Properties")
        events = props.get("Events") if isinstance(props, dict) else None
        if not isinstance(events, dict) or is_intrinsic(events):
            continue
        for event in events.values():
            kind = event.get("Type") if isinstance(event, dict) else None
            if kind not in IMPLICIT_APIS:
                continue
            id_property, logical_id, _ = IMPLICIT_APIS[kind]
            event_props = event.get("Properties")
            if isinstance(event_props, dict) and id_property in event_props:
                continue  # names its API: explicit
            condition = node.get("Condition")
            used.setdefault(logical_id, []).append(
                condition if isinstance(condition, str) else None
            )
    return used


def implicit_apis(template: dict, resources: dict) -> tuple[dict[str, dict], dict[str, Any]]:
    """The implicit APIs that inherit a Globals Domain, as synthetic resource nodes, and
    the key each is reported at (the Globals ``Domain`` key, with its mark)."""
    nodes: dict[str, dict] = {}
    keys: dict[str, Any] = {}
    for logical_id, conditions in _implicit_events(resources).items():
        sam_type = next(t for _, i, t in IMPLICIT_APIS.values() if i == logical_id)
        domain, key = globals_domain(template, sam_type)
        if domain is None:
            continue
        node: dict[str, Any] = {"Type": sam_type, "Properties": {}, IMPLICIT_MARK: domain}
        distinct = set(conditions)
        if len(distinct) == 1 and None not in distinct:
            node["Condition"] = distinct.pop()
        nodes[logical_id] = node
        keys[logical_id] = key
    return nodes, keys
