"""Static mode opens no connection, runs nothing and writes nothing but its own cache."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from corpus import CORPUS
from snapshots import FIXTURES

GUARD = r"""
import os, socket, subprocess, sys

def forbidden(*args, **kwargs):
    raise SystemExit("iaccert-isolation: forbidden call " + repr(args[:1]))

socket.socket = forbidden
socket.create_connection = forbidden
socket.getaddrinfo = forbidden
subprocess.Popen = forbidden
os.system = forbidden
for name in dir(os):
    if name.startswith(("exec", "spawn", "posix_spawn", "fork")):
        setattr(os, name, forbidden)

from iaccert.cli import main
sys.argv = ["iaccert", *sys.argv[1:]]
main()
"""


def guarded(args: list[str], cwd: Path, cache: Path) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", ""), "IACCERT_CACHE_DIR": str(cache), "HOME": str(cache)}
    return subprocess.run(
        [sys.executable, "-c", GUARD, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def digest_tree(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def test_no_network_no_processes_over_fixtures_and_corpus(tmp_path):
    targets = [str(FIXTURES)]
    if CORPUS.is_dir():
        targets.append(str(CORPUS / "repos"))
    for target in targets:
        proc = guarded(["lint", target, "-f", "json", "--no-prefilter"], tmp_path, tmp_path / "c")
        assert "iaccert-isolation" not in proc.stderr + proc.stdout, proc.stderr
        assert proc.returncode == 1, proc.stderr[-2000:]


def test_writes_nothing_in_the_scanned_tree(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES, tree, symlinks=True)
    before = digest_tree(tree)
    cache = tmp_path / "cache"
    proc = guarded(["lint", ".", "-f", "json"], tree, cache)
    assert proc.returncode == 1, proc.stderr
    assert digest_tree(tree) == before
    written = {p.relative_to(cache).parts[0] for p in cache.rglob("*") if p.is_file()}
    version = __import__("iaccert").__version__
    # parsed files, directory facts, and the rule catalog compiled from a checkout (an
    # installed wheel ships it compiled: src/iaccert/compiled.py)
    expected = {f"parse-v{version}", f"prefilter-v{version}.json"}
    from iaccert.compiled import PACKAGED_NAME, rules_dir

    if not (rules_dir() / PACKAGED_NAME).is_file():
        expected.add(f"catalog-v{version}")
    assert written == expected, written
