"""What the user says about the stacks (kept apart so a Terraform-only run imports nothing more)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..safe_read import Roots


@dataclass
class CfnOptions:
    """What the user says about the stacks: their region and parameter values."""

    region: str | None = None
    parameters: list[tuple[str, str]] = field(default_factory=list)
    parameters_file: Path | None = None
    default_parameters: dict[str, str] = field(default_factory=dict)  # configuration; lowest
    roots: Roots | None = None  # where files may be read (None: the templates' repositories)
    cache_dir: Path | None = None  # where decoded templates are remembered; None: nowhere
