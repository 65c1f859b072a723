"""A Terraform module directory, read into its declarations (no evaluation here)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import ParseCache
from ..model import ParseProblem
from ..roles import roles
from ..safe_read import Refused, Roots
from ..safe_read import read_bytes as safe_read_bytes
from .blockdata import decode_blocks, encode_blocks
from .expr import Lit, traversal_root
from .hcl import Attribute, Block, BlockError, ParseError, load_hcl, parse_tree
from .overrides import is_override, merge_block, provider_key
from .tfjson import load_tfjson

MAX_FILE_BYTES = 5 * 1024 * 1024
TF_SUFFIXES = (".tf", ".tf.json")


@dataclass
class ModuleConfig:
    """Declarations of one module directory, by kind and name."""

    directory: Path
    files: list[str] = field(default_factory=list)
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attribute] = field(default_factory=dict)
    resources: dict[str, Block] = field(default_factory=dict)  # "type.name"
    data: dict[str, Block] = field(default_factory=dict)  # "type.name"
    modules: dict[str, Block] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    providers: list[Block] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)

    def local_sources(self) -> dict[str, Path]:
        """Module calls with a local source (``./x``, ``../x``), by call name."""
        out = {}
        for name, block in self.modules.items():
            source = module_source(block)
            if source is not None and source.startswith(("./", "../")):
                out[name] = (self.directory / source).resolve()
        return out


def module_source(block: Block) -> str | None:
    attr = block.attrs.get("source")
    if attr is not None and isinstance(attr.expr, Lit) and isinstance(attr.expr.value, str):
        return attr.expr.value
    return None


def read_text(path: Path, roots: Roots | None = None) -> str:
    """File text as Terraform reads it: UTF-8, with or without a BOM."""
    return decode_text(read_bytes(path, roots))


def read_bytes(path: Path, roots: Roots | None = None) -> bytes:
    """A file of the scanned repository (src/iaccert/safe_read.py); a refusal is a ParseError."""
    try:
        return safe_read_bytes(path, roots, MAX_FILE_BYTES)
    except Refused as exc:
        raise ParseError(f"not read: {exc.reason}") from None


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError("file is UTF-16; Terraform reads only UTF-8")
    if b"\x00" in data:
        raise ParseError("file contains NUL bytes; not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError("file is not valid UTF-8", line) from None


def _add(config: ModuleConfig, block: Block) -> None:
    if block.problem:
        config.problems.append(block_problem(block))
        return
    if block.type == "resource" and len(block.labels) == 2:
        config.resources[".".join(block.labels)] = block
    elif block.type == "data" and len(block.labels) == 2:
        config.data[".".join(block.labels)] = block
    elif block.type == "variable" and block.labels:
        config.variables[block.labels[0]] = block
    elif block.type == "locals":
        config.locals.update(block.attrs)
    elif block.type == "module" and block.labels:
        config.modules[block.labels[0]] = block
    elif block.type == "output" and block.labels:
        config.outputs[block.labels[0]] = block
    elif block.type == "provider" and block.labels:
        config.providers.append(block)


def block_problem(block: Block) -> ParseProblem:
    """IAC000 for one block Terraform refuses: that block is not analysed, the file's others are."""
    what = " ".join([block.type, *(f'"{label}"' for label in block.labels)])
    lost = "this block is not analysed"
    if block.type == "resource" and block.labels and block.labels[0] in roles().consumers:
        lost = f"the API Gateway domain {'.'.join(block.labels)} is not analysed"
    return ParseProblem(
        block.file, block.problem_line or block.line, 1, f"{what}: {block.problem}; {lost}"
    )


def parse_file(
    path: Path, shown: str, cache: ParseCache | None = None, roots: Roots | None = None
) -> list[Block]:
    """Blocks of one ``.tf`` / ``.tf.json`` file, from the parse cache when it has them."""
    data = read_bytes(path, roots)
    kind = "tfjson" if path.name.endswith(".json") else "hcl"
    cached = cache.get(kind, data, lambda entry: _decode_entry(entry, shown)) if cache else None
    if isinstance(cached, ParseError):  # a remembered parse error
        raise cached
    if cached is not None:
        return cached
    try:
        text = decode_text(data)
        blocks = load_tfjson(text, shown) if kind == "tfjson" else load_hcl(text, shown)
    except ParseError as exc:
        if cache:
            cache.put(kind, data, {"error": [str(exc), exc.line, exc.column]})
        raise
    if cache:
        _remember(cache, kind, data, blocks)
    return blocks


def _remember(cache: ParseCache, kind: str, data: bytes, blocks: list[Block]) -> None:
    try:
        entry = {"blocks": encode_blocks(blocks)}
    except (ValueError, RecursionError):  # not exactly storable: parse it again next time
        return
    cache.put(kind, data, entry)


