"""Known-module models give the same verdicts as the real module once downloaded.

The real releases come from a git mirror of each module (``$IACCERT_MODULE_MIRRORS``, else
/work/.mirror: ``<owner>+<repo>/repo``, as the search tool's fetch leaves them) or, for a few
acm releases, from ../shared/corpus/deps; tests skip where neither is present, and the
module code is only ever extracted into a temporary directory. Each case lays out the same
root twice: without download (the model in rules/modules/) and with a .terraform/modules
tree holding the real release, as `terraform init` leaves it.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from snapshots import FIXTURES

from iaccert.compiled import rules_dir
from iaccert.scan import scan
from iaccert.terraform.known_modules import choose_model, find_model
from iaccert.terraform.versions import newest, parse_constraint, satisfies

MIRRORS = Path(os.environ.get("IACCERT_MODULE_MIRRORS", "/work/.mirror"))
DEPS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "deps"
DEPS_COPIES = {  # release -> checked-out copy in ../shared/corpus/deps
    ("acm", "4.3.2"): "terraform-aws-modules__terraform-aws-acm@v4.3.2",
    ("acm", "5.0.0"): "terraform-aws-modules__terraform-aws-acm@v5.0.0",
}
FAMILIES = {
    "acm": ("terraform-aws-modules/acm/aws", "terraform-aws-modules+terraform-aws-acm"),
    "apigateway-v2": (
        "terraform-aws-modules/apigateway-v2/aws",
        "terraform-aws-modules+terraform-aws-apigateway-v2",
    ),
    "cloudfront": (
        "terraform-aws-modules/cloudfront/aws",
        "terraform-aws-modules+terraform-aws-cloudfront",
    ),
    "alb": ("terraform-aws-modules/alb/aws", "terraform-aws-modules+terraform-aws-alb"),
}


def _v(release: str) -> tuple[int, ...]:
    return tuple(int(p) for p in release.split("."))


def _models(family: str) -> list[dict]:
    path = rules_dir() / "modules" / f"terraform-aws-modules-{family}.yaml"
    return yaml.safe_load(path.read_text())["models"]


def _checked(family: str, newest_only: bool = False) -> list[str]:
    out = []
    for model in _models(family):
        releases = sorted(model["checked"], key=_v)
        out.extend(releases[-1:] if newest_only else releases)
    return out


def extract_release(family: str, release: str, target: Path) -> bool:
    """The module's code at a release, into ``target``; False where no copy is present."""
    mirror = MIRRORS / FAMILIES[family][1] / "repo"
    if mirror.is_dir():
        archive = subprocess.run(
            ["git", "--git-dir", str(mirror), "archive", "--format=tar", f"v{release}"],
            capture_output=True,
            check=False,
        )
        if archive.returncode == 0:
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(target, filter="data")
            return True
    copy = DEPS_COPIES.get((family, release))
    if copy and (DEPS / copy).is_dir():
        shutil.copytree(DEPS / copy, target)
        return True
    return False


