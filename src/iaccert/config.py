"""Project configuration: ``.iaccert.toml``, else ``[tool.iaccert]`` in ``pyproject.toml``.

The nearest one is used, searched from the working directory up to the repository root
(the directory holding ``.git``); outside a repository only the working directory itself
is searched, never its parents. ``--config FILE`` names one, ``--no-config`` turns the
search off. Command-line options win over the file.

What a file changes is never silent: ``Config.changes`` (the keys it sets to something
other than the default) goes into every report format, and ``lint --show-settings``
prints each effective setting with where it came from.

    select = ["IAC1", "unused-suppression"]   # codes, code prefixes or rule names
    ignore = ["IAC109"]
    exclude = ["legacy/**", "**/sandbox"]       # gitignore globs, relative to this file's directory
    fail-on = "warning"                         # error | warning | note
    var-files = ["envs/prod.tfvars"]            # relative to this file's directory
    region = "eu-west-1"                        # default CloudFormation --region
    expiry-days = 30                            # live mode defaults
    upload-max-age-days = 395

    [parameters]                                # CloudFormation parameter values
    Stage = "prod"

    [severity]                                  # per-rule severity, by code or name
    IAC110 = "error"

Unknown keys and values of the wrong type are errors naming the key and the file.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog import SEVERITIES, find_rule, select_rules

CONFIG_FILE = ".iaccert.toml"
PYPROJECT = "pyproject.toml"


class ConfigError(Exception):
    """A configuration file that cannot be used: one line naming the file (and the key)."""


@dataclass
class Config:
    path: Path | None = None  # the file read (None: no configuration)
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)  # rule id -> severity
    exclude: list[str] = field(default_factory=list)
    fail_on: str | None = None
    var_files: list[Path] = field(default_factory=list)  # absolute
    region: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    expiry_days: int | None = None
    upload_max_age_days: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)  # key -> the file's value, if not default

    @property
    def directory(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd().resolve()

    def exclude_patterns(self):
        """``exclude`` as gitignore patterns relative to this file's directory."""
        from .exclusion import PatternSet

        return PatternSet.parse(self.directory, self.exclude)

    def excluded(self, path: Path) -> bool:
        """Whether an ``exclude`` glob matches the path or one of its parent directories,
        relative to the configuration file's directory, with gitignore semantics (``*``
        stays within one path segment, ``**`` crosses them)."""
        from .exclusion import matches

        return bool(self.exclude) and matches([self.exclude_patterns()], path)


# -- discovery ----------------------------------------------------------------------------
MAX_CONFIG_BYTES = 1024 * 1024


def _read(path: Path, named: bool) -> bytes:
    """A configuration file's bytes, read as every scanned file is (src/iaccert/safe_read.py):
    a regular file (a FIFO never blocks), at most 1 MiB, and — when found, not named by
    ``--config`` — inside the repository that holds it, never through a link leading out."""
    from .safe_read import default_roots, read_bytes, read_named

    if named:
        return read_named(path, MAX_CONFIG_BYTES)
    return read_bytes(path, default_roots(path), MAX_CONFIG_BYTES)


def _read_toml(path: Path, named: bool = False) -> dict:
    """A TOML file's table (the parser is imported only when there is a file to read)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    try:
        return tomllib.loads(_read(path, named).decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{_show(path)}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_show(path)}: invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{_show(path)}: not UTF-8 text") from None


def _tool_table(path: Path, named: bool = False) -> dict | None:
    """``[tool.iaccert]`` of a pyproject.toml, None when it has none."""
    try:
        text = _read(path, named).decode("utf-8", errors="replace")
    except OSError:
        return None
    if "iaccert" not in text:  # cheap: most pyproject files never mention us
        return None
    table = _read_toml(path, named).get("tool", {})
    table = table.get("iaccert") if isinstance(table, dict) else None
    return table if isinstance(table, dict) else None


def repository_root(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` that holds ``.git``, None outside one."""
    directory = Path(os.path.abspath(start))
    while True:
        if (directory / ".git").exists():
            return directory
        if directory.parent == directory:
            return None
        directory = directory.parent


