"""Terraform plan JSON (``terraform show -json``) as a front end.

A plan has Terraform's own answers: modules expanded, counts and variables resolved.
Values come from ``planned_values``; what is known only after apply is rebuilt from
``configuration`` references (module-relative) as Computed values, so the chain is
followed exactly as for source code.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..model import Computed, Location, Region, Resource, Unknown
from ..safe_read import PLAN_LIMIT, Refused, Roots, bound, read_bytes, read_head

_SEGMENT = re.compile(r'\.?([^.\[]+)(\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\])?')
NO_REFERENCE = object()  # a reference that names no value (each, count, path, a bare module)
LIFECYCLE_UNKNOWN = Unknown("plan JSON does not record lifecycle; scan the sources with --plan")


class PlanError(ValueError):
    """Not a readable plan file."""


def decode_plan_bytes(data: bytes) -> str:
    """Plan files as shells write them: UTF-8 (with or without BOM) or UTF-16 (PowerShell)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if len(data) > 1 and data[1:2] == b"\x00" and data[0:1] != b"\x00":
        return data.decode("utf-16-le")
    if len(data) > 1 and data[0:1] == b"\x00":
        return data.decode("utf-16-be")
    return data.decode("utf-8-sig")


def looks_like_plan(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and "format_version" in data
        and ("planned_values" in data or "configuration" in data)
    )


def is_plan_file(path: Path, roots: Roots | None = None) -> bool:
    """A JSON file whose content is a plan (checked cheaply before a full parse)."""
    if not path.is_file() or not path.name.endswith(".json") or path.name.endswith(".tf.json"):
        return False
    try:
        head = decode_plan_bytes(read_head(path, roots, 4096))
    except (OSError, UnicodeDecodeError):
        return False
    return '"format_version"' in head and (
        '"terraform_version"' in head or "planned_values" in head
    )


