"""Where a resource attribute's value was set: back through ``var.NAME`` and ``local.NAME``
to a module call's argument, a variables file, ``-var``, ``TF_VAR_`` or a default.

Why: a finding inside a shared module is fixed at the caller that passed the value, not in
the module. Only an expression with exactly one such reference is followed (``var.x``,
``lower(var.x)``, ``var.on ? "DNS" : "EMAIL"``, ``var.list[count.index]``): with two
references no single place decides the value, and the finding stays where it is.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from ..model import Location, Origin
from . import expr as E
from .expr import traversal_root

MAX_HOPS = 32  # module levels and locals followed for one attribute
# names that say which instance or where, never where a value was set
_CONTEXT_NAMES = frozenset({"count", "each", "path", "terraform", "self", "@"})


def references(node: Any) -> list[tuple[str, ...]] | None:
    """The references an expression makes (``("var", "method")``); None when it holds a
    ``for`` expression, whose names are its own."""
    out: list[tuple[str, ...]] = []
    return out if _collect(node, out) else None


def _collect(node: Any, out: list) -> bool:
    if isinstance(node, E.ForExpr):
        return False
    if isinstance(node, E.Name):
        out.append((node.name,))
        return True
    if isinstance(node, E.GetAttr | E.Index | E.Splat):
        root = traversal_root(node)
        if root is None:
            return _collect_fields(node, out)
        out.append(tuple(root[:2]))
        step = node
        while isinstance(step, E.GetAttr | E.Index | E.Splat):  # index keys refer too
            if isinstance(step, E.Index) and not _collect(step.key, out):
                return False
            step = step.obj
        return True
    return _collect_fields(node, out)


def _collect_fields(node: Any, out: list) -> bool:
    if not dataclasses.is_dataclass(node):
        return True
    for item in dataclasses.fields(node):
        value = getattr(node, item.name)
        values = value if isinstance(value, tuple) else (value,)
        for part in values:
            parts = part if isinstance(part, tuple) else (part,)  # object items are pairs
            if not all(_collect(p, out) for p in parts):
                return False
    return True


def deciding_reference(node: Any) -> tuple[str, str] | None:
    """The one ``var.NAME`` / ``local.NAME`` that decides an expression's value, if any."""
    found = references(node)
    if found is None:
        return None
    found = [r for r in found if r[0] not in _CONTEXT_NAMES]
    if len(set(found)) != 1 or found[0][0] not in ("var", "local") or len(found[0]) < 2:
        return None
    return found[0][0], found[0][1]


def trace(node: Any, inst: Any) -> list[Origin]:
    """The steps a value took to reach ``node`` in module instance ``inst``, innermost first.

    Steps inside code the user does not edit (a registry module) are left out."""
    steps: list[Origin] = []
    for _ in range(MAX_HOPS):
        ref = deciding_reference(node)
        if ref is None:
            break
        kind, name = ref
        if kind == "local":
            attr = inst.config.locals.get(name)
            if attr is None:
                break
            node = attr.expr
            continue
        step, node, inst = _variable_step(inst, name)
        if step is not None and _editable(step, inst):
            steps.append(step)
        if node is None:
            break
    return steps


def _editable(step: Origin, inst: Any) -> bool:
    """A step in a module the user edits (not one ``terraform init`` downloaded)."""
    return inst is None or inst.call_site is None or step.location is None


def _variable_step(inst: Any, name: str) -> tuple[Origin | None, Any, Any]:
    """Where ``var.NAME`` of ``inst`` is set: (the step, the expression set there and the
    instance it is evaluated in — None when the value goes no further)."""
    if inst.call is not None:
        attr = inst.call.attrs.get(name)
        if attr is not None:
            where = Location(inst.call.file, attr.line, attr.end_line)
            step = Origin(f"{inst.address}'s argument {name}", where, inst.address)
            return step, attr.expr, inst.parent
    else:
        given = inst.root.root_origin(name)
        if given is not None:
            return given, None, None
    block = inst.config.variables.get(name)
    default = block.attrs.get("default") if block is not None else None
    if default is None:
        return None, None, None
    where = Location(block.file, default.line, default.end_line)
    return Origin(f"the default of var.{name}", where, f"var.{name}"), None, inst


def attribute_origins(inst: Any, block: Any) -> dict[str, list[Origin]]:
    """Each top-level attribute of a resource block whose value was set by a variable."""
    out = {}
    for name, attr in block.attrs.items():
        try:
            steps = trace(attr.expr, inst)
        except RecursionError:  # an expression nested beyond Python's stack: no origin
            continue
        if steps:
            out[name] = steps
    return out


def tfvars_origin(name: str, attr: Any, path: Path, shown: str) -> Origin:
    """A root variable set in a variables file (``.tfvars`` or ``.tfvars.json``)."""
    line, end = attr.line, attr.end_line
    if path.name.endswith(".json"):
        line = end = _json_key_line(path, name)
    return Origin(f"var.{name}", Location(shown, line, end), f"var.{name}")


def _json_key_line(path: Path, name: str) -> int:
    """The line of a top-level key in a JSON variables file (the parser keeps no lines)."""
    pattern = re.compile(r'"' + re.escape(name) + r'"\s*:')
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return 1
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.search(line):
            return number
    return 1
