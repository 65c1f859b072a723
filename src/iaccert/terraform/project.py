"""Analyse Terraform root modules: expand module calls and instances, resolve providers,
and hand every resource instance to the chain builder as a model Resource."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cache import ParseCache
from ..model import Location, Origin, ParseProblem, Region, Resource, Unknown, refs_of
from ..roles import roles
from ..safe_read import LARGE_LIMIT, OUTSIDE, Refused, Roots, read_text
from .config import (
    ModuleConfig,
    depends_on_names,
    load_model_config,
    load_module,
    load_tfvars,
    module_source,
)
from .downloaded import read_modules_json
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
from .hcl import Attribute, Block, ParseError
from .known_modules import ModuleModel, choose_model
from .limits import (
    MAX_ITEMS,
    MAX_NUMBER_BITS,
    MAX_STEPS,
    MAX_STRING_LENGTH,
    MAX_TOTAL_SIZE,
    MAX_VALUE_SIZE,
    Limits,
)
from .origins import attribute_origins, tfvars_origin
from .overrides import MergedBlock, provider_key
from .templates import parse_expression
from .terragrunt import Unit


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
    roots: Roots | None = None  # where files may be read (None: the scanned directories' repos)


class ConfigLoader:
    """Reads each module directory once, however many roots call it."""

    def __init__(self, display, cache: ParseCache | None = None, roots: Roots | None = None):
        self.display = display
        self.cache = cache
        self.roots = roots
        self._configs: dict[Path, ModuleConfig] = {}

    def load(self, directory: Path) -> ModuleConfig:
        directory = directory.resolve()
        if directory not in self._configs:
            self._configs[directory] = load_module(directory, self.display, self.cache, self.roots)
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

    def __init__(
        self,
        directory: Path,
        loader: ConfigLoader,
        options: TfOptions,
        config: ModuleConfig | None = None,
    ):
        self.directory = directory.resolve()
        self.loader = loader
        self.options = options
        self.roots = options.roots if options.roots is not None else Roots.of([self.directory])
        self.ev = Evaluator(options.limits())
        self.instance_count = 0  # module and resource instances made in this tree
        self.problems: list[ParseProblem] = []
        self._given_origins: dict[str, Origin] = {}  # where each root value was given
        self._origins: dict[tuple[int, int], dict] = {}  # per module instance and block
        self._given = self._root_values()
        self._children: dict[int, dict] = {}
        # (block, scope) of domains and module calls the code's values switch off -> why
        self._latent: dict[tuple[int, int], str] = {}
        self._downloaded = self._modules_json()
        self.dependency_roots: list[ModuleInstance] = []  # Terragrunt dependencies analysed here
        config = config if config is not None else loader.load(self.directory)
        self.root = ModuleInstance(self, config, "")
        self.root.providers = self._own_providers(self.root, {})

    # -- root variable values ------------------------------------------------------------
    def _root_values(self) -> dict[str, Any]:
        given: dict[str, Any] = {}
        origins = self._given_origins
        for key, value in self.options.environ.items():
            if key.startswith("TF_VAR_"):
                given[key[7:]] = _cli_value(value)
                origins[key[7:]] = Origin(f"environment variable {key}", None, f"var.{key[7:]}")
        files = [self.directory / "terraform.tfvars", self.directory / "terraform.tfvars.json"]
        files += sorted(
            p
            for p in self.directory.glob("*.auto.tfvars*")
            if p.name.endswith((".tfvars", ".json"))
        )
        files += list(self.options.var_files)
        files += self.options.root_var_files.get(self.directory.resolve(), [])
        for path in files:
            if not os.path.lexists(path) or path.is_dir():
                continue
            try:
                assigned = load_tfvars(path, self.roots)
            except (ParseError, OSError) as exc:
                line = getattr(exc, "line", 1)
                shown = self.loader.display(path)
                self.problems.append(ParseProblem(shown, line, 1, str(exc)))
                continue
            shown = self.loader.display(path)
            for name, attr in assigned.items():
                given[name] = attr.expr
                origins[name] = tfvars_origin(name, attr, path, shown)
        for name, value in self.options.variables:
            given[name] = _cli_value(value)
            origins[name] = Origin(f"--var {name}", None, f"var.{name}")
        return given

    def root_origin(self, name: str) -> Origin | None:
        """Where the user gave root variable ``name`` a value (None: its default applies)."""
        return self._given_origins.get(name)

    def root_variable(self, name: str) -> Any:
        return self._given.get(name)

    def display_dir(self, path: Path) -> str:
        return self.loader.display(path)

    def _modules_json(self) -> dict[str, Path | str]:
        """``terraform init``'s record of downloaded modules: key path -> directory (or why
        it is not followed)."""
        found = read_modules_json(self.directory, self.roots, self.loader.display)
        if found.problem is not None:
            self.problems.append(found.problem)
        return found.dirs

    # -- Terragrunt ---------------------------------------------------------------------
    def give_unit_inputs(self, unit: Unit) -> None:
        """A unit's ``inputs`` are the root's variables, below TF_VAR_* and tfvars files (they
        reach Terraform as TF_VAR_* that an environment variable already set wins over)."""
        inputs = unit.inputs()
        whole = inputs.pop("*", None)
        given: dict[str, Any] = {name: Lit(value) for name, (value, _, _) in inputs.items()}
        for name, block in self.root.config.variables.items():
            if name in given or "default" in block.attrs:
                continue
            reason = (
                whole[0].reason
                if whole
                else f"variable var.{name} ({block.file}:{block.line}) has no default and the "
                f"Terragrunt inputs of {unit.file.shown} do not set it"
            )
            if unit.unread:
                reason = f"{reason}; its {'; '.join(unit.unread)}"
            given[name] = Lit(Unknown(reason))
        self._given = {**given, **self._given}
        if self.root.call_site is not None:
            location, _ = self.root.call_site
            self.root.call_site = (location, {n: line for n, (_, line, _) in inputs.items()})

    def dependency_instance(self, unit: Unit, address: str) -> ModuleInstance | Unknown:
        """A Terragrunt dependency's module, analysed in this root under ``dependency.<name>``
        so that the chain can follow its outputs to the certificate and its validation."""
        unit.analysis, unit.prefix = self, f"{address}."
        target, block = unit.target()
        call_site = None
        if isinstance(target, Unknown):
            return Unknown(f"{address}: {target.reason}")
        if isinstance(target, str):
            choice = choose_model(target, None)
            if choice is None or choice.model is None:
                return Unknown(f"{address} comes from {target}, which is not analysed here")
            config = self.loader.load_model(choice.model)
            call_site = (Location(unit.file.shown, block.line, block.end_line), {})
        else:
            config = _with_unit_files(self.loader.load(target), unit, self.loader)
        config = _with_generated(config, unit)
        inputs = unit.inputs()
        inputs.pop("*", None)
        attrs = {k: Attribute(k, Lit(v), line, line) for k, (v, line, _) in inputs.items()}
        call = Block("module", (address,), attrs, [], unit.file.shown, 1, 1)
        inst = ModuleInstance(self, config, address, call, self.root.scope)
        inst.call_site = call_site
        inst.providers = self._own_providers(inst, {})
        inst.providers.setdefault(
            "aws",
            ProviderConf(
                f"{address}.provider.aws",
                Unknown(f"{address} has no provider aws block: its region is its environment's"),
            ),
        )
        self.dependency_roots.append(inst)
        return inst

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
        path = instance.module.config.directory / relative
        if not self.roots.contains(path):
            return Unknown(f"comes from remote state {where} {OUTSIDE}")
        try:
            state = json.loads(read_text(path, self.roots, LARGE_LIMIT))
            return {k: v.get("value") for k, v in state.get("outputs", {}).items()}
        except Refused as exc:
            return Unknown(f"comes from remote state {where}, not read: {exc.reason}")
        except (OSError, ValueError, AttributeError, RecursionError):
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
                if latent:
                    self._latent[id(block), id(scope)] = f"count is {count:g} with these values"
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
                self._latent[id(block), id(scope)] = "for_each is empty with these values"
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
            if not self.roots.contains(path):
                return Unknown(f"module.{name}: source {source} is {OUTSIDE}")
        elif key_path in self._downloaded and (
            isinstance(self._downloaded[key_path], str) or self._downloaded[key_path].is_dir()
        ):
            path = self._downloaded[key_path]  # a stale record of a removed copy: as not downloaded
            if isinstance(path, str):
                return Unknown(f"module.{name}: .terraform/modules/modules.json gives {path}")
        else:
            return self._known_module(name, block, source)
        if not path.is_dir():
            return Unknown(f"module.{name}: source {source} is not a directory")
        ancestor = inst
        while ancestor is not None:
            if ancestor.config.directory == path:
                return Unknown(f"module.{name} calls itself (source {source})")
            ancestor = ancestor.parent
        return path

    def _known_module(self, name: str, block: Any, source: str) -> ModuleModel | Unknown:
        """A remote module that is not downloaded: its built-in model, if iaccert has one.

        A model assumed for a version it was not chosen by is a note; a module that can
        create domains and is analysed by no model is a warning: never dropped silently."""
        version = block.attrs.get("version")
        constraint = None
        if version is not None:
            value = version.expr.value if isinstance(version.expr, Lit) else None
            constraint = value if isinstance(value, str) else "(not a literal string)"
        choice = choose_model(source, constraint)
        if choice is not None and choice.model is not None:
            if choice.note:
                self._report(block, f"module.{name}: {choice.note}", "IAC005")
            return choice.model
        missing = f"module.{name} comes from {source}, which is not downloaded (run terraform init)"
        if choice is not None:
            missing = f"{missing}; {choice.reason}"
            if choice.creates_domains:
                lost = f"{missing}: the {choice.creates} it creates are not analysed"
                self._report(block, lost, "IAC004")
        return Unknown(missing)

    def _report(self, block: Any, message: str, rule: str) -> None:
        """A finding at a module call, once however many instances reach it."""
        problem = ParseProblem(block.file, block.line, 1, message, rule=rule)
        if problem not in self.problems:
            self.problems.append(problem)

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
        out, stack = [], [self.root, *self.dependency_roots]
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
                    if _checked_elsewhere(inst, table[key]):
                        continue
                    out.extend(self._resources_of(inst, kind, key, table[key]))
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

    def _resources_of(self, inst: ModuleInstance, kind: str, key: str, block: Any) -> list:
        """The instances of one block; an internal error in it is IAC000 for that block only."""
        try:
            _, instances = inst.instances(kind, key)
            return [self._resource(inst, i) for i in instances]
        except Exception as exc:  # noqa: BLE001 - one block must not stop the scan
            what = inst.prefix(f"data.{key}" if kind == "data" else key)
            self.problems.append(
                ParseProblem(
                    block.file,
                    block.line,
                    1,
                    f"{what} could not be analysed (internal error: {type(exc).__name__}); "
                    "it is left out, the rest is analysed",
                )
            )
            return []

    def _latent_reason(self, inst: ModuleInstance, block: Any) -> str:
        """Why this block is not created with the code's values (its own count or for_each,
        or a module call around it); "" when it is."""
        reason = self._latent.get((id(block), id(inst.scope)), "")
        node = inst
        while not reason and node.parent is not None:
            off = self._latent.get((id(node.call), id(node.parent.scope)))
            if off:
                reason = f"{node.address} is switched off: {off}"
            node = node.parent
        return reason

    def _resource(self, inst: ModuleInstance, instance: Any) -> Resource:
        block = instance.block
        attrs = inst.block_value(block, inst.instance_scope(instance))
        lines = {name: a.line for name, a in block.attrs.items()}
        for child in block.blocks:
            lines.setdefault(child.type, child.line)
        plays_a_role = block.labels[0] in roles().types  # findings point only at these
        if plays_a_role:
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
        files = dict(block.attr_files) if isinstance(block, MergedBlock) else {}
        if inst.call_site is not None:
            location, lines = inst.call_site
            files = {}
        key = (id(inst), id(block))  # every instance of a block has the same origins
        if key not in self._origins:
            self._origins[key] = attribute_origins(inst, block) if plays_a_role else {}
        origins = self._origins[key]
        return Resource(
            address=instance.address,
            type=block.labels[0],
            location=location,
            attrs=attrs,
            attr_lines=lines,
            attr_files=files,
            region=region,
            depends_on=depends,
            kind=instance.kind,
            module=inst.address,
            latent=self._latent_reason(inst, block),
            attr_origins=origins,
        )

    def module_calls(self) -> list[tuple[Location, str]]:
        """Every module block in the user's code (not inside a downloaded module), once."""
        out: dict[tuple[str, int], tuple[Location, str]] = {}
        for inst in self.module_instances():
            if inst.call_site is not None:
                continue
            for name, block in inst.config.modules.items():
                where = Location(block.file, block.line, block.end_line)
                out.setdefault((block.file, block.line), (where, inst.prefix(f"module.{name}")))
        return list(out.values())


