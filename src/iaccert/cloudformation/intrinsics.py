"""CloudFormation intrinsic functions, parameters, pseudo parameters and conditions.

A value is resolved in a Scope (one template instance in one World). Known values
become plain Python data; ``Ref`` and ``Fn::GetAtt`` of resources become ``Computed``;
what the code does not determine becomes ``Unknown`` whose reason names the parameter,
export or custom resource, and whose refs carry the Computed values it derives from.

Conditions are three-valued: decided by known parameter values, or undecided. A World
assigns truth values to undecided conditions, so that every branch of an ``Fn::If`` is
analysed in some world (see ``stacks.py``); a condition left undecided makes its
``Fn::If`` Unknown.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model import Computed, Unknown, is_known, leaves, refs_of

if TYPE_CHECKING:
    from .stacks import Stack

MAX_DEPTH = 60


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()  # Ref AWS::NoValue: the property is removed
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
CONDITION_FUNCTIONS = ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition")


def is_intrinsic(node: Any) -> bool:
    """``{"Ref": …}``, ``{"Fn::…": …}`` or ``{"Condition": "Name"}`` (a one-key mapping)."""
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key, arg = next(iter(node.items()))
    if key == "Condition":
        return isinstance(arg, str)
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))


def all_known(value: Any) -> bool:
    return all(is_known(v) for v in leaves(value))


def unknown_of(function: str, args: Any) -> Unknown:
    """The Unknown result of a function over unknown arguments; one unknown keeps its reason."""
    reasons: list[str] = []
    for item in leaves(args):
        if isinstance(item, Unknown):
            text = item.reason
        elif isinstance(item, Computed):
            text = f"{item.address}.{item.attr}, known only after deploy"
        else:
            continue
        if text not in reasons:
            reasons.append(text)
    refs = frozenset(refs_of(list(args) if isinstance(args, tuple) else args))
    if len(reasons) == 1 and not refs:
        return Unknown(reasons[0], refs)
    return Unknown(f"{function} of {'; '.join(reasons) or 'unknown values'}", refs)


def _text(value: Any) -> str | None:
    """The string CloudFormation makes of a scalar (numbers and booleans included)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return str(value)
    return None


