"""Serverless Framework ``${…}`` variables: the safe subset, resolved from the file itself.

Resolved: ``self:`` paths (also nested, ``${self:custom.${sls:stage}.domain}``), ``opt:``
options with their fallback (``${opt:stage, 'dev'}``; ``opt:region`` also from
``--region``), ``sls:stage``, ``aws:region``, ``strToBool``. Everything that is read at
deploy time — ``env:``, ``file(…)`` (JSON, YAML and JavaScript alike), ``cf:``, ``ssm:``,
``s3:``, ``param:``, ``git:``, ``aws:accountId`` — is Unknown with the reason; nothing is
ever read, fetched or executed. A ``${…}`` whose source is none of these (``${AWS::Region}``
or ``${Bucket}`` in an ``Fn::Sub``) is left as written, as the framework leaves it.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import Unknown

MAX_DEPTH = 20
MAX_STEPS = 20_000  # variables resolved per file (a bound on hostile input)
MAX_TEXT = 100_000  # characters in one resolved string
DEFAULT_STAGE = "dev"
DEFAULT_REGION = "us-east-1"
_SOURCE = re.compile(r"^\s*(self|opt|sls|env|cf|ssm|s3|aws|param|git|file|strToBool)\s*[:(]")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_JS = (".js", ".cjs", ".mjs", ".ts")


class Missing:
    """A variable whose value is absent (a fallback, when there is one, is used)."""

    def __init__(self, reason: str):
        self.reason = reason


def _split_top(text: str) -> list[str]:
    """``a, 'b, c', d`` -> the comma-separated parts outside quotes and parentheses."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _closing(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``${`` at ``start`` (-1 when unclosed)."""
    depth, i = 0, start
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