def download(root: Path, calls: list[str], code: Path) -> None:
    """What `terraform init` leaves: each call's module under .terraform/modules."""
    modules = [{"Key": "", "Source": "", "Dir": "."}]
    modules += [{"Key": c, "Source": "registry", "Dir": str(code.relative_to(root))} for c in calls]
    (root / ".terraform" / "modules").mkdir(parents=True, exist_ok=True)
    (root / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": modules}))


def verdicts(directory: Path) -> set[tuple]:
    """Findings, and the domains seen (a passing domain has no finding, a lost one neither)."""
    result = scan([directory])
    seen = {("domain", c.domain.address, c.certificate.origin) for c in result.chains}
    return seen | {(f.rule.id, f.resource, f.domain, f.location.line) for f in result.findings}


def twice(tmp_path: Path, files: dict[str, str], calls: list[str], family: str, release: str):
    """(verdicts through the model, verdicts through the real code) for the same root."""
    modelled, downloaded = tmp_path / "modelled", tmp_path / "downloaded"
    for directory in (modelled, downloaded):
        directory.mkdir()
        for name, text in files.items():
            (directory / name).write_text(text)
    code = downloaded / ".terraform" / "modules" / "real"
    if not extract_release(family, release, code):
        pytest.skip(f"no copy of {family} {release} (fetch the module's git mirror)")
    download(downloaded, calls, code)
    return verdicts(modelled), verdicts(downloaded)


# -- acm: the inputs that change behaviour ------------------------------------------------
ACM_INPUTS = [
    "",
    'validation_method = "DNS"',
    'validation_method = "EMAIL"',
    'validation_method = "DNS"\n  wait_for_validation = false',
    'validation_method = "DNS"\n  validate_certificate = false',
    'validation_method = "DNS"\n  create_route53_records = false',
    'validation_method = "DNS"\n  subject_alternative_names = ["*.api.example.com"]',
    'validation_method = "DNS"\n  create_certificate = false',
]


def acm_root(release: str, inputs: str) -> str:
    return f"""
provider "aws" {{
  region = "eu-west-1"
}}
module "cert" {{
  source  = "terraform-aws-modules/acm/aws"
  version = "{release}"
  domain_name = "api.example.com"
  zone_id     = "Z123"
  {inputs}
}}
resource "aws_apigatewayv2_domain_name" "api" {{
  domain_name = "api.example.com"
  domain_name_configuration {{
    certificate_arn = module.cert.{"this_" if _v(release) < (3, 0, 0) else ""}acm_certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }}
}}
"""


@pytest.mark.parametrize("release", _checked("acm"))
@pytest.mark.parametrize("inputs", ACM_INPUTS, ids=range(len(ACM_INPUTS)))
def test_acm_model_matches_release(tmp_path, release, inputs):
    if "create_route53_records" in inputs and _v(release) < (3, 3, 0):
        pytest.skip("create_route53_records arrived in v3.3.0")
    modelled, downloaded = twice(
        tmp_path, {"main.tf": acm_root(release, inputs)}, ["cert"], "acm", release
    )
    assert modelled == downloaded


# records made outside the module from its validation_domains output, and the records-only use
ACM_OUTSIDE = """
provider "aws" {
  region = "eu-west-1"
}
module "cert" {
  source  = "terraform-aws-modules/acm/aws"
  version = "RELEASE"
  domain_name            = "api.example.com"
  validation_method      = "DNS"
  create_route53_records = false
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}
resource "aws_route53_record" "validation" {
  count   = 1
  zone_id = "Z123"
  name    = element(module.cert.validation_domains, count.index)["resource_record_name"]
  type    = element(module.cert.validation_domains, count.index)["resource_record_type"]
  records = [element(module.cert.validation_domains, count.index)["resource_record_value"]]
  ttl     = 60
}
module "records" {
  source  = "terraform-aws-modules/acm/aws"
  version = "RELEASE"
  create_certificate          = false
  create_route53_records_only = true
  validation_method           = "DNS"
  zone_id                     = "Z123"
  distinct_domain_names       = module.other.distinct_domain_names
  acm_certificate_domain_validation_options = module.other.acm_certificate_domain_validation_options
}
module "other" {
  source  = "terraform-aws-modules/acm/aws"
  version = "RELEASE"
  domain_name            = "other.example.com"
  validation_method      = "DNS"
  create_route53_records = false
}
resource "aws_apigatewayv2_domain_name" "api" {
  domain_name = "api.example.com"
  domain_name_configuration {
    certificate_arn = module.cert.acm_certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}
resource "aws_apigatewayv2_domain_name" "other" {
  domain_name = "other.example.com"
  domain_name_configuration {
    certificate_arn = module.other.acm_certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}
"""


@pytest.mark.parametrize("release", [r for r in _checked("acm") if _v(r) >= (4, 1, 0)])
def test_acm_records_outside_and_records_only(tmp_path, release):
    files = {"main.tf": ACM_OUTSIDE.replace("RELEASE", release)}
    modelled, downloaded = twice(tmp_path, files, ["cert", "records", "other"], "acm", release)
    assert modelled == downloaded
    # the records derived from module.cert's validation_domains are found: no IAC103 for it
    assert not any(
        v[0] == "IAC103" and v[2] == "aws_apigatewayv2_domain_name.api" for v in modelled
    )


# -- apigateway-v2: the inputs that change behaviour ----------------------------------------
APIGW_INPUTS = {
    "4": [
        'domain_name_certificate_arn = "arn:aws:acm:eu-west-1:111111111111:certificate/x"',
        "create_api_domain_name = false",
    ],
    "5": [
        "",
        "create_domain_records = false",
        "create_certificate = false",
        "create_domain_name = false",
        'subdomains = ["a", "b"]',
    ],
}


def apigw_root(release: str, inputs: str) -> str:
    return f"""
provider "aws" {{
  region = "eu-west-1"
}}
module "api" {{
  source        = "terraform-aws-modules/apigateway-v2/aws"
  version       = "{release}"
  name          = "api"
  protocol_type = "HTTP"
  domain_name   = "api.example.com"
  {inputs}
}}
"""


@pytest.mark.parametrize("release", _checked("apigateway-v2"))
@pytest.mark.parametrize("case", range(5))
def test_apigateway_v2_model_matches_release(tmp_path, release, case):
    inputs = APIGW_INPUTS["4" if _v(release) < (5, 0, 0) else "5"]
    if case >= len(inputs):
        pytest.skip("no such input case for this release")
    files = {"main.tf": apigw_root(release, inputs[case])}
    modelled, downloaded = twice(tmp_path, files, ["api"], "apigateway-v2", release)
    assert modelled == downloaded
    # the domain is seen (switched off, it is still checked as one latent instance)
    assert any(v[1] == "module.api.aws_apigatewayv2_domain_name.this[0]" for v in modelled)


# -- cloudfront: the viewer certificate and the switch -------------------------------------
CLOUDFRONT_CERTIFICATE = """
resource "aws_acm_certificate" "site" {
  domain_name       = "www.example.com"
  validation_method = "EMAIL"
}
"""
CLOUDFRONT_INPUTS = [
    "",
    'aliases = ["www.example.com", "static.example.com"]\n'
    "  viewer_certificate = {\n"
    "    acm_certificate_arn = aws_acm_certificate.site.arn\n"
    '    ssl_support_method  = "sni-only"\n'
    "  }",
    'aliases = ["www.example.com"]\n'
    '  viewer_certificate = { iam_certificate_id = "ASCAEXAMPLE", ssl_support_method = "sni-only" }',
    "viewer_certificate = { cloudfront_default_certificate = true }",
    'aliases = ["www.example.com"]\n'
    "  viewer_certificate = { acm_certificate_arn = aws_acm_certificate.site.arn }\n"
    "  SWITCH = false",
]


def cloudfront_root(release: str, inputs: str) -> str:
    switch = "create_distribution" if _v(release) < (6, 0, 0) else "create"
    return f"""
provider "aws" {{
  region = "us-east-1"
}}
{CLOUDFRONT_CERTIFICATE}
module "cdn" {{
  source  = "terraform-aws-modules/cloudfront/aws"
  version = "{release}"
  comment = "site"
  {inputs.replace("SWITCH", switch)}
}}
"""


@pytest.mark.parametrize("release", _checked("cloudfront"))
@pytest.mark.parametrize("inputs", CLOUDFRONT_INPUTS, ids=range(len(CLOUDFRONT_INPUTS)))
def test_cloudfront_model_matches_release(tmp_path, release, inputs):
    files = {"main.tf": cloudfront_root(release, inputs)}
    modelled, downloaded = twice(tmp_path, files, ["cdn"], "cloudfront", release)
    assert modelled == downloaded
    assert any(v[1] == "module.cdn.aws_cloudfront_distribution.this[0]" for v in modelled)


# -- alb: listeners, their certificates and the listener certificates ------------------------
ALB_CERTIFICATES = """
resource "aws_acm_certificate" "web" {
  domain_name       = "www.example.com"
  validation_method = "EMAIL"
}
resource "aws_acm_certificate" "extra" {
  domain_name       = "extra.example.com"
  validation_method = "DNS"
  lifecycle {
    create_before_destroy = true
  }
}
"""
ALB_LISTENERS = [
    "",
    "https = {\n"
    "      port            = 443\n"
    '      protocol        = "HTTPS"\n'
    "      certificate_arn = aws_acm_certificate.web.arn\n"
    '      forward         = { target_group_key = "app" }\n'
    "    }",
    "https = {\n"
    "      port            = 443\n"
    '      protocol        = "HTTPS"\n'
    "      certificate_arn = aws_acm_certificate.web.arn\n"
    "      additional_certificate_arns = [aws_acm_certificate.extra.arn]\n"
    '      forward         = { target_group_key = "app" }\n'
    "    }\n"
    "    http = {\n"
    "      port     = 80\n"
    '      protocol = "HTTP"\n'
    '      redirect = { port = "443", protocol = "HTTPS", status_code = "HTTP_301" }\n'
    "    }",
]


def alb_root(release: str, listeners: str, inputs: str = "") -> str:
    return f"""
provider "aws" {{
  region = "eu-west-1"
}}
{ALB_CERTIFICATES}
module "alb" {{
  source  = "terraform-aws-modules/alb/aws"
  version = "{release}"
  name    = "web"
  vpc_id  = "vpc-0123456789abcdef0"
  subnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  {inputs}
  listeners = {{
    {listeners}
  }}
}}
"""


# 5.x-8.x: lists addressed by index instead of the listeners map
ALB_LISTS = [
    "",
    "https_listeners = [\n"
    '    { port = 443, protocol = "HTTPS", certificate_arn = aws_acm_certificate.web.arn },\n'
    "  ]",
    "https_listeners = [\n"
    "    { port = 443, certificate_arn = aws_acm_certificate.web.arn },\n"
    "    { port = 8443, certificate_arn = aws_acm_certificate.extra.arn },\n"
    "  ]\n"
    "  extra_ssl_certs = [\n"
    "    { https_listener_index = 1, certificate_arn = aws_acm_certificate.web.arn },\n"
    "  ]",
]


def alb_lists_root(release: str, lists: str, inputs: str = "") -> str:
    return f"""
provider "aws" {{
  region = "eu-west-1"
}}
{ALB_CERTIFICATES}
module "alb" {{
  source  = "terraform-aws-modules/alb/aws"
  version = "{release}"
  name    = "web"
  vpc_id  = "vpc-0123456789abcdef0"
  subnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  target_groups = [{{ backend_protocol = "HTTP", backend_port = 8080, target_type = "ip" }}]
  {inputs}
  {lists}
}}
"""


@pytest.mark.parametrize("release", _checked("alb"))
@pytest.mark.parametrize("case", range(len(ALB_LISTENERS) + 1))
def test_alb_model_matches_release(tmp_path, release, case):
    listeners = ALB_LISTENERS[min(case, len(ALB_LISTENERS) - 1)]
    lists = ALB_LISTS[min(case, len(ALB_LISTS) - 1)]
    old = _v(release) < (9, 0, 0)
    switch = "create_lb" if old else "create"
    inputs = f"{switch} = false" if case == len(ALB_LISTENERS) else ""
    text = alb_lists_root(release, lists, inputs) if old else alb_root(release, listeners, inputs)
    files = {"main.tf": text}
    modelled, downloaded = twice(tmp_path, files, ["alb"], "alb", release)
    assert modelled == downloaded
    if listeners and not inputs:
        https = "frontend_https[0]" if old else 'this["https"]'
        assert any(v[1] == f"module.alb.aws_lb_listener.{https}" for v in modelled)


# -- the registry fixtures, downloaded ------------------------------------------------------
REGISTRY_FIXTURES = {  # fixture -> {module call: (family, the newest release it allows)}
    "tf_registry_cloudfront_module": {
        "site_cdn": ("cloudfront", "6.6.0"),
        "downloads_cdn": ("cloudfront", "5.2.0"),
    },
    "tf_registry_alb_module": {"shop_alb": ("alb", "10.5.0")},
}


@pytest.mark.parametrize("fixture", sorted(REGISTRY_FIXTURES))
def test_registry_fixture_same_verdicts_once_downloaded(tmp_path, fixture):
    source = FIXTURES / fixture
    modelled, downloaded = tmp_path / "modelled", tmp_path / "downloaded"
    shutil.copytree(source, modelled)
    shutil.copytree(source, downloaded)
    entries = [{"Key": "", "Source": "", "Dir": "."}]
    for call, (family, release) in REGISTRY_FIXTURES[fixture].items():
        code = downloaded / ".terraform" / "modules" / call
        if not extract_release(family, release, code):
            pytest.skip(f"no copy of {family} {release} (fetch the module's git mirror)")
        entries.append({"Key": call, "Source": "registry", "Dir": f".terraform/modules/{call}"})
    manifest = downloaded / ".terraform" / "modules" / "modules.json"
    manifest.write_text(json.dumps({"Modules": entries}))
    through_model = verdicts(modelled)
    assert through_model == verdicts(downloaded)
    assert any(v[0].startswith("IAC1") for v in through_model), "a finding fires through it"


# -- the modules' own examples/ ------------------------------------------------------------
_LOCAL_CALL = re.compile(r'(\n\s*)source\s*=\s*"\.\./\.\./?"')


def _probe_domains(names: list[str], output: str) -> str:
    """acm examples hold no domain: give each certificate a consumer, so verdicts exist."""
    return "".join(
        f"""
resource "aws_apigatewayv2_domain_name" "probe_{n}" {{
  domain_name = "probe-{n}.example.com"
  domain_name_configuration {{
    certificate_arn = module.{n}.{output}
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }}
}}
"""
        for n in names
    )


def example_cases() -> list[tuple[str, str, str]]:
    cases = []
    for family in FAMILIES:
        mirror = MIRRORS / FAMILIES[family][1] / "repo"
        for release in _checked(family, newest_only=True):
            listing = (
                subprocess.run(
                    [
                        "git",
                        "--git-dir",
                        str(mirror),
                        "ls-tree",
                        "--name-only",
                        f"v{release}",
                        "examples/",
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if mirror.is_dir()
                else None
            )
            if listing is None or listing.returncode != 0:
                cases.append((family, release, ""))  # skipped: no mirror
                continue
            for line in listing.stdout.split():
                if not line.endswith(".md"):
                    cases.append((family, release, line))
    return cases


@pytest.mark.parametrize(("family", "release", "example"), example_cases())
def test_examples_same_verdicts_through_model_and_real_code(tmp_path, family, release, example):
    if not example:
        pytest.skip(f"no git mirror of {family}")
    source = FAMILIES[family][0]
    real = tmp_path / "real"
    assert extract_release(family, release, real)
    files = {}
    for path in sorted((real / example).glob("*.tf")):
        text = _LOCAL_CALL.sub(rf'\1source = "{source}"\1version = "{release}"', path.read_text())
        files[path.name] = text
    pattern = r'module\s+"([^"]+)"\s*\{\s*\n\s*source\s*=\s*"' + re.escape(source) + '"'
    calls = re.findall(pattern, "\n".join(files.values()))
    if family == "acm":
        prefix = "this_" if _v(release) < (3, 0, 0) else ""
        files["probe.tf"] = _probe_domains(calls, f"{prefix}acm_certificate_arn")
    assert calls, f"{example} calls the module"
    modelled, downloaded = twice(tmp_path, files, calls, family, release)
    assert modelled == downloaded
    if family != "apigateway-v2":
        assert modelled, "the example's consumers give verdicts to compare"


# -- choosing a model by version range -------------------------------------------------------
def test_version_choice_follows_terraform():
    releases = ["4.3.2", "4.5.0", "5.0.0", "5.1.1"]
    assert newest(releases, "~> 4.0") == "4.5.0"
    assert newest(releases, "~> 4.3.0") == "4.3.2"
    assert newest(releases, ">= 4.0, < 5.0.0") == "4.5.0"
    assert newest(releases, None) == "5.1.1"
    assert newest(releases, "~> 7.0") is None
    assert satisfies("5.0.0", "!= 4.5.0, >= 4")
    assert parse_constraint("~> 6.2").low == (6, 2, 0) and parse_constraint("~> 6.2").high == (
        7,
        0,
        0,
    )
    with pytest.raises(ValueError):
        parse_constraint("latest")


@pytest.mark.parametrize(
    ("source", "version", "model"),
    [
        ("terraform-aws-modules/acm/aws", "~> 4.0", "3.4.1-4.x"),
        ("terraform-aws-modules/acm/aws", "4.4.0", "4.4.0,5.x-6.x"),  # shipped the v5 default
        ("terraform-aws-modules/acm/aws", "~> 5.0", "4.4.0,5.x-6.x"),
        ("terraform-aws-modules/acm/aws", "6.2.0", "4.4.0,5.x-6.x"),  # not in any old list
        ("terraform-aws-modules/acm/aws", "6.1.1", "4.4.0,5.x-6.x"),
        ("terraform-aws-modules/acm/aws", "4.3.1", "3.4.1-4.x"),
        ("terraform-aws-modules/acm/aws", "~> 3.0", "3.4.1-4.x"),  # newest 3.x is 3.5.0
        ("terraform-aws-modules/acm/aws", "3.2.0", "3.0.0-3.4.0"),
        ("terraform-aws-modules/acm/aws", "~> 2.0", "2.x"),
        ("terraform-aws-modules/acm/aws", ">= 1.0", "4.4.0,5.x-6.x"),
        ("registry.terraform.io/terraform-aws-modules/acm/aws", None, "4.4.0,5.x-6.x"),
        (
            "git::https://github.com/terraform-aws-modules/terraform-aws-acm.git?ref=v4.3.2",
            None,
            "3.4.1-4.x",
        ),
        ("tfr:///terraform-aws-modules/acm/aws?version=4.3.2", None, "3.4.1-4.x"),
        ("terraform-aws-modules/apigateway-v2/aws", "~> 5.3", "5.x-6.x"),
        ("terraform-aws-modules/apigateway-v2/aws", "6.1.0", "5.x-6.x"),
        ("terraform-aws-modules/apigateway-v2/aws", "~> 4.0", "0.x-4.x"),
        ("terraform-aws-modules/cloudfront/aws", "~> 6.0", "6.x"),
        ("terraform-aws-modules/cloudfront/aws", "~> 5.0", "2.x-5.x"),
        ("terraform-aws-modules/cloudfront/aws", ">= 2.0, < 6.0", "2.x-5.x"),
        ("terraform-aws-modules/alb/aws", "~> 10.0", "9.x-10.x"),
        ("terraform-aws-modules/alb/aws", "9.17.0", "9.x-10.x"),
        ("terraform-aws-modules/alb/aws", "~> 8.0", "5.x-8.x"),
        ("terraform-aws-modules/alb/aws", "5.16.0", "5.x-8.x"),
        (
            "git::https://github.com/terraform-aws-modules/terraform-aws-alb.git?ref=v9.4.0",
            None,
            "9.x-10.x",
        ),
    ],
)
def test_model_chosen_by_range(source, version, model):
    choice = choose_model(source, version)
    assert choice is not None and choice.model is not None
    assert choice.model.key.endswith("@" + model)
    assert choice.note == ""


@pytest.mark.parametrize(
    ("version", "says"),
    [("~> 7.0", "newer than"), ("8.0.0", "newer than"), ("latest", "cannot be read")],
)
def test_newer_or_unreadable_version_uses_newest_model_with_a_note(version, says):
    choice = choose_model("terraform-aws-modules/apigateway-v2/aws", version)
    assert choice.model is not None and choice.model.key.endswith("@5.x-6.x")
    assert says in choice.note and choice.creates_domains


def test_older_than_every_model_has_no_model_and_a_reason():
    choice = choose_model("terraform-aws-modules/acm/aws", "~> 1.0")
    assert choice.model is None and "no model" in choice.reason


def test_unknown_module_has_no_model():
    assert find_model("cloudposse/acm-request-certificate/aws", "0.18.0") is None


@pytest.mark.parametrize(
    ("source", "version", "words"),
    [
        ("terraform-aws-modules/cloudfront/aws", "~> 1.0", "CloudFront distributions"),
        ("terraform-aws-modules/alb/aws", "~> 4.0", "Elastic Load Balancing listeners"),
        ("terraform-aws-modules/alb/aws", "3.7.0", "Elastic Load Balancing listeners"),
    ],
)
def test_consumer_module_older_than_every_model_is_iac004(tmp_path, source, version, words):
    (tmp_path / "main.tf").write_text(
        f'module "edge" {{\n  source  = "{source}"\n  version = "{version}"\n}}\n'
    )
    result = scan([tmp_path])  # the prefilter keeps the directory: the family creates consumers
    assert [(f.rule.id, f.location.line) for f in result.findings] == [("IAC004", 1)]
    assert f"the {words} it creates are not analysed" in result.findings[0].message
    lint = subprocess.run(
        [sys.executable, "-m", "iaccert", "lint", str(tmp_path), "--no-cache"],
        capture_output=True,
        check=False,
    )
    assert lint.returncode == 1, "a module not analysed is never a clean exit 0"


@pytest.mark.parametrize(
    ("source", "version", "model"),
    [
        ("terraform-aws-modules/cloudfront/aws", "~> 7.0", "6.x"),
        ("terraform-aws-modules/alb/aws", ">= 11.0.0", "9.x-10.x"),
    ],
)
def test_consumer_module_newer_than_every_model_is_iac005(tmp_path, source, version, model):
    (tmp_path / "main.tf").write_text(
        f'module "edge" {{\n  source  = "{source}"\n  version = "{version}"\n}}\n'
    )
    result = scan([tmp_path])
    assert [f.rule.id for f in result.findings if f.rule.id.startswith("IAC00")] == ["IAC005"]
    assert f"model of the newest ({model})" in result.findings[0].message


def test_domain_module_without_model_is_never_dropped_silently(tmp_path):
    (tmp_path / "main.tf").write_text(
        'module "api" {\n'
        '  source      = "terraform-aws-modules/apigateway-v2/aws"\n'
        '  version     = "0.0.1"\n'
        '  domain_name = "api.example.com"\n'
        "}\n"
    )
    result = scan([tmp_path])
    found = [(f.rule.id, f.location.line) for f in result.findings]
    assert found == [("IAC004", 1)]
    assert "not downloaded" in result.findings[0].message


def test_git_ref_that_is_no_release_uses_newest_model_with_a_note():
    source = "git::https://github.com/terraform-aws-modules/terraform-aws-acm.git?ref=master"
    choice = choose_model(source, None)
    assert choice.model.key.endswith("@4.4.0,5.x-6.x") and "not a release" in choice.note


def test_stale_modules_json_falls_back_to_the_model(tmp_path):
    (tmp_path / "main.tf").write_text(apigw_root("6.1.0", ""))
    download(tmp_path, ["api"], tmp_path / ".terraform" / "modules" / "gone")
    result = scan([tmp_path])
    assert [c.domain.address for c in result.chains] == [
        "module.api.aws_apigatewayv2_domain_name.this[0]"
    ]
