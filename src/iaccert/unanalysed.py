"""Never silent: infrastructure code that can hold an API Gateway custom domain but that
iaccert does not analyse is a finding (IAC004) saying what would make it analysable.

A cheap look, by file name first: an AWS CDK app (``cdk.json``) without a synthesized
cloud assembly, a Pulumi project (``Pulumi.yaml``), a Serverless Framework configuration
in JavaScript or TypeScript. It fires only when the app's own source mentions an API
Gateway custom domain, so unrelated repositories stay quiet. Sources are read as text,
bounded in number and size; nothing is parsed or run.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .model import ParseProblem

RULE = "IAC004"
MAX_FILES = 2000  # source files read per app
MAX_BYTES = 1024 * 1024
SOURCE_SUFFIXES = (
    ".ts",
    ".js",
    ".mjs",
    ".cjs",
    ".py",
    ".java",
    ".cs",
    ".go",
    ".fs",
    ".yaml",
    ".yml",
)
SKIP_DIRS = {"node_modules", "cdk.out", ".git", "__pycache__", "venv", ".venv", "dist", "build"}
SERVERLESS_SCRIPTS = ("serverless.ts", "serverless.js", "serverless.mjs", "serverless.cjs")
# An API Gateway construct, and a custom domain in it (CDK, Pulumi, plain SDK spellings).
_APIGATEWAY = re.compile(r"apigateway", re.I)
_DOMAIN_CLASS = re.compile(r"\b(?:(?:Cfn)?DomainName(?:V2)?|addDomainName|add_domain_name)\b")
_DOMAIN = re.compile(r"\b(?:domainName|domain_name)\b")  # e.g. RestApi's domainName option
_SLS_DOMAIN = re.compile(r"\b(?:customDomains?|DomainName)\b")


def _text(path: Path) -> str | None:
    """A source file's text, read as every scanned file is (src/iaccert/safe_read.py)."""
    from .safe_read import default_roots, read_text

    try:
        return read_text(path, default_roots(path), MAX_BYTES, errors="replace")
    except OSError:
        return None


def _line(text: str, pattern: re.Pattern) -> int | None:
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _sources(app: Path):
    """The app's own source files (no dependencies, no build output), bounded."""
    count = 0
    for root, dirs, files in os.walk(app, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(SOURCE_SUFFIXES) and not name.endswith(".d.ts"):
                count += 1
                if count > MAX_FILES:
                    return
                yield Path(root) / name


def _domain_source(app: Path) -> tuple[Path, int] | None:
    weak = None
    for path in _sources(app):
        text = _text(path)
        if text is None or not _APIGATEWAY.search(text):
            continue
        line = _line(text, _DOMAIN_CLASS)
        if line is not None:
            return path, line
        line = _line(text, _DOMAIN)
        if weak is None and line is not None:
            weak = (path, line)
    return weak


def _cdk_output(app: Path) -> Path:
    """The cloud assembly directory: cdk.json's ``output``, else cdk.out."""
    text = _text(app / "cdk.json")
    try:
        config = json.loads(text.lstrip("\ufeff")) if text else {}
    except (ValueError, RecursionError):
        config = {}
    output = config.get("output") if isinstance(config, dict) else None
    return app / (output if isinstance(output, str) and output else "cdk.out")


def _cdk(app: Path, display) -> ParseProblem | None:
    if (_cdk_output(app) / "manifest.json").is_file():
        return None  # synthesized: the templates are analysed
    found = _domain_source(app)
    if found is None:
        return None
    path, line = found
    return ParseProblem(
        display(app / "cdk.json"),
        1,
        1,
        f"CDK app without synthesized output: {display(path)}:{line} defines an API Gateway "
        f"custom domain, but there is no {_cdk_output(app).name}/ to analyse; run `cdk synth` "
        "and lint again",
        rule=RULE,
    )


def _pulumi(app: Path, name: str, display) -> ParseProblem | None:
    found = _domain_source(app)
    if found is None:
        return None
    path, line = found
    return ParseProblem(
        display(app / name),
        1,
        1,
        f"Pulumi program not analysed: {display(path)}:{line} defines an API Gateway custom "
        "domain; iaccert does not read Pulumi programs: check the deployed domains with "
        "`iaccert live`",
        rule=RULE,
    )


def _serverless_script(path: Path, display) -> ParseProblem | None:
    text = _text(path)
    line = _line(text, _SLS_DOMAIN) if text is not None else None
    if line is None:
        return None
    return ParseProblem(
        display(path),
        line,
        1,
        f"Serverless configuration in {path.suffix.lstrip('.').upper()} not analysed: it "
        "mentions a custom domain, and iaccert reads serverless.yml, .yaml and .json only "
        "(it never runs code); write the configuration as YAML or JSON, or check the "
        "deployed domains with `iaccert live`",
        rule=RULE,
    )


def find_unanalysed(paths: list[Path], display, exclude=None) -> list[ParseProblem]:
    """IAC004 for every CDK app, Pulumi project and script serverless configuration under
    ``paths`` that can hold a custom domain iaccert does not see (``exclude(dir)``: the
    configuration's excluded directories)."""
    out: list[ParseProblem] = []
    seen: set[Path] = set()

    def visit(directory: Path, files: list[str]) -> None:
        if directory in seen or (exclude is not None and exclude(directory)):
            return
        seen.add(directory)
        if "cdk.json" in files:
            out.extend(p for p in [_cdk(directory, display)] if p)
        for name in ("Pulumi.yaml", "Pulumi.yml"):
            if name in files:
                out.extend(p for p in [_pulumi(directory, name, display)] if p)
        for name in files:
            if name.lower() in SERVERLESS_SCRIPTS:
                out.extend(p for p in [_serverless_script(directory / name, display)] if p)

    for path in paths:
        if path.is_file():
            continue  # a file given alone stands for itself, not for an app around it
        # The walk follows no directory link: only the top is resolved, once.
        top, real_top = os.path.normpath(path), os.path.realpath(path)
        for root, dirs, files in os.walk(top, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            visit(Path(real_top, root[len(top) :].lstrip(os.sep)), files)
    return out
