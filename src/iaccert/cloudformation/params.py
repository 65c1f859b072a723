"""Parameter values the user gives: ``--parameters-file`` and ``--parameter KEY=VALUE``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..model import ParseProblem
from ..safe_read import Refused, Roots, read_text


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return ",".join(str(_value(v)) for v in value)
    return value


def read_parameters_file(
    path: Path, display: str, roots: Roots | None = None
) -> tuple[dict[str, Any], list[ParseProblem]]:
    """Both shapes AWS tools write: ``[{"ParameterKey", "ParameterValue"}]`` (CLI) and
    ``{"Parameters": {KEY: VALUE}}`` (CodePipeline template configuration)."""
    try:
        data = json.loads(read_text(path, roots))
    except Refused as exc:
        return {}, [ParseProblem(display, 1, 1, f"not read: {exc.reason}")]
    except RecursionError:
        return {}, [ParseProblem(display, 1, 1, "invalid JSON: nested too deeply")]
    except OSError as exc:
        return {}, [ParseProblem(display, 1, 1, f"cannot read: {exc.strerror or exc}")]
    except UnicodeDecodeError:
        return {}, [ParseProblem(display, 1, 1, "file is not UTF-8 text")]
    except json.JSONDecodeError as exc:
        return {}, [ParseProblem(display, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")]
    out: dict[str, Any] = {}
    if isinstance(data, list):
        for entry in data:
            key = entry.get("ParameterKey") if isinstance(entry, dict) else None
            if isinstance(key, str) and "ParameterValue" in entry:
                out[key] = _value(entry["ParameterValue"])
        return out, []
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
        for key, value in data["Parameters"].items():
            out[str(key)] = _value(value)
        return out, []
    return {}, [
        ParseProblem(
            display,
            1,
            1,
            'not a parameters file: expected [{"ParameterKey": …, "ParameterValue": …}] '
            'or {"Parameters": {…}}',
        )
    ]
