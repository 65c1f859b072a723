"""Where the rule catalog and ``rules/bindings.yaml`` live, and how they are read.

The roles themselves (validated dataclasses) are in ``roles.py``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

MISSING = object()  # a selector found nothing
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


def rules_dir() -> Path:
    """The rule catalog: inside the package when installed, beside it in a checkout."""
    packaged = Path(__file__).parent / "rules"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "rules"
