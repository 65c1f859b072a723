"""Where a property's value was set when it is ``!Ref`` of a parameter: the parameter's
``Default``, a parameters file, ``--parameter``, or a parent stack's ``Parameters``.

Why: the fix for a finding about such a property goes where the value is given, not in
the resource (the same provenance the Terraform front end records, terraform/origins.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..model import Location, Origin
from .decode import line_of
from .intrinsics import is_intrinsic

MAX_HOPS = 16  # nested stack levels followed


def _ref_parameter(node: Any, stack: Any) -> str | None:
    """The parameter a property is ``{"Ref": NAME}`` of, if it is one."""
    if not (isinstance(node, dict) and is_intrinsic(node) and "Ref" in node):
        return None
    name = node["Ref"]
    return str(name) if isinstance(name, str) and name in stack.parameters else None


def _key_of(section: Any, name: str) -> Any:
    return next((k for k in section if k == name), None) if isinstance(section, dict) else None


def trace(node: Any, stack: Any, given: dict[str, Origin]) -> list[Origin]:
    """The steps from a property's value to where it was set, innermost first."""
    steps: list[Origin] = []
    for _ in range(MAX_HOPS):
        name = _ref_parameter(node, stack)
        if name is None:
            break
        if stack.parent is None:
            if name in given:
                steps.append(given[name])
            else:
                steps.extend(_default(stack, name))
            break
        passed = stack.passed
        key = _key_of(passed, name) if not is_intrinsic(passed) else None
        if key is None:
            steps.extend(_default(stack, name))
            break
        logical_id = stack.prefix.rstrip("/").rsplit("/", 1)[-1]
        where = Location(stack.parent.display, line_of(key), line_of(key))
        address = f"{stack.parent.prefix}{logical_id}"
        steps.append(Origin(f"stack {address}'s parameter {name}", where, address))
        node, stack = passed[key], stack.parent
    return steps


def _default(stack: Any, name: str) -> list[Origin]:
    decl = stack.parameters.get(name)
    key = _key_of(decl, "Default")
    if key is None:
        return []
    line = line_of(decl[key], line_of(key))
    where = Location(stack.display, line, line)
    return [Origin(f"the Default of parameter {name}", where, f"parameter {name}")]


def property_origins(props: Any, stack: Any, given: dict[str, Origin]) -> dict[str, list[Origin]]:
    """Each top-level property that is a ``Ref`` to a parameter, with where it was set."""
    if not isinstance(props, dict) or is_intrinsic(props):
        return {}
    out = {}
    for key, value in props.items():
        steps = trace(value, stack, given)
        if steps:
            out[str(key)] = steps
    return out


def given_origins(
    defaults: dict[str, str],
    parameters_file: Path | None,
    shown_file: str,
    parameters: list[tuple[str, str]],
) -> dict[str, Origin]:
    """Where each parameter value the user gave comes from, in the order they override."""
    out = {n: Origin(f"parameter {n} in the configuration", None, n) for n in defaults}
    if parameters_file is not None:
        text = _read(parameters_file)
        for name in _file_keys(text):
            line = _json_line(text, name)
            where = Location(shown_file, line, line)
            out[name] = Origin(f"parameter {name} in {parameters_file.name}", where, name)
    for name, _ in parameters:
        out[name] = Origin(f"--parameter {name}", None, name)
    return out


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""


def _file_keys(text: str) -> list[str]:
    """Parameter names a parameters file sets (either shape, see params.py)."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    if isinstance(data, list):
        return [
            e["ParameterKey"]
            for e in data
            if isinstance(e, dict) and isinstance(e.get("ParameterKey"), str)
        ]
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
        return [str(k) for k in data["Parameters"]]
    return []


def _json_line(text: str, name: str) -> int:
    """The line a parameter is named on in a JSON parameters file (json keeps no lines)."""
    quoted = re.escape(json.dumps(name))
    pattern = re.compile(rf'(?:"ParameterKey"\s*:\s*{quoted})|(?:{quoted}\s*:)')
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.search(line):
            return number
    return 1