def _decode_entry(entry: object, shown: str) -> list[Block] | ParseError:
    """A cache entry's blocks (named as this scan shows the file) or its parse error."""
    if not isinstance(entry, dict) or len(entry) != 1:
        raise ValueError("not a parse cache entry")
    if "blocks" in entry:
        return decode_blocks(entry["blocks"], shown)
    message, line, column = entry["error"]
    if type(message) is not str or type(line) is not int or type(column) is not int:
        raise ValueError("not a parse error")
    return ParseError(message, line, column)


def load_module(
    directory: Path,
    display: callable,
    cache: ParseCache | None = None,
    roots: Roots | None = None,
) -> ModuleConfig:
    """Read every ``.tf`` and ``.tf.json`` file of a directory; bad files become problems
    (one that is not a regular file of the repository too: it is never opened)."""
    config = ModuleConfig(directory)
    roots = roots if roots is not None else Roots.of([directory])
    try:
        paths = sorted(
            p for p in directory.iterdir() if p.name.endswith(TF_SUFFIXES) and not p.is_dir()
        )
    except OSError as exc:
        shown = display(directory)
        config.problems.append(ParseProblem(shown, 1, 1, f"cannot list directory: {exc.strerror}"))
        return config
    overrides = [p for p in paths if is_override(p)]  # merged last, in lexicographical order
    for path in [p for p in paths if not is_override(p)] + overrides:
        shown = display(path)
        config.files.append(shown)
        try:
            blocks = parse_file(path, shown, cache, roots)
        except ParseError as exc:
            config.problems.append(ParseProblem(shown, exc.line, exc.column, str(exc)))
            continue
        except OSError as exc:
            config.problems.append(ParseProblem(shown, 1, 1, f"cannot read: {exc.strerror}"))
            continue
        for block in blocks:
            if is_override(path):
                _apply_override(config, block)
            else:
                _add(config, block)
    return config


def _apply_override(config: ModuleConfig, block: Block) -> None:
    """Merge one block of an override file into the block it overrides (Terraform's rules)."""
    if block.type == "locals":
        config.locals.update(block.attrs)  # value by value, whichever locals block
        return
    tables = {
        "resource": config.resources,
        "data": config.data,
        "variable": config.variables,
        "module": config.modules,
        "output": config.outputs,
    }
    if block.type in tables:
        if not block.labels:
            return  # a malformed block: Terraform reports it, nothing to merge
        key = ".".join(block.labels) if block.type in ("resource", "data") else block.labels[0]
        table = tables[block.type]
        if key in table:
            table[key] = merge_block(table[key], block)
            return
    elif block.type == "provider":
        for i, original in enumerate(config.providers):
            if provider_key(original) == provider_key(block):
                config.providers[i] = merge_block(original, block)
                return
    else:
        return  # terraform, moved, import…: nothing iaccert reads
    what = " ".join([block.type, *(f'"{label}"' for label in block.labels)])
    config.problems.append(
        ParseProblem(
            block.file,
            block.line,
            1,
            f"override file: there is no {what} block to override (Terraform rejects this)",
        )
    )


def load_model_config(key: str, hcl: str, defaults: tuple) -> ModuleConfig:
    """A known-module model (rules/modules/) as if it were a module directory."""
    shown = f"<model {key}>"
    config = ModuleConfig(Path(shown), files=[])
    for block in load_hcl(hcl, shown):
        _add(config, block)
    for name, value in defaults:
        variable = config.variables.get(name)
        if variable is not None:
            line = variable.line
            variable.attrs["default"] = Attribute("default", Lit(value), line, line)
    return config


def depends_on_names(block: Block) -> list[str]:
    """``depends_on = [module.x, aws_y.z]`` -> ['module.x', 'aws_y.z']."""
    attr = block.attrs.get("depends_on")
    if attr is None:
        return []
    items = getattr(attr.expr, "items", ())
    names = []
    for item in items:
        root = traversal_root(item)
        if root:
            names.append(".".join(root[:3] if root[0] == "data" else root[:2]))
    return names


def load_tfvars(path: Path, roots: Roots | None = None) -> dict[str, Attribute]:
    """Assignments of a ``.tfvars`` / ``.tfvars.json`` file, unevaluated."""
    text = read_text(path, roots)
    if path.name.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
        except RecursionError:
            raise ParseError("invalid JSON: nested too deeply") from None
        if not isinstance(data, dict):
            raise ParseError("a .tfvars.json file must hold a JSON object")
        return {k: Attribute(k, Lit(v), 1, 1) for k, v in data.items()}
    from .hcl import _body, _tree_kids

    tree = parse_tree(text)
    kids = _tree_kids(tree)
    if not kids:
        return {}
    try:
        attrs, _ = _body(kids[0], str(path))
    except BlockError as exc:
        raise ParseError(str(exc), exc.line) from None
    return attrs
