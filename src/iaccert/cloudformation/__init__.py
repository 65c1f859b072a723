"""CloudFormation front end: templates (YAML, JSON, SAM, CDK output) in, model Resources out.

Importing this package is cheap: cfn-lint's decoder is imported only when a template
is actually decoded.
"""

from __future__ import annotations

from .detect import is_candidate, is_cdk_manifest, looks_like_template
from .options import CfnOptions


def load_cloudformation(*args, **kwargs):
    """Templates in, a Project out (the loader is imported only when a template was found)."""
    from .stacks import load_cloudformation as load

    return load(*args, **kwargs)


__all__ = [
    "CfnOptions",
    "is_candidate",
    "is_cdk_manifest",
    "load_cloudformation",
    "looks_like_template",
]
