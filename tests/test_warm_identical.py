"""What the caches remember gives the same output, byte for byte, as reading everything anew:
every fixture in JSON, text and SARIF with no cache, a cold cache and a warm one; and a
decoded template rebuilt from its cache entry with the same values and the same marks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from snapshots import FIXTURES, fixture_cases, run_in_process

from iaccert.cloudformation.decode import decode_template
from iaccert.cloudformation.decoded_cache import (
    MarkedStr,
    cached_decode,
    decode_node,
    encode_node,
)
from iaccert.cloudformation.detect import is_candidate, looks_like_template

FORMATS = ("json", "text", "sarif", "concise")


def _outputs(case: Path, tmp: Path, label: str, env: dict, extra: list[str]) -> dict[str, str]:
    files = {fmt: tmp / f"{label}.{fmt}" for fmt in FORMATS[1:]}
    args = ["lint", ".", "-f", "json", "--color", "never", *extra]
    for fmt, path in files.items():
        args += ["-o", f"{fmt}:{path}"]
    proc = run_in_process(args, case, env)
    assert proc.returncode in (0, 1), proc.stderr
    return {"json": proc.stdout, **{f: p.read_text("utf-8") for f, p in files.items()}}


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda p: p.name)
def test_cached_runs_print_what_an_uncached_run_prints(case, tmp_path):
    env = {"IACCERT_CACHE_DIR": str(tmp_path / "cache")}
    uncached = _outputs(case, tmp_path, "none", env, ["--no-cache"])
    cold = _outputs(case, tmp_path, "cold", env, [])
    warm = _outputs(case, tmp_path, "warm", env, [])
    for fmt in FORMATS:
        assert cold[fmt] == uncached[fmt], fmt
        assert warm[fmt] == uncached[fmt], fmt


def _templates() -> list[Path]:
    return sorted(
        p
        for p in FIXTURES.rglob("*")
        if p.is_file() and is_candidate(p.name) and looks_like_template(p)
    )


def _same(a, b, where="$"):
    """Equal values, equal types of container, and equal marks all the way down."""
    assert a == b, where
    for attr in ("start_mark", "end_mark"):
        ma, mb = getattr(a, attr, None), getattr(b, attr, None)
        assert (ma is None) == (mb is None), where
        if ma is not None:
            assert (ma.line, ma.column) == (mb.line, mb.column), where
    if isinstance(a, dict):
        assert isinstance(b, dict)
        assert [type(k) is str for k in a] == [type(k) is str for k in b], where
        for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True):
            _same(ka, kb, f"{where}.{ka}")
            _same(va, vb, f"{where}.{ka}")
    elif isinstance(a, list):
        for i, (va, vb) in enumerate(zip(a, b, strict=True)):
            _same(va, vb, f"{where}[{i}]")


def test_there_are_templates_to_compare():
    assert len(_templates()) >= 15


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_a_decoded_template_survives_its_cache_entry(path):
    decoded = decode_template(path, path.name)
    if decoded.data is None:
        pytest.skip("nothing decoded")
    rebuilt = decode_node(json.loads(json.dumps(encode_node(decoded.data))))
    _same(decoded.data, rebuilt)


def test_the_second_decode_comes_from_the_cache(tmp_path):
    from iaccert.cache import ParseCache

    path = next(p for p in _templates() if p.suffix in (".yaml", ".yml"))
    cache = ParseCache(tmp_path)
    first = cached_decode(path, "t.yaml", cache)
    second = cached_decode(path, "t.yaml", cache)
    assert cache.hits == 1
    _same(first.data, second.data)
    assert isinstance(next(iter(second.data)), MarkedStr)


@pytest.mark.parametrize(
    "entry",
    [
        ["s", [1, 2, 3], "x"],  # three marks
        ["s", [1, 2, 3, "4"], "x"],
        ["x", None, "x"],
        ["d", None, [["k"]]],
        ["d", None, [[["l", None, []], 1]]],  # a list as a key
        ["l", None, "not a list"],
        {"a": 1},
    ],
)
def test_a_malformed_entry_is_refused(entry):
    with pytest.raises((ValueError, TypeError)):
        decode_node(entry)


def test_a_problem_entry_is_a_miss_not_a_crash(tmp_path):
    from iaccert.cache import ParseCache

    path = next(p for p in _templates() if p.suffix in (".yaml", ".yml"))
    cache = ParseCache(tmp_path)
    cached_decode(path, "t.yaml", cache)
    (entry,) = tmp_path.rglob("*.json")
    entry.write_text(json.dumps({"data": ["d", None, [[["s", None, "k"], {"x": 1}]]]}))
    again = cached_decode(path, "t.yaml", cache)
    assert cache.hits == 0 and again.data is not None
