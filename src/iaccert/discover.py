"""Paths on the command line -> what to analyse: Terraform module directories, CloudFormation
templates (a cheap text prefilter: nothing is parsed here) and CDK cloud assembly manifests."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .cloudformation.detect import is_candidate, is_cdk_manifest, looks_like_template

SKIP_DIRS = {".terraform", ".git", "node_modules", "__pycache__", ".iaccert_cache"}
TF_SUFFIXES = (".tf", ".tf.json")
TERRAGRUNT_FILE = "terragrunt.hcl"


@dataclass
class Targets:
    terraform_dirs: list[Path] = field(default_factory=list)
    cfn_templates: list[Path] = field(default_factory=list)
    cdk_manifests: list[Path] = field(default_factory=list)


def _skip(name: str) -> bool:
    return name in SKIP_DIRS or name.startswith(".")


def is_terragrunt_unit(files: list[str]) -> bool:
    """A ``terragrunt.hcl`` makes its directory a Terraform root: the module it runs is
    analysed with its inputs (the Terraform front end decides whether it runs one)."""
    return TERRAGRUNT_FILE in files


def discover(paths: list[Path]) -> Targets:
    """Walk the paths; a Terraform file given directly stands for its whole module directory,
    a template given directly for itself."""
    tf_dirs: set[Path] = set()
    templates: set[Path] = set()
    manifests: set[Path] = set()

    def consider(file: Path) -> None:
        if is_cdk_manifest(file):
            manifests.add(file.resolve())
        elif is_candidate(file.name) and looks_like_template(file):
            templates.add(file.resolve())

    for path in paths:
        if path.is_file():
            if path.name.endswith(TF_SUFFIXES) or path.name == TERRAGRUNT_FILE:
                tf_dirs.add(path.parent.resolve())
            else:
                consider(path)
            continue
        for root, dirs, files in os.walk(path, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not _skip(d))
            if any(f.endswith(TF_SUFFIXES) for f in files) or is_terragrunt_unit(files):
                tf_dirs.add(Path(root).resolve())
            for name in files:
                if name == "manifest.json" or is_candidate(name):
                    consider(Path(root) / name)
    return Targets(
        terraform_dirs=sorted(tf_dirs),
        cfn_templates=sorted(templates),
        cdk_manifests=sorted(manifests),
    )


def display_path(path: Path) -> str:
    """Path relative to the working directory, with forward slashes, as reports show it."""
    text = str(path) if os.path.isabs(path) else os.path.abspath(path)
    cwd = os.getcwd()
    if text == cwd:
        return "."
    prefix = cwd.rstrip(os.sep) + os.sep
    rel = text[len(prefix) :] if text.startswith(prefix) else str(Path(text).resolve())
    return rel.replace(os.sep, "/")
