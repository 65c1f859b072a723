"""Templates into model Resources: stacks, nested stacks, CDK manifests, and worlds.

One model Resource per template resource (address = logical id; in a nested stack
``Parent/Child``), attributes = resolved ``Properties``. A nested stack (a local
``TemplateURL``, a CDK ``aws:asset:path``, a SAM Application with a local ``Location``)
is loaded with the parameters its parent passes, into the parent's root, so that chains
run across the two templates.

``Fn::If`` on a condition the parameter values do not decide: every branch is analysed.
The conditions met while resolving the chain's properties (of domains and certificates)
are assigned True and False in turn, each assignment a *world* (at most MAX_WORLDS,
beyond that the ``Fn::If`` stays Unknown). Every world is resolved as its own root; a
domain whose chain reads an assigned condition is named after the assumption
(``Domain (if not IsProd)``), and is reported once per distinct assumption, so a bad
branch is reported with the condition under which it is bad. Domains that read no
undecided condition exist once, as in a template without conditions.

A resource whose ``Condition`` the known values switch off is still analysed (a feature
flag must not hide a broken chain), but the parameters that switch it off are Unknown
for it: the values it is deployed with are not the ones that switch it off.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cache import ParseCache
from ..model import Location, Origin, ParseProblem, Project, Region, Resource, Unknown, refs_of
from ..roles import roles
from ..safe_read import OUTSIDE, Refused, Roots, bound, quote, read_text
from .decode import Decoded, end_line_of, line_of, nested_lines
from .decoded_cache import cached_decode
from .intrinsics import NO_VALUE, Scope, World, is_intrinsic, plain
from .options import CfnOptions
from .origins import given_origins, property_origins
from .params import read_parameters_file
from .sam import NESTED_APPLICATION, SAM_DOMAIN_TYPES, implicit_apis, sam_domain

MAX_WORLDS = 8
MAX_NESTING = 8
NESTED_STACK = "AWS::CloudFormation::Stack"
NO_REGION = "the stack's region is chosen at deploy time (pass --region)"


@dataclass
class Environment:
    region: str | None
    account: str | None
    why: str


def _section(data: dict, name: str) -> dict:
    value = data.get(name)
    return value if isinstance(value, dict) and not is_intrinsic(value) else {}


def _local(reference: Any) -> str | None:
    if not isinstance(reference, str):
        return None
    text = str(reference).strip()
    if not text or text.startswith(("http://", "https://", "s3://")):
        return None
    return text.removeprefix("file://")


class Stack:
    """One template instance: a root template, or a nested stack inside its parent."""

    def __init__(
        self,
        decoded: Decoded,
        env: Environment,
        prefix: str = "",
        parent: Stack | None = None,
        given: dict[str, Any] | None = None,
        passed: Any = None,
    ):
        data = decoded.data or {}
        self.decoded = decoded
        self.display = decoded.display
        self.data = data
        self.env = env
        self.prefix = prefix
        self.parent = parent
        self.given = given or {}
        self.passed = passed
        self.parameters = _section(data, "Parameters")
        self.conditions = _section(data, "Conditions")
        self.mappings = plain(_section(data, "Mappings"))
        self.outputs = _section(data, "Outputs")
        self.resources = {
            str(k): v
            for k, v in _section(data, "Resources").items()
            if isinstance(v, dict) and isinstance(v.get("Type"), str)
        }
        self.keys = {str(k): k for k in _section(data, "Resources")}
        implicit, keys = implicit_apis(data, self.resources)  # SAM's ServerlessRestApi...
        self.resources.update(implicit)
        self.keys.update(keys)
        self.nested: dict[str, Stack] = {}
        self.unloaded: dict[str, str] = {}  # nested stack -> why its template is not read

    @property
    def where(self) -> str:
        if self.decoded.partial:
            return f"{self.display} (which does not parse: only part of it was read)"
        return self.display

    @property
    def region(self) -> str | None:
        return self.env.region

    @property
    def account(self) -> str | None:
        return self.env.account

    @property
    def region_why(self) -> str:
        return self.env.why

    def resource_type(self, logical_id: str) -> str | None:
        node = self.resources.get(logical_id)
        return str(node["Type"]) if node is not None else None

    @staticmethod
    def ref_attr(resource_type: str) -> str:
        role = roles().certificates.get(resource_type)
        return role.ref_attr if role else "ref"

    @staticmethod
    def is_nested_stack(resource_type: str) -> bool:
        return resource_type in (NESTED_STACK, NESTED_APPLICATION)

    def parameter_line(self, name: str) -> int:
        return _key_line(self.parameters, name)

    def condition_line(self, name: str) -> int:
        return _key_line(self.conditions, name)

    def given_value(self, name: str, world: World) -> Any:
        """The value given for a parameter (None when none is): by the user for a root
        template, by the parent's ``Parameters`` for a nested stack."""
        if self.parent is None:
            return self.given.get(name)
        passed = self.passed
        scope = world.scope(self.parent)
        if isinstance(passed, dict) and not is_intrinsic(passed):
            if name not in passed:
                return None
            value = scope.value(passed[name])
        else:
            resolved = scope.value(passed) if passed is not None else None
            if isinstance(resolved, Unknown):
                return resolved
            value = resolved.get(name) if isinstance(resolved, dict) else None
        return None if value is NO_VALUE else value

    def output_of(self, logical_id: str, name: str, world: World) -> Any:
        child = self.nested[logical_id]
        output = child.outputs.get(name)
        if not isinstance(output, dict) or "Value" not in output:
            return Unknown(f"nested stack {logical_id} ({child.display}) has no output {name}")
        return world.scope(child).value(output["Value"])

    def walk(self):
        yield self
        for child in self.nested.values():
            yield from child.walk()


