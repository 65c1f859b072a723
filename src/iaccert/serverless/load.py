"""One serverless file: decode, resolve its variables, hand ``resources`` to the
CloudFormation loader and the plugin's settings to ``domains.py``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..cloudformation.decode import Decoded, decode_template, line_of
from ..cloudformation.options import CfnOptions
from ..model import ParseProblem, Project, Region, Unknown
from .domains import ELSEWHERE, PluginDomains
from .variables import Variables

NOT_ANALYSED = "IAC004"
SECTIONS = ("Resources", "Outputs", "Conditions", "Mappings", "Parameters")


_FILE_ITEM = re.compile(r"^\$\{file\(([^)$]+)\)(?::[\w.-]+)?\}$")


def _scanned_elsewhere(item: Any, base: Path) -> bool:
    """``${file(resources/api.yml)}`` naming a file beside this one: that file is scanned on
    its own (as a template when it is one), so nothing goes unseen."""
    match = _FILE_ITEM.match(item.strip()) if isinstance(item, str) else None
    return bool(match) and (base / match.group(1).strip()).is_file()


def _resources_section(
    value: Any, variables: Variables, base: Path
) -> tuple[dict, list[tuple[str, int]]]:
    """The CloudFormation sections under ``resources`` (a mapping, or a list of mappings,
    merged in order as the framework does), resolved; and what could not be read."""
    items = value if isinstance(value, list) else [value]
    merged: dict = {}
    unread: list[tuple[str, int]] = []
    for index, item in enumerate(items):
        where = f"resources[{index}]" if isinstance(value, list) else "resources"
        if _scanned_elsewhere(item, base):
            continue
        resolved = variables.resolve(item)
        if isinstance(resolved, Unknown):
            unread.append((f"{where}: {resolved.reason}{ELSEWHERE}", line_of(item, line_of(value))))
            continue
        if not isinstance(resolved, dict):
            continue
        for key, section in resolved.items():
            if str(key) not in SECTIONS or not isinstance(section, dict):
                continue
            target = next((k for k in merged if k == key), None)
            if target is None:
                merged[key] = dict(section)
            else:
                merged[target].update(section)
    return merged, unread


def _unread_custom(data: dict, variables: Variables) -> list[tuple[str, int]]:
    """``custom: ${file(...)}`` in a file using the plugin: its domains are not seen."""
    key = next((k for k in data if k == "custom"), None)
    plugins = data.get("plugins")
    names = plugins.get("modules") if isinstance(plugins, dict) else plugins
    uses = isinstance(names, list) and "serverless-domain-manager" in names
    if key is None or not uses or isinstance(data[key], dict):
        return []
    resolved = variables.resolve(data[key])
    if not isinstance(resolved, Unknown):
        return []
    return [(f"custom: {resolved.reason}{ELSEWHERE}", line_of(key))]


def _framework_domains(data: dict) -> list[tuple[str, int]]:
    """``provider.domain(s)``: the framework's own custom domains (v4), not modelled here."""
    provider = data.get("provider")
    if not isinstance(provider, dict):
        return []
    key = next((k for k in provider if k in ("domain", "domains")), None)
    if key is None:
        return []
    what = (
        f"provider.{key}: the Serverless Framework's own custom domains are not modelled by "
        "iaccert; check the deployed domains with `iaccert live`"
    )
    return [(what, line_of(key))]


def _region(variables: Variables, display: str) -> Region:
    value = variables.region()
    if isinstance(value, str):
        return Region(f"serverless:{display}", value)
    why = value.reason if isinstance(value, Unknown) else "provider.region is not a string"
    return Region(f"serverless:{display}", None, f"provider.region: {why}; pass --region")


def load_file(path: Path, options: CfnOptions, display) -> tuple[Project, Decoded | None, Any]:
    """The plugin's domains as a Project, and the resources section as a decoded template
    (with the stack's region) for the CloudFormation loader."""
    project = Project()
    shown = display(path)
    decoded = decode_template(path, shown)
    project.problems.extend(decoded.problems)
    project.files.add(shown)
    project.parsed_files += 1
    data = decoded.data
    if not isinstance(data, dict):
        return project, None, None
    variables = Variables(data, shown, options.region)
    region = _region(variables, shown)
    plugin = PluginDomains(variables, shown, region)
    found, unread = plugin.resources(data.get("custom"))
    unread.extend(_unread_custom(data, variables))
    unread.extend(_framework_domains(data))
    project.resources.extend(found)
    template = None
    resources_key = next((k for k in data if k == "resources"), None)
    if resources_key is not None:
        sections, more = _resources_section(data[resources_key], variables, path.parent)
        unread.extend(more)
        if sections.get("Resources"):
            template = Decoded(path, shown, sections, partial=decoded.partial)
    for what, line in unread:
        project.problems.append(
            ParseProblem(
                shown,
                line,
                1,
                f"Serverless settings not analysed: {what}",
                rule=NOT_ANALYSED,
            )
        )
    return project, template, region


def load_serverless(paths: list[Path], options: CfnOptions | None, display) -> Project:
    from ..cloudformation.stacks import Environment, load_cloudformation

    options = options or CfnOptions()
    project = Project()
    documents = []
    for path in sorted(paths):
        try:
            part, template, region = load_file(path, options, display)
        except (Exception, RecursionError) as exc:  # noqa: BLE001 - one file, never the scan
            shown = display(path)
            project.problems.append(
                ParseProblem(shown, 1, 1, f"cannot analyse: {type(exc).__name__}: {exc}")
            )
            project.files.add(shown)
            continue
        project.merge(part)
        if template is not None:
            env = Environment(region.name, None, region.why_unknown)
            documents.append((template, env))
    if documents:
        cfn = load_cloudformation([], [], options, display, documents=documents)
        cfn.files -= project.files  # counted once
        project.merge(cfn)
    return project
