"""Provenance: a finding whose deciding value was set outside the resource points where it
was set (a caller's argument, a variables file, a default, a template parameter), and a
suppression on a module block hides what that call produces, for that caller only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from snapshots import FIXTURES, run_in_process

from iaccert.terraform.origins import deciding_reference
from iaccert.terraform.templates import parse_expression

CALLERS = "tf_module_caller_argument"
REASON = "staging certificates are approved by email at the ops desk"


def _copy(case: str, tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / case, tmp_path / "m")
    return tmp_path / "m"


def _lint(cwd: Path, *args: str, env: dict | None = None) -> list[dict]:
    proc = run_in_process(["lint", ".", "-f", "json", *args], cwd, env)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def _line_of(path: Path, text: str) -> int:
    """The 1-based line of ``path`` that holds ``text`` (exactly one)."""
    found = [n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    assert len(found) == 1, (path, text, found)
    return found[0]


def _open(findings: list[dict], rule: str = "IAC101") -> list[dict]:
    return [f for f in findings if f["rule_id"] == rule and "suppressed" not in f]


def _insert(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(line - 1, text + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def test_finding_points_at_the_callers_argument_with_the_module_line_related():
    case = FIXTURES / CALLERS
    prod = [f for f in _open(_lint(case)) if f["file"] == "envs/prod/main.tf"]
    assert len(prod) == 1
    finding = prod[0]
    argument = _line_of(case / "envs/prod/main.tf", 'method      = "EMAIL"')
    assert finding["line"] == argument
    assert finding["message"].endswith(
        f"validation_method is set by module.cert's argument method at envs/prod/main.tf:{argument}"
    )
    module_line = _line_of(case / "modules/cert/main.tf", "validation_method = var.method")
    assert finding["related"][0] == {
        "file": "modules/cert/main.tf",
        "line": module_line,
        "resource": "module.cert.aws_acm_certificate.this",
    }


def test_the_caller_passing_dns_has_no_finding():
    findings = _lint(FIXTURES / CALLERS)
    assert not [f for f in findings if f["file"].startswith("envs/dev/")]
    assert not [f for f in findings if f["file"] == "modules/cert/main.tf"]


def test_through_locals_and_two_module_levels_to_the_outermost_literal():
    case = FIXTURES / CALLERS
    qa = [f for f in _open(_lint(case)) if f["file"] == "envs/qa/main.tf"]
    assert len(qa) == 1
    assert qa[0]["line"] == _line_of(case / "envs/qa/main.tf", 'validation  = "email"')
    assert "module.service's argument validation" in qa[0]["message"]
    hops = [(r["file"], r["line"]) for r in qa[0]["related"]]
    assert hops[:2] == [
        ("modules/cert/main.tf", _line_of(case / "modules/cert/main.tf", "= var.method")),
        ("modules/service/main.tf", _line_of(case / "modules/service/main.tf", "= local.method")),
    ]


def test_suppression_on_a_module_block_hides_that_callers_finding_only():
    findings = _lint(FIXTURES / CALLERS)
    hidden = [f for f in findings if "suppressed" in f]
    assert [(f["rule_id"], f["file"]) for f in hidden] == [("IAC101", "envs/staging/main.tf")]
    assert hidden[0]["suppressed"]["reason"] == REASON
    assert {f["file"] for f in _open(findings)} == {"envs/prod/main.tf", "envs/qa/main.tf"}
    assert not [f for f in findings if f["rule_id"] in ("IAC002", "IAC003")]


def test_the_same_suppression_on_another_callers_module_block_hides_nothing_there(tmp_path):
    case = _copy(CALLERS, tmp_path)
    _insert(case / "envs/dev/main.tf", 1, f"# iaccert: ignore[IAC101] {REASON}")
    findings = _lint(case)
    unused = [f for f in findings if f["rule_id"] == "IAC003"]
    assert [(f["file"], f["line"]) for f in unused] == [("envs/dev/main.tf", 1)]
    assert "no IAC101 finding in module.cert" in unused[0]["message"]
    assert {f["file"] for f in _open(findings)} == {"envs/prod/main.tf", "envs/qa/main.tf"}


def test_suppression_on_an_intermediate_module_block_hides_the_callers_through_it(tmp_path):
    case = _copy(CALLERS, tmp_path)
    service = case / "modules/service/main.tf"
    _insert(service, _line_of(service, 'module "cert" {'), f"# iaccert: ignore[IAC101] {REASON}")
    findings = _lint(case)
    assert {f["file"] for f in _open(findings)} == {"envs/prod/main.tf"}
    assert not [f for f in findings if f["rule_id"] == "IAC003"]


def test_suppression_on_the_shared_resource_still_hides_every_caller(tmp_path):
    case = _copy(CALLERS, tmp_path)
    module = case / "modules/cert/main.tf"
    header = _line_of(module, 'resource "aws_acm_certificate" "this"')
    _insert(module, header, "# iaccert: ignore[IAC101] every environment approves by email")
    findings = _lint(case)
    assert _open(findings) == []
    # staging's own module-block suppression is still the one that applies there
    unused = [f for f in findings if f["rule_id"] == "IAC003"]
    assert unused == []


def test_root_variable_set_in_terraform_tfvars():
    case = FIXTURES / "tf_tfvars_override"
    (finding,) = _open(_lint(case))
    assert finding["file"] == "terraform.tfvars"
    assert finding["line"] == _line_of(case / "terraform.tfvars", 'validation_method = "EMAIL"')
    assert finding["related"][0]["file"] == "main.tf"
    assert finding["related"][0]["line"] == _line_of(
        case / "main.tf", "validation_method = var.validation_method"
    )


def test_tfvars_json_points_at_its_key(tmp_path):
    case = _copy("tf_tfvars_override", tmp_path)
    (case / "terraform.tfvars").unlink()
    (case / "terraform.tfvars.json").write_text(
        '{\n  "region": "eu-west-1",\n  "validation_method": "EMAIL"\n}\n', encoding="utf-8"
    )
    (finding,) = _open(_lint(case))
    assert (finding["file"], finding["line"]) == ("terraform.tfvars.json", 3)


def test_var_and_tf_var_are_named_and_the_finding_stays_at_the_attribute(tmp_path):
    case = _copy("tf_tfvars_override", tmp_path)
    attribute = _line_of(case / "main.tf", "validation_method = var.validation_method")
    (given,) = _open(_lint(case, "--var", "validation_method=EMAIL"))
    assert (given["file"], given["line"]) == ("main.tf", attribute)
    assert given["message"].endswith("validation_method is set by --var validation_method")
    (case / "terraform.tfvars").unlink()
    env = {"TF_VAR_validation_method": "EMAIL"}
    (environ,) = _open(_lint(case, env=env))
    assert (environ["file"], environ["line"]) == ("main.tf", attribute)
    assert "set by environment variable TF_VAR_validation_method" in environ["message"]


def test_a_variable_default_is_where_the_fix_goes(tmp_path):
    case = _copy("tf_tfvars_override", tmp_path)
    (case / "terraform.tfvars").unlink()
    variables = case / "variables.tf"
    text = variables.read_text(encoding="utf-8")
    assert text.count('"DNS"') == 1
    variables.write_text(text.replace('"DNS"', '"EMAIL"'), encoding="utf-8")
    (finding,) = _open(_lint(case))
    assert (finding["file"], finding["line"]) == ("variables.tf", _line_of(variables, '"EMAIL"'))
    assert "the default of var.validation_method" in finding["message"]


def test_a_rule_about_where_to_write_keeps_its_line_and_relates_the_origin():
    case = FIXTURES / "tf_for_each_one_bad"
    (finding,) = [f for f in _lint(case) if f["rule_id"] == "IAC106"]
    assert (finding["file"], finding["line"]) == (
        "main.tf",
        _line_of(case / "main.tf", "domain_name               = var.zone_name"),
    )
    assert ("variables.tf", "var.zone_name") in {
        (r["file"], r["resource"]) for r in finding["related"]
    }


def test_only_an_expression_with_one_reference_is_followed(tmp_path):
    case = _copy("tf_tfvars_override", tmp_path)
    main = case / "main.tf"
    text = main.read_text(encoding="utf-8")
    two = 'validation_method = var.validation_method == "" ? var.region : var.validation_method'
    main.write_text(text.replace("validation_method = var.validation_method", two), "utf-8")
    # var.region and var.validation_method: no single place decides; the finding stays
    (finding,) = _open(_lint(case))
    assert (finding["file"], finding["line"]) == ("main.tf", _line_of(main, two))
    assert "is set by" not in finding["message"]


def test_deciding_reference():
    def ref(text: str):
        return deciding_reference(parse_expression(text))

    assert ref("var.method") == ("var", "method")
    assert ref("upper(local.method)") == ("local", "method")
    assert ref('var.dns ? "DNS" : "EMAIL"') == ("var", "dns")
    assert ref("var.methods[count.index]") == ("var", "methods")
    assert ref("var.methods[each.key]") == ("var", "methods")
    assert ref('"EMAIL"') is None
    assert ref("coalesce(var.a, var.b)") is None
    assert ref("aws_acm_certificate.c.arn") is None
    assert ref("var.a == aws_x.y.id ? 1 : 2") is None
    assert ref("[for m in var.methods : upper(m)]") is None


def test_cloudformation_parameter_default_and_parent_stack_parameters():
    case = FIXTURES / "cfn_parameter_origin"
    findings = {f["resource"]: f for f in _open(_lint(case))}
    orders = findings["OrdersCertificate"]
    assert (orders["file"], orders["line"]) == (
        "api.yaml",
        _line_of(case / "api.yaml", "Default: EMAIL"),
    )
    assert "the Default of parameter ValidationMethod" in orders["message"]
    assert orders["related"][0]["line"] == _line_of(case / "api.yaml", "ValidationMethod: !Ref")
    billing = findings["BillingStack/Certificate"]
    assert (billing["file"], billing["line"]) == (
        "platform.yaml",
        _line_of(case / "platform.yaml", "Method: EMAIL"),
    )
    assert "stack BillingStack's parameter Method" in billing["message"]
    assert billing["related"][0]["file"] == "certificate.yaml"


def test_cloudformation_parameters_file_and_parameter_option(tmp_path):
    case = _copy("cfn_parameter_origin", tmp_path)
    (case / "platform.yaml").unlink()
    (case / "certificate.yaml").unlink()
    api = case / "api.yaml"
    api.write_text(api.read_text().replace("Default: EMAIL", "Default: DNS"), encoding="utf-8")
    params = tmp_path / "params.json"
    params.write_text(
        '[\n  {"ParameterKey": "DomainName", "ParameterValue": "orders.example.com"},\n'
        '  {"ParameterKey": "ValidationMethod", "ParameterValue": "EMAIL"}\n]\n',
        encoding="utf-8",
    )
    (from_file,) = _open(_lint(case, "--parameters-file", str(params)))
    assert from_file["line"] == 3 and from_file["file"].endswith("params.json")
    assert "parameter ValidationMethod in params.json" in from_file["message"]
    (given,) = _open(_lint(case, "--parameter", "ValidationMethod=EMAIL"))
    assert (given["file"], given["line"]) == ("api.yaml", _line_of(api, "ValidationMethod: !Ref"))
    assert given["message"].endswith("ValidationMethod is set by --parameter ValidationMethod")


def test_suppression_on_a_nested_stack_hides_what_its_parameters_set(tmp_path):
    case = _copy("cfn_parameter_origin", tmp_path)
    platform = case / "platform.yaml"
    _insert(platform, _line_of(platform, "BillingStack:"), f"  # iaccert: ignore[IAC101] {REASON}")
    findings = _lint(case)
    hidden = [(f["resource"], f["file"]) for f in findings if "suppressed" in f]
    assert hidden == [("BillingStack/Certificate", "platform.yaml")]
    assert [f["resource"] for f in _open(findings)] == ["OrdersCertificate"]
    assert not [f for f in findings if f["rule_id"] == "IAC003"]
