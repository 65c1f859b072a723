"""The rule catalog's YAML documents compiled to JSON, so a run loads them without PyYAML
and evaluates selectors without building a jsonpath-ng parser.

Every ``*.yaml`` under ``rules/`` (the rules, the bindings, the module models) is one
document; whatever shape a loader gives them, this module only turns YAML into the same
plain data. Each string that starts with ``$`` is a jsonpath-ng selector: compiling parses
it with jsonpath-ng (a selector it rejects fails the compile) and keeps, where the parsed
path is a plain chain of fields, ``[*]`` and indices, that chain as a list of steps that
``find`` follows with jsonpath-ng's own semantics. Any other selector stays with
jsonpath-ng, imported only then.

Where the compiled form comes from, first found wins:
- ``compiled.json`` beside the catalog in an installed wheel (``hatch_build.py``);
- the cache (``catalog-v<version>/<digest>.json``, cache.py's rules: JSON, checked on load);
- compiling the YAML now, then writing it to the cache.
Each is used only when it was compiled from exactly the catalog's current bytes (the
digest of every document's path and content), so an edited rule is never served stale.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from . import __version__

FORMAT = 1
PACKAGED_NAME = "compiled.json"
_NOT_SET = object()

#: Where compiled catalogs are remembered; the CLI sets it (None: ``--no-cache``).
cache_dir: Path | None = None
_cache_dir_set = False


def use_cache_dir(directory: Path | None) -> None:
    global cache_dir, _cache_dir_set
    cache_dir, _cache_dir_set = directory, True


def rules_dir() -> Path:
    """The rule catalog: inside the package when installed, beside it in a checkout."""
    packaged = Path(__file__).parent / "rules"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "rules"


def _sources(directory: Path) -> dict[str, bytes]:
    """Every document's bytes by its path under ``directory`` (forward slashes), sorted."""
    found = {p.relative_to(directory).as_posix(): p for p in directory.rglob("*.yaml")}
    return {name: found[name].read_bytes() for name in sorted(found)}


def digest(sources: dict[str, bytes]) -> str:
    hasher = hashlib.sha256(f"iaccert-catalog-{FORMAT}\0".encode())
    for name, content in sources.items():
        hasher.update(f"{name}\0{len(content)}\0".encode())
        hasher.update(content)
    return hasher.hexdigest()


# --- compiling (PyYAML and jsonpath-ng: build time, or once per catalog change) ---------


def compile_catalog(directory: Path) -> dict:
    """The compiled form of the catalog in ``directory``; raises on a bad document or
    selector (ValueError naming the document)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    sources = _sources(directory)
    documents, selectors = {}, {}
    for name, content in sources.items():
        try:
            documents[name] = yaml.load(content.decode("utf-8"), Loader=loader)
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ValueError(f"rules/{name}: not valid YAML: {exc}") from None
        for text in _strings(documents[name]):
            if text.startswith("$") and text not in selectors:
                selectors[text] = _compile_selector(text, name)
    return {
        "format": FORMAT,
        "version": __version__,
        "digest": digest(sources),
        "documents": documents,
        "selectors": selectors,
    }


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _compile_selector(text: str, document: str) -> list | None:
    """The selector's steps, or None when jsonpath-ng must evaluate it (not a plain chain)."""
    from jsonpath_ng import jsonpath, parse

    try:
        tree = parse(text)
    except Exception as exc:  # jsonpath-ng raises bare Exceptions for syntax errors
        message = f"rules/{document}: {text!r} is not a jsonpath-ng selector: {exc}"
        raise ValueError(message) from None
    steps: list = []
    while isinstance(tree, jsonpath.Child):
        step = _step(tree.right, jsonpath)
        if step is None:
            return None
        steps.insert(0, step)
        tree = tree.left
    return steps if isinstance(tree, jsonpath.Root) else None


def _step(node, jsonpath) -> list | None:
    if type(node) is jsonpath.Fields and "*" not in node.fields:
        return ["fields", *node.fields]
    if type(node) is getattr(jsonpath, "Wildcard", None):
        return ["wildcard"]
    if type(node) is jsonpath.Index and all(type(i) is int for i in node.indices):
        return ["index", *node.indices]
    return None


# --- loading (json only) ------------------------------------------------------------------


def _valid(data: Any, expected_digest: str, names: list[str]) -> bool:
    """A compiled catalog of this format, taken from these sources (one document each), with
    well-formed steps."""
    if not (isinstance(data, dict) and data.get("format") == FORMAT):
        return False
    if data.get("digest") != expected_digest or not isinstance(data.get("documents"), dict):
        return False
    if sorted(data["documents"]) != names:
        return False
    selectors = data.get("selectors")
    return isinstance(selectors, dict) and all(
        isinstance(text, str) and (steps is None or _valid_steps(steps))
        for text, steps in selectors.items()
    )


def _valid_steps(steps: Any) -> bool:
    if not isinstance(steps, list):
        return False
    for step in steps:
        if not (isinstance(step, list) and step and step[0] in ("fields", "wildcard", "index")):
            return False
        kind, args = step[0], step[1:]
        if kind == "fields" and not (args and all(type(a) is str for a in args)):
            return False
        if kind == "wildcard" and args:
            return False
        if kind == "index" and not (args and all(type(a) is int for a in args)):
            return False
    return True


