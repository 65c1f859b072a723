"""python-hcl2's Lark parser, rebuilt from LALR tables shipped with iaccert as JSON.

Building the tables from python-hcl2's grammar takes seconds, and python-hcl2 keeps them
in a pickle (``hcl2/.lark_cache.bin``, or wherever ``PARSER_FILE`` points) that Lark
unpickles before checking it: whoever can write that file runs code in the next scan.
So iaccert never uses that cache. The tables are generated once, ahead of time, by Lark's
own ``memo_serialize`` and committed as ``hcl2_tables.json`` next to this module; each run
loads them read-only from the installed package through Lark's dict loader (the path
Lark's standalone parsers use), with no pickle and no writable file involved.

The file records the Lark and python-hcl2 versions and the grammar's SHA-256 it was built
from. If the installed ones differ, the tables are not trusted and the parser is built
from the grammar in memory, as slow as a first run used to be but still without a cache;
``tests/test_hcl_tables.py`` fails in that case, and ``python -m
iaccert.terraform.hcl_tables`` regenerates the file.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

TABLES_FILE = Path(__file__).with_name("hcl2_tables.json")
FORMAT = 1
# The options python-hcl2 8.1.4's ``hcl2.parser.parser()`` gives Lark, less its pickle cache.
HCL2_OPTIONS = {"parser": "lalr", "propagate_positions": True}
_INT_KEYS = "~i"  # a dict with int keys: {"~i": [[key, value], ...]}
_TUPLE = "~t"  # a tuple: {"~t": [items]}


def _grammar_file() -> Path:
    import hcl2.parser

    return Path(hcl2.parser.__file__).with_name("hcl2.lark")


def provenance() -> dict[str, Any]:
    """What the tables depend on: Lark's version, python-hcl2's and its grammar text."""
    import hcl2
    import lark

    return {
        "format": FORMAT,
        "lark": lark.__version__,
        "python-hcl2": hcl2.__version__,
        "grammar_sha256": hashlib.sha256(_grammar_file().read_bytes()).hexdigest(),
    }


def _postlexer():
    from hcl2.postlexer import PostLexer

    return PostLexer()


def build_parser():
    """The parser built from python-hcl2's grammar in memory (seconds; never cached)."""
    from lark import Lark

    return Lark.open(str(_grammar_file()), **HCL2_OPTIONS, postlex=_postlexer())


def load_parser():
    """The parser from the shipped tables, or built from the grammar if they do not match."""
    from lark import Lark

    try:
        with open(TABLES_FILE, "rb") as fh:
            shipped = json.load(fh, object_hook=_revive)
    except (OSError, ValueError):
        shipped = None
    if not isinstance(shipped, dict) or shipped.get("provenance") != provenance():
        print(
            "iaccert: the shipped HCL parse tables do not match the installed lark/python-hcl2;"
            " building them (slow)",
            file=sys.stderr,
        )
        return build_parser()
    return Lark._load_from_dict(
        shipped["data"], shipped["memo"], postlex=_postlexer(), propagate_positions=True
    )


# -- generation (a release step and the staleness test, never a run) -------------------

# Options that hold objects (or nothing useful); given again when the tables are loaded.
_RUNTIME_OPTIONS = ("postlex", "lexer_callbacks", "_plugins", "tree_class", "transformer")


def build_tables() -> dict[str, Any]:
    """The JSON document for ``TABLES_FILE``: provenance plus Lark's serialized parser."""
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    parser = build_parser()
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    data["options"] = {k: v for k, v in data["options"].items() if k not in _RUNTIME_OPTIONS}
    return {"provenance": provenance(), "data": _plain(data), "memo": _plain(memo)}


def _plain(value: Any) -> Any:
    """Lark's serialized data with its int-keyed dicts and tuples made JSON-able."""
    if isinstance(value, dict):
        if all(type(k) is str for k in value):
            if _INT_KEYS in value or _TUPLE in value:
                raise ValueError("a key collides with the JSON markers")
            return {k: _plain(v) for k, v in value.items()}
        if not all(type(k) is int for k in value):
            raise ValueError("a dict with mixed keys")
        return {_INT_KEYS: [[k, _plain(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {_TUPLE: [_plain(v) for v in value]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or type(value) in (str, int, float, bool):
        return value
    raise ValueError(f"cannot write {type(value).__name__} as JSON")


def _revive(obj: dict) -> Any:
    if len(obj) == 1:
        if _INT_KEYS in obj:
            return {k: v for k, v in obj[_INT_KEYS]}
        if _TUPLE in obj:
            return tuple(obj[_TUPLE])
    return obj


def write_tables(path: Path = TABLES_FILE) -> None:
    text = json.dumps(build_tables(), separators=(",", ":"), sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_tables()
    print(f"wrote {TABLES_FILE}")
