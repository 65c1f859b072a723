"""``iaccert graph``: each domain's chain as Mermaid or DOT, broken links drawn as such.

Regenerate the snapshots after a deliberate change, then review the diff:
``python tests/test_graph.py``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from snapshots import FIXTURES, ROOT, run_cli

from iaccert.report.graph import mermaid
from iaccert.scan import scan

SNAPSHOTS = ROOT / "tests" / "data" / "graph_snapshots"
CASES = ("tf_iac104_not_awaited", "tf_iac109_unresolved")
FORMATS = ("mermaid", "dot")


def graph_output(case: str, fmt: str) -> subprocess.CompletedProcess:
    return run_cli(["graph", case, "--format", fmt], FIXTURES)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES)
def test_graph_matches_snapshot(case, fmt):
    proc = graph_output(case, fmt)
    assert proc.returncode == 0, proc.stderr  # a graph is not a verdict: findings do not fail it
    expected = (SNAPSHOTS / f"{case}.{fmt}").read_text(encoding="utf-8")
    assert proc.stdout == expected, "run `python tests/test_graph.py`"


def _mermaid_for(case: str, monkeypatch) -> str:
    monkeypatch.chdir(FIXTURES)
    return mermaid(scan([Path(case)]))


def _check_mermaid(text: str) -> None:
    """Every edge joins declared nodes; linkStyle indexes exist; subgraphs are closed."""
    declared = set(re.findall(r"^\s+(\w+)\[\"", text, re.M))
    edges = re.findall(r"^\s+(\w+) (?:-->|-\.->)(?:\|[^|]*\|)? (\w+)$", text, re.M)
    assert edges or "no API Gateway custom domain found" in text
    for source, target in edges:
        assert source in declared and target in declared
    for styled in re.findall(r"^\s+linkStyle ([\d,]+) ", text, re.M):
        assert all(int(i) < len(edges) for i in styled.split(","))
    assert text.count("subgraph ") == len(re.findall(r"^\s+end$", text, re.M))
    assert text.startswith("flowchart LR\n")


@pytest.mark.parametrize(
    ("case", "broken"),
    [
        ("tf_iac102_no_validation", ["no validation"]),
        ("tf_iac103_no_records", ["no DNS records"]),
        ("tf_iac104_not_awaited", ["not awaited"]),
        ("tf_iac108_uploaded", ["uploaded certificate"]),
        ("tf_pass_regional_v2", []),
        ("tf_modules_three_deep", []),
    ],
)
def test_broken_links_are_dashed_red_edges(case, broken, monkeypatch):
    text = _mermaid_for(case, monkeypatch)
    _check_mermaid(text)
    targets = dict(re.findall(r'^\s+(\w+x\d+)\["([^"]*)"\]', text, re.M))
    dashed = re.findall(r"^\s+\w+ -\.->\|[^|]*\| (\w+)$", text, re.M)
    assert sorted(targets) == sorted(dashed)  # every missing link is a dashed edge
    assert sorted(label.split(" (")[0] for label in targets.values()) == sorted(broken)
    if dashed:
        assert "linkStyle" in text and "stroke:#c00" in text
    else:
        assert "linkStyle" not in text


def test_unknown_certificate_says_why(monkeypatch):
    text = _mermaid_for("tf_iac109_unresolved", monkeypatch)
    labels = re.findall(r'\["(unknown: [^"]*)"\]', text)
    assert len(labels) == 3
    assert any("var.certificate_arn" in label for label in labels)
    assert any("a literal ARN" in label for label in labels)


def test_nodes_carry_address_and_file_line(monkeypatch):
    text = _mermaid_for("tf_iac104_not_awaited", monkeypatch)
    assert '["aws_api_gateway_domain_name.billing<br/>tf_iac104_not_awaited/apigw.tf:1' in text
    assert "IAC104 validation-not-awaited" in text


def test_every_fixture_draws(monkeypatch):
    for case in sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()):
        _check_mermaid(_mermaid_for(case, monkeypatch))


def test_dot_is_accepted_by_graphviz(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed")
    for case in CASES:
        text = graph_output(case, "dot").stdout
        proc = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr


def test_graph_usage(tmp_path):
    assert run_cli(["graph", "missing-dir"], tmp_path).returncode == 2
    assert run_cli(["graph", ".", "--format", "png"], tmp_path).returncode == 2
    shutil.copytree(FIXTURES / "tf_iac101_email", tmp_path / "m")
    proc = run_cli(["graph", "m", "-o", "chain.mmd"], tmp_path)
    assert proc.returncode == 0 and proc.stdout == ""
    assert (tmp_path / "chain.mmd").read_text(encoding="utf-8").startswith("flowchart LR")
    (tmp_path / "empty").mkdir()
    empty = run_cli(["graph", "empty"], tmp_path)
    assert empty.returncode == 0 and "no API Gateway custom domain found" in empty.stdout
    _check_mermaid(empty.stdout)


if __name__ == "__main__":
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        for fmt in FORMATS:
            proc = graph_output(case, fmt)
            (SNAPSHOTS / f"{case}.{fmt}").write_text(proc.stdout, encoding="utf-8")
            print(f"{case}.{fmt}: exit {proc.returncode}")
