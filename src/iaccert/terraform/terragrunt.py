"""Terragrunt units: a ``terragrunt.hcl`` is the caller of the module its ``terraform { source }``
names, and its ``inputs`` are that module's variables (as a ``module`` block's arguments are).

What is followed: ``locals``, ``include`` (``find_in_parent_folders()``, merged as Terragrunt
merges: shallow by default, ``deep``, ``no_merge``; ``expose`` for ``include.<name>``),
``read_terragrunt_config()``, and ``dependency`` outputs, by analysing the dependency's own
unit where it is in the repository. Nothing is ever run: a function iaccert does not evaluate
(``run_cmd``, ``get_env``, ``sops_decrypt_file``…) gives an unknown value naming it, and so
does a path outside the repository.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import ParseProblem, Unknown
from .config import read_text
from .evaluate import Evaluator, ModuleObj, Scope
from .functions import EvalError
from .hcl import Attribute, Block, ParseError, _body, _tree_kids, load_hcl, parse_tree
from .limits import Limits

UNIT_FILE = "terragrunt.hcl"
MAX_INCLUDE_DEPTH = 8


@dataclass
class TgFile:
    """One Terragrunt configuration file, parsed (top-level arguments and blocks)."""

    path: Path
    shown: str
    attrs: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def first(self, type_: str) -> Block | None:
        return next((b for b in self.blocks if b.type == type_), None)


def parse_file(path: Path, shown: str) -> TgFile:
    """Raises ParseError (with a line) or OSError."""
    tree = parse_tree(read_text(path))
    kids = _tree_kids(tree)
    attrs, blocks = _body(kids[0], shown) if kids else ({}, [])
    return TgFile(path, shown, attrs, blocks)


def repository_root(directory: Path) -> Path:
    """The enclosing git work tree, or the directory itself: files beyond it are never read."""
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return directory


def split_source(source: str) -> tuple[str, str]:
    """``../modules//api`` -> (``../modules``, ``api``); a ``?query`` stays on the first part."""
    text = source
    scheme = ""
    match = re.match(r"^([a-z0-9]+::)?([a-z]+://)?", text)
    if match and match.group(0):
        scheme, text = match.group(0), text[len(match.group(0)) :]
    if "//" not in text:
        return source, ""
    base, _, sub = text.partition("//")
    query = ""
    if "?" in sub:
        sub, _, rest = sub.partition("?")
        query = "?" + rest
    return scheme + base + query, sub


def is_local(source: str) -> bool:
    return source.startswith(("./", "../", "/")) and "::" not in source


class TgEvaluator(Evaluator):
    """Terraform's expressions and functions, plus Terragrunt's own functions."""

    def _Call(self, node: Any, scope: Scope) -> Any:  # noqa: N802 - dispatch by node type
        context = scope.module
        if isinstance(context, FileContext) and node.name in TG_FUNCTIONS:
            args = [self.value(a, scope) for a in node.args]
            return TG_FUNCTIONS[node.name](context, args)
        if isinstance(context, FileContext) and node.name in NOT_EVALUATED:
            return Unknown(
                f"comes from Terragrunt's {node.name}() in {context.file.shown}, "
                "which iaccert does not run"
            )
        return super()._Call(node, scope)


class FileContext:
    """The names visible in one Terragrunt file: ``local``, ``include``, ``dependency``."""

    def __init__(self, unit: Unit, file: TgFile, depth: int = 0):
        self.unit = unit
        self.file = file
        self.depth = depth
        self.scope = Scope(self)  # type: ignore[arg-type]
        self._locals: dict[str, Any] = {}
        self._busy: set[str] = set()

    @property
    def directory(self) -> Path:
        return self.file.path.parent

    def eval(self, expr: Any) -> Any:
        return self.unit.ev.eval(expr, self.scope)

    def lookup(self, namespace: str, attr: str) -> Any:
        if namespace == "local":
            return self.local(attr)
        if namespace == "include":
            return self.unit.exposed_include(attr)
        if namespace == "dependency":
            return self.unit.dependency(attr)
        raise EvalError(f"{namespace}.{attr} is not known in a Terragrunt file")

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        if name in self._busy:
            return Unknown(f"local.{name} refers to itself")
        attr = None
        for block in self.file.blocks:
            if block.type == "locals" and name in block.attrs:
                attr = block.attrs[name]
        if attr is None:
            raise EvalError(f"undeclared local.{name} in {self.file.shown}")
        self._busy.add(name)
        try:
            value = self.eval(attr.expr)
        finally:
            self._busy.discard(name)
        self._locals[name] = value
        return value

    def inside(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self.unit.repo_root)

    # -- values of a whole file, for read_terragrunt_config() and include exposure ----------
    def as_object(self) -> dict:
        out: dict[str, Any] = {}
        names = {n for b in self.file.blocks if b.type == "locals" for n in b.attrs}
        out["locals"] = {n: self.local(n) for n in sorted(names)}
        for name, attr in self.file.attrs.items():
            out[name] = self.eval(attr.expr)
        return out


