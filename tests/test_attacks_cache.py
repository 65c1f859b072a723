"""Attacks on the caches: whoever can write a cache location must not run code or steer writes.

Each test plants what an attacker with write access to a cache location would plant (a
shared or restored CI cache, a world-writable directory) in every place iaccert reads or
used to read (0.1 read pickles: parse entries, the prefilter facts and python-hcl2's Lark
grammar cache), then runs the real CLI in a fresh process with an empty ``HOME`` and
``TMPDIR``. The layout below is written out here, not imported, so the tests hold any
version of iaccert to the same places.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import stat
import sys
from pathlib import Path

import pytest
from snapshots import FIXTURES, run_cli

import iaccert

VERSION = iaccert.__version__
CASE = FIXTURES / "tf_modules_three_deep"


class RunsCode:
    """A pickle that touches a marker file when it is loaded."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch '{self.marker}'",))


def hcl2_package_cache() -> Path:
    import hcl2.parser

    return Path(hcl2.parser.__file__).with_name(".lark_cache.bin")


class Runner:
    """A copy of a fixture, an empty home and temp dir, and the cache directory under test."""

    def __init__(self, root: Path, cache: Path | None = None):
        self.root = root
        self.tree = root / "tree"
        shutil.copytree(CASE, self.tree)
        self.home = root / "home"
        self.tmp = root / "tmp"
        self.home.mkdir()
        self.tmp.mkdir()
        self.cache = cache or root / "cache"

    def env(self) -> dict:
        return {
            "IACCERT_CACHE_DIR": str(self.cache),
            "HOME": str(self.home),
            "TMPDIR": str(self.tmp),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
        }

    def lint(self, *extra: str):
        return run_cli(["lint", ".", "-f", "json", *extra], self.tree, self.env())

    def findings(self, *extra: str) -> list:
        proc = self.lint(*extra)
        assert proc.returncode == 1, proc.stderr[-2000:]
        assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
        return json.loads(proc.stdout)["findings"]

    def tf_files(self) -> list[Path]:
        return sorted(p for p in self.tree.rglob("*.tf"))

    def parse_entries(self, suffix: str) -> list[Path]:
        """Where a parse-cache entry for each file of the tree lives (content-addressed)."""
        out = []
        for path in self.tf_files():
            digest = hashlib.sha256(b"hcl\0" + path.read_bytes()).hexdigest()
            out.append(self.cache / f"parse-v{VERSION}" / digest[:2] / f"{digest}{suffix}")
        return out

    def old_locations(self) -> list[Path]:
        """Every file iaccert 0.1 unpickled from the cache directory."""
        return [
            *self.parse_entries(".pickle"),
            self.cache / f"prefilter-v{VERSION}.pickle",
            self.cache / "hcl2-8.1.4-lark_cache.bin",
        ]

    def new_locations(self) -> list[Path]:
        return [*self.parse_entries(".json"), self.cache / f"prefilter-v{VERSION}.json"]

    def files_in(self, *directories: Path) -> dict[str, tuple]:
        found = {}
        for directory in directories:
            for path in directory.rglob("*"):
                if path.is_file() or path.is_symlink():
                    info = path.lstat()
                    found[str(path)] = (info.st_size, info.st_mtime_ns)
        return found


