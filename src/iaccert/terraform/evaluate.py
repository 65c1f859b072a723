"""Evaluate Terraform expressions the way ``terraform plan`` would, as far as the code allows.

Every value is known (plain Python data), ``Computed`` (an attribute known only
after apply, which names its resource: this is how the chain is followed), or
``Unknown`` with the reason. Nothing is ever executed and nothing is read but
the module's own files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..model import Computed, Unknown
from . import expr as E
from .config import ModuleConfig, depends_on_names
from .functions import _number, call, unknown_from
from .limits import MAX_ITEMS, MAX_STEPS, Budget, EvalError, LimitError, Limits
from .types import with_type_defaults

MAX_INSTANCES = 1000  # per resource or module block
MAX_TOTAL_INSTANCES = 10_000  # module and resource instances in one root module's tree
META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "provider"})

__all__ = ["MAX_ITEMS", "MAX_STEPS", "Evaluator", "ModuleInstance", "Scope"]


class Namespace:
    """A partial reference such as ``var``, ``data.aws_x`` or ``aws_acm_certificate``."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path


@dataclass(frozen=True)
class Instance:
    """One instance of a resource or data block."""

    address: str
    block: Any
    kind: str  # resource | data
    module: Any  # ModuleInstance
    each: dict | None = None
    count: dict | None = None


class ResourceObj:
    __slots__ = ("instance",)

    def __init__(self, instance: Instance):
        self.instance = instance


class ModuleObj:
    __slots__ = ("module",)

    def __init__(self, module: ModuleInstance):
        self.module = module


class AnyKeyed:
    """Instances whose keys the code does not decide: any index gives the one abstract instance."""

    __slots__ = ("item",)

    def __init__(self, item: Any):
        self.item = item


@dataclass(frozen=True)
class ProviderConf:
    key: str
    region: Any


def format_key(key: Any) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return "[" + json.dumps(str(key)) + "]"


class Scope:
    """The names visible at one point: a module instance plus bound iterators."""

    __slots__ = ("module", "bindings")

    def __init__(self, module: ModuleInstance, bindings: dict | None = None):
        self.module = module
        self.bindings = bindings or {}

    def bind(this, **names: Any) -> Scope:  # noqa: N805 - "self" is a bindable name
        return Scope(this.module, {**this.bindings, **names})


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise EvalError(f"expected a bool, got {value!r}")


def _to_str(value: Any) -> str:
    from .functions import _need_str

    if value is None:
        raise EvalError("null value in a string template")
    return _need_str(value)


