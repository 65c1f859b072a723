"""Terraform override files (``override.tf``, ``*_override.tf`` and their ``.tf.json`` forms).

Terraform loads them after the other files of a module, in lexicographical order, and merges
each top-level block into the block with the same header: top-level arguments replace the
original's, nested blocks of a type replace every original block of that type (a
resource's ``lifecycle`` merges argument by argument), ``locals`` override value by value.
An override block with no original is an error in Terraform, and here.
(https://developer.hashicorp.com/terraform/language/files/override)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .expr import Lit
from .hcl import Block


@dataclass(slots=True)
class MergedBlock(Block):
    """A block some override file changed: which arguments and nested blocks came from where."""

    attr_files: dict[str, str] = field(default_factory=dict)


def is_override(path: Path) -> bool:
    stem = path.name.removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def _nested_type(block: Block) -> str:
    """``dynamic "x"`` stands for blocks of type x."""
    return block.labels[0] if block.type == "dynamic" and block.labels else block.type


def merge_block(original: Block, override: Block) -> MergedBlock:
    """The original with the override's arguments and nested blocks, as Terraform merges."""
    files = dict(getattr(original, "attr_files", {}))
    attrs = dict(original.attrs)
    for name, attr in override.attrs.items():
        attrs[name] = attr
        files[name] = override.file
    replaced = {_nested_type(b) for b in override.blocks}
    if original.type == "resource" or original.type == "data":
        replaced.discard("lifecycle")
    blocks = [b for b in original.blocks if _nested_type(b) not in replaced]
    for child in override.blocks:
        files[_nested_type(child)] = override.file
        if child.type == "lifecycle" and original.type in ("resource", "data"):
            blocks = _merge_lifecycle(blocks, child)
        else:
            blocks.append(child)
    return MergedBlock(
        original.type,
        original.labels,
        attrs,
        blocks,
        original.file,
        original.line,
        original.end_line,
        problem=original.problem,
        problem_line=original.problem_line,
        attr_files=files,
    )


def _merge_lifecycle(blocks: list[Block], override: Block) -> list[Block]:
    """A resource's lifecycle merges argument by argument (the other nested blocks replace)."""
    current = [b for b in blocks if b.type == "lifecycle"]
    rest = [b for b in blocks if b.type != "lifecycle"]
    if not current:
        return [*rest, override]
    base = current[0]
    merged = Block(
        "lifecycle",
        (),
        {**base.attrs, **override.attrs},
        override.blocks or base.blocks,
        override.file,
        override.line,
        override.end_line,
    )
    return [*rest, merged]


def provider_key(block: Block) -> tuple[str, str]:
    """A provider block's identity: its name and literal alias."""
    alias = block.attrs.get("alias")
    value = alias.expr.value if alias is not None and isinstance(alias.expr, Lit) else ""
    return (block.labels[0] if block.labels else "", str(value or ""))