def plain(value: Any) -> Any:
    """Decoded nodes (str/dict/list subclasses with marks) as plain Python data."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):  # unquoted YAML dates
        return value.isoformat()
    return value


@dataclass
class World:
    """One assignment of truth values to conditions the parameter values leave undecided."""

    assignment: dict[tuple[str, str], bool] = field(default_factory=dict)
    consulted: set[tuple[str, str]] = field(default_factory=set)  # assignments read
    undecided: list[tuple[str, str]] = field(default_factory=list)  # met, not assigned
    _scopes: dict = field(default_factory=dict)

    def scope(self, stack: Stack, overrides: dict[str, Unknown] | None = None) -> Scope:
        key = (id(stack), tuple(sorted((k, v.reason) for k, v in (overrides or {}).items())))
        if key not in self._scopes:
            self._scopes[key] = Scope(stack, self, overrides or {})
        return self._scopes[key]

    def label(self, consulted: set[tuple[str, str]]) -> str:
        parts = []
        for prefix, name in sorted(consulted):
            shown = f"{prefix}{name}"
            parts.append(shown if self.assignment[(prefix, name)] else f"not {shown}")
        return ", ".join(parts)


class Scope:
    """Resolves values of one template instance in one world."""

    def __init__(self, stack: Stack, world: World, overrides: dict[str, Unknown]):
        self.stack = stack
        self.world = world
        self.overrides = overrides
        self._params: dict[str, tuple[Any, frozenset]] = {}
        self._conds: dict[str, tuple[bool | None, frozenset]] = {}

    # -- tracing of consulted assignments through the caches -----------------------------
    def _traced(self, cache: dict, key: str, compute) -> Any:
        if key in cache:
            value, used = cache[key]
            self.world.consulted |= used
            return value
        outer = self.world.consulted
        self.world.consulted = set()
        cache[key] = (None, frozenset())  # a cycle reads "undecided", never recurses forever
        try:
            value = compute()
        finally:
            used = frozenset(self.world.consulted)
            self.world.consulted = outer | used
        cache[key] = (value, used)
        return value

    # -- values ----------------------------------------------------------------------------
    def value(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            return Unknown("expression nested too deeply to evaluate")
        if isinstance(node, dict):
            if is_intrinsic(node):
                key, arg = next(iter(node.items()))
                return self._function(str(key), arg, depth + 1)
            out = {}
            for key, item in node.items():
                resolved = self.value(item, depth + 1)
                if resolved is not NO_VALUE:
                    out[str(key)] = resolved
            return out
        if isinstance(node, list):
            items = (self.value(item, depth + 1) for item in node)
            return [item for item in items if item is not NO_VALUE]
        return plain(node)

    def _function(self, key: str, arg: Any, depth: int) -> Any:
        if key == "Ref":
            return self.ref(arg)
        handler = _FUNCTIONS.get(key)
        if handler is None:
            if key in CONDITION_FUNCTIONS:
                decided = self.condition_value({key: arg}, depth)
                return decided if decided is not None else Unknown(f"{key} is not decided")
            return Unknown(f"{key} is not evaluated by iaccert")
        try:
            return handler(self, arg, depth)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            return Unknown(f"{key} with arguments iaccert cannot read")

    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return Unknown("Ref of a name that is not a string")
        name = str(name)
        if name in self.overrides:
            return self.overrides[name]
        if name.startswith("AWS::"):
            return self.pseudo(name)
        if name in self.stack.parameters:
            return self.parameter(name)
        resource_type = self.stack.resource_type(name)
        if resource_type is not None:
            return Computed(self.stack.prefix + name, self.stack.ref_attr(resource_type))
        return Unknown(f"Ref {name}: no parameter or resource of that name in {self.stack.where}")

    def pseudo(self, name: str) -> Any:
        stack = self.stack
        region = stack.region
        if name == "AWS::NoValue":
            return NO_VALUE
        if name == "AWS::Region":
            return region if region else Unknown(f"AWS::Region: {stack.region_why}")
        if name == "AWS::AccountId":
            return stack.account or Unknown("AWS::AccountId: the account is chosen at deploy time")
        if name in ("AWS::Partition", "AWS::URLSuffix"):
            if not region:
                return Unknown(f"{name}: {stack.region_why}")
            china = region.startswith("cn-")
            if name == "AWS::URLSuffix":
                return "amazonaws.com.cn" if china else "amazonaws.com"
            return "aws-cn" if china else "aws-us-gov" if region.startswith("us-gov-") else "aws"
        return Unknown(f"{name} is known only at deploy time")

    def parameter(self, name: str) -> Any:
        return self._traced(self._params, name, lambda: self._parameter(name))

    def _parameter(self, name: str) -> Any:
        stack = self.stack
        decl = stack.parameters.get(name)
        decl = decl if isinstance(decl, dict) else {}
        where = f"{stack.display}:{stack.parameter_line(name)}"
        kind = str(decl.get("Type", "String"))
        given = stack.given_value(name, self.world)
        if given is not None:
            value = given
        elif "Default" in decl:
            value = plain(decl["Default"])
        else:
            return Unknown(f"parameter {name} ({where}) has no value")
        if kind.startswith("AWS::SSM::Parameter::Value<") and is_known(value):
            return Unknown(f"parameter {name} ({where}) is read from SSM parameter {value!r}")
        if (kind == "CommaDelimitedList" or kind.startswith("List<")) and isinstance(value, str):
            return [part.strip() for part in value.split(",")]
        if isinstance(value, bool | int | float):
            return _text(value)
        return value

    def getatt(self, logical_id: Any, attr: Any) -> Any:
        if not isinstance(logical_id, str) or not isinstance(attr, str):
            return Unknown("Fn::GetAtt with a name that is not a string")
        logical_id, attr = str(logical_id), str(attr)
        stack = self.stack
        resource_type = stack.resource_type(logical_id)
        address = stack.prefix + logical_id
        if resource_type is None:
            return Unknown(
                f"Fn::GetAtt {logical_id}.{attr}: no resource {logical_id} in {stack.where}"
            )
        if attr.startswith("Outputs.") and logical_id in stack.nested:
            return stack.output_of(logical_id, attr[len("Outputs.") :], self.world)
        if stack.is_nested_stack(resource_type):
            why = stack.unloaded.get(logical_id, "is not in this code")
            return Unknown(
                f"output {attr.removeprefix('Outputs.')} of nested stack {logical_id}, "
                f"whose template {why}",
                frozenset({Computed(address, attr)}),
            )
        if resource_type.startswith("Custom::") or resource_type == (
            "AWS::CloudFormation::CustomResource"
        ):
            return Unknown(
                f"attribute {attr} of custom resource {logical_id} ({resource_type}), "
                "known only when its function runs at deploy time",
                frozenset({Computed(address, attr)}),
            )
        return Computed(address, attr)

    # -- conditions --------------------------------------------------------------------------
    def condition(self, name: Any) -> bool | None:
        """True or False, as the known values decide or the world assigns; None when neither
        (and then the world learns of the undecided condition)."""
        if not isinstance(name, str):
            return None
        name = str(name)
        decided = self._traced(self._conds, name, lambda: self._decide(name))
        if decided is not None:
            return decided
        key = (self.stack.prefix, name)
        if key in self.world.assignment:
            self.world.consulted.add(key)
            return self.world.assignment[key]
        if key not in self.world.undecided:
            self.world.undecided.append(key)
        return None

    def _decide(self, name: str) -> bool | None:
        expr = self.stack.conditions.get(name)
        return self.condition_value(expr, 0) if expr is not None else None

    def condition_value(self, node: Any, depth: int) -> bool | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, bool):
            return node
        if isinstance(node, str) and str(node).lower() in ("true", "false"):
            return str(node).lower() == "true"
        if not is_intrinsic(node):
            return None
        key, arg = next(iter(node.items()))
        if key == "Condition":
            return self.condition(arg)
        args = arg if isinstance(arg, list) else [arg]
        if key == "Fn::Equals" and len(args) == 2:
            left, right = (self.value(a, depth + 1) for a in args)
            if not all_known([left, right]):
                return None
            if isinstance(left, list) or isinstance(right, list):
                return left == right
            return _text(left) == _text(right)
        values = [self.condition_value(a, depth + 1) for a in args]
        if key == "Fn::Not" and len(values) == 1:
            return None if values[0] is None else not values[0]
        if key == "Fn::And":
            if False in values:
                return False
            return None if None in values else True
        if key == "Fn::Or":
            if True in values:
                return True
            return None if None in values else False
        return None

    def parameters_of_condition(self, name: str, seen: set | None = None) -> set[str]:
        """Parameters a condition reads, through the conditions it names."""
        seen = seen if seen is not None else set()
        if name in seen:
            return set()
        seen.add(name)
        out: set[str] = set()
        stack = [self.stack.conditions.get(name)]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                for key, item in node.items():
                    if key == "Ref" and isinstance(item, str) and item in self.stack.parameters:
                        out.add(str(item))
                    elif key == "Condition" and isinstance(item, str):
                        out |= self.parameters_of_condition(str(item), seen)
                    else:
                        stack.append(item)
            elif isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, str):
                out |= {v for v in _sub_names(node) if v in self.stack.parameters}
        return out


def _sub_names(text: str) -> list[str]:
    return [m.group(1).strip() for m in _SUB_VAR.finditer(text) if not m.group(1).startswith("!")]


# -- functions -------------------------------------------------------------------------------
def _args(arg: Any, count: int) -> list:
    if not isinstance(arg, list) or len(arg) < count:
        raise ValueError("wrong arguments")
    return list(arg)


def _fn_if(scope: Scope, arg: Any, depth: int) -> Any:
    name, then, other = _args(arg, 3)[:3]
    decided = scope.condition(name)
    if decided is True:
        return scope.value(then, depth)
    if decided is False:
        return scope.value(other, depth)
    branches = [scope.value(then, depth), scope.value(other, depth)]
    branches = [b for b in branches if b is not NO_VALUE]
    where = f"{scope.stack.display}:{scope.stack.condition_line(str(name))}"
    return Unknown(
        f"depends on condition {name} ({where}), which the known parameter values do not decide",
        frozenset(refs_of(branches)),
    )


def _fn_sub(scope: Scope, arg: Any, depth: int) -> Any:
    if isinstance(arg, list):
        template, variables = _args(arg, 2)[:2]
        variables = {str(k): scope.value(v, depth) for k, v in dict(variables).items()}
    else:
        template, variables = arg, {}
    if not isinstance(template, str):
        return Unknown("Fn::Sub of a template that is not a string")
    template = str(template)
    pieces: list[Any] = []
    last = 0
    for match in _SUB_VAR.finditer(template):
        pieces.append(template[last : match.start()])
        last = match.end()
        inner = match.group(1)
        if inner.startswith("!"):
            pieces.append("${" + inner[1:] + "}")
            continue
        name = inner.strip()
        if name in variables:
            pieces.append(variables[name])
        elif "." in name and not name.startswith("AWS::"):
            pieces.append(scope.getatt(*name.split(".", 1)))
        else:
            pieces.append(scope.ref(name))
    pieces.append(template[last:])
    pieces = [p for p in pieces if p != ""]
    if len(pieces) == 1 and not isinstance(pieces[0], str):
        return pieces[0]  # "${Cert}" is the value itself
    texts = [_text(p) for p in pieces]
    if all(t is not None for t in texts):
        return "".join(texts)
    return unknown_of("Fn::Sub", pieces)


def _fn_join(scope: Scope, arg: Any, depth: int) -> Any:
    delimiter, items = _args(arg, 2)[:2]
    delimiter, items = scope.value(delimiter, depth), scope.value(items, depth)
    if not isinstance(items, list):
        return items if isinstance(items, Unknown) else unknown_of("Fn::Join", [items])
    texts = [_text(i) for i in items]
    if isinstance(delimiter, str) and all(t is not None for t in texts):
        return delimiter.join(texts)
    return unknown_of("Fn::Join", [delimiter, items])


def _fn_select(scope: Scope, arg: Any, depth: int) -> Any:
    index, items = (scope.value(a, depth) for a in _args(arg, 2)[:2])
    if not isinstance(items, list):
        return items if isinstance(items, Unknown) else unknown_of("Fn::Select", [items])
    text = _text(index)
    if text is None or not text.lstrip("-").isdigit():
        return unknown_of("Fn::Select", [index])
    position = int(text)
    if not 0 <= position < len(items):
        return Unknown(f"Fn::Select index {position} is out of range")
    return items[position]


def _fn_split(scope: Scope, arg: Any, depth: int) -> Any:
    delimiter, source = (scope.value(a, depth) for a in _args(arg, 2)[:2])
    if isinstance(delimiter, str) and isinstance(source, str) and delimiter:
        return source.split(delimiter)
    return unknown_of("Fn::Split", [delimiter, source])


def _fn_find_in_map(scope: Scope, arg: Any, depth: int) -> Any:
    parts = _args(arg, 3)
    names = [scope.value(p, depth) for p in parts[:3]]
    default = None
    if len(parts) > 3 and isinstance(parts[3], dict) and "DefaultValue" in parts[3]:
        default = parts[3]["DefaultValue"]
    texts = [_text(n) for n in names]
    if any(t is None for t in texts):
        return unknown_of("Fn::FindInMap", names)
    found: Any = scope.stack.mappings
    for key in texts:
        found = found.get(key) if isinstance(found, dict) else None
        if found is None:
            break
    if found is None:
        if default is not None:
            return scope.value(default, depth)
        return Unknown(f"Fn::FindInMap: Mappings has no {'.'.join(texts)}")
    return scope.value(found, depth)


def _fn_getatt(scope: Scope, arg: Any, depth: int) -> Any:
    if isinstance(arg, str):
        logical_id, _, attr = str(arg).partition(".")
    else:
        logical_id, attr = _args(arg, 2)[:2]
        attr = scope.value(attr, depth)
        if not isinstance(attr, str):
            return unknown_of("Fn::GetAtt", [attr])
    return scope.getatt(logical_id, attr)


def _fn_import_value(scope: Scope, arg: Any, depth: int) -> Any:
    name = scope.value(arg, depth)
    if isinstance(name, str):
        return Unknown(f"Fn::ImportValue {name!r}: exported by another stack, not in this code")
    inner = unknown_of("Fn::ImportValue", [name])
    return Unknown(f"Fn::ImportValue of an export named by {inner.reason}", inner.refs)


def _fn_base64(scope: Scope, arg: Any, depth: int) -> Any:
    value = scope.value(arg, depth)
    if isinstance(value, str):
        return base64.b64encode(value.encode()).decode()
    return unknown_of("Fn::Base64", [value])


def _fn_to_json_string(scope: Scope, arg: Any, depth: int) -> Any:
    value = scope.value(arg, depth)
    if all_known(value):
        return json.dumps(value, separators=(",", ":"))
    return unknown_of("Fn::ToJsonString", [value])


def _fn_length(scope: Scope, arg: Any, depth: int) -> Any:
    value = scope.value(arg, depth)
    return len(value) if isinstance(value, list) else unknown_of("Fn::Length", [value])


def _deploy_time(name: str):
    return lambda scope, arg, depth: Unknown(f"{name} is evaluated at deploy time")


_FUNCTIONS = {
    "Fn::If": _fn_if,
    "Fn::Sub": _fn_sub,
    "Fn::Join": _fn_join,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::GetAtt": _fn_getatt,
    "Fn::ImportValue": _fn_import_value,
    "Fn::Base64": _fn_base64,
    "Fn::ToJsonString": _fn_to_json_string,
    "Fn::Length": _fn_length,
    "Fn::GetAZs": _deploy_time("Fn::GetAZs"),
    "Fn::Cidr": _deploy_time("Fn::Cidr"),
    "Fn::Transform": _deploy_time("Fn::Transform (a macro)"),
}
