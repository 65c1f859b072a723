"""The resource-type bindings of ``rules/bindings.yaml``, with selectors compiled once."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

MISSING = object()
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


def rules_dir() -> Path:
    """The rule catalog: inside the package when installed, beside it in a checkout."""
    packaged = Path(__file__).parent / "rules"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "rules"


@functools.lru_cache(maxsize=1)
def bindings() -> dict[str, Any]:
    with open(rules_dir() / "bindings.yaml", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=SAFE_LOADER)


@functools.cache
def _compiled(path: str):
    from jsonpath_ng import parse

    return parse(path)


def select(attrs: dict, path: str | None) -> list:
    """Every value a selector finds in a resource's attributes."""
    if not path:
        return []
    return [m.value for m in _compiled(path).find(attrs)]


def select_one(attrs: dict, path: str | None) -> Any:
    found = select(attrs, path)
    return found[0] if found else MISSING