class Evaluator:
    """Expression evaluation; one per analysed root, with a budget of steps and sizes."""

    def __init__(self, limits: Limits | None = None):
        self.budget = Budget(limits)

    @property
    def steps(self) -> int:
        return self.budget.steps

    @property
    def max_steps(self) -> int:
        return self.budget.limits.max_steps

    def eval(self, node: Any, scope: Scope) -> Any:
        """Evaluate; a Terraform error or a limit becomes an Unknown naming it."""
        try:
            return self.value(node, scope)
        except EvalError as exc:
            return Unknown(f"cannot evaluate: {exc}")
        except LimitError as exc:
            return Unknown(str(exc))
        except RecursionError:
            return Unknown("expression nested too deeply")

    def hand_over(self, value: Any, what: str) -> Any:
        """A value given to a resource, charged to the budget (an Unknown if over it)."""
        try:
            return self.budget.built(value, what)
        except LimitError as exc:
            return Unknown(str(exc))

    def value(self, node: Any, scope: Scope) -> Any:
        self.budget.step()
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise EvalError(f"cannot evaluate {type(node).__name__}")
        return method(node, scope)

    def _Lit(self, node: E.Lit, scope: Scope) -> Any:
        return node.value

    def _Unsupported(self, node: E.Unsupported, scope: Scope) -> Any:
        return Unknown(f"{node.what} is not evaluated by iaccert")

    def _Template(self, node: E.Template, scope: Scope) -> Any:
        parts = [p if isinstance(p, str) else self.value(p, scope) for p in node.parts]
        if self.budget.has_unknown(parts):
            return unknown_from(tuple(parts), "template with an unknown part", self.budget)
        texts = [_to_str(p) for p in parts]
        self.budget.string(sum(len(t) for t in texts), "a string template")
        return self.budget.built("".join(texts), "a string template")

    def _Name(self, node: E.Name, scope: Scope) -> Any:
        if node.name in scope.bindings:
            return scope.bindings[node.name]
        if node.name in ("each", "count"):
            raise EvalError(f"{node.name} used outside a {node.name} block")
        return Namespace(node.name)

    def _GetAttr(self, node: E.GetAttr, scope: Scope) -> Any:
        return self.get_attr(self.value(node.obj, scope), node.attr, scope)

    def get_attr(self, obj: Any, attr: str, scope: Scope) -> Any:
        if isinstance(obj, dict):
            if attr not in obj:
                raise EvalError(f"no attribute {attr!r}")
            return obj[attr]
        if isinstance(obj, Namespace):
            return scope.module.lookup(obj.path, attr)
        if isinstance(obj, ResourceObj):
            return obj.instance.module.resource_attr(obj.instance, attr)
        if isinstance(obj, ModuleObj):
            return obj.module.output(attr)
        if isinstance(obj, Computed):
            return unknown_from(
                obj, f"{obj.address}.{obj.attr}.{attr} is known only after apply", self.budget
            )
        if isinstance(obj, Unknown):
            return obj
        if isinstance(obj, AnyKeyed):
            raise EvalError(f"attribute {attr!r} of a resource with count or for_each")
        raise EvalError(f"no attribute {attr!r} on {type(obj).__name__}")

    def _Index(self, node: E.Index, scope: Scope) -> Any:
        obj = self.value(node.obj, scope)
        key = self.value(node.key, scope)
        return self.index(obj, key)

    def index(self, obj: Any, key: Any) -> Any:
        if isinstance(obj, AnyKeyed):
            return obj.item
        if isinstance(obj, Computed | Unknown):
            return unknown_from(obj, "index into a value known only after apply", self.budget)
        if isinstance(key, Computed | Unknown):
            return unknown_from((obj, key), "index with an unknown key", self.budget)
        if isinstance(obj, list):
            try:
                return obj[int(key)]
            except (IndexError, ValueError, TypeError):
                raise EvalError(f"index {key!r} out of range") from None
        if isinstance(obj, dict):
            skey = _to_str(key)
            if skey not in obj:
                raise EvalError(f"no key {skey!r}")
            return obj[skey]
        raise EvalError(f"cannot index {type(obj).__name__}")

    def _Splat(self, node: E.Splat, scope: Scope) -> Any:
        obj = self.value(node.obj, scope)
        if obj is None:
            return []
        if isinstance(obj, Computed | Unknown):
            return unknown_from(obj, "splat of a value known only after apply", self.budget)
        if isinstance(obj, AnyKeyed):
            item = self.value(node.rest, scope.bind(**{"@": obj.item}))
            return unknown_from(item, "splat over instances the code does not decide", self.budget)
        items = obj if isinstance(obj, list) else [obj]
        out = [self.value(node.rest, scope.bind(**{"@": item})) for item in items]
        return self.budget.built(out, "a splat expression")

    def _Call(self, node: E.Call, scope: Scope) -> Any:
        if node.name in ("try", "can"):
            return self._try(node, scope)
        args = [self.value(a, scope) for a in node.args]
        if node.expand and args:
            last = args.pop()
            if isinstance(last, Unknown | Computed):
                return unknown_from(
                    last, f"{node.name}() with expanded unknown arguments", self.budget
                )
            args.extend(last if isinstance(last, list) else list(last.values()))
        return call(node.name, args, self.budget)

    def _try(self, node: E.Call, scope: Scope) -> Any:
        for arg in node.args:
            try:
                value = self.value(arg, scope)
            except EvalError:
                continue
            return True if node.name == "can" else value
        if node.name == "can":
            return False
        raise EvalError("try: no argument could be evaluated")

    def _Cond(self, node: E.Cond, scope: Scope) -> Any:
        cond = self.value(node.cond, scope)
        if isinstance(cond, Unknown | Computed):
            true = self.eval(node.true, scope)
            false = self.eval(node.false, scope)
            if true == false:
                return true
            refs = unknown_from((cond, true, false), "", self.budget).refs
            return Unknown("chosen by a condition the code does not decide", refs)
        return self.value(node.true if _truthy(cond) else node.false, scope)

    def _BinOp(self, node: E.BinOp, scope: Scope) -> Any:
        left = self.value(node.left, scope)
        right = self.value(node.right, scope)
        if node.op == "&&" and (left is False or right is False):
            return False
        if node.op == "||" and (left is True or right is True):
            return True
        if node.op in ("==", "!=") and _known_container_and_null(left, right):
            return node.op == "!="  # an object or list is never null, whatever it holds
        if self.budget.has_unknown([left, right]):
            return unknown_from((left, right), f"{node.op} of an unknown value", self.budget)
        if node.op in _ARITHMETIC:
            return self._arithmetic(node.op, _number(left), _number(right))
        try:
            return _BINARY[node.op](left, right)
        except (TypeError, ZeroDivisionError, ValueError) as exc:
            raise EvalError(f"{node.op}: {exc}") from None

    def _arithmetic(self, op: str, left: Any, right: Any) -> Any:
        """Numbers only, as in Terraform (never Python's string or list repetition); an
        integer product is measured before it is computed."""
        if op == "*" and isinstance(left, int) and isinstance(right, int):
            self.budget.number_bits(left.bit_length() + right.bit_length(), "a product")
        try:
            result = _ARITHMETIC[op](left, right)
        except (ZeroDivisionError, OverflowError) as exc:
            raise EvalError(f"{op}: {exc}") from None
        return self.budget.number(result, "an arithmetic result")

    def _Unary(self, node: E.Unary, scope: Scope) -> Any:
        value = self.value(node.operand, scope)
        if self.budget.has_unknown(value):
            return unknown_from(value, f"{node.op} of an unknown value", self.budget)
        return (not _truthy(value)) if node.op == "!" else -_number(value)

    def _TupleExpr(self, node: E.TupleExpr, scope: Scope) -> Any:
        return self.budget.built([self.value(item, scope) for item in node.items], "a tuple")

    def _ObjectExpr(self, node: E.ObjectExpr, scope: Scope) -> Any:
        out: dict = {}
        for key_node, value_node in node.items:
            key = self.value(key_node, scope)
            value = self.value(value_node, scope)
            if isinstance(key, Unknown | Computed):
                return unknown_from((key, value), "object with an unknown key", self.budget)
            out[_to_str(key)] = value
        return self.budget.built(out, "an object")

    def _ForExpr(self, node: E.ForExpr, scope: Scope) -> Any:
        coll = self.value(node.collection, scope)
        if isinstance(coll, Unknown | Computed | AnyKeyed):
            return self._for_unknown(node, coll, scope)
        if isinstance(coll, dict):
            pairs = [(k, coll[k]) for k in sorted(coll)]
        elif isinstance(coll, list):
            pairs = list(enumerate(coll))
        else:
            raise EvalError("for expression over a value that is not a collection")
        self.budget.items(len(pairs), "a for expression")
        result_list: list = []
        result_map: dict = {}
        for key, value in pairs:
            names = {node.value_var: value}
            if node.key_var:
                names[node.key_var] = key
            inner = scope.bind(**names)
            if node.cond is not None:
                keep = self.value(node.cond, inner)
                if not isinstance(keep, Unknown | Computed) and not _truthy(keep):
                    continue
            if node.key is None:
                result_list.append(self.value(node.value, inner))
                continue
            out_key = self.value(node.key, inner)
            out_value = self.value(node.value, inner)
            if isinstance(out_key, Unknown | Computed):
                return unknown_from(
                    (out_key, out_value), "for expression with unknown keys", self.budget
                )
            out_key = _to_str(out_key)
            if node.group:
                result_map.setdefault(out_key, []).append(out_value)
            elif out_key in result_map:
                raise EvalError(f"duplicate key {out_key!r} in for expression")
            else:
                result_map[out_key] = out_value
        return self.budget.built(
            result_list if node.key is None else result_map, "a for expression"
        )

    def _for_unknown(self, node: E.ForExpr, coll: Any, scope: Scope) -> Unknown:
        """Over an unknown collection: evaluate the body once to learn what it derives from."""
        item = (
            coll.item if isinstance(coll, AnyKeyed) else unknown_from(coll, "element", self.budget)
        )
        names = {node.value_var: item}
        if node.key_var:
            names[node.key_var] = Unknown("key of an unknown collection")
        inner = scope.bind(**names)
        parts = [coll if not isinstance(coll, AnyKeyed) else None]
        parts.append(self.eval(node.value, inner))
        if node.key is not None:
            parts.append(self.eval(node.key, inner))
        return unknown_from(
            tuple(parts), "for expression over a value known only after apply", self.budget
        )


