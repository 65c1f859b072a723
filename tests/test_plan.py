"""Terraform plan JSON input: Terraform's own values, the same chain and rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from snapshots import FIXTURES, run_cli

from iaccert.terraform.plan import split_address, strip_keys

SHARED_PLANS = Path(__file__).resolve().parent.parent.parent / "shared" / "plans"
CASE = FIXTURES / "tf_plan_edge_wrong_region"


def lint_json(args, cwd):
    proc = run_cli(["lint", *args, "-f", "json"], cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_address_helpers():
    assert split_address('module.a["x.y"].module.b[0].aws_x.y["k"]') == (
        'module.a["x.y"].module.b[0]',
        'aws_x.y["k"]',
    )
    assert split_address("data.aws_acm_certificate.c") == ("", "data.aws_acm_certificate.c")
    assert strip_keys('module.a["x.y"].aws_x.y[0]') == "module.a.aws_x.y"


def test_plan_alone_reports_region_mismatch_at_the_module_address():
    code, report = lint_json(["plan.json"], CASE)
    assert code == 1
    [finding] = report["findings"]
    assert finding["rule_id"] == "IAC105"
    assert finding["resource"] == "module.docs_cert.aws_acm_certificate.this"
    assert finding["domain"] == "aws_api_gateway_domain_name.docs"
    assert finding["file"] == "plan.json"


def test_plan_with_sources_points_at_the_source_line():
    _, report = lint_json([".", "--plan", "plan.json"], CASE)
    [finding] = report["findings"]
    assert (finding["file"], finding["line"]) == ("modules/cert/main.tf", 17)
    assert report["summary"]["domains"] == 1


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_plan_encodings(tmp_path, encoding):
    text = (CASE / "plan.json").read_text(encoding="utf-8")
    data = text.encode(encoding)
    (tmp_path / "plan.json").write_bytes(data)
    _, report = lint_json(["plan.json"], tmp_path)
    assert [f["rule_id"] for f in report["findings"]] == ["IAC105"]


@pytest.mark.skipif(not SHARED_PLANS.is_dir(), reason="../shared/plans is not present")
def test_shared_two_domain_plan_is_clean():
    code, report = lint_json(
        [str(SHARED_PLANS / "apigw_modules_two_domains.tfplan.json")], FIXTURES
    )
    assert code == 0
    assert report["summary"]["domains"] == 2
    assert report["findings"] == []


@pytest.mark.skipif(not SHARED_PLANS.is_dir(), reason="../shared/plans is not present")
@pytest.mark.parametrize("name", sorted(p.name for p in SHARED_PLANS.glob("*.json")))
def test_every_shared_plan_loads_without_error(name):
    proc = run_cli(["lint", str(SHARED_PLANS / name), "-f", "json"], FIXTURES)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("case", ["tf_plan_edge_wrong_region", "tf_plan_module_locals"])
def test_plan_alone_finds_what_the_sources_find(case):
    """The plan has no locals and no lifecycle; the chain must not suffer for it."""
    directory = FIXTURES / case
    _, from_plan = lint_json(["plan.json"], directory)
    _, from_sources = lint_json(["."], directory)

    def key(report):
        return {(f["rule_id"], f["resource"], f["domain"]) for f in report["findings"]}

    assert key(from_plan) == key(from_sources)
    assert from_plan["summary"]["domains"] == from_sources["summary"]["domains"]
