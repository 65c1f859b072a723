"""Size budgets of Terraform evaluation, RE2 regular expressions and the CloudFormation
pre-check, in process (the attack inputs under rlimits are in test_attacks_bounds.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaccert.cloudformation.decode import decode_template
from iaccert.model import Unknown
from iaccert.terraform import TfOptions
from iaccert.terraform.project import ConfigLoader, RootAnalysis


def analyse(tmp_path: Path, text: str, **options) -> RootAnalysis:
    (tmp_path / "main.tf").write_text(text)
    opts = TfOptions(environ={}, **options)
    return RootAnalysis(tmp_path, ConfigLoader(lambda p: p.name), opts)


def local(tmp_path: Path, expr: str, **options):
    root = analyse(tmp_path, f"locals {{\n  x = {expr}\n}}\n", **options)
    return root.root.lookup("local", "x")


def limit_problems(root: RootAnalysis) -> list[str]:
    root.resources()
    return [p.message for p in root.problems if p.rule == "IAC001"]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('format("%5s|%-4s|", "ab", "c")', "   ab|c   |"),
        ('format("%03d %.2f %t", 7, 1.5, true)', "007 1.50 true"),
        ('format("%q", "a\\"b")', '"a\\"b"'),
        ('regex("[a-z]+", "123abc456")', "abc"),
        ('regex("(\\\\d+)-(\\\\d+)", "10-20")', ["10", "20"]),
        (
            'regex("(?P<host>[^.]+)\\\\.(?P<zone>.+)", "api.example.com")',
            {"host": "api", "zone": "example.com"},
        ),
        ('regexall("[0-9]", "a1b2")', ["1", "2"]),
        ('replace("api-1", "/([a-z]+)-([0-9])/", "$2.$1")', "1.api"),
        ('replace("ab", "/(?P<x>a)/", "$$[$x]")', "$[a]b"),
        ('replace("ab", "/(a)/", "$1x|")', "|b"),  # Go: "$1x" is the group named "1x"
        ('replace("aaa", "a", "bb")', "bbbbbb"),
        ('distinct(["b", "a", "b", "a"])', ["b", "a"]),
        ("distinct([{a = 1}, {a = 1}, [1], [1]])", [{"a": 1}, [1]]),
        ('"2" + 3', 5),
        ("7 % 4 * 2", 6),
        ('flatten([["a", ["b"]], [], "c"])', ["a", "b", "c"]),
        ('setproduct(["a", "b"], ["1", "2"])', [["a", "1"], ["a", "2"], ["b", "1"], ["b", "2"]]),
        ('formatlist("%s.%s", ["a", "b"], "example.com")', ["a.example.com", "b.example.com"]),
        ("pow(2, 10)", 1024),
        ('indent(2, "a\\nb")', "a\n  b"),
    ],
)
def test_functions(tmp_path, expr, expected):
    assert local(tmp_path, expr) == expected


@pytest.mark.parametrize(
    "expr", ['"x" * 3', '["a"] * 2', '-"x"', '"a" < "b"', '["a"] + ["b"]'], ids=str
)
def test_arithmetic_is_numeric(tmp_path, expr):
    """Terraform's operators take numbers: never Python's repetition or concatenation."""
    value = local(tmp_path, expr)
    assert isinstance(value, Unknown) and "number" in value.reason


def test_regex_rejected_by_re2_is_unknown_with_the_reason(tmp_path):
    value = local(tmp_path, 'replace("aa", "/(a)\\\\1/", "")')
    assert isinstance(value, Unknown)
    assert "not valid RE2 syntax" in value.reason


def test_pathological_regex_is_linear(tmp_path):
    value = local(tmp_path, f'replace("{"a" * 5000}b", "/^(a|aa)*$/", "")')
    assert value == "a" * 5000 + "b"


@pytest.mark.parametrize(
    ("expr", "option", "limit"),
    [
        ('join("", ["abcdef", "abcdef"])', {"max_string_length": 10}, "max-string-length"),
        ('"${local.y}${local.y}"', {"max_string_length": 10}, "max-string-length"),
        ('replace("abc", "", "xyz")', {"max_string_length": 10}, "max-string-length"),
        ('replace("abcabc", "/b/", "$0$0$0$0")', {"max_string_length": 10}, "max-string-length"),
        ('format("%20s", "x")', {"max_string_length": 10}, "max-string-length"),
        ("concat(range(6), range(6))", {"max_items": 10}, "max-items"),
        ("[for i in range(20) : i]", {"max_items": 10}, "max-items"),
        ("range(20)", {"max_items": 10}, "max-items"),
        ('split(",", "a,b,c,d,e,f,g,h,i,j,k,l")', {"max_items": 10}, "max-items"),
        ("[local.z, local.z, local.z]", {"max_value_size": 100}, "max-value-size"),
        ("65536 * 65536", {"max_number_bits": 20}, "max-number-bits"),
        ("pow(3, 100000)", {}, "max-number-bits"),
        ("setproduct(range(200), range(200))", {}, "max-items"),
        ('indent(100, "a\\nb")', {"max_string_length": 10}, "max-string-length"),
        ("[local.z, local.z]", {"max_total_size": 100}, "max-total-size"),
    ],
)
def test_each_limit_makes_the_value_unknown_and_is_reported(tmp_path, expr, option, limit):
    text = f'locals {{\n  x = {expr}\n  y = "abcdef"\n  z = [for i in range(30) : i]\n}}\n'
    text += 'resource "aws_route53_zone" "z" {\n  name = local.x\n}\n'
    root = analyse(tmp_path, text, **option)
    value = root.root.lookup("local", "x")
    assert isinstance(value, Unknown) and f"limit {limit} reached" in value.reason
    assert any(f"limit {limit} reached" in m for m in limit_problems(root))


def test_within_the_limits_nothing_is_reported(tmp_path):
    text = 'locals {\n  x = join(".", [for s in ["api", "example", "com"] : lower(s)])\n}\n'
    text += 'resource "aws_route53_zone" "z" {\n  name = local.x\n}\n'
    root = analyse(tmp_path, text)
    assert root.root.lookup("local", "x") == "api.example.com"
    assert limit_problems(root) == []


def test_total_instances_across_the_module_tree(tmp_path):
    (tmp_path / "child").mkdir()
    (tmp_path / "child" / "main.tf").write_text(
        'resource "aws_route53_zone" "z" {\n  count = 10\n  name = "z.example.com"\n}\n'
    )
    text = 'module "m" {\n  source = "./child"\n  count  = 10\n}\n'
    root = analyse(tmp_path, text, max_total_instances=35)
    zones = [r for r in root.resources() if r.type == "aws_route53_zone"]
    assert len(zones) == 25  # 10 module instances, then 25 of the 100 zones
    assert any("limit max-total-instances reached" in p.message for p in root.problems)


def _template(tmp_path: Path, text: str, name: str = "template.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return decode_template(path, name)


def test_over_keyed_yaml_mapping_is_refused_before_decoding(tmp_path):
    keys = "\n".join(f"    K{i}: v" for i in range(6000))
    text = (
        "AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n  Big:\n" + keys + "\nResources: {}\n"
    )
    decoded = _template(tmp_path, text)
    assert decoded.data is None
    [problem] = decoded.problems
    assert problem.rule == "IAC001" and "max-template-keys" in problem.message
    assert problem.line == 4  # where the mapping starts


def test_template_with_too_many_nodes_is_refused(tmp_path):
    items = ", ".join(f"[{i}, {i}]" for i in range(90_000))
    text = '{"AWSTemplateFormatVersion": "2010-09-09", "Metadata": {"L": [' + items + "]}}"
    decoded = _template(tmp_path, text, "template.json")
    assert [p.rule for p in decoded.problems] == ["IAC001"]
    assert "max-template-nodes" in decoded.problems[0].message


def test_large_ordinary_template_still_decodes(tmp_path):
    resources = "\n".join(
        f"  Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub 'b-{i}'"
        for i in range(2000)
    )
    decoded = _template(
        tmp_path, "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + resources
    )
    assert decoded.problems == []
    assert len(decoded.data["Resources"]) == 2000


def test_limit_is_reported_at_the_attribute_that_needed_the_value(tmp_path):
    text = 'locals {\n  x = join("", ["abcdef", "abcdef"])\n}\n'
    text += 'resource "aws_route53_zone" "z" {\n  name = local.x\n}\n'
    root = analyse(tmp_path, text, max_string_length=10)
    root.resources()
    [problem] = [p for p in root.problems if p.rule == "IAC001"]
    assert (problem.file, problem.line) == ("main.tf", 5)
    assert "max-string-length" in problem.message