def _cache_entry(expected_digest: str) -> Path | None:
    from .cache import cache_file, default_cache_dir

    directory = cache_dir if _cache_dir_set else default_cache_dir()
    return cache_file(directory, f"catalog-v{__version__}/{expected_digest}.json")


@functools.lru_cache(maxsize=1)
def catalog() -> dict:
    """The compiled catalog of the rules in effect (see the module docstring)."""
    directory = rules_dir()
    sources = _sources(directory)
    expected, names = digest(sources), list(sources)
    packaged = directory / PACKAGED_NAME
    try:
        data = json.loads(packaged.read_bytes())
    except (OSError, ValueError, RecursionError):
        data = None
    if _valid(data, expected, names):
        return data
    entry = _cache_entry(expected)
    if entry is not None:
        from .cache import read_json

        data = read_json(entry)
        if _valid(data, expected, names):
            return data
    data = compile_catalog(directory)
    if entry is not None:
        from .cache import write_json

        write_json(entry, data)
    return data


def document(name: str) -> Any:
    """One YAML document's data by its path under ``rules/`` (``bindings.yaml``)."""
    return catalog()["documents"][name]


def documents(prefix: str = "") -> list[tuple[str, Any]]:
    """(path, data) of every document whose path starts with ``prefix``, sorted by path."""
    found = catalog()["documents"]
    return [(name, found[name]) for name in sorted(found) if name.startswith(prefix)]


# --- evaluating selectors ---------------------------------------------------------------------


@functools.cache
def _fallback(text: str):
    from jsonpath_ng import parse

    return parse(text)


def find(text: str, data: Any) -> list:
    """Every value selector ``text`` finds in ``data``, as jsonpath-ng would find them."""
    steps = catalog()["selectors"].get(text)
    if steps is None:
        return [match.value for match in _fallback(text).find(data)]
    values = [data]
    for step in steps:
        values = _apply(step, values)
    return values


def find_paths(text: str, data: Any) -> list[tuple[Any, str]]:
    """Like ``find``, with each value's path as the front ends key their lines
    (``aliases[1].x``): a check's fact points at the line where it is written."""
    steps = catalog()["selectors"].get(text)
    if steps is None:
        return [(m.value, _jsonpath_text(m.full_path)) for m in _fallback(text).find(data)]
    return follow_paths(steps, data)


def follow_paths(steps: list, data: Any) -> list[tuple[Any, str]]:
    found: list[tuple[Any, str]] = [(data, "")]
    for step in steps:
        found = [pair for value, path in found for pair in _apply_paths(step, value, path)]
    return found


def _jsonpath_text(full_path: Any) -> str:
    """jsonpath-ng prints ``aliases.[1].x``; the front ends key lines as ``aliases[1].x``."""
    return str(full_path).replace(".[", "[").removeprefix("$.")


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _apply_paths(step: list, value: Any, path: str) -> list[tuple[Any, str]]:
    kind = step[0]
    if kind == "fields":
        out = []
        for name in step[1:]:
            try:
                got = value.get(name, _NOT_SET)
            except (TypeError, AttributeError):
                continue
            if got is not _NOT_SET:
                out.append((got, _join(path, name)))
        return out
    if kind == "wildcard":
        if isinstance(value, (list, tuple)):
            return [(item, _join(path, i)) for i, item in enumerate(value)]
        if isinstance(value, dict):
            return [(item, _join(path, k)) for k, item in value.items()]
        return [
            (v, p) for name in _keys(value) for v, p in _apply_paths(["fields", name], value, path)
        ]
    if not isinstance(value, (list, tuple)) or not value:
        return []
    return [(value[i], _join(path, i)) for i in step[1:] if -len(value) <= i < len(value)]


def _keys(value: Any) -> tuple:
    try:
        return tuple(value.keys())
    except AttributeError:
        return ()


def _apply(step: list, values: list) -> list:
    kind, out = step[0], []
    for value in values:
        if kind == "fields":
            out.extend(_fields(value, step[1:]))
        elif kind == "wildcard":
            out.extend(_children(value))
        elif isinstance(value, (list, tuple)):  # index: arrays only, out of range is nothing
            out.extend(value[i] for i in step[1:] if value and -len(value) <= i < len(value))
    return out


def _fields(value: Any, names) -> list:
    """jsonpath-ng's Fields: anything with ``get`` that holds the name (a None value too)."""
    out = []
    for name in names:
        try:
            got = value.get(name, _NOT_SET)
        except (TypeError, AttributeError):
            continue
        if got is not _NOT_SET:
            out.append(got)
    return out


def _children(value: Any) -> list:
    """jsonpath-ng's Wildcard: an array's elements, a mapping's values, a scalar's nothing."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, dict):
        return list(value.values())
    try:
        keys = tuple(value.keys())
    except AttributeError:
        return []
    return _fields(value, keys)
