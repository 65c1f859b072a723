"""One escaping step per output channel, for every string that comes from the scanned
repository or from AWS (file names, resource and domain names, messages that quote
values, code frames, live responses). Each report module calls these; none escapes alone.

- ``text``: what a terminal or a CI log shows (text, concise, code frames, the github
  format's data, JUnit). Control characters (C0, DEL, C1 with NEL), the line and paragraph
  separators, bidirectional controls, noncharacters XML refuses and lone surrogates become
  visible escapes (``\\x1b``, ``\\u2028``), so no escape sequence reaches the terminal and no
  value starts a line of its own. ``##[`` and ``##vso[`` (GitHub's legacy and Azure
  Pipelines' commands, honoured anywhere in a line) lose their bracket to ``\\x5b``.
- ``line_head``: ``text`` for a value that starts a line (``path:line:col: ...``): one
  that does not start with a letter, digit, ``.``, ``/`` or ``_`` gets ``./`` in front, so
  no line of output starts with ``::`` (a GitHub workflow command) or blanks before it.
- ``actions_data`` / ``actions_property``: the Actions toolkit's own escaping of a workflow
  command's message and properties; the github format applies them after ``text``.
- ``json_safe``: JSON and SARIF: lone surrogates (a non-UTF-8 file name decoded with
  surrogateescape, a ``\\ud800`` in a value) become U+FFFD so the document always encodes.
- ``json_text``: a serialized JSON document with invisible characters and the ``[`` of
  ``##[`` / ``##vso[`` written as ``\\uXXXX``: the same values to a parser, nothing a
  terminal or a CI log would obey.
- ``sarif_text``: a SARIF plain-text ``message.text``: ``json_safe``, and ``[`` ``]``
  escaped with a backslash as SARIF 2.1.0 (3.11.6) asks, so a value is never a link.
- ``uri_path``: a file name as the percent-encoded bytes it has on disk.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import quote

_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f"  # C0, DEL, C1 (NEL is U+0085)
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional controls
    "\u2028\u2029"  # line and paragraph separators
    "\ud800-\udfff"  # lone surrogates (a str holds no pairs)
    "\ufffe\uffff]"  # noncharacters XML 1.0 refuses
)
# what json.dumps(ensure_ascii=False) leaves raw of the above (it escapes C0 itself)
_JSON_RAW = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufffe\uffff]"
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_COMMAND = re.compile(r"(##(?:vso)?)\[", re.IGNORECASE)
_SAFE_HEAD = re.compile(r"[\w./]", re.UNICODE)
_SURROGATE = re.compile("[\ud800-\udfff]")
_BRACKET = re.compile(r"(\\*)([\[\]])")


def _visible(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def text(value: Any) -> str:
    """A value for a terminal or a log: every invisible or line-breaking character shown."""
    out = _INVISIBLE.sub(_visible, str(value))
    return _COMMAND.sub(r"\1\\x5b", out) if "#" in out else out


def line_head(value: Any) -> str:
    """``text`` for a value that starts a line: never a line that starts with data."""
    out = text(value)
    return out if not out or _SAFE_HEAD.match(out) else "./" + out


def actions_data(value: str) -> str:
    """A workflow command's message, escaped as actions/toolkit's ``escapeData``."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def actions_property(value: str) -> str:
    """A workflow command's property value, escaped as actions/toolkit's ``escapeProperty``."""
    return actions_data(value).replace(":", "%3A").replace(",", "%2C")


def json_safe(value: Any) -> Any:
    """A JSON document (dicts, lists, strings, numbers) whose every string encodes."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def json_text(serialized: str) -> str:
    """A serialized JSON document safe to print to a terminal or a CI log: what ``text``
    would show escaped is written as a JSON ``\\uXXXX`` escape (C1, separators and bidi
    controls, which ``json.dumps`` leaves raw), and so is the ``[`` of ``##[``. Outside its
    strings JSON is ASCII without ``#``, so this changes no value, only how it is written."""
    out = _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", serialized)
    return _COMMAND.sub(r"\1\\u005b", out) if "##" in out else out


def sarif_text(value: Any) -> str:
    """A SARIF plain-text message: literal brackets (and backslashes before them) escaped."""
    return _BRACKET.sub(lambda m: m.group(1) * 2 + "\\" + m.group(2), json_safe(str(value)))


def uri_path(path: str) -> str:
    """A relative file name percent-encoded from its bytes on disk (surrogateescape), so a
    file name that is not UTF-8 keeps its identity and never fails to encode."""
    try:
        data = os.fsencode(path)
    except UnicodeEncodeError:  # a surrogate no byte decodes to: not a name from the disk
        data = json_safe(path).encode("utf-8")
    return quote(data, safe="/")
