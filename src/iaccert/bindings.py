"""The raw ``rules/bindings.yaml`` document, compiled once (src/iaccert/compiled.py: no
PyYAML, no jsonpath-ng parser at run time). The validated roles are in ``roles.py``."""

from __future__ import annotations

from typing import Any

from .compiled import document, rules_dir

MISSING = object()  # a selector found nothing
__all__ = ["MISSING", "bindings", "rules_dir"]


def bindings() -> dict[str, Any]:
    return document("bindings.yaml")
