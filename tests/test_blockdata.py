"""Parsed blocks survive the parse cache's JSON form exactly; anything else is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus import CORPUS
from snapshots import FIXTURES

from iaccert.terraform import expr as E
from iaccert.terraform.blockdata import decode_blocks, encode_blocks
from iaccert.terraform.hcl import Attribute, Block, load_hcl
from iaccert.terraform.tfjson import load_tfjson

ROOT = Path(__file__).resolve().parent.parent


def sources() -> list[Path]:
    paths = sorted(FIXTURES.rglob("*.tf")) + sorted(FIXTURES.rglob("*.tf.json"))
    if CORPUS.is_dir():
        paths += sorted(CORPUS.rglob("*.tf"))[:300]
    return paths


def load(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    return load_tfjson(text, "f") if path.name.endswith(".json") else load_hcl(text, "f")


def round_trip(blocks: list[Block]) -> list[Block]:
    data = json.loads(json.dumps(encode_blocks(blocks)))
    return decode_blocks(data, "f")


def test_every_fixture_file_round_trips():
    count = 0
    for path in sources():
        try:
            blocks = load(path)
        except Exception:  # noqa: BLE001 - unparsable fixtures are cached as errors
            continue
        assert round_trip(blocks) == blocks, path
        count += 1
    assert count > 40


def test_every_expression_kind_round_trips():
    body = """
locals {
  a = null
  b = [1, 2.5, true, "s", -1, !false]
  c = { "k" = var.x, (local.k) = 1 }
  d = "pre-${var.x}-${1}-${"lit"}-${null}"
  e = [for k, v in var.m : "${k}=${v}" if v != null]
  f = { for k, v in var.m : k => v... }
  g = a.b[0]["c"][*].d
  h = a.*.b
  i = x ? y : z
  j = f(a, b...)
  k = <<EOT
%{ if x }y%{ endif }
EOT
  l = 1 + 2 * 3 >= 4 && true || false
  m = a.b
  n = -var.x
  o = a[0]
  p = x
}
"""
    blocks = load_hcl(body, "f")
    exprs = {type(a.expr) for a in blocks[0].attrs.values()}
    assert {E.Lit, E.TupleExpr, E.ObjectExpr, E.Template, E.ForExpr, E.GetAttr, E.Splat} <= exprs
    assert {E.Cond, E.Call, E.Unsupported, E.BinOp, E.Unary, E.Index, E.Name} <= exprs
    assert round_trip(blocks) == blocks


@pytest.mark.parametrize(
    "data",
    [
        {},
        [["resource"]],
        [["resource", ["a"], {}, [], "1", 1]],
        [["resource", ["a", 1], {}, [], 1, 1]],
        [["resource", [], {"x": [["Q", 1], 1, 1]}, [], 1, 1]],
        [["resource", [], {"x": [["B", "**", 1, 2], 1, 1]}, [], 1, 1]],
        [["resource", [], {"x": [["C", "f", [], 0], 1, 1]}, [], 1, 1]],
        [["resource", [], {"x": [["L", [1]], 1, 1]}, [], 1, 1]],
        [["resource", [], {"x": [{"L": 1}, 1, 1]}, [], 1, 1]],
        [["resource", [], {"x": [None, 1, 1]}, [], 1, 1]],
        [["resource", [], {"x": [["T", [5]], 1, 1]}, [], 1, 1]],
        [["resource", [], {"x": [["F", None, "v", 1, None, 1, None], 1, 1]}, [], 1, 1]],
        [["resource", [], {}, [["nested"]], 1, 1]],
    ],
)
def test_a_wrong_shape_is_refused(data):
    with pytest.raises(ValueError):
        decode_blocks(data, "f")


def test_what_json_cannot_hold_exactly_is_not_encoded():
    block = Block("locals", (), {"x": Attribute("x", E.Lit([1, 2]), 1, 1)}, [], "f", 1, 1)
    with pytest.raises(ValueError):
        encode_blocks([block])
