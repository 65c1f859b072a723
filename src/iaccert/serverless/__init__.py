"""Serverless Framework front end: ``serverless.yml`` / ``.yaml`` / ``.json`` in, model
Resources out.

The ``resources`` section (a mapping with ``Resources``, ``Outputs``, ``Conditions``…, or
a list of such mappings) is CloudFormation and goes through the CloudFormation loader,
after the framework's variables are resolved (the safe subset of ``variables.py``); the
serverless-domain-manager plugin's settings become domains (``domains.py``). The file is
decoded with the same decoder as templates (CloudFormation tags, marks for lines).
"""

from __future__ import annotations

from pathlib import Path

SERVERLESS_FILES = ("serverless.yml", "serverless.yaml", "serverless.json")


def is_serverless_file(name: str) -> bool:
    return name.lower() in SERVERLESS_FILES


def load_serverless(paths: list[Path], options, display):
    """Serverless files in, a Project out (cfn-lint's decoder is imported only here)."""
    from .load import load_serverless as load

    return load(paths, options, display)


__all__ = ["SERVERLESS_FILES", "is_serverless_file", "load_serverless"]
