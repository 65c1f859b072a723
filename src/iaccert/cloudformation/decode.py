"""Read one template with cfn-lint's decoder (imported here, lazily, only when a template
was found): YAML or JSON into dicts and lists whose strings and containers carry marks.

Decoder errors become ParseProblems. When a YAML template does not parse as a whole,
its top-level sections and then its resources are decoded one by one, so that one
broken resource does not hide the others: the file still gets its IAC000.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..lines import YAML, split
from ..model import ParseProblem
from ..safe_read import Refused, Roots, bound, quote, read_bytes
from .detect import MAX_TEMPLATE_BYTES

SALVAGE_MAX_BYTES = 512 * 1024
# cfn-lint's decoders check each key of a mapping against every earlier one (quadratic:
# 40,000 keys in one mapping cost 45 s) and take about 13 µs a node: templates beyond these
# are refused before they reach it. CloudFormation itself allows 500 resources and 200
# parameters, outputs or mappings per template.
MAX_TEMPLATE_KEYS = 5_000  # keys in one mapping
MAX_TEMPLATE_NODES = 250_000  # mappings, sequences and scalars (cfn-lint's own alias limit)
SALVAGE_MAX_CHUNKS = 400
_DUPLICATE = re.compile(r"^Duplicate found '(.*)' \(line (\d+)\)$", re.S)


@dataclass
class Decoded:
    path: Path
    display: str
    data: dict | None = None  # the template (with marks), or None when nothing was readable
    problems: list[ParseProblem] = field(default_factory=list)
    partial: bool = False  # salvaged section by section after a parse error


def line_of(node: Any, default: int = 1) -> int:
    """1-based line where a decoded node starts (ints, bools and None carry no mark)."""
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else default


def nested_lines(node: Any, default: int, limit: int = 2000) -> dict[str, int]:
    """Lines of every key and list item under a mapping, by path (``A.B[1].C``), so that a
    finding can point at a nested property; bounded by depth and by ``limit`` entries."""
    out: dict[str, int] = {}
    stack: list[tuple[Any, str, int, int]] = [(node, "", default, 0)]
    while stack and len(out) < limit:
        item, path, line, depth = stack.pop()
        if depth > 12:
            continue
        if isinstance(item, dict):
            for key, value in item.items():
                at = f"{path}.{key}" if path else str(key)
                out[at] = line_of(key, line)
                stack.append((value, at, out[at], depth + 1))
        elif isinstance(item, list) and path:
            for i, value in enumerate(item):
                at = f"{path}[{i}]"
                out[at] = line_of(value, line)
                stack.append((value, at, out[at], depth + 1))
    return out


def end_line_of(node: Any, default: int) -> int:
    """1-based last line with content in a decoded node: the furthest end of its strings
    and keys (a block mapping's own end mark is where the next key starts)."""
    last = default
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            mark = getattr(item, "end_mark", None)
            if mark is not None:
                last = max(last, mark.line if mark.column == 0 else mark.line + 1)
    return last


def _decoder():
    from cfnlint.decode import decode_str

    # cfn-lint logs some errors as well as returning them; keep stderr ours.
    logging.getLogger("cfnlint").addHandler(logging.NullHandler())
    logging.getLogger("cfnlint").propagate = False
    return decode_str


def _read(path: Path, display: str, roots: Roots | None) -> tuple[str | None, ParseProblem | None]:
    try:
        data = read_bytes(path, roots, MAX_TEMPLATE_BYTES)
    except Refused as exc:
        return None, ParseProblem(display, 1, 1, f"not read: {exc.reason}")
    except OSError as exc:
        return None, ParseProblem(display, 1, 1, f"cannot read: {exc.strerror or exc}")
    if b"\x00" in data:
        return None, ParseProblem(display, 1, 1, "file contains NUL bytes; not a text file")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, ParseProblem(display, line, 1, "file is not UTF-8 text")


def _problems(matches: list, display: str) -> list[ParseProblem]:
    out = []
    for match in matches:
        raw = str(getattr(match, "message", match))
        line = int(getattr(match, "linenumber", 1) or 1)
        dup = _DUPLICATE.match(raw)
        if dup and int(dup.group(2)) > line:
            continue  # the pair's later key reports the duplicate
        # the decoder's messages may quote the input: the key alone, bounded
        message = bound(raw)
        if dup:
            message = f"Duplicate found {quote(dup.group(1))} (line {dup.group(2)})"
        column = int(getattr(match, "columnnumber", 1) or 1)
        out.append(ParseProblem(display, line, column, f"cannot parse template: {message}"))
    return out or [ParseProblem(display, 1, 1, "cannot parse template")]


def decode_template(path: Path, display: str, roots: Roots | None = None) -> Decoded:
    """Never raises: anything unexpected is a ParseProblem for this file."""
    result = Decoded(path, display)
    text, problem = _read(path, display, roots)
    if problem is not None:
        result.problems.append(problem)
        return result
    too_large = _shape_problem(text, display)
    if too_large is not None:
        result.problems.append(too_large)
        return result
    try:
        decode_str = _decoder()
        data, matches = decode_str(text)
        if data is None:
            result.problems = _problems(matches, display)
            if not text.lstrip().startswith("{") and len(text) <= SALVAGE_MAX_BYTES:
                result.data = _salvage(text, decode_str)
                result.partial = result.data is not None
        elif isinstance(data, dict):
            result.data = data
    except RecursionError:
        result.problems.append(ParseProblem(display, 1, 1, "template is nested too deeply"))
        result.data = None
    except Exception as exc:  # noqa: BLE001 - a decoder bug must not stop the scan
        result.problems.append(
            ParseProblem(
                display, 1, 1, f"cannot parse template: {type(exc).__name__}: {bound(str(exc))}"
            )
        )
        result.data = None
    return result


def _shape_problem(text: str, display: str) -> ParseProblem | None:
    """IAC001 when the template has a mapping with too many keys, or too many nodes.

    Cheap first: every key needs a ``:``, ``,`` or ``?``, so a text with few of them is
    small enough. Otherwise the text is measured with libyaml's composer (C, linear, no
    objects constructed); a text it cannot compose is measured as JSON, which is what
    cfn-lint then tries (counting the objects closed before any syntax error)."""
    bound = text.count(":") + text.count(",") + text.count("?")
    if bound <= MAX_TEMPLATE_KEYS:
        return None
    shape = _yaml_shape(text) or _json_shape(text)
    if shape is None:
        return None
    keys, key_line, nodes = shape
    if keys > MAX_TEMPLATE_KEYS:
        return ParseProblem(
            display,
            key_line,
            1,
            f"limit max-template-keys reached: a mapping has {keys:,} keys (at most "
            f"{MAX_TEMPLATE_KEYS:,}); the template is not analysed",
            rule="IAC001",
        )
    if nodes > MAX_TEMPLATE_NODES:
        return ParseProblem(
            display,
            1,
            1,
            f"limit max-template-nodes reached: the template has {nodes:,} values (at most "
            f"{MAX_TEMPLATE_NODES:,}); the template is not analysed",
            rule="IAC001",
        )
    return None


def _yaml_shape(text: str) -> tuple[int, int, int] | None:
    """(most keys in one mapping, its line, node count), or None if it does not compose."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader)
    except (yaml.YAMLError, RecursionError):
        return None
    if root is None:
        return None
    keys, key_line, nodes = 0, 1, 0
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias: cfn-lint bounds expanding them itself
            continue
        seen.add(id(node))
        nodes += 1
        if isinstance(node, yaml.MappingNode):
            if len(node.value) > keys:
                keys, key_line = len(node.value), node.start_mark.line + 1
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return keys, key_line, nodes


def _json_shape(text: str) -> tuple[int, int, int] | None:
    """The same for JSON (stdlib's C decoder), over the objects it could close."""
    import json

    shape = [0, 0]  # most keys, all keys

    def count(pairs: list) -> dict:
        shape[0] = max(shape[0], len(pairs))
        shape[1] += len(pairs)
        return {}

    try:
        json.loads(text, object_pairs_hook=count)
    except (ValueError, RecursionError):
        if not shape[1]:
            return None
    return shape[0], 1, shape[1]


def _starts(lines: list[str], indent: int, lo: int, hi: int) -> list[int]:
    """Lines in [lo, hi) that open a mapping key at exactly ``indent`` spaces."""
    out = []
    for i in range(lo, hi):
        line = lines[i]
        body = line.lstrip(" ")
        if not body.strip() or body.startswith(("#", "-", "---", "...")):
            continue
        if len(line) - len(body) == indent:
            out.append(i)
    return out


def _chunk(decode_str, lines: list[str], keep: list[tuple[int, int]]) -> dict | None:
    """Decode only the kept line ranges; blank lines elsewhere keep the marks right."""
    kept = [False] * len(lines)
    for lo, hi in keep:
        for i in range(lo, hi):
            kept[i] = True
    text = "".join(line if kept[i] else "\n" for i, line in enumerate(lines))
    data, _ = decode_str(text)
    return data if isinstance(data, dict) else None


def _salvage(text: str, decode_str) -> dict | None:
    """The sections and resources of a broken YAML template that parse on their own."""
    lines = split(text, YAML, keepends=True)  # numbered as YAML numbers them
    tops = _starts(lines, 0, 0, len(lines))
    if not tops or len(tops) > SALVAGE_MAX_CHUNKS:
        return None
    bounds = list(zip(tops, [*tops[1:], len(lines)], strict=True))
    template: dict = {}
    budget = SALVAGE_MAX_CHUNKS
    for lo, hi in bounds:
        budget -= 1
        part = _chunk(decode_str, lines, [(lo, hi)])
        if part is not None:
            template.update(part)
            continue
        if not lines[lo].startswith("Resources"):
            continue
        body = [i for i in range(lo + 1, hi) if lines[i].strip() and lines[i].strip()[0] != "#"]
        if not body:
            continue
        indent = len(lines[body[0]]) - len(lines[body[0]].lstrip(" "))
        starts = _starts(lines, indent, lo + 1, hi) if indent else []
        if not starts:
            continue
        resources: dict = {}
        for start, end in zip(starts, [*starts[1:], hi], strict=True):
            budget -= 1
            if budget < 0:
                break
            piece = _chunk(decode_str, lines, [(lo, lo + 1), (start, end)])
            found = piece.get("Resources") if piece else None
            if isinstance(found, dict):
                resources.update(found)
        if resources:
            template["Resources"] = resources
    return template if isinstance(template.get("Resources"), dict) else None
