"""The resource-type bindings of ``rules/bindings.yaml``, with selectors compiled once
(src/iaccert/compiled.py: no PyYAML, no jsonpath-ng parser at run time)."""

from __future__ import annotations

from typing import Any

from .compiled import document, find, rules_dir

MISSING = object()
__all__ = ["MISSING", "bindings", "rules_dir", "select", "select_one"]


def bindings() -> dict[str, Any]:
    return document("bindings.yaml")


def select(attrs: dict, path: str | None) -> list:
    """Every value a selector finds in a resource's attributes."""
    if not path:
        return []
    return find(path, attrs)


def select_one(attrs: dict, path: str | None) -> Any:
    found = select(attrs, path)
    return found[0] if found else MISSING
