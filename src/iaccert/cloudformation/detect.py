"""Which files are CloudFormation templates or CDK manifests: a cheap text prefilter.

No YAML is parsed here and cfn-lint is not imported: a repository without templates
must not pay for either.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..safe_read import Refused, Roots, TooLarge, read_bytes

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

# YAML: top-level keys start in column 0; JSON: quoted keys anywhere.
_FORMAT_VERSION = re.compile(rb'^(?:AWSTemplateFormatVersion|"AWSTemplateFormatVersion")\s*:', re.M)
_JSON_FORMAT_VERSION = re.compile(rb'"AWSTemplateFormatVersion"\s*:')
_YAML_RESOURCES = re.compile(rb"^['\"]?Resources['\"]?\s*:", re.M)
_YAML_TYPE = re.compile(rb"""^[ \t]+['"]?Type['"]?[ \t]*:[ \t]*['"]?AWS::""", re.M)
_JSON_RESOURCES = re.compile(rb'"Resources"\s*:\s*\{')
_JSON_TYPE = re.compile(rb'"Type"\s*:\s*"AWS::')


def is_candidate(name: str) -> bool:
    """A file name worth a look (``.tf.json`` is Terraform's)."""
    lower = name.lower()
    if not lower.endswith(TEMPLATE_SUFFIXES) or lower.endswith(".tf.json"):
        return False
    return lower not in NOT_TEMPLATES and not lower.endswith(".assets.json")


def _head(path: Path, roots: Roots | None) -> bytes | None:
    """The file's bytes; None when it is too large to be a template or unreadable. A file
    refused for what it is or where it leads (src/iaccert/safe_read.py) raises ``Refused``."""
    try:
        return read_bytes(path, roots, MAX_TEMPLATE_BYTES)
    except TooLarge:
        return None
    except Refused:
        raise
    except OSError:
        return None


def looks_like_template(path: Path, roots: Roots | None = None) -> bool:
    """AWSTemplateFormatVersion, or a Resources section with ``Type: AWS::…`` entries.
    Raises ``Refused`` for a file that must not be read (it may be a template: say so)."""
    if not is_candidate(path.name):
        return False
    data = _head(path, roots)
    if not data:
        return False
    if _FORMAT_VERSION.search(data) or _JSON_FORMAT_VERSION.search(data):
        return True
    if _YAML_RESOURCES.search(data) and _YAML_TYPE.search(data):
        return True
    return bool(_JSON_RESOURCES.search(data) and _JSON_TYPE.search(data))


def is_cdk_manifest(path: Path, roots: Roots | None = None) -> bool:
    """``cdk.out/manifest.json`` (a cloud assembly naming its stacks and their environments).
    Raises ``Refused`` as ``looks_like_template`` does."""
    if path.name != "manifest.json":
        return False
    data = _head(path, roots)
    return bool(data) and b"aws:cloudformation:stack" in data