def search_dirs(start: Path) -> list[Path]:
    """Where the configuration is looked for: ``start`` and its parents up to the repository
    root; only ``start`` outside a repository (a parent such as /tmp or the home directory
    is anyone's, not this project's)."""
    directory = Path(os.path.abspath(start))
    root = repository_root(directory)
    if root is None:
        return [directory]
    dirs = [directory]
    while dirs[-1] != root:
        dirs.append(dirs[-1].parent)
    return dirs


def find_config(start: Path) -> Path | None:
    """The nearest ``.iaccert.toml`` or ``pyproject.toml`` with ``[tool.iaccert]`` in
    ``search_dirs(start)``."""
    for directory in search_dirs(start):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _tool_table(pyproject) is not None:
            return pyproject
    return None


def load_config(explicit: Path | None = None, no_config: bool = False) -> Config:
    """The configuration in effect: ``explicit`` (``--config``), else the nearest file,
    else none (``--no-config``, or nothing found)."""
    if no_config:
        return Config()
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{_show(explicit)}: no such configuration file")
        path = explicit
    else:
        found = find_config(Path.cwd())
        if found is None:
            return Config()
        path = found
    path = Path(os.path.abspath(path))
    named = explicit is not None
    if path.name == PYPROJECT:
        table = _tool_table(path, named)
        if table is None:
            raise ConfigError(f"{_show(path)}: no [tool.iaccert] table")
        return parse_config(table, path, prefix="tool.iaccert.")
    return parse_config(_read_toml(path, named), path)


# -- validation ---------------------------------------------------------------------------
def parse_config(data: dict, path: Path, prefix: str = "") -> Config:
    """Validate a configuration table; every problem names the file and the key."""
    config = Config(path=path)
    where = _show(path)

    def fail(key: str, text: str) -> ConfigError:
        return ConfigError(f"{where}: '{prefix}{key}' {text}")

    for key, value in data.items():
        if key not in PARSERS:
            raise ConfigError(f"{where}: unknown key '{prefix}{key}'")
        PARSERS[key](config, key, value, fail)
        changed = _changed(key, value)
        if changed is not None:
            config.changes[key] = changed
    return config


#: What each key is without a configuration ([] and {} mean "nothing").
DEFAULTS: dict[str, Any] = {
    "select": None,
    "ignore": [],
    "severity": {},
    "exclude": [],
    "fail-on": "warning",
    "var-files": [],
    "region": None,
    "parameters": {},
    "expiry-days": 30,
    "upload-max-age-days": 395,
}


def _changed(key: str, value: Any) -> Any:
    """The part of a (valid) value that differs from the default; None when none does."""
    if key == "severity":  # only levels that differ from the rule's own
        value = {k: v for k, v in value.items() if find_rule(k).severity != v}
    elif key in ("select", "ignore", "exclude", "var-files") and isinstance(value, str):
        value = [value]
    return None if value in ([], {}, None, DEFAULTS[key]) else value


def _strings(key: str, value: Any, fail) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(key, f"must be a list of strings, not {_type(value)}")
    return list(value)


def _rules(config: Config, key: str, value: Any, fail) -> None:
    selectors = _strings(key, value, fail)
    for selector in selectors:
        if not select_rules(selector):
            raise fail(key, f"names no rule: '{selector}' (a code, a code prefix or a name)")
    if key == "select":
        config.select = selectors
    else:
        config.ignore = selectors


def _severities(config: Config, key: str, value: Any, fail) -> None:
    if not isinstance(value, dict):
        raise fail(key, f"must be a table (rule = severity), not {_type(value)}")
    for name, level in value.items():
        rule = find_rule(name)
        if rule is None:
            raise fail(f"{key}.{name}", "is not a rule code or name")
        if level not in SEVERITIES:
            raise fail(f"{key}.{name}", f"must be one of {', '.join(SEVERITIES)}, not {level!r}")
        config.severity[rule.id] = level


def _exclude(config: Config, key: str, value: Any, fail) -> None:
    from .exclusion import PatternError, PatternSet

    config.exclude = _strings(key, value, fail)
    try:
        PatternSet.parse(config.directory, config.exclude)
    except PatternError as exc:
        raise fail(key, f"holds a pattern that is not a valid gitignore glob: {exc}") from None


