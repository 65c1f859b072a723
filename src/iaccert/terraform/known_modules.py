"""Built-in models of popular registry modules, used when a module is not downloaded.

Each family is one file in ``rules/modules/``: the registry source, the releases a
version constraint is matched against, and per version range a small HCL summary of
the module's certificate chain that the evaluator runs like any local module.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..compiled import documents
from .versions import newest, satisfies


@dataclass(frozen=True)
class ModuleModel:
    key: str  # e.g. "terraform-aws-modules/acm/aws@5.1.1"
    hcl: str
    defaults: tuple  # (variable, default) pairs overriding the HCL's defaults


@functools.lru_cache(maxsize=1)
def _families() -> list[dict]:
    return [data for _, data in documents("modules/")]


def _normalise(source: str) -> tuple[str, str | None]:
    """Registry or GitHub source -> (family key, version from a git ref if any)."""
    text = source.strip().removeprefix("git::").removeprefix("https://").removeprefix("ssh://")
    text = text.removeprefix("registry.terraform.io/").removeprefix("git@")
    text = text.replace("github.com:", "github.com/")
    ref = re.search(r"[?&]ref=v?([0-9][^&]*)", text)
    base = re.sub(r"\?.*$", "", text).removesuffix(".git").split("//")[0].rstrip("/")
    return base.lower(), ref.group(1) if ref else None


def find_model(source: str | None, version: str | None) -> ModuleModel | None:
    """The model for a module call's source and version constraint, if one is known."""
    if not source:
        return None
    base, ref = _normalise(source)
    for family in _families():
        if base not in (family["source"].lower(), family.get("git", "").lower()):
            continue
        release = ref or newest(family["releases"], version)
        if release is None:
            return None
        for model in family["models"]:
            if satisfies(release, model["versions"]):
                hcl = model.get("hcl") or family.get("hcl", "")
                defaults = tuple((model.get("defaults") or {}).items())
                return ModuleModel(f"{family['source']}@{release}", hcl, defaults)
    return None