# -- Terragrunt functions -------------------------------------------------------------------
def _find_in_parent_folders(context: FileContext, args: list) -> Any:
    name = args[0] if args else "terragrunt.hcl"
    if not isinstance(name, str):
        return Unknown("find_in_parent_folders() with an unknown name")
    for folder in context.unit.directory.parents:
        if not folder.is_relative_to(context.unit.repo_root):
            break
        candidate = folder / name
        if candidate.exists():
            return str(candidate)
    if len(args) > 1:
        return args[1]
    return Unknown(
        f"find_in_parent_folders({name!r}) in {context.file.shown} finds no such file "
        "inside the repository"
    )


def _read_config(context: FileContext, args: list) -> Any:
    if not args or not isinstance(args[0], str):
        return Unknown("read_terragrunt_config() of an unknown path")
    path = (context.directory / args[0]).resolve()
    if not context.inside(path) or not path.is_file():
        if len(args) > 1:
            return args[1]
        return Unknown(f"read_terragrunt_config({args[0]!r}) reads a file outside the repository")
    other = context.unit.read(path, context.depth + 1)
    return other.as_object() if isinstance(other, FileContext) else other


def _relative(context: FileContext, args: list) -> Any:
    parent = context.unit.include_dir()
    return os.path.relpath(context.unit.directory, parent).replace(os.sep, "/")


def _relative_from(context: FileContext, args: list) -> Any:
    parent = context.unit.include_dir()
    return os.path.relpath(parent, context.unit.directory).replace(os.sep, "/")


TG_FUNCTIONS = {
    "get_terragrunt_dir": lambda c, a: str(c.unit.directory),
    "get_original_terragrunt_dir": lambda c, a: str(c.unit.directory),
    "get_parent_terragrunt_dir": lambda c, a: str(c.unit.include_dir()),
    "get_repo_root": lambda c, a: str(c.unit.repo_root),
    "get_path_to_repo_root": lambda c, a: os.path.relpath(c.unit.repo_root, c.unit.directory),
    "get_path_from_repo_root": lambda c, a: os.path.relpath(c.unit.directory, c.unit.repo_root),
    "find_in_parent_folders": _find_in_parent_folders,
    "read_terragrunt_config": _read_config,
    "path_relative_to_include": _relative,
    "path_relative_from_include": _relative_from,
}
NOT_EVALUATED = {
    "get_env",
    "run_cmd",
    "sops_decrypt_file",
    "get_aws_account_id",
    "get_aws_account_alias",
    "get_aws_caller_identity_arn",
    "get_aws_caller_identity_user_id",
    "get_terraform_command",
    "get_terraform_cli_args",
    "get_terraform_commands_that_need_vars",
    "get_terraform_commands_that_need_input",
    "get_terraform_commands_that_need_locking",
    "get_terraform_commands_that_need_parallelism",
    "get_platform",
    "get_working_dir",
    "read_tfvars_file",
    "mark_as_read",
    "constraint_check",
    "get_default_retryable_errors",
}


# -- merging included configurations ----------------------------------------------------------
def _deep(parent: Any, child: Any) -> Any:
    if isinstance(parent, dict) and isinstance(child, dict):
        out = dict(parent)
        for key, value in child.items():
            out[key] = _deep(parent[key], value) if key in parent else value
        return out
    if isinstance(parent, list) and isinstance(child, list):
        return parent + child
    return child


@dataclass
class Include:
    label: str
    context: FileContext
    expose: bool
    strategy: str  # shallow | deep | no_merge