class Variables:
    """Resolves the variables of one serverless file against its own content."""

    def __init__(self, document: dict, display: str, region: str | None = None):
        self.document = document
        self.display = display
        self.cli_region = region
        self.steps = 0
        self._paths: dict[str, Any] = {}  # self: address -> its value, each resolved once
        self._resolving: set[str] = set()

    # -- whole values ----------------------------------------------------------------------
    def resolve(self, node: Any, depth: int = 0) -> Any:
        """The node with every variable resolved (containers keep their keys and marks)."""
        if depth > MAX_DEPTH:
            return Unknown(f"variables in {self.display} nest too deeply")
        if isinstance(node, str):
            return self.expand(node, depth) if "${" in node else node
        if isinstance(node, dict):
            out = {k: self.resolve(v, depth + 1) for k, v in node.items()}
            return _like(node, out)
        if isinstance(node, list):
            return _like(node, [self.resolve(v, depth + 1) for v in node])
        return node

    def expand(self, text: str, depth: int = 0) -> Any:
        """One string: a lone ``${…}`` is its value; otherwise the pieces joined."""
        pieces: list[Any] = []
        i = 0
        while i < len(text):
            j = text.find("${", i)
            if j < 0:
                pieces.append(text[i:])
                break
            k = _closing(text, j)
            if k < 0:
                pieces.append(text[i:])
                break
            pieces.append(text[i:j])
            content = text[j + 2 : k]
            if _SOURCE.match(content):
                pieces.append(self.variable(content, depth + 1))
            else:
                pieces.append(text[j : k + 1])  # not a framework variable (Fn::Sub's own)
            i = k + 1
        pieces = [p for p in pieces if not (isinstance(p, str) and p == "")]
        if len(pieces) == 1 and not isinstance(pieces[0], str):
            value = pieces[0]
            return Unknown(value.reason) if isinstance(value, Missing) else value
        for piece in pieces:
            if isinstance(piece, Unknown | Missing):
                return Unknown(piece.reason)
            if isinstance(piece, dict | list):
                return Unknown(f"{text!r} joins a mapping or list into a string")
        if not pieces:
            return ""
        if sum(len(_text(p)) for p in pieces) > MAX_TEXT:
            return Unknown(f"a value in {self.display} grows beyond {MAX_TEXT} characters")
        joined = "".join(_text(p) for p in pieces)
        return type(text)(joined, text.start_mark, text.end_mark) if _marked(text) else joined

    # -- one variable ----------------------------------------------------------------------
    def variable(self, content: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return Unknown(f"variables in {self.display} nest too deeply (a cycle?)")
        self.steps += 1
        if self.steps > MAX_STEPS:
            return Unknown(f"{self.display} has more than {MAX_STEPS} variables to resolve")
        if "${" in content:
            content = self.expand(content, depth)
            if isinstance(content, Unknown):
                return content
            content = str(content)
        first, *fallbacks = _split_top(content)
        value = self.source(first, depth, bool(fallbacks))
        for fallback in fallbacks:
            if not isinstance(value, Missing):
                break
            value = self.literal_or_source(fallback, depth)
        return value

    def literal_or_source(self, text: str, depth: int) -> Any:
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return text[1:-1]
        if _NUMBER.match(text):
            return float(text) if "." in text else int(text)
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if _SOURCE.match(text):
            return self.source(text, depth, False)
        return text

    def source(self, text: str, depth: int, has_fallback: bool) -> Any:
        """The value of ``source:address`` (Missing when absent, for the fallbacks)."""
        match = _SOURCE.match(text)
        name = match.group(1) if match else ""
        address = text[match.end() :].strip() if match and text[match.end() - 1] == ":" else ""
        if name == "self":
            return self.self_path(address, depth)
        if name == "opt":
            if address == "region" and self.cli_region:
                return self.cli_region
            return Missing(f"${{opt:{address}}} is the --{address} option of the deploy command")
        if name == "sls":
            if address == "stage":
                return self.stage(depth)
            return Unknown(f"${{sls:{address}}} is known only at deploy time")
        if name == "aws" and address == "region":
            return self.region(depth)
        if name == "strToBool" or text.startswith("strToBool("):
            inner = text[text.find("(") + 1 : text.rfind(")")].strip()
            value = self.literal_or_source(inner, depth)
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
                return value.lower() in ("true", "1")
            return value if isinstance(value, bool) else Unknown(f"strToBool({inner})")
        return Unknown(_deploy_time(name, text))

    def self_path(self, address: str, depth: int) -> Any:
        if address in self._paths:
            return self._paths[address]
        if address in self._resolving:
            return Unknown(f"${{self:{address}}} refers to itself")
        self._resolving.add(address)
        try:
            value = self._self_path(address, depth)
        finally:
            self._resolving.discard(address)
        self._paths[address] = value
        return value

    def _self_path(self, address: str, depth: int) -> Any:
        node: Any = self.document
        for part in [p for p in address.split(".") if p] if address else []:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return Missing(f"${{self:{address}}}: {self.display} has no {address}")
        return self.resolve(node, depth + 1)

    def stage(self, depth: int = 0) -> Any:
        """``sls:stage``: the --stage option (not known here), else provider.stage, else dev."""
        provider = self.document.get("provider")
        stage = provider.get("stage") if isinstance(provider, dict) else None
        if stage is None:
            return DEFAULT_STAGE
        value = self.resolve(stage, depth + 1)
        return Unknown(value.reason) if isinstance(value, Missing) else value

    def region(self, depth: int = 0) -> Any:
        """The deploy region: --region (as the deploy command's), provider.region, us-east-1."""
        if self.cli_region:
            return self.cli_region
        provider = self.document.get("provider")
        region = provider.get("region") if isinstance(provider, dict) else None
        if region is None:
            return DEFAULT_REGION
        value = self.resolve(region, depth + 1)
        return Unknown(value.reason) if isinstance(value, Missing) else value


def _deploy_time(name: str, text: str) -> str:
    shown = "${" + text + "}"
    if name == "env":
        return f"{shown} is an environment variable, read at deploy time"
    if name == "file":
        path = text[text.find("(") + 1 : text.find(")")].strip() if "(" in text else ""
        if path.lower().endswith(_JS):
            return f"{shown} is computed by a JavaScript file, never executed by iaccert"
        return f"{shown} is read from another file at deploy time (not read by iaccert)"
    if name == "cf":
        return f"{shown} is an output of another CloudFormation stack, read at deploy time"
    if name == "ssm":
        return f"{shown} is an SSM parameter, read at deploy time"
    if name == "s3":
        return f"{shown} is an S3 object, read at deploy time"
    if name == "param":
        return f"{shown} is a Serverless Dashboard parameter, read at deploy time"
    return f"{shown} is known only at deploy time"


def _marked(node: Any) -> bool:
    return getattr(node, "start_mark", None) is not None and hasattr(node, "end_mark")


def _like(node: Any, value: Any) -> Any:
    """``value`` as the same decoded node type as ``node``, with its marks."""
    if _marked(node):
        try:
            return type(node)(value, node.start_mark, node.end_mark)
        except TypeError:
            return value
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