def _key_line(section: dict, name: str) -> int:
    for key in section:
        if key == name:
            return line_of(key)
    return 1


class CfnLoader:
    """Decodes each template once, however many stacks use it; reads only inside ``roots``."""

    def __init__(self, display, roots: Roots | None = None, cache: ParseCache | None = None):
        self.display = display
        self.roots = roots
        self.cache = cache  # decoded templates remembered between runs (decoded_cache.py)
        self.decoded: dict[Path, Decoded] = {}
        self.unloaded: dict[Path, dict[str, str]] = {}  # template -> nested id -> why not read

    def decode(self, path: Path) -> Decoded:
        path = path.resolve()
        if path not in self.decoded:
            self.decoded[path] = cached_decode(path, self.display(path), self.cache, self.roots)
        return self.decoded[path]

    def nested_paths(self, decoded: Decoded) -> dict[str, tuple[Path, Any]]:
        """Nested stacks whose template is a local file: logical id -> (path, Parameters).
        One outside the repository is not read (``unloaded`` says so)."""
        out = {}
        unloaded = self.unloaded.setdefault(decoded.path, {})
        resources = _section(decoded.data or {}, "Resources")
        base = decoded.path.parent
        for logical_id, node in resources.items():
            if not isinstance(node, dict):
                continue
            kind = node.get("Type")
            props = node.get("Properties")
            props = props if isinstance(props, dict) else {}
            reference = None
            if kind == NESTED_STACK:
                reference = _local(props.get("TemplateURL"))
                metadata = node.get("Metadata")
                if reference is None and isinstance(metadata, dict):
                    reference = _local(metadata.get("aws:asset:path"))  # CDK nested stacks
            elif kind == NESTED_APPLICATION:
                reference = _local(props.get("Location"))
            if reference is None:
                continue
            path = base / reference
            roots = self.roots if self.roots is not None else Roots.of([decoded.path])
            if roots.outside(path) is not None:
                unloaded[str(logical_id)] = f"{quote(reference)} is {OUTSIDE}"
            elif os.path.lexists(path) and not path.is_dir():
                out[str(logical_id)] = (path.resolve(), props.get("Parameters"))
        return out


