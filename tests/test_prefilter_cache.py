"""The prefilter never changes a result; the parse cache is safe to share and to corrupt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from corpus import CORPUS
from snapshots import FIXTURES

from iaccert.scan import scan
from iaccert.terraform import TfOptions

ORDINARY = 'resource "aws_s3_bucket" "b{n}" {{\n  bucket = "data-{n}"\n}}\n'
CHAIN = """resource "aws_acm_certificate" "c" {{
  domain_name       = "api{n}.example.com"
  validation_method = "EMAIL"
}}
resource "aws_apigatewayv2_domain_name" "d" {{
  domain_name = "api{n}.example.com"
  domain_name_configuration {{
    certificate_arn = aws_acm_certificate.c.arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }}
}}
"""


def result_set(paths, **options) -> set[tuple]:
    result = scan(paths, TfOptions(environ={}, **options))
    return {
        (f.rule.id, f.location.file, f.location.line, f.resource, f.domain) for f in result.findings
    }


def tf_cases() -> list[Path]:
    cases = [p for p in sorted(FIXTURES.iterdir()) if p.name.startswith("tf_")]
    if CORPUS.is_dir():
        cases += sorted((CORPUS / "repos").iterdir())
    return cases


@pytest.mark.parametrize("case", tf_cases(), ids=lambda p: p.name)
def test_prefilter_gives_the_same_findings(case, monkeypatch):
    monkeypatch.chdir(case)
    assert result_set([Path(".")], prefilter=True) == result_set([Path(".")], prefilter=False)


def make_tree(root: Path, modules: int, with_domain: set[int]) -> None:
    for m in range(modules):
        directory = root / f"team{m % 3}" / f"module{m}"
        directory.mkdir(parents=True)
        for k in range(4):
            (directory / f"res{k}.tf").write_text(ORDINARY.format(n=f"{m}_{k}"))
        if m in with_domain:
            (directory / "api.tf").write_text(CHAIN.format(n=m))


def test_only_modules_that_can_hold_a_domain_are_parsed(tmp_path):
    make_tree(tmp_path, 30, {4, 17})
    # module 20 calls module 17 (a domain) from a local source: its group is parsed too
    (tmp_path / "team2" / "module20" / "call.tf").write_text(
        'module "api" {\n  source = "../../team2/module17"\n}\n'
    )
    result = scan([tmp_path], TfOptions(environ={}))
    project_files = result.files
    assert project_files == 30 * 4 + 2 + 1
    from iaccert.discover import discover, display_path
    from iaccert.terraform import load_terraform

    dirs = discover([tmp_path]).terraform_dirs
    project = load_terraform(dirs, TfOptions(environ={}), display_path)
    assert project.parsed_files == (4 + 1) + (4 + 1) + (4 + 1)  # modules 4, 17 and 20
    full = load_terraform(dirs, TfOptions(environ={}, prefilter=False), display_path)
    assert full.parsed_files == 30 * 4 + 2 + 1


def test_cache_gives_the_same_findings_and_survives_corruption(tmp_path, monkeypatch):
    monkeypatch.chdir(FIXTURES / "tf_modules_three_deep")
    cache = tmp_path / "cache"
    cold = result_set([Path(".")], cache_dir=cache)
    entries = list(cache.rglob("*.json"))
    assert entries, "the cache was not written"
    assert result_set([Path(".")], cache_dir=cache) == cold
    for entry in entries:
        entry.write_bytes(b"not JSON")
    assert result_set([Path(".")], cache_dir=cache) == cold


def test_two_processes_share_one_cache(tmp_path):
    make_tree(tmp_path / "tree", 12, {1, 5, 9})
    cache = tmp_path / "cache"
    command = [sys.executable, "-m", "iaccert", "lint", "tree", "-f", "json"]
    env = {"IACCERT_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=120)[0] for r in runs]
    assert all(r.returncode == 1 for r in runs)
    assert outputs[0] == outputs[1]
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert again.stdout == outputs[0]
    assert not list(cache.rglob("*.tmp")), "a temporary file was left in the cache"


def test_prefilter_remembers_unchanged_directories(tmp_path, monkeypatch):
    from iaccert.terraform import prefilter

    make_tree(tmp_path / "tree", 6, {2})
    dirs = sorted({p.parent for p in (tmp_path / "tree").rglob("*.tf")})
    reads = []
    original = prefilter.read_facts
    monkeypatch.setattr(prefilter, "read_facts", lambda *a: reads.append(a[0]) or original(*a))
    cache = tmp_path / "cache"
    first, _ = prefilter.relevant_directories(dirs, (".tf",), cache)
    assert len(reads) == 6
    reads.clear()
    again, _ = prefilter.relevant_directories(dirs, (".tf",), cache)
    assert again == first and reads == []
    # a new domain in another module: that directory is read again and becomes relevant
    changed = dirs[0]
    (changed / "api.tf").write_text(CHAIN.format(n=99))
    third, _ = prefilter.relevant_directories(dirs, (".tf",), cache)
    assert reads == [changed] and changed in third
