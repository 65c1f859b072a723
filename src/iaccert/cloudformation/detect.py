"""Which files are CloudFormation templates or CDK manifests: a cheap text prefilter.

No YAML is parsed here and cfn-lint is not imported: a repository without templates
must not pay for either.
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
MAX_TEMPLATE_BYTES = 5 * 1024 * 1024  # CloudFormation itself accepts at most 1 MB

# Well-known JSON and YAML files that are never templates.
NOT_TEMPLATES = {
    "package.json",
    "package-lock.json",
    "composer.json",
    "tsconfig.json",
    "cdk.json",
    "cdk.context.json",
    "tree.json",
    "manifest.json",
    ".eslintrc.json",
    "pnpm-lock.yaml",
    "docker-compose.yml",
    "docker-compose.yaml",
    "mkdocs.yml",
}

# The test is conservative: it rules a file out only when no spelling of a template can be
# in it. Escapes (YAML double-quoted ``\x3a``, ``\u003a``, JSON ``\u003a``) and escaped
# line breaks are undone first, tags and quotes around keys are allowed, and any ``AWS::``
# counts (a type may be written in flow style, or through an anchor defined elsewhere).
_FORMAT_VERSION = re.compile(rb"AWSTemplateFormatVersion['\"]?\s*:")
_YAML_RESOURCES = re.compile(rb"^(?:!!?[\w!:/.-]*[ \t]+)?['\"]?Resources['\"]?[ \t]*:", re.M)
_YAML_COMPLEX_KEY = re.compile(rb"^\?(?:[ \t]|$)", re.M)  # ``? key`` at the top level
_FLOW_RESOURCES = re.compile(rb"""[{,\s]['"]?Resources['"]?\s*:\s*[{!&*]""")  # JSON, YAML flow
_AWS_TYPE = re.compile(rb"AWS::")
_ESCAPE = re.compile(rb"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")
_ESCAPED_BREAK = re.compile(rb"\\\r?\n[ \t]*")


def is_candidate(name: str) -> bool:
    """A file name worth a look (``.tf.json`` is Terraform's)."""
    lower = name.lower()
    if not lower.endswith(TEMPLATE_SUFFIXES) or lower.endswith(".tf.json"):
        return False
    return lower not in NOT_TEMPLATES and not lower.endswith(".assets.json")


def _head(path: Path) -> bytes | None:
    try:
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def _unescape(data: bytes) -> bytes:
    """The text with YAML/JSON escape sequences and escaped line breaks undone."""
    if b"\\" not in data:
        return data

    def char(match: re.Match) -> bytes:
        code = int(next(g for g in match.groups() if g), 16)
        return chr(code).encode("utf-8", "replace") if code < 0x110000 else match.group(0)

    return _ESCAPE.sub(char, _ESCAPED_BREAK.sub(b"", data))


def looks_like_template(path: Path) -> bool:
    """AWSTemplateFormatVersion, or a top-level Resources section and an ``AWS::`` type;
    however either is spelled."""
    if not is_candidate(path.name):
        return False
    data = _head(path)
    if not data:
        return False
    data = _unescape(data)
    if _FORMAT_VERSION.search(data):
        return True
    if not _AWS_TYPE.search(data):
        return False
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return bool(_FLOW_RESOURCES.search(data))
    return bool(_YAML_RESOURCES.search(data) or _YAML_COMPLEX_KEY.search(data))


def is_cdk_manifest(path: Path) -> bool:
    """``cdk.out/manifest.json`` (a cloud assembly naming its stacks and their environments)."""
    if path.name != "manifest.json":
        return False
    data = _head(path)
    return bool(data) and b"aws:cloudformation:stack" in data