def read_manifests(
    manifests: list[Path], display, roots: Roots | None = None
) -> tuple[dict[Path, Environment], list[ParseProblem]]:
    """CDK cloud assembly manifests: template file -> the stack's environment."""
    out: dict[Path, Environment] = {}
    problems = []
    for manifest in manifests:
        try:
            data = json.loads(read_text(manifest, roots))
        except Refused as exc:
            problems.append(ParseProblem(display(manifest), 1, 1, f"not read: {exc.reason}"))
            continue
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            line = getattr(exc, "lineno", 1)
            message = f"cannot read: {bound(str(exc))}"
            problems.append(ParseProblem(display(manifest), line, 1, message))
            continue
        artifacts = data.get("artifacts") if isinstance(data, dict) else None
        if not isinstance(artifacts, dict):
            continue
        for name, artifact in artifacts.items():
            if not isinstance(artifact, dict) or artifact.get("type") != "aws:cloudformation:stack":
                continue
            props = artifact.get("properties") or {}
            template = props.get("templateFile") if isinstance(props, dict) else None
            if not isinstance(template, str):
                continue
            env = str(artifact.get("environment") or "")
            account, _, region = env.removeprefix("aws://").partition("/")
            region = region if region and not region.startswith("unknown-") else None
            account = account if account and not account.startswith("unknown-") else None
            why = (
                ""
                if region
                else f"CDK stack {name} does not name its region ({env or 'no environment'}); "
                "pass --region"
            )
            out[(manifest.parent / template).resolve()] = Environment(region, account, why)
    return out, problems