def read_plan(path: Path, roots: Roots | None = None) -> tuple[dict, str]:
    try:
        text = decode_plan_bytes(read_bytes(path, roots, PLAN_LIMIT))
        data = json.loads(text)
    except Refused as exc:
        raise PlanError(f"not read: {exc.reason}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PlanError(f"cannot read plan: {bound(str(exc))}") from None
    except RecursionError:
        raise PlanError("cannot read plan: nested too deeply") from None
    if not looks_like_plan(data):
        raise PlanError("not a Terraform plan (no format_version with planned_values)")
    return data, text


def split_address(address: str) -> tuple[str, str]:
    """``module.a["k"].aws_x.y[0]`` -> (``module.a["k"]``, ``aws_x.y[0]``)."""
    parts = [m.group(0).lstrip(".") for m in _SEGMENT.finditer(address)]
    module: list[str] = []
    i = 0
    while i + 1 < len(parts) and parts[i] == "module":
        module.append(f"module.{parts[i + 1]}")
        i += 2
    return ".".join(module), ".".join(parts[i:])


def strip_keys(address: str) -> str:
    """Configuration address: ``module.a["k"].aws_x.y[0]`` -> ``module.a.aws_x.y``."""
    return re.sub(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]', "", address)


class PlanReader:
    """Model Resources from one plan; ``locate`` maps a configuration address to source lines."""

    def __init__(
        self,
        plan: dict,
        shown_file: str,
        text: str,
        locate: Callable[[str], Resource | None] | None = None,
    ):
        self.plan = plan
        self.file = shown_file
        self.text = text
        self.locate = locate or (lambda address: None)
        self.instances: dict[str, dict] = {}
        self._collect(plan.get("planned_values", {}).get("root_module", {}))
        prior = plan.get("prior_state", {}).get("values", {}).get("root_module", {})
        self._collect(prior, only_data=True)
        self.unknown_after = {
            rc.get("address"): (rc.get("change") or {}).get("after_unknown") or {}
            for rc in plan.get("resource_changes", [])
        }
        self.config = plan.get("configuration", {})

    def _collect(self, module: dict, only_data: bool = False) -> None:
        for res in module.get("resources", []):
            if only_data and res.get("mode") != "data":
                continue
            self.instances.setdefault(res["address"], res)
        for child in module.get("child_modules", []):
            self._collect(child, only_data)

    # -- configuration lookups -------------------------------------------------------------
    def _config_module(self, module_prefix: str) -> dict:
        node = self.config.get("root_module", {})
        for name in re.findall(r"module\.([^.\[]+)", strip_keys(module_prefix)):
            node = node.get("module_calls", {}).get(name, {}).get("module", {})
        return node

    def _config_resource(self, address: str) -> dict:
        module, local = split_address(address)
        wanted = strip_keys(local)
        for res in self._config_module(module).get("resources", []):
            if res.get("address") == wanted:
                return res
        return {}

    def _instances_of(self, module_prefix: str, local: str) -> list[str]:
        base = f"{module_prefix}.{local}" if module_prefix else local
        if base in self.instances:
            return [base]
        return [a for a in self.instances if a.startswith(base + "[")]

    # -- reference resolution --------------------------------------------------------------
    def resolve(self, expression: dict, module_prefix: str, depth: int = 0) -> Any:
        """The value of a configuration expression, in one module instance."""
        if "constant_value" in expression:
            return expression["constant_value"]
        refs = expression.get("references") or []
        refs = [r for r in refs if not any(o != r and o.startswith(r) for o in refs)]
        values = [self._reference(r, module_prefix, depth) for r in refs]
        values = [v for v in values if v is not NO_REFERENCE]
        if len(values) == 1:
            return values[0]
        if not values:
            return Unknown("the plan records no value for this expression")
        # try(a, b), a ? b : c, coalesce(...): the plan does not say which reference won; the
        # first one whose instance the plan has is what `try` picks and what an ARN can be
        # (conditions and flags are plain values, absent instances are unknown).
        computed = [v for v in values if isinstance(v, Computed)]
        if computed:
            return computed[0]
        return Unknown("derived from several values in the plan", frozenset())

    def _reference(self, ref: str, module_prefix: str, depth: int) -> Any:
        if depth > 30:
            return Unknown("references nested too deeply")
        parts = ref.split(".")
        head = parts[0]
        if head == "var" and len(parts) > 1:
            return self._variable(parts[1], module_prefix, depth)
        if head == "module" and len(parts) > 2:
            return self._output(parts[1], parts[2], module_prefix, depth)
        if head == "local":
            return Unknown(
                f"{ref}: plan JSON records no locals", self._validation_sources(module_prefix)
            )
        if head in ("each", "count", "path", "self", "terraform", "module"):
            return NO_REFERENCE
        if head == "data" and len(parts) > 3:
            local, attr = ".".join(parts[:3]), parts[3]
        elif len(parts) > 2:
            local, attr = ".".join(parts[:2]), parts[2]
        else:
            return NO_REFERENCE
        key = re.search(r"\[[^\]]*\]$", local)
        instances = self._instances_of(module_prefix, strip_keys(local))
        if key:
            wanted = f"{module_prefix}.{local}" if module_prefix else local
            instances = [a for a in instances if a == wanted] or instances
        if not instances:
            return Unknown(f"{ref} is not in the plan")
        return Computed(instances[0], strip_keys(attr))

    def _validation_sources(self, module_prefix: str) -> frozenset:
        """What a local of this module may carry: plan JSON has no locals, but its
        ``relevant_attributes`` say which certificates' validation options something reads,
        so validation records built through a local are still recognised as such."""
        out = set()
        for item in self.plan.get("relevant_attributes", []):
            address, path = item.get("resource", ""), item.get("attribute") or []
            if (
                path[:1] == ["domain_validation_options"]
                and split_address(address)[0] == module_prefix
            ):
                out.add(Computed(address, "domain_validation_options"))
        return frozenset(out)

    def _variable(self, name: str, module_prefix: str, depth: int) -> Any:
        if not module_prefix:
            variable = self.plan.get("variables", {}).get(name)
            if variable is None:
                return Unknown(f"variable var.{name} has no value in the plan")
            return variable.get("value")
        parent, call = (
            module_prefix.rsplit(".module.", 1)
            if ".module." in module_prefix
            else (
                "",
                module_prefix.removeprefix("module."),
            )
        )
        call = self._config_module(parent).get("module_calls", {}).get(strip_keys(call), {})
        expression = call.get("expressions", {}).get(name)
        if expression is None:  # not passed: the module's default (null when it has none)
            variable = call.get("module", {}).get("variables", {}).get(name, {})
            return variable.get("default")
        return self.resolve(expression, parent, depth + 1)

    def _output(self, call: str, output: str, module_prefix: str, depth: int) -> Any:
        child_config = self._config_module(module_prefix).get("module_calls", {}).get(call, {})
        spec = child_config.get("module", {}).get("outputs", {}).get(output)
        if spec is None:
            return Unknown(f"module.{call} has no output {output} in the plan")
        base = f"{module_prefix}.module.{call}" if module_prefix else f"module.{call}"
        prefixes = sorted(
            {
                split_address(a)[0]
                for a in self.instances
                if a == base or a.startswith((base + ".", base + "["))
            }
        )
        child = next((p for p in prefixes if strip_keys(p) == strip_keys(base)), base)
        value = self.resolve(spec.get("expression", {}), child, depth + 1)
        after = frozenset(f"{child}.{d}" for d in spec.get("depends_on", []))
        if after and isinstance(value, Computed):
            return Computed(value.address, value.attr, value.after | after)
        return value

    # -- resources -------------------------------------------------------------------------
    def _merge(self, values: Any, expressions: Any, unknown: Any, prefix: str) -> Any:
        """Planned values, with Computed/Unknown where the value is known only after apply."""
        if isinstance(expressions, list):
            values = values if isinstance(values, list) else []
            unknown = unknown if isinstance(unknown, list) else []
            return [
                self._merge(
                    values[i] if i < len(values) else {},
                    e,
                    unknown[i] if i < len(unknown) else {},
                    prefix,
                )
                for i, e in enumerate(expressions)
            ]
        out = dict(values) if isinstance(values, dict) else {}
        for name, expression in (expressions or {}).items():
            sub_unknown = unknown.get(name) if isinstance(unknown, dict) else None
            if isinstance(expression, list):
                out[name] = self._merge(out.get(name), expression, sub_unknown, prefix)
            elif sub_unknown is True and isinstance(expression, dict):
                # known only after apply: rebuild where it comes from; any other value the plan
                # has is Terraform's own (absent means null)
                out[name] = self.resolve(expression, prefix)
            else:
                out.setdefault(name, None)
        return out

    def _region(self, key: str | None) -> Region:
        providers = self.config.get("provider_config", {})
        conf = providers.get(key or "aws") or providers.get((key or "aws").split(":")[-1])
        if conf is None:
            return Region(key or "aws", None, f"provider {key} is not in the plan")
        value = self.resolve(conf.get("expressions", {}).get("region", {}), "")
        if isinstance(value, str):
            return Region(key or "aws", value)
        reason = getattr(value, "reason", "the provider sets no region")
        return Region(key or "aws", None, reason)

    def _location(self, address: str) -> tuple[Location, dict[str, int], Resource | None]:
        source = self.locate(strip_keys(address))
        if source is not None:
            return source.location, dict(source.attr_lines), source
        index = self.text.find(json.dumps(address))
        line = self.text.count("\n", 0, index) + 1 if index >= 0 else 1
        return Location(self.file, line, line), {}, None

    def resources(self) -> list[Resource]:
        out = []
        for address, planned in self.instances.items():
            module_prefix, _ = split_address(address)
            config = self._config_resource(address)
            attrs = self._merge(
                planned.get("values") or {},
                config.get("expressions", {}),
                self.unknown_after.get(address, {}),
                module_prefix,
            )
            for meta in ("for_each", "count"):
                expression = config.get(f"{meta}_expression")
                if expression:
                    attrs[meta] = self.resolve(expression, module_prefix)
            location, lines, source = self._location(address)
            if source is not None:
                # plan JSON has no locals and no lifecycle: the sources' evaluation fills in
                # what the plan leaves unknown (and carries the references through locals)
                for name, value in source.attrs.items():
                    if name not in attrs or isinstance(attrs[name], Unknown):
                        attrs[name] = value
            if "lifecycle" not in attrs and planned.get("mode") == "managed":
                attrs["lifecycle"] = [{"create_before_destroy": LIFECYCLE_UNKNOWN}]
            depends = {
                f"{module_prefix}.{d}" if module_prefix else d for d in config.get("depends_on", [])
            }
            out.append(
                Resource(
                    address=address,
                    type=planned.get("type", ""),
                    location=location,
                    attrs=attrs,
                    attr_lines=lines,
                    region=self._region(config.get("provider_config_key")),
                    depends_on=depends | self._module_depends(module_prefix),
                    kind="data" if planned.get("mode") == "data" else "resource",
                    module=module_prefix,
                    root=self.file,
                )
            )
        return out

    def _module_depends(self, module_prefix: str) -> set[str]:
        """A module call's depends_on applies to everything inside it."""
        out: set[str] = set()
        node = self.config.get("root_module", {})
        built = ""
        for name in re.findall(r"module\.([^.\[]+)", strip_keys(module_prefix)):
            call = node.get("module_calls", {}).get(name, {})
            out |= {f"{built}.{d}" if built else d for d in call.get("depends_on", [])}
            built = f"{built}.module.{name}" if built else f"module.{name}"
            node = call.get("module", {})
        return out


def load_plan(
    path: Path,
    shown: str,
    locate: Callable[[str], Resource | None] | None = None,
    roots: Roots | None = None,
):
    """A plan file as a Project (a file that is not a readable plan is a parse problem)."""
    from ..model import ParseProblem, Project

    project = Project()
    project.files.add(shown)
    try:
        plan, text = read_plan(path, roots)
    except PlanError as exc:
        project.problems.append(ParseProblem(shown, 1, 1, str(exc)))
        return project
    project.resources = PlanReader(plan, shown, text, locate).resources()
    return project
