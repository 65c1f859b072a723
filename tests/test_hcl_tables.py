"""The LALR tables shipped for python-hcl2's grammar are current and parse as the grammar does."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from corpus import CORPUS
from snapshots import FIXTURES

from iaccert.terraform import hcl_tables

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = [
    "x = {for k, v in var.m : k => v... if v != null}\n",
    "y = [for s in var.l : upper(s)]\nz = a.b[*].c\nw = a.*.b\n",
    'resource "a" "b" {\n  dynamic "d" {\n    for_each = var.x\n    content { v = d.value }\n  }\n}\n',
    "v = <<-EOT\n  hello ${name}\n  %{ if x }y%{ endif }\n  EOT\n",
    'o = { "k" = 1, k2 : 2.5e3, (var.k) = !true, n = -1 }\nc = a ? b : c\n',
    "f = provider::aws::arn_parse(var.arn)\ng = f(a...)\n# comment\n/* block */\n",
]
BAD = ['resource "a" {\n', "x = = 1\n", 'x = "unterminated\n', "x = [1,\n"]


def shape(node) -> object:
    """A parse tree as plain data: rule names, token types, values and positions."""
    if hasattr(node, "data"):
        meta = node.meta
        position = (getattr(meta, "line", None), getattr(meta, "end_line", None))
        return (str(node.data), position, [shape(child) for child in node.children])
    if node is None:
        return None
    return (node.type, str(node), node.line, node.column)


def hcl_sources() -> list[str]:
    paths = sorted(FIXTURES.rglob("*.tf"))
    if CORPUS.is_dir():
        paths += sorted(CORPUS.rglob("*.tf"))[:300]
    return SNIPPETS + [p.read_text(encoding="utf-8", errors="replace") for p in paths]


def test_tables_are_built_from_the_installed_pinned_grammar():
    shipped = json.loads(hcl_tables.TABLES_FILE.read_text(encoding="utf-8"))
    assert shipped["provenance"] == hcl_tables.provenance(), (
        "stale: run `python -m iaccert.terraform.hcl_tables` and commit hcl2_tables.json"
    )
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for name in ("python-hcl2", "lark"):
        pinned = re.search(rf'"{name}==([^"]+)"', pyproject)
        assert pinned and pinned.group(1) == shipped["provenance"][name], name


def test_options_are_the_ones_python_hcl2_uses(monkeypatch):
    import hcl2.parser

    calls = []
    monkeypatch.setattr(
        hcl2.parser, "Lark", type("Rec", (), {"open": lambda *a, **k: calls.append((a, k))})
    )
    hcl2.parser.parser.__wrapped__()
    ((args, kwargs),) = calls
    assert args == ("hcl2.lark",)
    assert type(kwargs.pop("postlex")).__name__ == "PostLexer"
    kwargs.pop("cache")  # the pickle iaccert replaces
    kwargs.pop("rel_to")
    assert kwargs == hcl_tables.HCL2_OPTIONS


@pytest.fixture(scope="module")
def parsers():
    return hcl_tables.build_parser(), hcl_tables.load_parser()


def test_shipped_tables_are_loaded_not_built(monkeypatch):
    from lark import Lark

    monkeypatch.setattr(Lark, "__init__", lambda *a, **k: pytest.fail("grammar compiled"))
    parser = hcl_tables.load_parser()
    assert parser.parse("x = 1\n").data == "start"


def test_shipped_tables_parse_as_the_grammar_does(parsers):
    built, shipped = parsers
    sources = hcl_sources()
    assert len(sources) > len(SNIPPETS) + 10
    for text in sources:
        try:
            expected = shape(built.parse(text + "\n"))
        except Exception as exc:  # noqa: BLE001 - the same failure is what we compare
            expected = (
                type(exc).__name__,
                getattr(exc, "line", None),
                getattr(exc, "column", None),
            )
        try:
            got = shape(shipped.parse(text + "\n"))
        except Exception as exc:  # noqa: BLE001
            got = (type(exc).__name__, getattr(exc, "line", None), getattr(exc, "column", None))
        assert got == expected, text[:200]


@pytest.mark.parametrize("text", BAD)
def test_errors_are_the_same(parsers, text):
    from lark.exceptions import UnexpectedInput

    built, shipped = parsers
    with pytest.raises(UnexpectedInput) as expected:
        built.parse(text)
    with pytest.raises(UnexpectedInput) as got:
        shipped.parse(text)
    assert type(got.value) is type(expected.value)
    assert (got.value.line, got.value.column) == (expected.value.line, expected.value.column)


def test_tables_for_another_lark_are_not_trusted(monkeypatch, capsys):
    from lark import Lark

    real = hcl_tables.provenance()
    monkeypatch.setattr(hcl_tables, "provenance", lambda: {**real, "lark": "0.0"})
    built = []
    original = Lark.__init__
    monkeypatch.setattr(Lark, "__init__", lambda *a, **k: built.append(1) or original(*a, **k))
    parser = hcl_tables.load_parser()
    assert built, "stale tables were loaded"
    assert parser.parse("x = 1\n").data == "start"
    assert "do not match" in capsys.readouterr().err
