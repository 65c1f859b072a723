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

from iaccert import catalog, compiled
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


def test_the_graph_names_no_rule_and_the_catalog_says_which_rules_break_a_link():
    """Which rule breaks which link is the catalog's word (``breaks``), never the graph's."""
    source = (ROOT / "src" / "iaccert" / "report" / "graph.py").read_text(encoding="utf-8")
    assert not re.search(r"IAC\d", source)
    breaks = {r.id: r.breaks.link for r in catalog.rules().values() if r.breaks}
    assert breaks == {
        "IAC102": "validation",
        "IAC103": "records",
        "IAC104": "awaited",
        "IAC108": "certificate",
        "IAC109": "certificate",
        "IAC113": "certificate",
    }


@pytest.fixture
def copied_catalog(monkeypatch, tmp_path):
    """A copy of the rule catalog, loaded instead of the real one (and forgotten after)."""
    rules = tmp_path / "rules"
    shutil.copytree(compiled.rules_dir(), rules, ignore=shutil.ignore_patterns("compiled.json"))
    monkeypatch.setattr(compiled, "rules_dir", lambda: rules)
    monkeypatch.setattr(compiled, "cache_dir", None)
    monkeypatch.setattr(compiled, "_cache_dir_set", True)
    compiled.catalog.cache_clear()
    catalog.rules.cache_clear()
    yield rules
    compiled.catalog.cache_clear()
    catalog.rules.cache_clear()


def test_a_rule_that_breaks_a_link_draws_its_edge_with_no_graph_code(copied_catalog, monkeypatch):
    before = _mermaid_for("tf_iac101_email", monkeypatch)
    assert "-.->" not in before  # the email-validated chain has no broken link drawn
    doc = copied_catalog / "IAC101.yaml"
    text = doc.read_text(encoding="utf-8")
    doc.write_text("breaks: {link: validation, label: no DNS validation}\n" + text, "utf-8")
    compiled.catalog.cache_clear()
    catalog.rules.cache_clear()
    after = _mermaid_for("tf_iac101_email", monkeypatch)
    _check_mermaid(after)
    edge = re.search(r"^\s+(\w+) -\.->\|IAC101\| (\w+)$", after, re.M)
    assert edge, after
    source, target = edge.groups()
    assert re.search(rf'^\s+{target}\["no DNS validation"\]', after, re.M)
    # from the node the finding points at: the certificate, whose validation method is wrong
    assert re.search(rf'^\s+{source}\["aws_acm_certificate\.', after, re.M), after


@pytest.mark.parametrize(
    "value",
    ["validation", "{link: dns, label: no DNS}", "{link: records}", "{link: records, label: ''}"],
)
def test_a_bad_breaks_is_an_error_at_load(copied_catalog, value):
    doc = copied_catalog / "IAC102.yaml"
    text = doc.read_text(encoding="utf-8")
    doc.write_text(
        text.replace("breaks: {link: validation, label: no validation}", "breaks: " + value),
        "utf-8",
    )
    compiled.catalog.cache_clear()
    catalog.rules.cache_clear()
    with pytest.raises(ValueError, match="IAC102.yaml: breaks must be"):
        catalog.rules()


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
