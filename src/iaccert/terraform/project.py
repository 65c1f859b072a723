"""Analyse Terraform root modules: expand module calls and instances, resolve providers,
and hand every resource instance to the chain builder as a model Resource."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cache import ParseCache
from ..model import Location, ParseProblem, Region, Resource, Unknown, refs_of
from ..roles import roles
from .config import (
    ModuleConfig,
    depends_on_names,
    load_model_config,
    load_module,
    load_tfvars,
    module_source,
)
from .evaluate import (
    MAX_INSTANCES,
    MAX_TOTAL_INSTANCES,
    Evaluator,
    ModuleInstance,
    ProviderConf,
    Scope,
    format_key,
)
from .expr import Lit, traversal_root
from .functions import unknown_from
from .hcl import ParseError
from .known_modules import ModuleModel, find_model
from .limits import (
    MAX_ITEMS,
    MAX_NUMBER_BITS,
    MAX_STEPS,
    MAX_STRING_LENGTH,
    MAX_TOTAL_SIZE,
    MAX_VALUE_SIZE,
    Limits,
)
from .templates import parse_expression


def _nested_lines(block: Any, prefix: str = "", depth: int = 0) -> dict[str, int]:
    """Lines of attributes inside nested blocks, by path (``viewer_certificate[0].x``), so
    that a finding can point at the nested argument where the fix goes."""
    out: dict[str, int] = {}
    if depth > 6:
        return out
    seen: dict[str, int] = {}
    for child in block.blocks:
        index = seen.get(child.type, 0)
        seen[child.type] = index + 1
        at = f"{prefix}{child.type}[{index}]"
        out[at] = child.line
        for name, attr in child.attrs.items():
            out[f"{at}.{name}"] = attr.line
        out.update(_nested_lines(child, at + ".", depth + 1))
    return out


@dataclass
class TfOptions:
    """Values the user gives for root variables, in Terraform's precedence order."""

    var_files: list[Path] = field(default_factory=list)
    # variables files for one root only (a changed ``envs/prod/prod.tfvars`` given as a path)
    root_var_files: dict[Path, list[Path]] = field(default_factory=dict)
    variables: list[tuple[str, str]] = field(default_factory=list)
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    prefilter: bool = True  # parse only module groups that can hold a domain
    # Limits (see README "Bounded work"); each one hit is an IAC001 naming it.
    max_instances: int = MAX_INSTANCES  # per resource or module block
    max_total_instances: int = MAX_TOTAL_INSTANCES  # modules and resources in one root's tree
    max_steps: int = MAX_STEPS  # expression evaluations per root module
    max_items: int = MAX_ITEMS  # elements of one list or map built
    max_string_length: int = MAX_STRING_LENGTH  # characters of one string built
    max_value_size: int = MAX_VALUE_SIZE  # characters and elements of one value
    max_total_size: int = MAX_TOTAL_SIZE  # characters and elements built per root module
    max_number_bits: int = MAX_NUMBER_BITS  # bits of one integer

    def limits(self) -> Limits:
        return Limits(
            max_steps=self.max_steps,
            max_items=self.max_items,
            max_string_length=self.max_string_length,
            max_value_size=self.max_value_size,
            max_total_size=self.max_total_size,
            max_number_bits=self.max_number_bits,
        )

    cache_dir: Path | None = None  # the parse cache (None: no cache)


class ConfigLoader:
    """Reads each module directory once, however many roots call it."""

    def __init__(self, display, cache: ParseCache | None = None):
        self.display = display
        self.cache = cache
        self._configs: dict[Path, ModuleConfig] = {}

    def load(self, directory: Path) -> ModuleConfig:
        directory = directory.resolve()
        if directory not in self._configs:
            self._configs[directory] = load_module(directory, self.display, self.cache)
        return self._configs[directory]

    def load_model(self, model: ModuleModel) -> ModuleConfig:
        key = Path(f"<model {model.key}>")
        if key not in self._configs:
            self._configs[key] = load_model_config(model.key, model.hcl, model.defaults)
        return self._configs[key]

    def problems(self) -> list[ParseProblem]:
        return [p for c in self._configs.values() for p in c.problems]

    def files(self) -> set[str]:
        return {f for c in self._configs.values() for f in c.files}


def _repository_root(directory: Path) -> Path:
    """The enclosing git work tree, or the directory itself: files beyond it are never read."""
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return directory


def _cli_value(text: str) -> Any:
    """``-var name=value``: HCL for lists and maps, a plain string otherwise (as Terraform)."""
    if text.strip().startswith(("[", "{")):
        try:
            return parse_expression(text)
        except (ParseError, ValueError):
            pass
    return Lit(text)


