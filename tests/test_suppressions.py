"""In-source suppressions through the real CLI: HCL and YAML comments, ``.tf.json`` ``"//"``
keys, CloudFormation Metadata, ``ignore-file``; reason-less and unused ones are reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from snapshots import FIXTURES, run_cli
from test_sarif import VALIDATOR

REASON = "the pipeline waits for ISSUED before the domain's apply"


def _copy(case: str, tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / case, tmp_path / "m")
    return tmp_path / "m"


def _insert(path: Path, line: int, text: str) -> None:
    """Insert ``text`` as line ``line`` (1-based) of ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(line - 1, text + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def _json(tmp_path: Path, *args: str) -> tuple[dict, int]:
    proc = run_cli(["lint", "m", "-f", "json", *args], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout), proc.returncode


def _rules(report: dict, suppressed: bool = False) -> list[tuple[str, str, int]]:
    return [
        (f["rule_id"], f["file"], f["line"])
        for f in report["findings"]
        if ("suppressed" in f) is suppressed
    ]


def test_comment_above_the_resource_hides_its_only_finding(tmp_path):
    module = _copy("tf_iac104_not_awaited", tmp_path)
    _insert(module / "apigw.tf", 1, f"# iaccert: ignore[IAC104] {REASON}")

    text = run_cli(["lint", "m"], tmp_path)
    assert text.returncode == 0, text.stdout
    assert "IAC104" not in text.stdout
    assert text.stdout.strip().endswith("(2 files scanned); 1 suppressed")

    report, code = _json(tmp_path)
    assert code == 0
    (finding,) = report["findings"]
    assert finding["rule_id"] == "IAC104" and finding["line"] == 4
    assert finding["suppressed"] == {"kind": "inSource", "reason": REASON}
    assert report["summary"]["warnings"] == 0 and report["summary"]["suppressed"] == 1

    sarif = json.loads(run_cli(["lint", "m", "-f", "sarif"], tmp_path).stdout)
    assert sarif["runs"][0]["results"] == []  # GitHub would show it as an open alert
    kept = ["lint", "m", "-f", "sarif", "--sarif-include-suppressed"]
    sarif = json.loads(run_cli(kept, tmp_path).stdout)
    assert not list(VALIDATOR.iter_errors(sarif))
    (result,) = sarif["runs"][0]["results"]
    assert result["ruleId"] == "IAC104"
    assert result["suppressions"] == [{"kind": "inSource", "justification": REASON}]

    for fmt in ("concise", "github", "junit"):
        proc = run_cli(["lint", "m", "-f", fmt], tmp_path)
        assert proc.returncode == 0 and "IAC104" not in proc.stdout, fmt


def test_header_line_comment_names_and_prefixes(tmp_path):
    module = _copy("tf_iac104_not_awaited", tmp_path)
    apigw = module / "apigw.tf"
    header = 'resource "aws_api_gateway_domain_name" "billing" {'
    for comment in (
        "# iaccert: ignore[validation-not-awaited] reason",
        "// iaccert: ignore[IAC1] reason",
        "# iaccert: ignore[IAC110, iac104] reason",
    ):
        text = apigw.read_text(encoding="utf-8")
        first, rest = text.split("\n", 1)
        apigw.write_text(f"{header} {comment}\n{rest}", encoding="utf-8")
        report, code = _json(tmp_path)
        assert code == 0, comment
        assert _rules(report, suppressed=True) == [("IAC104", "m/apigw.tf", 3)], comment
        if "IAC110" in comment:  # the name that hid nothing is reported
            (unused,) = [f for f in report["findings"] if "suppressed" not in f]
            assert unused["rule_id"] == "IAC003" and unused["line"] == 1
            assert "IAC110" in unused["message"]
        else:
            assert _rules(report) == [], comment


def test_comment_on_another_resource_does_not_hide_the_finding(tmp_path):
    module = _copy("tf_iac104_not_awaited", tmp_path)
    main = module / "main.tf"
    header = next(
        n
        for n, line in enumerate(main.read_text().splitlines(), 1)
        if line.startswith('resource "aws_acm_certificate" "cert"')
    )
    _insert(main, header, "# iaccert: ignore[IAC104] wrong place")
    report, code = _json(tmp_path)
    assert code == 1
    assert _rules(report) == [("IAC104", "m/apigw.tf", 3), ("IAC003", "m/main.tf", header)]
    unused = report["findings"][-1]
    assert unused["severity"] == "note"
    assert "no IAC104 finding in aws_acm_certificate.cert" in unused["message"]


def test_reasonless_and_unused_suppressions_are_reported(tmp_path):
    module = _copy("tf_iac104_not_awaited", tmp_path)
    _insert(module / "apigw.tf", 1, "# iaccert: ignore[IAC104]")
    _insert(module / "apigw.tf", 1, "# iaccert: ignore[IAC101] leftover")
    report, code = _json(tmp_path)
    assert code == 0  # notes do not fail the run
    assert _rules(report, suppressed=True) == [("IAC104", "m/apigw.tf", 5)]
    assert _rules(report) == [("IAC003", "m/apigw.tf", 1), ("IAC002", "m/apigw.tf", 2)]
    by_rule = {f["rule_id"]: f for f in report["findings"]}
    assert by_rule["IAC002"]["rule_name"] == "suppression-without-reason"
    assert by_rule["IAC002"]["resource"] == "aws_api_gateway_domain_name.billing"
    assert by_rule["IAC003"]["rule_name"] == "unused-suppression"
    assert by_rule["IAC104"]["suppressed"] == {"kind": "inSource", "reason": ""}

    text = run_cli(["lint", "m"], tmp_path).stdout
    assert "m/apigw.tf:1:1: IAC003 [note] unused suppression: no IAC101 finding" in text
    assert "m/apigw.tf:2:1: IAC002 [note] suppression without a reason" in text


def test_misplaced_and_unknown_suppressions(tmp_path):
    module = _copy("tf_iac104_not_awaited", tmp_path)
    apigw = module / "apigw.tf"
    apigw.write_text(
        apigw.read_text()
        + "\n# iaccert: ignore[IAC104] a blank line separates it from any resource\n\n"
        + "# iaccert: ignore-file[IAC104] too late: after the first block\n"
        + '# iaccert: ignore[IAC4242] no such rule\nresource "null_resource" "x" {}\n'
    )
    report, code = _json(tmp_path)
    assert code == 1  # nothing applied: IAC104 stays
    messages = {f["line"]: f["message"] for f in report["findings"] if f["rule_id"] == "IAC003"}
    assert "not on or directly above a resource" in messages[11]
    assert "ignore-file must come before the first block" in messages[13]
    assert "'IAC4242' is not a rule code" in messages[14]


def test_ignore_file(tmp_path):
    module = _copy("tf_iac110_no_cbd", tmp_path)
    _insert(module / "main.tf", 1, "# iaccert: ignore-file[IAC110] never renamed in place")
    report, code = _json(tmp_path)
    assert code == 0
    assert [f["rule_id"] for f in report["findings"]] == ["IAC110"]
    assert report["findings"][0]["suppressed"]["reason"] == "never renamed in place"


def test_inside_a_block_applies_to_the_enclosing_resource(tmp_path):
    module = _copy("tf_iac104_not_awaited", tmp_path)
    _insert(module / "apigw.tf", 3, "  # iaccert: ignore[IAC104] on the attribute")
    report, code = _json(tmp_path)
    assert code == 0 and _rules(report) == []


def test_tf_json_comment_key(tmp_path):
    module = _copy("tf_json", tmp_path)
    path = module / "main.tf.json"
    text = path.read_text()
    marker = '"accounts": {\n        "domain_name"'
    assert marker in text
    text = text.replace(
        marker,
        '"accounts": {\n        "//": "iaccert: ignore[IAC101] partner approves by mail",'
        '\n        "domain_name"',
        1,
    )
    path.write_text(text)
    report, code = _json(tmp_path)
    assert code == 0
    (finding,) = report["findings"]
    assert finding["rule_id"] == "IAC101"
    assert finding["suppressed"] == {"kind": "inSource", "reason": "partner approves by mail"}


def test_cloudformation_metadata(tmp_path):
    module = _copy("cfn_iac101_email_missing_method", tmp_path)
    template = module / "template.yaml"
    text = template.read_text()
    text = text.replace(
        "    Type: AWS::CertificateManager::Certificate\n",
        "    Type: AWS::CertificateManager::Certificate\n"
        "    Metadata:\n      iaccert:\n        ignore:\n"
        "          - id: email-validation\n            reason: the zone's owner approves\n"
        "          - id: IAC110\n",
        1,
    )
    template.write_text(text)
    report, code = _json(tmp_path)
    assert code == 0
    hidden = [f for f in report["findings"] if "suppressed" in f]
    assert [(f["rule_id"], f["suppressed"]["reason"]) for f in hidden] == [
        ("IAC101", "the zone's owner approves")
    ]
    shown = sorted((f["rule_id"], f["line"]) for f in report["findings"] if f not in hidden)
    line = text.splitlines().index("          - id: IAC110") + 1
    assert shown == [("IAC002", line), ("IAC003", line)]  # no reason, and nothing to hide


def test_cloudformation_yaml_comments(tmp_path):
    module = _copy("cfn_iac101_email_missing_method", tmp_path)
    template = module / "template.yaml"
    original = template.read_text()
    for before, after in (
        ("  # iaccert: ignore[IAC101] approved by the zone owner\n", ""),
        ("", "  # iaccert: ignore[IAC101] approved by the zone owner"),
    ):
        template.write_text(
            original.replace("  CatalogCertificate:\n", f"{before}  CatalogCertificate:{after}\n")
        )
        report, code = _json(tmp_path)
        assert code == 0, (before, after)
        assert _rules(report) == []
        assert [f["rule_id"] for f in report["findings"]] == ["IAC101"]


def test_no_ignore_shows_everything(tmp_path):
    module = _copy("tf_iac104_not_awaited", tmp_path)
    _insert(module / "apigw.tf", 1, "# iaccert: ignore[IAC104]")
    report, code = _json(tmp_path, "--no-ignore")
    assert code == 1
    assert [f["rule_id"] for f in report["findings"]] == ["IAC104"]
    assert "suppressed" not in report["findings"][0] and "suppressed" not in report["summary"]


def test_meta_rules_can_be_ignored_but_not_suppressed_in_source(tmp_path):
    module = _copy("tf_iac104_not_awaited", tmp_path)
    _insert(module / "apigw.tf", 1, "# iaccert: ignore[IAC104]")
    _insert(module / "apigw.tf", 1, "# iaccert: ignore-file[IAC002] not here")
    report, _ = _json(tmp_path)
    assert sorted(f["rule_id"] for f in report["findings"] if "suppressed" not in f) == [
        "IAC002",
        "IAC003",
    ]
    report, _ = _json(tmp_path, "--ignore", "IAC002,unused-suppression")
    assert _rules(report) == []