def plant(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_bytes(data)


def lark_cache_bytes(payload: bytes) -> bytes:
    """Lark's cache layout: a hash line, then pickles (the first is loaded before the check)."""
    return b"0" * 64 + b"\n" + payload


@pytest.fixture
def runner(tmp_path) -> Runner:
    return Runner(tmp_path)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> list:
    return Runner(tmp_path_factory.mktemp("baseline")).findings("--no-cache")


def test_planted_pickles_are_never_loaded(runner, baseline):
    marker = runner.root / "MARKER"
    payload = pickle.dumps(RunsCode(marker))
    runner.cache.mkdir(mode=0o700)
    for path in [*runner.old_locations(), *runner.new_locations()]:
        plant(path, payload)
    plant(runner.cache / "hcl2-8.1.4-lark_cache.bin", lark_cache_bytes(payload))
    beside_hcl2 = hcl2_package_cache()
    planted_beside = not beside_hcl2.exists() and os.access(beside_hcl2.parent, os.W_OK)
    if planted_beside:
        beside_hcl2.write_bytes(lark_cache_bytes(payload))
    try:
        runs = [runner.lint(), runner.lint(), runner.lint("--no-cache")]  # cold, warm, no cache
    finally:
        if planted_beside:
            beside_hcl2.unlink()
    assert not marker.exists(), "a planted pickle was loaded"
    for proc in runs:
        assert proc.returncode == 1, proc.stderr[-2000:]
        assert json.loads(proc.stdout)["findings"] == baseline


WRONG_SHAPES = [
    [],
    {"blocks": [[1]]},
    {"blocks": [["resource", ["aws_acm_certificate", "x"], {"y": [["B", "**", 1, 2], 1, 1]}]]},
    {"error": [1, "two", None]},
    {"entries": {"x": 1}},
    {"entries": []},
    "a string",
]


@pytest.mark.parametrize("shape", WRONG_SHAPES, ids=lambda s: json.dumps(s)[:40])
def test_a_well_formed_entry_of_a_wrong_shape_is_a_miss(runner, baseline, shape):
    assert runner.findings() == baseline
    written = sorted(runner.cache.rglob("*.json"))
    assert written, "no JSON entry was written"
    for path in [*written, *runner.new_locations()]:
        plant(path, json.dumps(shape).encode())
    for path in runner.old_locations():
        plant(path, pickle.dumps(shape))
    assert runner.findings() == baseline
    assert runner.findings() == baseline  # rewritten by the run before


def test_damaged_prefilter_facts_are_misses(runner, baseline):
    assert runner.findings() == baseline
    path = runner.cache / f"prefilter-v{VERSION}.json"
    entries = json.loads(path.read_text())["entries"]
    assert entries
    for key, (listing, facts) in entries.items():
        facts["names_domain"] = "yes"
        facts["files"] = [1]
        entries[key] = [listing, facts]
    path.write_text(json.dumps({"entries": entries}))
    assert runner.findings() == baseline


def test_an_entry_nested_past_the_recursion_limit_is_a_miss(runner, baseline):
    depth = 200_000
    runner.cache.mkdir(mode=0o700)
    for path in runner.new_locations():
        plant(path, b"[" * depth + b"]" * depth)
    # the same nesting as a pickle: EMPTY_LIST opcodes, then APPENDs folding them inward
    nested = b"\x80\x04" + b"]" * depth + b"a" * (depth - 1) + b"."
    for path in runner.old_locations():
        plant(path, nested)
    assert runner.findings() == baseline


def test_symlinks_in_the_cache_are_never_written_through(runner, baseline):
    victim = runner.root / "victim.txt"
    victim.write_text("precious\n")
    elsewhere = runner.root / "elsewhere"
    elsewhere.mkdir()
    runner.cache.mkdir(mode=0o700)
    for path in [*runner.old_locations(), *runner.new_locations()]:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.symlink_to(victim)
    # the first file's entry directory is a symlink to a directory outside the cache
    first = runner.parse_entries(".json")[0]
    shutil.rmtree(first.parent)
    first.parent.symlink_to(elsewhere, target_is_directory=True)
    assert runner.findings() == baseline
    assert runner.findings() == baseline
    assert victim.read_bytes() == b"precious\n"
    assert list(elsewhere.iterdir()) == []
    for path in runner.new_locations():
        if path.parent != first.parent:
            assert path.is_file() and not path.is_symlink(), path


def refuse_cases():
    cases = ["group-writable", "world-writable", "parent-world-writable"]
    if os.geteuid() == 0:
        cases.append("owned-by-another-user")
    return cases


@pytest.mark.parametrize("case", refuse_cases())
def test_a_cache_directory_others_can_write_is_refused(tmp_path, baseline, case):
    parent = tmp_path / "shared"
    parent.mkdir(mode=0o700)
    cache = parent / "cache"
    cache.mkdir(mode=0o700)
    if case == "group-writable":
        cache.chmod(0o770)
    elif case == "world-writable":
        cache.chmod(0o777)
    elif case == "parent-world-writable":
        parent.chmod(0o777)  # not sticky: another user could swap the cache for theirs
    else:
        os.chown(cache, 65534, 65534)
    runner = Runner(tmp_path, cache)
    proc = runner.lint()
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["findings"] == baseline
    notes = [line for line in proc.stderr.splitlines() if "cache disabled" in line]
    assert len(notes) == 1 and str(parent) in notes[0], proc.stderr
    assert runner.files_in(cache) == {}, "the refused cache was written"


def test_the_cache_directory_is_created_private(tmp_path, baseline):
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)  # like /tmp: world-writable but sticky, so ours stays ours
    cache = sticky / "a" / "b" / "cache"
    runner = Runner(tmp_path, cache)
    proc = runner.lint()
    assert proc.returncode == 1 and "cache disabled" not in proc.stderr, proc.stderr
    assert json.loads(proc.stdout)["findings"] == baseline
    made = [
        sticky / "a",
        sticky / "a" / "b",
        cache,
        *cache.glob("parse-v*"),
        *cache.glob("parse-v*/*"),
    ]
    for directory in made:
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    entries = [p for p in cache.rglob("*") if p.is_file()]
    assert entries
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in entries)


