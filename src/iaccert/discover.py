"""Paths on the command line -> what to analyse: Terraform module directories, CloudFormation
templates (a cheap text prefilter: nothing is parsed here), CDK cloud assembly manifests and
Serverless Framework files; and the IaC forms iaccert does not analyse (``unanalysed.py``).

A file with a template's or a manifest's name that may not be read (a FIFO, a device, a link
out of the repository: src/iaccert/safe_read.py) is listed in ``refused``, never opened."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .cloudformation.detect import is_candidate, is_cdk_manifest, looks_like_template
from .safe_read import Refused, Roots
from .serverless import is_serverless_file

SKIP_DIRS = {".terraform", ".git", "node_modules", "__pycache__", ".iaccert_cache"}
TF_SUFFIXES = (".tf", ".tf.json")
TERRAGRUNT_FILE = "terragrunt.hcl"


@dataclass
class Targets:
    terraform_dirs: list[Path] = field(default_factory=list)
    cfn_templates: list[Path] = field(default_factory=list)
    cdk_manifests: list[Path] = field(default_factory=list)
    serverless_files: list[Path] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)  # (file, reason)


def _skip(name: str) -> bool:
    return name in SKIP_DIRS or name.startswith(".")


def is_terragrunt_unit(files: list[str]) -> bool:
    """A ``terragrunt.hcl`` makes its directory a Terraform root: the module it runs is
    analysed with its inputs (the Terraform front end decides whether it runs one)."""
    return TERRAGRUNT_FILE in files


def discover(paths: list[Path], exclusions=None, roots: Roots | None = None) -> Targets:
    """Walk the paths; a Terraform file given directly stands for its whole module directory,
    a template given directly for itself. ``exclusions`` (src/iaccert/exclusion.py) leaves
    out what exclude globs match and, below each path, what .gitignore files ignore. Files are
    read only inside ``roots`` (default: the paths' repositories)."""
    roots = roots if roots is not None else Roots.of(paths)
    tf_dirs: set[Path] = set()
    templates: set[Path] = set()
    manifests: set[Path] = set()
    serverless: set[Path] = set()
    refused: dict[Path, str] = {}

    def consider(file: Path) -> None:
        try:
            if is_serverless_file(file.name) and not looks_like_template(file, roots):
                serverless.add(file.resolve())  # (a template named serverless.yml is a template)
            elif is_cdk_manifest(file, roots):
                manifests.add(file.resolve())
            elif is_candidate(file.name) and looks_like_template(file, roots):
                templates.add(file.resolve())
        except Refused as exc:
            refused[Path(os.path.abspath(file))] = exc.reason

    for path in paths:
        if exclusions is not None and exclusions.excluded(path):
            continue
        if path.is_file() or (os.path.lexists(path) and not path.is_dir()):
            if path.name.endswith(TF_SUFFIXES) or path.name == TERRAGRUNT_FILE:
                tf_dirs.add(path.parent.resolve())
            else:
                consider(path)
            continue
        skip = exclusions.walker(path) if exclusions is not None else None
        # The walk follows no directory link, so only the top can hold one: resolved once.
        top, real_top = os.path.normpath(path), os.path.realpath(path)
        real_top = real_top if real_top.endswith(os.sep) else real_top + os.sep
        for root, dirs, files in os.walk(top, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not _skip(d))
            dirs[:], files = _kept(skip, root, dirs, files)
            if any(f.endswith(TF_SUFFIXES) for f in files) or is_terragrunt_unit(files):
                tf_dirs.add(Path(real_top + root[len(top) :].lstrip(os.sep)))
            for name in files:
                if name == "manifest.json" or is_candidate(name):
                    consider(Path(root) / name)
    return Targets(
        terraform_dirs=sorted(tf_dirs),
        cfn_templates=sorted(templates),
        cdk_manifests=sorted(manifests),
        serverless_files=sorted(serverless),
        refused=sorted(refused.items()),
    )


def _kept(skip, root: str, dirs: list[str], files: list[str]):
    """The directories and files of one walk step that ``skip(path, is_dir)`` keeps."""
    if skip is None:
        return dirs, files
    join = os.path.join
    kept_dirs = [d for d in dirs if not skip(join(root, d), True)]
    return kept_dirs, [f for f in files if not skip(join(root, f), False)]


def display_path(path: Path) -> str:
    """Path relative to the working directory, with forward slashes, as reports show it."""
    text = str(path) if os.path.isabs(path) else os.path.abspath(path)
    cwd = os.getcwd()
    if text == cwd:
        return "."
    prefix = cwd.rstrip(os.sep) + os.sep
    rel = text[len(prefix) :] if text.startswith(prefix) else str(Path(text).resolve())
    return rel.replace(os.sep, "/")
