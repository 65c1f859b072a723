"""Build hook: the rule catalog compiled to JSON inside the wheel (src/iaccert/compiled.py),
so an installed iaccert never parses YAML or builds a jsonpath-ng parser to load it.

A selector jsonpath-ng rejects, or a document that is not YAML, fails the build."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompiledCatalogHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install compiles into the cache on first use
        sys.path.insert(0, str(Path(self.root) / "src"))
        try:
            from iaccert.compiled import PACKAGED_NAME, compile_catalog
        finally:
            sys.path.pop(0)
        data = compile_catalog(Path(self.root) / "rules")
        self._temp = tempfile.TemporaryDirectory(prefix="iaccert-catalog-")
        out = Path(self._temp.name) / PACKAGED_NAME
        out.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        build_data["force_include"][str(out)] = f"iaccert/rules/{PACKAGED_NAME}"

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        temp = getattr(self, "_temp", None)
        if temp is not None:
            temp.cleanup()
