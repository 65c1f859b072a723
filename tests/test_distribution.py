"""What a package index, a licence scanner and a user reading the changelog see."""

from __future__ import annotations

import re
import sys

from snapshots import ROOT

from iaccert import __version__
from iaccert.catalog import rules
from iaccert.docs import help_uri

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def test_license_is_the_full_apache_2_text():
    text = (ROOT / "LICENSE").read_text("utf-8")
    assert PROJECT["license"] == "Apache-2.0" and PROJECT["license-files"] == ["LICENSE"]
    assert text.lstrip().startswith("Apache License\n") and "Version 2.0, January 2004" in text
    sections = re.findall(r"^\s+(\d)\. (\w[\w ]+)\.", text, re.M)
    assert [n for n, _ in sections] == [str(n) for n in range(1, 10)]  # all nine sections
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX" in text


def test_project_metadata():
    urls = PROJECT["urls"]
    assert {"Homepage", "Documentation", "Changelog", "Issues", "Source"} <= set(urls)
    assert all(u.startswith("https://github.com/iaccert/iaccert") for u in urls.values())
    assert {"terraform", "cloudformation", "acm", "api-gateway", "sarif"} <= set(
        PROJECT["keywords"]
    )
    classifiers = PROJECT["classifiers"]
    assert "License :: OSI Approved :: Apache Software License" not in classifiers  # PEP 639
    oldest = PROJECT["requires-python"].removeprefix(">=")
    versions = [c.rsplit(" ", 1)[1] for c in classifiers if re.fullmatch(r".*:: 3\.\d+", c)]
    assert versions and min(versions, key=lambda v: int(v.split(".")[1])) == oldest


def test_changelog_keeps_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert text.startswith("# Changelog\n") and "keepachangelog.com" in text
    unreleased = text.split("## [Unreleased]", 1)[1].split("\n## ", 1)[0]
    assert "### Added" in unreleased and unreleased.count("\n- ") >= 5
    assert re.search(r"^\[Unreleased\]: https://", text, re.M)  # the heading's link


def test_help_links_point_at_this_release_not_a_branch():
    for rule in rules().values():
        uri = help_uri(rule)
        assert f"/blob/v{__version__}/docs/rules.md#" in uri
        assert "/blob/main/" not in uri