class RootLoad:
    """One root template with its nested stacks, resolved in every world."""

    def __init__(
        self,
        loader: CfnLoader,
        root: Decoded,
        env: Environment,
        given: dict,
        origins: dict[str, Origin] | None = None,
    ):
        self.loader = loader
        self.root = Stack(root, env, given=given)
        self.given_origins = origins or {}  # where the user gave each parameter value
        self._nest(self.root, [root.path], 0)
        self.stacks = list(self.root.walk())
        self.by_address = {
            s.prefix + logical_id: (s, logical_id)
            for s in self.stacks
            for logical_id in s.resources
        }
        self.props = roles().attributes_read()
        self.domain_types = set(roles().consumers)
        self.unexplored: list[tuple[str, str]] = []
        self.relevant = [
            (s, logical_id)
            for s in self.stacks
            for logical_id, node in s.resources.items()
            if str(node["Type"]) in self.props
        ]

    def _nest(self, stack: Stack, ancestors: list[Path], depth: int) -> None:
        if depth >= MAX_NESTING:
            return
        nested = self.loader.nested_paths(stack.decoded)
        stack.unloaded = self.loader.unloaded.get(stack.decoded.path, {})
        for logical_id, (path, passed) in nested.items():
            if path in ancestors:
                continue
            decoded = self.loader.decode(path)
            if decoded.data is None:
                continue
            child = Stack(decoded, stack.env, f"{stack.prefix}{logical_id}/", stack, passed=passed)
            stack.nested[logical_id] = child
            self._nest(child, [*ancestors, path], depth + 1)

    # -- scopes and properties -----------------------------------------------------------
    def scope_for(self, stack: Stack, logical_id: str, world: World) -> Scope:
        """The stack's scope, or, for a resource its Condition switches off, a scope where
        the parameters that switch it off are Unknown."""
        scope = world.scope(stack)
        condition = stack.resources[logical_id].get("Condition")
        if not isinstance(condition, str):
            return scope
        outer, met = set(world.consulted), len(world.undecided)
        switched_on = scope.condition(condition)
        world.consulted = outer
        del world.undecided[met:]  # a resource's own Condition is no branch to explore
        if switched_on is not False:
            return scope
        overrides = {}
        for name in sorted(scope.parameters_of_condition(str(condition))):
            value = scope.parameter(name)
            if isinstance(value, Unknown):
                continue
            where = f"{stack.display}:{stack.parameter_line(name)}"
            overrides[name] = Unknown(
                f"parameter {name} ({where}) is {value!r} in this code, which switches "
                f"{logical_id} off (Condition {condition}); the value it is deployed with "
                "is not in this code"
            )
        world.consulted = outer
        return world.scope(stack, overrides) if overrides else scope

    def raw_properties(self, stack: Stack, logical_id: str) -> tuple[Any, dict[str, int]]:
        node = stack.resources[logical_id]
        props = node.get("Properties", {})
        resource_type = str(node["Type"])
        if resource_type in SAM_DOMAIN_TYPES and isinstance(props, dict):
            return sam_domain(stack.data, resource_type, props)
        return props, {}

    def relevant_values(self, stack: Stack, logical_id: str, world: World) -> list:
        """The properties of a domain or certificate that its bindings read, resolved."""
        scope = self.scope_for(stack, logical_id, world)
        props, _ = self.raw_properties(stack, logical_id)
        if not isinstance(props, dict) or is_intrinsic(props):
            return [scope.value(props)]
        names = self.props[stack.resource_type(logical_id)]
        return [scope.value(props[name]) for name in sorted(names) if name in props]

    # -- worlds ----------------------------------------------------------------------------
    def worlds(self) -> list[World]:
        done: list[World] = []
        todo = [World()]
        while todo:
            world = todo.pop()
            for stack, logical_id in self.relevant:
                self.relevant_values(stack, logical_id, world)
            pending = [k for k in world.undecided if k not in world.assignment]
            if pending and len(done) + len(todo) + 2 <= MAX_WORLDS:
                key = pending[0]
                todo.append(World({**world.assignment, key: False}))
                todo.append(World({**world.assignment, key: True}))
            else:
                self.unexplored.extend(k for k in pending if k not in self.unexplored)
                done.append(world)
        return done

    def limit_problems(self) -> list[ParseProblem]:
        """IAC001 when undecided conditions were left unexplored, naming them."""
        if not self.unexplored:
            return []
        prefix, name = self.unexplored[0]
        stack = next((s for s in self.stacks if s.prefix == prefix), self.root)
        names = ", ".join(f"{p}{n}" for p, n in self.unexplored)
        return [
            ParseProblem(
                stack.display,
                stack.condition_line(name),
                1,
                f"limit max-worlds reached: {MAX_WORLDS} combinations of the conditions the "
                f"parameter values do not decide are checked; Fn::If on {names} stays unknown "
                "beyond them",
                rule="IAC001",
            )
        ]

    def assumption(self, stack: Stack, logical_id: str, world: World) -> str:
        """The assigned conditions a domain's chain reads (its own and its certificate's)."""
        world.consulted = set()
        values = self.relevant_values(stack, logical_id, world)
        for ref in sorted(refs_of(values), key=lambda c: c.address):
            target = self.by_address.get(ref.address)
            if target is not None and target[0].resource_type(target[1]) in self.props:
                self.relevant_values(*target, world)
        label = world.label(world.consulted)
        world.consulted = set()
        return label

    # -- model resources -------------------------------------------------------------------
    def resources(self) -> list[Resource]:
        """Every resource of the first world; of each further world, the domains whose
        chain reads a condition assigned differently, with the certificates they may use
        (a chain looks up nothing else)."""
        out: list[Resource] = []
        seen_domains: set[tuple[str, str]] = set()
        root_display = self.root.display
        for index, world in enumerate(self.worlds()):
            root = root_display if index == 0 else f"{root_display} (world {index + 1})"
            domains, others = [], []
            for stack in self.stacks:
                for logical_id, node in stack.resources.items():
                    kind = str(node["Type"])
                    if index and kind not in self.props:
                        continue
                    if kind in self.domain_types:
                        label = self.assumption(stack, logical_id, world)
                        if (stack.prefix + logical_id, label) in seen_domains:
                            continue
                        resource = self.resource(stack, logical_id, world, root, label)
                        if resource is not None:
                            seen_domains.add((stack.prefix + logical_id, label))
                            domains.append(resource)
                    else:
                        resource = self.resource(stack, logical_id, world, root)
                        if resource is not None:
                            others.append(resource)
            if domains or index == 0:
                out.extend(others)
                out.extend(domains)
        return out

    def resource(
        self, stack: Stack, logical_id: str, world: World, root: str, label: str = ""
    ) -> Resource | None:
        node = stack.resources[logical_id]
        resource_type = str(node["Type"])
        scope = self.scope_for(stack, logical_id, world)
        props, lines = self.raw_properties(stack, logical_id)
        attrs = scope.value(props) if props is not None else {}
        if not isinstance(attrs, dict):
            attrs = {}
        if resource_type in SAM_DOMAIN_TYPES and not isinstance(attrs.get("Domain"), dict):
            return None  # a SAM API without a custom domain plays no part in any chain
        origins = {}
        if isinstance(props, dict) and not is_intrinsic(props):
            nested = nested_lines(props, 1) if resource_type in self.props else {}
            lines = {**nested, **{str(k): line_of(k) for k in props}, **lines}
            origins = property_origins(props, stack, self.given_origins)
        key = stack.keys.get(logical_id, logical_id)
        line = line_of(key)
        depends = node.get("DependsOn")
        depends = [depends] if isinstance(depends, str) else depends
        address = stack.prefix + logical_id + (f" (if {label})" if label else "")
        env = stack.env
        return Resource(
            address=address,
            type=resource_type,
            location=Location(stack.display, line, end_line_of(node, line)),
            attrs=attrs,
            attr_lines=lines,
            region=Region(f"stack:{self.root.display}", env.region, "" if env.region else env.why),
            depends_on={stack.prefix + str(d) for d in depends or [] if isinstance(d, str)},
            source="cloudformation",
            module=stack.prefix.rstrip("/"),
            logical_id=logical_id,
            root=root,
            suppress=_suppressions(node.get("Metadata")),
            attr_origins=origins,
        )