def _checked_elsewhere(inst: ModuleInstance, block: Any) -> bool:
    """A Terragrunt dependency's domains are checked in the dependency's own unit."""
    return inst.address.startswith("dependency.") and (
        block.type == "resource" and block.labels[0] in roles().consumers
    )


def unit_analysis(unit: Unit, loader: ConfigLoader, options: TfOptions) -> RootAnalysis | None:
    """A Terragrunt unit's module, analysed as a root with the unit's inputs; a module that
    cannot be found is IAC004 (its domains are not analysed), never silently dropped."""
    target, block = unit.target()
    line = block.line if block is not None else 1
    config, call_site = None, None
    if isinstance(target, Unknown):
        message = f"{target.reason}: the certificate consumers the module creates are not analysed"
        unit.problems.append(ParseProblem(unit.file.shown, line, 1, message, rule="IAC004"))
        return None
    if isinstance(target, str):
        choice = choose_model(target, None)
        if choice is None or choice.model is None:
            if choice is not None and choice.creates_domains:
                message = (
                    f"{unit.file.shown}: {target} is not downloaded and {choice.reason}: "
                    f"the {choice.creates} it creates are not analysed"
                )
                unit.problems.append(ParseProblem(unit.file.shown, line, 1, message, rule="IAC004"))
            return None
        if choice.note:
            unit.problems.append(ParseProblem(unit.file.shown, line, 1, choice.note, rule="IAC005"))
        config = loader.load_model(choice.model)
        call_site = (Location(unit.file.shown, line, block.end_line), {})
        directory = unit.directory
    else:
        directory = target
        config = loader.load(directory)
    config = _with_generated(_with_unit_files(config, unit, loader), unit)
    analysis = RootAnalysis(directory, loader, options, config)
    analysis.root.call_site = call_site
    unit.analysis = analysis
    analysis.give_unit_inputs(unit)
    analysis.problems.extend(p for p in unit.problems if p not in analysis.problems)
    return analysis