_ARITHMETIC = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: a % b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}

_BINARY = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "&&": lambda a, b: _truthy(a) and _truthy(b),
    "||": lambda a, b: _truthy(a) or _truthy(b),
}


_NOT_GIVEN = object()  # an input the caller does not set


def _known_container_and_null(left: Any, right: Any) -> bool:
    return (left is None and isinstance(right, list | dict)) or (
        right is None and isinstance(left, list | dict)
    )


class ModuleInstance:
    """One instance of a module (the root, or ``module.x["k"]``), evaluated lazily."""

    def __init__(
        self,
        root: Any,  # terraform.project.RootAnalysis
        config: ModuleConfig,
        address: str,
        call: Any = None,
        call_scope: Scope | None = None,
        providers: dict[str, ProviderConf] | None = None,
        inherited_depends: frozenset = frozenset(),
    ):
        self.root = root
        self.config = config
        self.address = address
        self.call = call
        self.call_scope = call_scope
        self.providers = providers or {}
        self.inherited_depends = inherited_depends
        self.parent: ModuleInstance | None = None
        self.key_path = ""  # module call names from the root, as .terraform/modules keys them
        # (location, input lines) of the module call in the user's code, for code they do not
        # edit (registry, git and modelled modules)
        self.call_site: tuple | None = None
        self._memo: dict = {}
        self._busy: set = set()
        self.scope = Scope(self)

    # -- memoised lookups with cycle protection -------------------------------------------
    def _memoised(self, key: tuple, compute) -> Any:
        """Compute once; an error is remembered and raised again (``try`` needs to see it)."""
        if key in self._memo:
            value = self._memo[key]
            if isinstance(value, EvalError | LimitError):
                raise value
            return value
        if key in self._busy:
            return Unknown(f"{'.'.join(str(k) for k in key)} refers to itself")
        self._busy.add(key)
        try:
            value = compute()
        except (EvalError, LimitError) as exc:
            value = exc
        except RecursionError:
            value = Unknown("references nested too deeply")
        finally:
            self._busy.discard(key)
        self._memo[key] = value
        if isinstance(value, EvalError | LimitError):
            raise value
        return value

    def prefix(self, local: str) -> str:
        return f"{self.address}.{local}" if self.address else local

    def lookup(self, namespace: str, attr: str) -> Any:
        if namespace == "var":
            return self._memoised(("var", attr), lambda: self._variable(attr))
        if namespace == "local":
            return self._memoised(("local", attr), lambda: self._local(attr))
        if namespace == "module":
            return self._memoised(("module", attr), lambda: self._module_value(attr))
        if namespace == "data":
            return Namespace(f"data.{attr}")
        if namespace == "path":
            return self.root.display_dir(self.config.directory)
        if namespace == "terraform":
            return "default" if attr == "workspace" else Unknown(f"terraform.{attr}")
        if namespace.startswith("data."):
            return self.resource_value("data", namespace[5:], attr)
        if f"{namespace}.{attr}" in self.config.resources:
            return self.resource_value("resource", namespace, attr)
        raise EvalError(f"reference to undeclared {namespace}.{attr}")

    def _variable(self, name: str) -> Any:
        block = self.config.variables.get(name)
        value = self._given(name)
        if block is None:
            if value is _NOT_GIVEN:
                raise EvalError(f"undeclared variable {name}")
            return value
        nullable = block.attrs.get("nullable")
        if value is None and nullable is not None and nullable.expr == E.Lit(False):
            value = _NOT_GIVEN  # a null input of a non-nullable variable is its default
        default = block.attrs.get("default")
        if value is _NOT_GIVEN and default is not None:
            value = self.root.ev.eval(default.expr, self.scope)
        if value is not _NOT_GIVEN:
            type_attr = block.attrs.get("type")
            if type_attr is None:
                return value
            return with_type_defaults(
                type_attr.expr, value, lambda d: self.root.ev.eval(d, self.scope)
            )
        where = f"{block.file}:{block.line}"
        if self.call is not None:
            return Unknown(f"input {name} of {self.address} is not set ({where})")
        return Unknown(f"variable var.{name} ({where}) has no default and no value given")

    def _given(self, name: str) -> Any:
        """The caller's value of an input (a module call's argument or a root variable)."""
        if self.call is not None:
            attr = self.call.attrs.get(name)
            if attr is not None:
                return self.root.ev.eval(attr.expr, self.call_scope)
        else:
            given = self.root.root_variable(name)
            if given is not None:
                return self.root.ev.eval(given, self.scope)
        return _NOT_GIVEN

    def _local(self, name: str) -> Any:
        attr = self.config.locals.get(name)
        if attr is None:
            raise EvalError(f"undeclared local.{name}")
        return self.root.ev.eval(attr.expr, self.scope)

    def _module_value(self, name: str) -> Any:
        children = self.root.children_of(self).get(name)
        if children is None:
            raise EvalError(f"undeclared module.{name}")
        kind, items = children
        if kind == "remote":
            return items
        if kind == "single":
            return ModuleObj(items)
        if kind == "list":
            return [ModuleObj(m) for m in items]
        if kind == "map":
            return {k: ModuleObj(m) for k, m in items.items()}
        return AnyKeyed(ModuleObj(items))

    def output(self, name: str) -> Any:
        return self._memoised(("output", name), lambda: self._output(name))

    def _output(self, name: str) -> Any:
        block = self.config.outputs.get(name)
        if block is None or "value" not in block.attrs:
            raise EvalError(f"module {self.address} has no output {name!r}")
        value = self.root.ev.eval(block.attrs["value"].expr, self.scope)
        after = frozenset(self.absolute(n) for n in depends_on_names(block))
        if after and isinstance(value, Computed):
            return Computed(value.address, value.attr, value.after | after)
        return value

    def absolute(self, name: str) -> str:
        return self.prefix(name)

    # -- resources ----------------------------------------------------------------------
    def resource_value(self, kind: str, type_: str, name: str) -> Any:
        """``aws_x.y`` as other expressions see it; built once per block, not per reference."""
        key = f"{type_}.{name}"
        table = self.config.data if kind == "data" else self.config.resources
        if key not in table:
            raise EvalError(f"reference to undeclared {'data.' if kind == 'data' else ''}{key}")
        return self._memoised(("value", kind, key), lambda: self._resource_value(kind, key))

    def _resource_value(self, kind: str, key: str) -> Any:
        mode, instances = self.instances(kind, key)
        objs = [ResourceObj(i) for i in instances]
        if mode == "single":
            return objs[0]
        if mode == "count":
            return objs
        if mode == "for_each":
            return {i.each["key"]: o for i, o in zip(instances, objs, strict=True)}
        return AnyKeyed(objs[0])

    def instances(self, kind: str, key: str) -> tuple[str, list[Instance]]:
        return self._memoised(("instances", kind, key), lambda: self._expand(kind, key))

    def _expand(self, kind: str, key: str) -> tuple[str, list[Instance]]:
        block = (self.config.data if kind == "data" else self.config.resources)[key]
        base = self.prefix(("data." if kind == "data" else "") + key)
        mode, keys = self.root.expansion(block, self.scope)
        if mode == "single":
            return mode, [Instance(base, block, kind, self)]
        if mode == "count":
            return mode, [
                Instance(f"{base}[{i}]", block, kind, self, count={"index": i}) for i in keys
            ]
        if mode == "for_each":
            return mode, [
                Instance(f"{base}{format_key(k)}", block, kind, self, each={"key": k, "value": v})
                for k, v in keys
            ]
        each_value = keys  # the unknown for_each / count value
        return mode, [
            Instance(
                base,
                block,
                kind,
                self,
                each={"key": Unknown("instance key decided at apply"), "value": each_value},
                count={"index": Unknown("count decided at apply")},
            )
        ]

    def instance_scope(self, instance: Instance) -> Scope:
        names: dict = {"self": ResourceObj(instance)}
        if instance.each is not None:
            names["each"] = instance.each
        if instance.count is not None:
            names["count"] = instance.count
        return self.scope.bind(**names)

    def resource_attr(self, instance: Instance, attr: str) -> Any:
        """An attribute as other resources read it: configured and known, or Computed."""
        return self._memoised(
            ("attr", instance.address, attr), lambda: self._resource_attr(instance, attr)
        )

    def _resource_attr(self, instance: Instance, attr: str) -> Any:
        block = instance.block
        remote_state = instance.kind == "data" and block.labels[0] == "terraform_remote_state"
        if remote_state and attr == "outputs":
            return self.root.remote_state_outputs(instance)
        if attr in block.attrs and attr not in ("count", "for_each", "provider", "depends_on"):
            with self.root.ev.budget.at(block.file, block.attrs[attr].line):
                value = self.root.ev.eval(block.attrs[attr].expr, self.instance_scope(instance))
            if self.root.ev.budget.has_unknown(value):
                return Computed(instance.address, attr)
            return value
        nested = block.children(attr)
        if nested:
            return [self.block_value(b, self.instance_scope(instance)) for b in nested]
        return Computed(instance.address, attr)

    def block_value(self, block: Any, scope: Scope) -> dict:
        """A block's attributes and nested blocks, evaluated (nested blocks become lists).

        Meta-arguments are not values of the resource: ``count``/``for_each`` were evaluated
        once for the whole block by its expansion, and evaluating them again per instance made
        a ``for_each`` over N certificates cost N² steps.
        """
        out: dict = {}
        for name, attr in block.attrs.items():
            if name in META_ARGUMENTS:
                continue
            with self.root.ev.budget.at(block.file, attr.line):
                value = self.root.ev.eval(attr.expr, scope)
                out[name] = self.root.ev.hand_over(value, name)
        for child in block.blocks:
            if child.type == "dynamic" and child.labels:
                out.setdefault(child.labels[0], []).extend(self._dynamic(child, scope))
                continue
            out.setdefault(child.type, []).append(self.block_value(child, scope))
        return out

    def _dynamic(self, block: Any, scope: Scope) -> list[dict]:
        """``dynamic "x" { for_each = …; content { … } }``: one block per element, none for an
        empty collection, one with an unknown iterator when the collection is unknown."""
        content = block.children("content")
        if not content:
            return []
        name_attr = block.attrs.get("iterator")
        name = block.labels[0]
        if name_attr is not None and isinstance(name_attr.expr, E.Name):
            name = name_attr.expr.name
        each = (
            self.root.ev.eval(block.attrs["for_each"].expr, scope)
            if "for_each" in block.attrs
            else []
        )
        if isinstance(each, dict):
            items = [{"key": k, "value": each[k]} for k in sorted(each)]
        elif isinstance(each, list):
            items = [{"key": i, "value": v} for i, v in enumerate(each)]
        else:
            items = [
                {
                    "key": Unknown("dynamic block key"),
                    "value": unknown_from(each, "dynamic"),
                }
            ]
        budget = self.root.ev.budget
        if len(items) > budget.limits.max_items:
            budget.fail(
                "max-items",
                f"dynamic {block.labels[0]!r} block has {len(items):,} elements; "
                f"the first {budget.limits.max_items:,} are checked",
            )
        return [
            self.block_value(content[0], scope.bind(**{name: item}))
            for item in items[: budget.limits.max_items]
        ]

    def provider_for(self, block: Any) -> tuple[str, ProviderConf]:
        attr = block.attrs.get("provider")
        name = block.labels[0].split("_", 1)[0]
        if attr is not None:
            root = E.traversal_root(attr.expr)
            if root:
                name = ".".join(root[:2])
        conf = self.providers.get(name)
        if conf is None:
            where = self.address or "the root module"
            conf = ProviderConf(
                f"{self.address}:{name}",
                Unknown(f"provider {name} of {where} is configured by its caller"),
            )
        return name, conf
