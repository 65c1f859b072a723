"""The result types sit below the scan and the reports: a report never imports the scan."""

from __future__ import annotations

import json
import subprocess
import sys

from iaccert import results, scan

PROGRAM = """
import importlib, json, pkgutil, sys
import iaccert.report as report
for module in pkgutil.iter_modules(report.__path__):
    importlib.import_module("iaccert.report." + module.name)
print(json.dumps(sorted(name for name in sys.modules if name.startswith("iaccert"))))
"""


def test_importing_every_report_does_not_import_the_scan():
    out = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True
    ).stdout
    loaded = json.loads(out)
    assert "iaccert.report.sarif" in loaded and "iaccert.results" in loaded
    assert "iaccert.scan" not in loaded
    assert "iaccert.checks" not in loaded  # nor the rules that the scan runs


def test_scan_re_exports_the_result_types():
    assert scan.ScanResult is results.ScanResult
    assert scan.domain_key is results.domain_key
