"""Template strings outside HCL's own string grammar: heredoc bodies and ``.tf.json`` strings.

python-hcl2 keeps a heredoc as one token and JSON has no expressions, so we split
``${ … }`` ourselves and hand each inner expression back to python-hcl2's parser.
"""

from __future__ import annotations

from typing import Any

from .expr import Lit, Unsupported, simplify_template, unescape


class TemplateError(ValueError):
    """An interpolation that is not closed or does not parse."""


def _closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing the interpolation whose body starts at ``start``."""
    depth, i, quote = 0, start, False
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise TemplateError("unclosed ${ in template")


def parse_expression(source: str) -> Any:
    """Parse one HCL expression with python-hcl2 and convert it."""
    from .hcl import parse_expression_text

    return parse_expression_text(source)


def parse_template(text: str, escapes: bool = True) -> Any:
    """Split a template into text and parsed interpolations."""
    if "${" not in text and "%{" not in text:
        return Lit(unescape(text) if escapes else text)
    parts: list = []
    buf: list[str] = []

    def flush() -> None:
        chunk = "".join(buf)
        buf.clear()
        if chunk:
            parts.append(unescape(chunk) if escapes else chunk)

    i = 0
    while i < len(text):
        if text.startswith("$${", i) or text.startswith("%%{", i):
            buf.append(text[i + 1 : i + 3])
            i += 3
        elif text.startswith("%{", i):
            return Unsupported("template directive")
        elif text.startswith("${", i):
            flush()
            end = _closing_brace(text, i + 2)
            inner = text[i + 2 : end].strip().strip("~").strip()
            parts.append(parse_expression(inner))
            i = end + 1
        else:
            buf.append(text[i])
            i += 1
    flush()
    return simplify_template(parts)