def _fail_on(config: Config, key: str, value: Any, fail) -> None:
    if value not in SEVERITIES:
        raise fail(key, f"must be one of {', '.join(SEVERITIES)}, not {value!r}")
    config.fail_on = value


def _var_files(config: Config, key: str, value: Any, fail) -> None:
    config.var_files = [config.directory / v for v in _strings(key, value, fail)]


def _region(config: Config, key: str, value: Any, fail) -> None:
    if not isinstance(value, str) or not value.strip():
        raise fail(key, f"must be a region name, not {_type(value)}")
    config.region = value.strip()


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(_scalar(v) is not None for v in value):
        return ",".join(_scalar(v) for v in value)  # CommaDelimitedList
    return None


def _parameters(config: Config, key: str, value: Any, fail) -> None:
    if not isinstance(value, dict):
        raise fail(key, f"must be a table (KEY = VALUE), not {_type(value)}")
    for name, item in value.items():
        text = _scalar(item)
        if text is None:
            raise fail(f"{key}.{name}", f"must be a string, number or list, not {_type(item)}")
        config.parameters[name] = text


def _days(config: Config, key: str, value: Any, fail) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise fail(key, f"must be a whole number of days, not {value!r}")
    setattr(config, key.replace("-", "_"), value)


PARSERS = {
    "select": _rules,
    "ignore": _rules,
    "severity": _severities,
    "exclude": _exclude,
    "fail-on": _fail_on,
    "var-files": _var_files,
    "region": _region,
    "parameters": _parameters,
    "expiry-days": _days,
    "upload-max-age-days": _days,
}


def _type(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    names.update({list: "a list", dict: "a table"})
    return names.get(type(value), type(value).__name__)


def _show(path: Path) -> str:
    from .discover import display_path

    return display_path(path)


# -- visibility ---------------------------------------------------------------------------
def describe(config: Config) -> dict[str, Any]:
    """What the reports say about the configuration: the file read (None: none) and what it
    changed from the defaults, as the file wrote it."""
    file = _show(config.path) if config.path is not None else None
    return {"file": file, "changes": dict(config.changes)}


def shown_value(value: Any, limit: int = 120) -> str:
    """A configuration value as TOML-like text for one line of a report (cut when long),
    escaped for a terminal: the file is the repository's, its strings are data."""
    from .report.escape import text as visible

    text = visible(json.dumps(value, ensure_ascii=False))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary_text(info: dict[str, Any] | None) -> str:
    """``configuration .iaccert.toml: ignore = ["IAC"]`` for the text summary line; "" when no
    file was read."""
    if not info or not info.get("file"):
        return ""
    from .report.escape import text as visible

    changes = ", ".join(f"{k} = {shown_value(v)}" for k, v in info["changes"].items())
    head = f"configuration {visible(info['file'])}"
    return head + (f": {changes}" if changes else " (no change)")


def settings_table(config: Config, given: dict[str, Any], enabled: list[str]) -> str:
    """``lint --show-settings``: every setting, its effective value and where it came from
    (default, the configuration file, or the command-line option), as ``ruff check
    --show-settings`` does. ``given`` holds the command line's values by key."""
    from .report.escape import text as visible

    origin = visible(_show(config.path)) if config.path is not None else None
    lines = [f"# configuration file: {origin or 'none'}"]
    if config.path is None:
        where = ", ".join(visible(_show(d)) for d in search_dirs(Path.cwd()))
        lines[0] += f" (searched: {where})"
    for key, default in DEFAULTS.items():
        value, source = default, "default"
        if key in config.changes:
            value, source = config.changes[key], origin
        cli = given.get(key)
        if cli not in (None, [], {}):
            if key == "ignore" and source != "default":  # the command line adds to the file's
                value, source = [*value, *cli], f"{origin} + --ignore"
            else:
                value, source = cli, f"--{key}"
        lines.append(f"{key} = {shown_value(value, 400)}  # {source}")
    lines.append(f"# rules reported: {', '.join(enabled)}")
    return "\n".join(lines) + "\n"