def _with_generated(config: ModuleConfig, unit: Unit) -> ModuleConfig:
    """The module as the unit runs it: with the provider blocks its ``generate`` blocks write
    (a copy: another unit may run the same module)."""
    providers = [b for b in unit.generated_blocks() if b.type == "provider" and b.labels]
    if not providers:
        return config
    names = {provider_key(b) for b in providers}
    kept = [b for b in config.providers if provider_key(b) not in names]
    return dataclasses.replace(config, providers=[*kept, *providers])


def _with_unit_files(config: ModuleConfig, unit: Unit, loader: ConfigLoader) -> ModuleConfig:
    """Terragrunt copies the unit's own ``.tf`` files into the module it runs (a copy of the
    module's declarations with them added: another unit may run the same module)."""
    if config.directory == unit.directory or not any(
        p.name.endswith((".tf", ".tf.json")) for p in unit.directory.iterdir()
    ):
        return config
    own = loader.load(unit.directory)
    return dataclasses.replace(
        config,
        variables={**config.variables, **own.variables},
        locals={**config.locals, **own.locals},
        resources={**config.resources, **own.resources},
        data={**config.data, **own.data},
        modules={**config.modules, **own.modules},
        outputs={**config.outputs, **own.outputs},
        providers=[*config.providers, *own.providers],
    )
