"""Line numbers as the parsers count them, for everything that maps a finding's line back
to the text of its file (suppression comments, code frames).

``str.splitlines`` breaks lines at eleven characters; the parsers that give findings
their lines do not:

- python-hcl2's Lark lexer, the ``.tf.json`` decoder and cfn-lint's JSON decoder count
  only ``\\n`` (a ``\\r\\n`` line ends at its ``\\n``; a lone ``\\r`` is inside a line);
- YAML (cfn-lint reads every template with PyYAML/libyaml first, JSON templates too)
  counts ``\\r\\n``, ``\\r``, ``\\n``, NEL (U+0085), LS (U+2028) and PS (U+2029).

A suppression scanner that split lines otherwise would see a comment eight lines away
from where the parser put the resource after eight U+2028 characters.
"""

from __future__ import annotations

import re

NEWLINE, YAML = "newline", "yaml"
_YAML_BREAK = "\r\n\x85\u2028\u2029"
_BREAKS = {
    NEWLINE: re.compile(r"\r?\n"),
    YAML: re.compile(f"\r\n|[{_YAML_BREAK}]"),
}
_LINES = {  # each line with its break
    NEWLINE: re.compile(r"[^\n]*\n|[^\n]+$"),
    YAML: re.compile(f"[^{_YAML_BREAK}]*(?:\r\n|[{_YAML_BREAK}])|[^{_YAML_BREAK}]+$"),
}
TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json", ".hcl")
_AMBIGUOUS = re.compile(r"\r(?!\n)|[\x85\u2028\u2029]")  # a break for YAML only


def split(text: str, numbering: str, keepends: bool = False) -> list[str]:
    """The lines of ``text`` as a parser with this ``numbering`` counts them; like
    ``splitlines``, a final line break does not start another line."""
    if keepends:
        return _LINES[numbering].findall(text)
    lines = _BREAKS[numbering].split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def numbering_of(path: str, text: str) -> str:
    """How the parser that read ``path`` counted its lines."""
    if path.lower().endswith(TERRAFORM_SUFFIXES):
        return NEWLINE
    if _AMBIGUOUS.search(text) is None:  # both counts agree: no need to ask the decoder
        return YAML
    return _template_numbering(text)


def file_lines(path: str, text: str) -> list[str]:
    """The lines of a scanned file, numbered as its parser numbered them."""
    return split(text, numbering_of(path, text))


def _template_numbering(text: str) -> str:
    """cfn-lint decodes a template as YAML and falls back to its JSON decoder (which counts
    only ``\\n``) when the YAML scanner gives up; its marks say which one read the file.
    Asked only for a template with a break character the two count differently."""
    try:
        from cfnlint.decode import decode_str
        from cfnlint.decode.mark import Mark

        data, _ = decode_str(text)
    except Exception:  # noqa: BLE001 - cfn-lint missing or failing: YAML, what it tries first
        return YAML
    return NEWLINE if isinstance(getattr(data, "start_mark", None), Mark) else YAML