def _suppressions(metadata: Any) -> list[tuple[str, str]]:
    """``Metadata: {iaccert: {ignore: [{id: IAC104, reason: ...}, IAC110]}}`` as (id, reason)."""
    own = metadata.get("iaccert") if isinstance(metadata, dict) else None
    entries = own.get("ignore") if isinstance(own, dict) else None
    if isinstance(entries, str | dict):
        entries = [entries]
    out = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str):
            out.append((str(entry), ""))
        elif isinstance(entry, dict) and isinstance(entry.get("id"), str):
            reason = entry.get("reason")
            out.append((str(entry["id"]), str(reason).strip() if isinstance(reason, str) else ""))
    return out


def load_cloudformation(
    templates: list[Path],
    manifests: list[Path],
    options: CfnOptions,
    display,
    documents: list[tuple[Decoded, Environment]] = (),
) -> Project:
    """Every root template among ``templates`` (a template another one nests is no root).

    ``documents`` are templates another front end already decoded (a serverless file's
    ``resources``), each with its stack's environment."""
    project = Project()
    roots = options.roots if options.roots is not None else Roots.of([*templates, *manifests])
    given: dict[str, Any] = dict(options.default_parameters)
    if options.parameters_file is not None:
        roots = roots.with_files([options.parameters_file])  # named by the user
        values, problems = read_parameters_file(
            options.parameters_file, display(options.parameters_file), roots
        )
        given.update(values)
        project.problems.extend(problems)
    given.update(dict(options.parameters))
    origins = given_origins(
        options.default_parameters,
        options.parameters_file,
        display(options.parameters_file) if options.parameters_file is not None else "",
        options.parameters,
    )
    environments, problems = read_manifests(manifests, display, roots)
    project.problems.extend(problems)
    default_env = Environment(options.region, None, "" if options.region else NO_REGION)

    loader = CfnLoader(display, roots, ParseCache(options.cache_dir) if options.cache_dir else None)
    for document, env in documents:
        loader.decoded[document.path.resolve()] = document
        environments.setdefault(document.path.resolve(), env)
    decoded = {p.resolve(): loader.decode(p) for p in templates}
    decoded.update({d.path.resolve(): d for d, _ in documents})
    nested = {path for d in decoded.values() for path, _ in loader.nested_paths(d).values()}
    for path in sorted(decoded):
        template = decoded[path]
        if path in nested or template.data is None:
            continue
        env = environments.get(path, default_env)
        if env.region is None and options.region:
            env = Environment(options.region, env.account, "")
        try:
            root = RootLoad(loader, template, env, given, origins)
            project.resources.extend(root.resources())
            project.problems.extend(root.limit_problems())
        except (Exception, RecursionError) as exc:  # noqa: BLE001 - one template, never the scan
            project.problems.append(
                ParseProblem(
                    template.display, 1, 1, f"cannot analyse template: {type(exc).__name__}: {exc}"
                )
            )
    seen = set()
    for item in loader.decoded.values():
        if item.data is not None and _is_template(item.data):
            project.files.add(item.display)
        for problem in item.problems:
            if (problem.file, problem.line, problem.message) not in seen:
                seen.add((problem.file, problem.line, problem.message))
                project.problems.append(problem)
                project.files.add(problem.file)
    return project


def _is_template(data: dict) -> bool:
    return "AWSTemplateFormatVersion" in data or isinstance(data.get("Resources"), dict)