class Unit:
    """One ``terragrunt.hcl``: where its module is and what its inputs are."""

    def __init__(
        self,
        directory: Path,
        repo_root: Path,
        display,
        stack: tuple[Path, ...] = (),
    ):
        self.directory = directory.resolve()
        self.repo_root = repo_root.resolve()
        self.display = display
        self.stack = (*stack, self.directory)  # units being evaluated: dependency cycles
        self.ev = TgEvaluator(Limits())  # the default size and step budget
        self.problems: list[ParseProblem] = []
        self.analysis: Any = None  # the RootAnalysis that dependency instances join
        self.prefix = ""  # address prefix of dependency instances ("" for the unit analysed)
        self._dependencies: dict[str, Any] = {}
        path = self.directory / UNIT_FILE
        self.file = TgFile(path, display(path))
        try:
            self.file = parse_file(path, self.file.shown)
        except ParseError as exc:
            self.problems.append(ParseProblem(self.file.shown, exc.line, exc.column, str(exc)))
        except OSError as exc:
            self.problems.append(ParseProblem(self.file.shown, 1, 1, f"cannot read: {exc}"))
        self.context = FileContext(self, self.file)
        self.unread: list[str] = []  # includes that cannot be read: their inputs are unknown
        self.includes = self._includes()

    # -- include --------------------------------------------------------------------------
    def read(self, path: Path, depth: int) -> FileContext | Unknown:
        if depth > MAX_INCLUDE_DEPTH:
            return Unknown(f"Terragrunt includes nested more than {MAX_INCLUDE_DEPTH} deep")
        shown = self.display(path)
        try:
            return FileContext(self, parse_file(path, shown), depth)
        except ParseError as exc:
            self.problems.append(ParseProblem(shown, exc.line, exc.column, str(exc)))
            return Unknown(f"{shown} cannot be parsed")
        except OSError as exc:
            return Unknown(f"{shown} cannot be read: {exc}")

    def _includes(self) -> list[Include]:
        out = []
        for block in self.file.blocks:
            if block.type != "include" or "path" not in block.attrs:
                continue
            label = block.labels[0] if block.labels else ""
            path = self.context.eval(block.attrs["path"].expr)
            if not isinstance(path, str):
                why = getattr(path, "reason", "its path is not known")
                self.unread.append(f"include {label!r} is not read ({why})")
                continue
            target = (self.directory / path).resolve()
            if not self.context.inside(target) or not target.is_file():
                self.unread.append(f"include {label!r} ({path}) is not a file in the repository")
                continue
            context = self.read(target, 1)
            if isinstance(context, Unknown):
                continue
            expose = "expose" in block.attrs and self.context.eval(block.attrs["expose"].expr)
            strategy = (
                self.context.eval(block.attrs["merge_strategy"].expr)
                if "merge_strategy" in block.attrs
                else "shallow"
            )
            out.append(Include(label, context, expose is True, str(strategy)))
        return out

    def include_dir(self) -> Path:
        return self.includes[0].context.directory if self.includes else self.directory

    def exposed_include(self, label: str) -> Any:
        for include in self.includes:
            if include.label == label:
                if not include.expose:
                    raise EvalError(f"include.{label} is not exposed (expose = true)")
                return include.context.as_object()
        raise EvalError(f"no include {label!r}")

    def _merged(self) -> list[FileContext]:
        """The files whose settings count, parents first, the unit itself last."""
        return [i.context for i in self.includes if i.strategy != "no_merge"] + [self.context]

    # -- what the unit says -----------------------------------------------------------------
    def terraform_block(self) -> tuple[Block | None, FileContext | None]:
        for context in reversed(self._merged()):
            block = context.file.first("terraform")
            if block is not None and "source" in block.attrs:
                return block, context
        return None, None

    def source(self) -> tuple[Any, Block | None]:
        """The evaluated ``terraform { source }`` (a string, an Unknown, or None: the unit dir)."""
        block, context = self.terraform_block()
        if block is None:
            return None, None
        return context.eval(block.attrs["source"].expr), block

    def target(self) -> tuple[Path | str | Unknown, Block | None]:
        """The module: a directory in the repository, a remote source string, or an Unknown."""
        source, block = self.source()
        if source is None:
            return self.directory, None
        where = f"the terraform source of {self.file.shown}"
        if not isinstance(source, str):
            return Unknown(f"{where}: {getattr(source, 'reason', 'not a string')}"), block
        base, sub = split_source(source)
        if not is_local(base):
            return source, block
        path = (self.directory / base / sub).resolve()
        if not path.is_relative_to(self.repo_root):
            return Unknown(f"{where} ({source}) is outside the repository"), block
        if not path.is_dir():
            return Unknown(f"{where} ({source}) is not a directory"), block
        return path, block

    def inputs(self) -> dict[str, tuple[Any, int, str]]:
        """Input name -> (value, line, file): parents' inputs merged under the unit's."""
        values: dict[str, tuple[Any, int, str]] = {}
        deep = any(i.strategy == "deep" for i in self.includes)  # the unit's over its parents
        for context in self._merged():
            attr = context.file.attrs.get("inputs")
            if attr is None:
                continue
            value = context.eval(attr.expr)
            if not isinstance(value, dict):
                reason = getattr(value, "reason", "not an object")
                values["*"] = (Unknown(f"inputs of {context.file.shown}: {reason}"), attr.line, "")
                continue
            for key, item in value.items():
                if deep and context is self.context and key in values:
                    item = _deep(values[key][0], item)
                values[key] = (item, attr.line, context.file.shown)
        return values

    def generated_blocks(self) -> list[Block]:
        """Blocks of the files ``generate`` writes into the module (a ``provider "aws"`` with
        its region, most often); a child's ``generate`` replaces a parent's of the same name."""
        by_name: dict[str, tuple[Block, FileContext]] = {}
        for context in self._merged():
            for block in context.file.blocks:
                if block.type == "generate" and block.labels and "contents" in block.attrs:
                    by_name[block.labels[0]] = (block, context)
        out: list[Block] = []
        for name, (block, context) in sorted(by_name.items()):
            contents = context.eval(block.attrs["contents"].expr)
            if not isinstance(contents, str):
                continue
            try:
                blocks = load_hcl(contents, context.file.shown)
            except ParseError as exc:
                line = block.attrs["contents"].line + exc.line
                message = f"generate {name!r}: its contents are not valid HCL: {exc}"
                self.problems.append(ParseProblem(context.file.shown, line, 1, message))
                continue
            offset = block.attrs["contents"].line
            for generated in blocks:
                _shift(generated, offset)
            out.extend(blocks)
        return out

    # -- dependency ---------------------------------------------------------------------------
    def dependency(self, name: str) -> Any:
        if name not in self._dependencies:
            self._dependencies[name] = self._dependency(name)
        return self._dependencies[name]

    def _dependency(self, name: str) -> Any:
        block = None
        for context in self._merged():
            for candidate in context.file.blocks:
                if candidate.type == "dependency" and candidate.labels[:1] == (name,):
                    block, owner = candidate, context
        if block is None:
            raise EvalError(f"no dependency {name!r}")
        where = f"dependency.{name}"
        path = owner.eval(block.attrs["config_path"].expr) if "config_path" in block.attrs else None
        if not isinstance(path, str):
            return {"outputs": Unknown(f"{where} has no config_path iaccert can read")}
        target = (self.directory / path).resolve()
        if not owner.inside(target) or not (target / UNIT_FILE).is_file():
            reason = f"{where} ({path}) is not a Terragrunt unit in the repository"
            return {"outputs": Unknown(reason)}
        if target in self.stack:
            return {"outputs": Unknown(f"{where} ({path}) depends on itself")}
        if self.analysis is None:
            return {"outputs": Unknown(f"{where} ({path}) is not analysed here")}
        instance = self.analysis.dependency_instance(
            Unit(target, self.repo_root, self.display, self.stack), f"{self.prefix}{where}"
        )
        if isinstance(instance, Unknown):
            return {"outputs": instance}
        return {"outputs": ModuleObj(instance)}


def _shift(block: Block, offset: int) -> None:
    """Lines inside a heredoc, as lines of the file that holds it."""
    block.line += offset
    block.end_line += offset
    for attr in block.attrs.values():
        attr.line += offset
        attr.end_line += offset
    for child in block.blocks:
        _shift(child, offset)