def test_no_cache_reads_and_writes_no_cache(runner, baseline):
    marker = runner.root / "MARKER"
    payload = pickle.dumps(RunsCode(marker))
    runner.cache.mkdir(mode=0o700)
    for path in runner.old_locations():
        plant(path, payload)
    plant(runner.cache / "hcl2-8.1.4-lark_cache.bin", lark_cache_bytes(payload))
    for path in runner.new_locations():
        plant(path, b"{}")
    before = runner.files_in(runner.cache)
    assert runner.findings("--no-cache") == baseline
    assert not marker.exists()
    assert runner.files_in(runner.cache) == before


FRESH_RUN = """
import pickle, runpy, sys
import lark
import lark.parsers.lalr_analysis as analysis

def refused(what):
    def record(*args, **kwargs):
        with open(sys.argv[1], "a") as fh:
            fh.write(what + "\\n")
        raise SystemExit(99)
    return record

lark.Lark.__init__ = refused("a grammar was compiled")  # Lark(grammar) / Lark.open
analysis.LALR_Analyzer.__init__ = refused("LALR tables were computed")
pickle.load = pickle.loads = refused("a pickle was loaded")
pickle.Unpickler = refused("a pickle was loaded")
sys.argv = ["iaccert", "lint", ".", "-f", "json"]
runpy.run_module("iaccert", run_name="__main__")
"""


def test_a_fresh_runner_never_compiles_the_grammar_nor_unpickles(runner, baseline):
    import subprocess

    marker = runner.root / "REFUSED"
    hcl2_dir = hcl2_package_cache().parent
    lark_files_before = sorted(hcl2_dir.glob(".lark*"))
    for run in ("fresh", "warm"):
        proc = subprocess.run(
            [sys.executable, "-c", FRESH_RUN, str(marker)],
            cwd=runner.tree,
            env={**os.environ, **runner.env()},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert not marker.exists(), (run, marker.read_text(), proc.stderr[-2000:])
        assert proc.returncode == 1, proc.stderr[-2000:]
        assert json.loads(proc.stdout)["findings"] == baseline
        assert list(runner.cache.rglob("*.json")), "nothing was parsed"
    roots = (runner.home, runner.tmp, runner.cache, runner.tree)
    assert not [p for r in roots for p in r.rglob("*") if "lark" in p.name.lower()]
    assert sorted(hcl2_dir.glob(".lark*")) == lark_files_before


def test_no_module_of_iaccert_can_unpickle():
    source = Path(iaccert.__file__).parent
    for path in source.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for module in ("pickle", "marshal", "shelve", "dill", "cloudpickle"):
            assert f"import {module}" not in text, (path, module)
            assert f"from {module} " not in text, (path, module)