class RootAnalysis:
    """One root module and every module instance below it."""

    def __init__(self, directory: Path, loader: ConfigLoader, options: TfOptions):
        self.directory = directory.resolve()
        self.loader = loader
        self.options = options
        self.ev = Evaluator(options.limits())
        self.instance_count = 0  # module and resource instances made in this tree
        self.problems: list[ParseProblem] = []
        self._given = self._root_values()
        self._children: dict[int, dict] = {}
        self._downloaded = self._modules_json()
        config = loader.load(self.directory)
        self.root = ModuleInstance(self, config, "")
        self.root.providers = self._own_providers(self.root, {})

    # -- root variable values ------------------------------------------------------------
    def _root_values(self) -> dict[str, Any]:
        given: dict[str, Any] = {}
        for key, value in self.options.environ.items():
            if key.startswith("TF_VAR_"):
                given[key[7:]] = _cli_value(value)
        files = [self.directory / "terraform.tfvars", self.directory / "terraform.tfvars.json"]
        files += sorted(
            p
            for p in self.directory.glob("*.auto.tfvars*")
            if p.name.endswith((".tfvars", ".json"))
        )
        files += list(self.options.var_files)
        files += self.options.root_var_files.get(self.directory.resolve(), [])
        for path in files:
            if not path.is_file():
                continue
            try:
                given.update({k: a.expr for k, a in load_tfvars(path).items()})
            except (ParseError, OSError) as exc:
                line = getattr(exc, "line", 1)
                shown = self.loader.display(path)
                self.problems.append(ParseProblem(shown, line, 1, str(exc)))
        for name, value in self.options.variables:
            given[name] = _cli_value(value)
        return given

    def root_variable(self, name: str) -> Any:
        return self._given.get(name)

    def display_dir(self, path: Path) -> str:
        return self.loader.display(path)

    def _modules_json(self) -> dict[str, Path]:
        """``terraform init``'s record of downloaded modules: key path -> directory."""
        path = self.directory / ".terraform" / "modules" / "modules.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            return {}
        out = {}
        for entry in data.get("Modules", []) if isinstance(data, dict) else []:
            if isinstance(entry, dict) and entry.get("Key") and entry.get("Dir"):
                out[entry["Key"]] = (self.directory / entry["Dir"]).resolve()
        return out

    def remote_state_outputs(self, instance: Any) -> Any:
        """Outputs of a ``terraform_remote_state``: only a local state file in the repo is read."""
        scope = instance.module.instance_scope(instance)
        attrs = instance.module.block_value(instance.block, scope)
        backend = attrs.get("backend")
        config = attrs.get("config") if isinstance(attrs.get("config"), dict) else {}
        where = f"{instance.address} (backend {backend!r})"
        if backend != "local":
            return Unknown(f"comes from remote state {where}, which iaccert does not read")
        relative = config.get("path", "terraform.tfstate")
        if not isinstance(relative, str):
            return Unknown(f"comes from remote state {where} whose path is not known")
        path = (instance.module.config.directory / relative).resolve()
        if not path.is_relative_to(_repository_root(self.directory)):
            return Unknown(f"comes from remote state {where} outside the repository")
        try:
            state = json.loads(path.read_text(encoding="utf-8-sig"))
            return {k: v.get("value") for k, v in state.get("outputs", {}).items()}
        except (OSError, ValueError, AttributeError):
            return Unknown(f"comes from remote state {where}; {relative} cannot be read")

    # -- expansion -----------------------------------------------------------------------
    def expansion(self, block: Any, scope: Scope) -> tuple[str, Any]:
        """How many instances a block has: single, count (indexes), for_each (pairs), unknown.

        A domain or module call that the values in the code switch off (count 0, empty
        for_each) is still checked as one latent instance: a feature flag must not hide a
        broken chain. Other resources switched off are absent, as Terraform has them.
        """
        latent = block.type == "module" or (
            block.type == "resource" and block.labels[0] in roles().consumers
        )
        if "count" in block.attrs:
            with self.ev.budget.at(block.file, block.attrs["count"].line):
                count = self.ev.eval(block.attrs["count"].expr, scope)
            if isinstance(count, bool) or not isinstance(count, int | float):
                return "count", [0]
            if count < 1:
                return "count", [0] if latent else []
            count = int(min(count, 2**62)) if count == count else 0  # inf, nan
            return "count", list(range(self._capped(block, count)))
        if "for_each" in block.attrs:
            with self.ev.budget.at(block.file, block.attrs["for_each"].line):
                value = self.ev.eval(block.attrs["for_each"].expr, scope)
            if isinstance(value, dict) and value:
                pairs = [(k, value[k]) for k in sorted(value)]
                return "for_each", pairs[: self._capped(block, len(pairs))]
            if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                pairs = [(v, v) for v in sorted(set(value))]
                return "for_each", pairs[: self._capped(block, len(pairs))]
            if value in ({}, []):
                if not latent:
                    return "for_each", []
                return "unknown", Unknown("for_each is empty with the values in this code")
            return "unknown", unknown_from(value, "for_each decided at apply")
        self.instance_count += 1  # counted, never refused: the tree's shape is the source's
        return "single", None

    def _capped(self, block: Any, count: int) -> int:
        """Instances to check: at most ``max_instances`` of one block, and what is left of
        ``max_total_instances`` for the whole tree; hitting a limit is reported."""
        limit = self.options.max_instances
        what = ".".join(block.labels) or block.type
        if count > limit:
            self._limit(
                block,
                f"limit max-instances reached: {what} has {count} instances; "
                f"the first {limit} are checked",
            )
        count = min(count, limit)
        left = max(0, self.options.max_total_instances - self.instance_count)
        if count > left:
            self._limit(
                block,
                f"limit max-total-instances reached: this root's modules and resources have "
                f"more than {self.options.max_total_instances} instances; {left} of the "
                f"{count} of {what} are checked",
            )
            count = left
        self.instance_count += count
        return count

    def _limit(self, block: Any, message: str) -> None:
        self.problems.append(ParseProblem(block.file, block.line, 1, message, rule="IAC001"))

    # -- module tree ---------------------------------------------------------------------
    def children_of(self, inst: ModuleInstance) -> dict:
        if id(inst) not in self._children:
            self._children[id(inst)] = {}
            self._children[id(inst)] = {
                name: self._child(inst, name, block) for name, block in inst.config.modules.items()
            }
        return self._children[id(inst)]

    def _child_dir(
        self, inst: ModuleInstance, name: str, block: Any
    ) -> Path | ModuleModel | Unknown:
        """Where a module call's code is: local, downloaded by terraform init, or a known model."""
        source = module_source(block)
        key_path = f"{inst.key_path}.{name}" if inst.key_path else name
        if source is None:
            return Unknown(f"module.{name} has no literal source")
        if source.startswith(("./", "../")) and not str(inst.config.directory).startswith("<"):
            path = (inst.config.directory / source).resolve()
        elif key_path in self._downloaded:
            path = self._downloaded[key_path]
        else:
            version = block.attrs.get("version")
            constraint = version.expr.value if version and isinstance(version.expr, Lit) else None
            model = find_model(source, constraint)
            if model is not None:
                return model
            return Unknown(
                f"module.{name} comes from {source}, which is not downloaded (run terraform init)"
            )
        if not path.is_dir():
            return Unknown(f"module.{name}: source {source} is not a directory")
        ancestor = inst
        while ancestor is not None:
            if ancestor.config.directory == path:
                return Unknown(f"module.{name} calls itself (source {source})")
            ancestor = ancestor.parent
        return path

    def _child(self, inst: ModuleInstance, name: str, block: Any) -> tuple[str, Any]:
        where = self._child_dir(inst, name, block)
        if isinstance(where, Unknown):
            return "remote", where
        if isinstance(where, ModuleModel):
            config = self.loader.load_model(where)
        else:
            config = self.loader.load(where)
        local = (module_source(block) or "").startswith(("./", "../"))
        call_site = inst.call_site
        if call_site is None and not local:
            # Code the user does not edit: findings inside it point at the module call.
            call_site = (
                Location(block.file, block.line, block.end_line),
                {k: a.line for k, a in block.attrs.items()},
            )
        mode, keys = self.expansion(block, inst.scope)
        base = inst.prefix(f"module.{name}")
        depends = inst.inherited_depends | {inst.prefix(n) for n in depends_on_names(block)}

        def make(address: str, names: dict) -> ModuleInstance:
            child = ModuleInstance(
                self, config, address, block, inst.scope.bind(**names), None, frozenset(depends)
            )
            child.parent = inst
            child.call_site = call_site
            child.key_path = f"{inst.key_path}.{name}" if inst.key_path else name
            child.providers = self._own_providers(child, self._passed_providers(inst, block))
            return child

        if mode == "single":
            return "single", make(base, {})
        if mode == "count":
            return "list", [make(f"{base}[{i}]", {"count": {"index": i}}) for i in keys]
        if mode == "for_each":
            return "map", {
                k: make(f"{base}{format_key(k)}", {"each": {"key": k, "value": v}}) for k, v in keys
            }
        each = {"key": Unknown("module instance key decided at apply"), "value": keys}
        return "unknown", make(base, {"each": each, "count": {"index": 0}})

    def _passed_providers(self, inst: ModuleInstance, block: Any) -> dict[str, ProviderConf]:
        """Default providers pass down implicitly; a ``providers`` map replaces that."""
        attr = block.attrs.get("providers")
        if attr is None:
            return {k: v for k, v in inst.providers.items() if "." not in k}
        passed = {}
        for key_expr, value_expr in getattr(attr.expr, "items", ()):
            key = key_expr.value if isinstance(key_expr, Lit) else traversal_root(key_expr)
            value = traversal_root(value_expr)
            if not key or not value:
                continue
            key = key if isinstance(key, str) else ".".join(key[:2])
            value_name = ".".join(value[:2])
            if value_name in inst.providers:
                passed[key] = inst.providers[value_name]
        return passed

    def _own_providers(self, inst: ModuleInstance, passed: dict) -> dict[str, ProviderConf]:
        providers = dict(passed)
        for block in inst.config.providers:
            alias = block.attrs.get("alias")
            alias_name = self.ev.eval(alias.expr, inst.scope) if alias else None
            name = block.labels[0] + (f".{alias_name}" if isinstance(alias_name, str) else "")
            region_attr = block.attrs.get("region")
            if region_attr is None:
                region: Any = Unknown(
                    f"provider {name} sets no region (taken from the environment)"
                )
            else:
                region = self.ev.eval(region_attr.expr, inst.scope)
            providers[name] = ProviderConf(f"{inst.prefix('provider')}.{name}", region)
        if inst.address == "" and "aws" not in providers:
            providers["aws"] = ProviderConf(
                "provider.aws",
                Unknown('no provider "aws" block: the region comes from the environment'),
            )
        return providers

    def _depends_on(self, inst: ModuleInstance, block: Any, instance: Any) -> set[str]:
        """Absolute addresses a block waits for; a value in depends_on waits for what it carries."""
        out = set()
        attr = block.attrs.get("depends_on")
        for item in getattr(attr.expr, "items", ()) if attr else ():
            root = traversal_root(item)
            if root and root[0] not in ("var", "local") and len(root) >= 2:
                out.add(inst.prefix(".".join(root[:3] if root[0] == "data" else root[:2])))
                continue
            value = self.ev.eval(item, inst.instance_scope(instance))
            for ref in refs_of(value):
                out.add(ref.address)
                out |= set(ref.after)
        return out

    def module_instances(self) -> list[ModuleInstance]:
        out, stack = [], [self.root]
        while stack:
            inst = stack.pop()
            out.append(inst)
            for kind, items in self.children_of(inst).values():
                if kind in ("single", "unknown"):
                    stack.append(items)
                elif kind == "list":
                    stack.extend(items)
                elif kind == "map":
                    stack.extend(items.values())
        return out

    # -- output --------------------------------------------------------------------------
    def resources(self) -> list[Resource]:
        out: list[Resource] = []
        for inst in self.module_instances():
            for kind, table in (("resource", inst.config.resources), ("data", inst.config.data)):
                for key in table:
                    _, instances = inst.instances(kind, key)
                    out.extend(self._resource(inst, i) for i in instances)
        first = self.root.config.files[0] if self.root.config.files else "."
        if self.ev.steps > self.ev.max_steps:
            self.problems.append(
                ParseProblem(
                    first,
                    1,
                    1,
                    f"limit max-steps reached: evaluating this root took more than "
                    f"{self.ev.max_steps} steps; later values are unknown",
                    rule="IAC001",
                )
            )
        files = self.loader.files()
        for message, where in self.ev.budget.hits.values():
            file, line = where if where and where[0] in files else (first, 1)
            self.problems.append(
                ParseProblem(
                    file, line, 1, f"{message}; the values built from it are unknown", rule="IAC001"
                )
            )
        return out

    def _resource(self, inst: ModuleInstance, instance: Any) -> Resource:
        block = instance.block
        attrs = inst.block_value(block, inst.instance_scope(instance))
        lines = {name: a.line for name, a in block.attrs.items()}
        for child in block.blocks:
            lines.setdefault(child.type, child.line)
        lines = {**_nested_lines(block), **lines}
        _, provider = inst.provider_for(block)
        # AWS provider v6: a resource's own `region` argument overrides its provider's
        own = attrs.get("region")
        region_value = provider.region if own is None else own
        region = Region(
            provider.key if own is None else instance.address,
            region_value if isinstance(region_value, str) else None,
            getattr(region_value, "reason", ""),
        )
        depends = set(inst.inherited_depends) | self._depends_on(inst, block, instance)
        location = Location(block.file, block.line, block.end_line)
        if inst.call_site is not None:
            location, lines = inst.call_site
        return Resource(
            address=instance.address,
            type=block.labels[0],
            location=location,
            attrs=attrs,
            attr_lines=lines,
            region=region,
            depends_on=depends,
            kind=instance.kind,
            module=inst.address,
        )
