"""Fixers that write Terraform (``.tf``, HCL native syntax), formatted as ``terraform fmt`` would.

Each fixer checks that the text at the finding's known range is what it expects (the block's
header names the resource, its closing brace is alone on its line); when it is not, there is
no fix rather than a guess. ``.tf.json``, registry modules and CloudFormation get no fixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import SAFE, UNSAFE, Edit, Fix, Sources, fixer

ATTR_RE = re.compile(
    r"^(?P<ind>[ \t]*)(?P<name>[A-Za-z_][\w-]*)[ \t]*=(?![=>])[ \t]*(?P<val>.*?)\s*$"
)
INDEX_RE = re.compile(r"\[[^\]]*\]$")


@dataclass
class Block:
    """A resource block's place in its file's text: header and closing-brace lines (1-based)."""

    file: str
    text: str
    first: int
    last: int
    lines: list[str]  # the whole file, line endings kept

    @property
    def indent(self) -> str:
        header = self.lines[self.first - 1]
        return header[: len(header) - len(header.lstrip())] + "  "

    def offset(self, line: int) -> int:
        """Offset of the start of a 1-based line (one past the end: the text's length)."""
        return sum(len(x) for x in self.lines[: line - 1])

    def body(self) -> range:
        return range(self.first + 1, self.last)

    def line(self, n: int) -> str:
        return self.lines[n - 1].rstrip("\r\n")

    def newline(self) -> str:
        return "\r\n" if self.lines[self.first - 1].endswith("\r\n") else "\n"


def local_name(address: str) -> tuple[str, str]:
    """(type, name) of a resource address, module path and instance key left out."""
    parts = INDEX_RE.sub("", address).split(".")
    return parts[-2], parts[-1]


def instance_key(address: str) -> str:
    match = INDEX_RE.search(address)
    return match.group(0) if match else ""


def block_of(res, sources: Sources) -> Block | None:
    """The resource's block, when its file is HCL we may edit and the text is as expected."""
    file = res.location.file
    if res.kind != "resource" or not file.endswith(".tf") or res.location.end_line is None:
        return None
    text = sources.text(file)
    if text is None:
        return None
    lines = text.splitlines(keepends=True)
    first, last = res.location.line, res.location.end_line
    if not (1 <= first < last <= len(lines)):
        return None
    type_, name = local_name(res.address)
    header = re.compile(rf'^\s*resource\s+"{re.escape(type_)}"\s+"{re.escape(name)}"\s*\{{\s*$')
    if type_ != res.type or not header.match(lines[first - 1]) or lines[last - 1].strip() != "}":
        return None
    return Block(file, text, first, last, lines)


def insert_before_closing(block: Block, body: list[str]) -> Edit:
    """Add lines at the end of the block, after a blank line (its own ``fmt`` alignment group)."""
    nl = block.newline()
    before = block.line(block.last - 1).strip()
    gap = "" if before == "" or block.last - 1 == block.first else nl
    text = gap + "".join(block.indent + line + nl for line in body)
    at = block.offset(block.last)
    return Edit(block.file, at, at, text)


def realigned(lines: list[str]) -> list[str]:
    """Align the ``=`` of consecutive one-line attributes at one indentation, as fmt does."""
    out = list(lines)
    i = 0
    while i < len(out):
        group = _group_at(out, i)
        if len(group) > 1:
            width = max(len(ATTR_RE.match(out[j]).group("name")) for j in group)
            for j in group:
                m = ATTR_RE.match(out[j])
                end = out[j][len(out[j].rstrip("\r\n")) :]
                out[j] = f"{m.group('ind')}{m.group('name').ljust(width)} = {m.group('val')}{end}"
        i = (group[-1] + 1) if group else i + 1
    return out


def _one_line_attr(line: str) -> re.Match | None:
    m = ATTR_RE.match(line)
    if m is None:
        return None
    value = re.sub(r'"(\\.|[^"\\])*"', '""', m.group("val"))
    opens = sum(value.count(c) for c in "([{")
    closes = sum(value.count(c) for c in ")]}")
    return m if opens == closes and not value.startswith("<<") else None


def _group_at(lines: list[str], i: int) -> list[int]:
    first = _one_line_attr(lines[i])
    if first is None:
        return []
    group = [i]
    j = i + 1
    while j < len(lines):
        m = _one_line_attr(lines[j])
        if m is None or m.group("ind") != first.group("ind"):
            break
        group.append(j)
        j += 1
    return group


def replace_lines(block: Block, first: int, last: int, new_lines: list[str]) -> Edit:
    """Replace lines first..last (1-based, inclusive)."""
    start, end = block.offset(first), block.offset(last + 1)
    return Edit(block.file, start, end, "".join(new_lines))


def _nested_block(block: Block, name: str) -> tuple[int, int] | None:
    """Lines (opening, closing) of a nested ``name { … }`` block written over several lines."""
    opening = re.compile(rf"^\s*{re.escape(name)}\s*\{{\s*$")
    for n in block.body():
        if opening.match(block.line(n)):
            indent = block.line(n)[: len(block.line(n)) - len(block.line(n).lstrip())]
            for m in range(n + 1, block.last):
                if block.line(m) == indent + "}":
                    return n, m
            return None
    return None


# -- IAC110: lifecycle { create_before_destroy = true } -------------------------------------
@fixer("IAC110")
def add_create_before_destroy(finding, chain, sources: Sources, project) -> Fix | None:
    cert = chain.certificate.resource
    block = block_of(cert, sources) if cert is not None else None
    if block is None:
        return None
    title = "add lifecycle { create_before_destroy = true }"
    if "lifecycle" not in cert.attr_lines:
        edit = insert_before_closing(block, ["lifecycle {", "  create_before_destroy = true", "}"])
        return Fix("IAC110", SAFE, title, (edit,))
    found = _nested_block(block, "lifecycle")
    if found is None:
        return None
    opening, closing = found
    inner = block.lines[opening : closing - 1]  # the lifecycle block's own lines
    for k, line in enumerate(inner):
        m = ATTR_RE.match(line)
        if m and m.group("name") == "create_before_destroy":
            if m.group("val") != "false":
                return None  # an expression: not ours to decide
            new = realigned([*inner[:k], line.replace("false", "true", 1), *inner[k + 1 :]])
            edit = replace_lines(block, opening + 1, closing - 1, new)
            return Fix("IAC110", UNSAFE, "set create_before_destroy = true", (edit,))
    nl = block.newline()
    indent = block.line(opening)[: len(block.line(opening)) - len(block.line(opening).lstrip())]
    added = f"{indent}  create_before_destroy = true{nl}"
    new = realigned([added, *inner])
    edit = (
        replace_lines(block, opening + 1, closing - 1, new)
        if inner
        else Edit(block.file, block.offset(opening + 1), block.offset(opening + 1), added)
    )
    return Fix("IAC110", SAFE, "add create_before_destroy = true to lifecycle", (edit,))


# -- IAC104: order the domain after the validation ------------------------------------------
def _reference_edit(block: Block, cert, validation) -> Edit | None:
    """Point the domain's reference to the certificate's ARN at the validation's
    ``certificate_arn`` (same module, same instance key); None when that is not one clean swap."""
    if cert.module != validation.module:
        return None
    c_type, c_name = local_name(cert.address)
    v_type, v_name = local_name(validation.address)
    if instance_key(cert.address) != instance_key(validation.address):
        return None
    ref = re.compile(rf"\b{re.escape(c_type)}\.{re.escape(c_name)}(\[[^\]]*\])?\.(arn|id)\b")
    hits = [(n, m) for n in block.body() for m in ref.finditer(block.line(n))]
    if len(hits) != 1:
        return None
    n, m = hits[0]
    if (m.group(1) or "") and not instance_key(cert.address):
        return None
    start = block.offset(n) + m.start()
    new = f"{v_type}.{v_name}{m.group(1) or ''}.certificate_arn"
    return Edit(block.file, start, block.offset(n) + m.end(), new)


def _depends_on_target(domain, validation) -> str | None:
    """What ``depends_on`` in the domain's module can name to wait for the validation: the
    validation itself in the same module, or the child module that holds it."""
    if validation.module == domain.module:
        type_, name = local_name(validation.address)
        return f"{type_}.{name}"
    prefix = f"{domain.module}." if domain.module else ""
    if not validation.address.startswith(prefix):
        return None
    child = re.match(r"module\.([A-Za-z_][\w-]*)", validation.address[len(prefix) :])
    return f"module.{child.group(1)}" if child else None


def _depends_on_edit(block: Block, target: str) -> Edit | None:
    existing = [n for n in block.body() if re.match(r"^\s*depends_on\s*=", block.line(n))]
    if not existing:
        return insert_before_closing(block, [f"depends_on = [{target}]"])
    line = block.line(existing[0])
    m = re.match(r"^(\s*depends_on\s*=\s*\[)(.*?)(\]\s*)$", line)
    if m is None:
        return None  # a multi-line list: left to the author
    items = m.group(2).strip()
    new = f"{m.group(1)}{items + ', ' if items else ''}{target}{m.group(3)}"
    start = block.offset(existing[0])
    return Edit(block.file, start, start + len(line), new)


@fixer("IAC104")
def await_validation(finding, chain, sources: Sources, project) -> Fix | None:
    cert, domain = chain.certificate.resource, chain.holder or chain.domain  # gives the ARN
    if cert is None or not chain.validations:
        return None
    block = block_of(domain, sources)
    if block is None:
        return None
    validation = chain.validations[0]
    edit = _reference_edit(block, cert, validation)
    if edit is not None:
        return Fix(
            "IAC104", SAFE, f"use {local_name(validation.address)[1]}'s certificate_arn", (edit,)
        )
    target = _depends_on_target(domain, validation)
    edit = _depends_on_edit(block, target) if target else None
    return Fix("IAC104", SAFE, f"add depends_on = [{target}]", (edit,)) if edit else None


# -- IAC111: the certificate attribute the endpoint type reads -------------------------------
@fixer("IAC111")
def move_certificate_attribute(finding, chain, sources: Sources, project) -> Fix | None:
    domain = chain.domain
    block = block_of(domain, sources)
    given = chain.cert_attrs_set[0] if chain.cert_attrs_set else None
    serving = [s.slot for s in chain.binding.certificates if s.serves(chain.endpoint_type)]
    if block is None or given is None or len(serving) != 1 or len(chain.cert_attrs_set) != 1:
        return None
    line_no = domain.attr_lines.get(given)
    if line_no is None or not (block.first < line_no < block.last):
        return None
    m = ATTR_RE.match(block.lines[line_no - 1])
    if m is None or m.group("name") != given or _one_line_attr(block.lines[line_no - 1]) is None:
        return None
    # the attribute group around the line, realigned after the rename
    first = last = line_no
    while first - 1 > block.first and _same_group(block, first - 1, m):
        first -= 1
    while last + 1 < block.last and _same_group(block, last + 1, m):
        last += 1
    group = block.lines[first - 1 : last]
    k = line_no - first
    group[k] = group[k].replace(given, serving[0], 1)
    edit = replace_lines(block, first, last, realigned(group))
    return Fix("IAC111", UNSAFE, f"move the ARN to {serving[0]}", (edit,))


def _same_group(block: Block, n: int, like: re.Match) -> bool:
    m = _one_line_attr(block.lines[n - 1])
    return m is not None and m.group("ind") == like.group("ind")


# -- IAC102 / IAC103: DNS records and the validation, when the module knows the zone ---------
RECORDS = """resource "aws_route53_record" "{name}" {{
  for_each = {{
    for dvo in {cert}.domain_validation_options : dvo.domain_name => {{
      name   = dvo.resource_record_name
      record = dvo.resource_record_value
      type   = dvo.resource_record_type
    }}
  }}

  allow_overwrite = true
  name            = each.value.name
  records         = [each.value.record]
  ttl             = 60
  type            = each.value.type
  zone_id         = {zone}
}}
"""

VALIDATION = """resource "aws_acm_certificate_validation" "{name}" {{
  certificate_arn         = {cert}.arn
  validation_record_fqdns = [for record in aws_route53_record.{records} : record.fqdn]
}}
"""


def _zone_reference(cert, project) -> str | None:
    """The one hosted zone of the certificate's module whose name the certificate is under."""
    name = cert.attrs.get("domain_name")
    if not isinstance(name, str) or project is None:
        return None
    name = name.lower().rstrip(".").removeprefix("*.")
    zones = []
    for res in project.resources:
        if res.type != "aws_route53_zone" or res.module != cert.module or res.root != cert.root:
            continue
        zone = res.attrs.get("name")
        if not isinstance(zone, str) or instance_key(res.address):
            continue
        zone = zone.lower().rstrip(".")
        if name == zone or name.endswith("." + zone):
            type_, local = local_name(res.address)
            zones.append(f"{'data.' if res.kind == 'data' else ''}{type_}.{local}.zone_id")
    return zones[0] if len(set(zones)) == 1 else None


def _taken(project, near, address: str) -> bool:
    """Does the module of ``near`` already have a resource at ``address``?"""
    full = _in_module(near, address)
    return any(
        INDEX_RE.sub("", r.address) == full and r.root == near.root for r in project.resources
    )


def _blank_then(block: Block, text: str) -> str:
    nl = block.newline()
    return nl + text.replace("\n", nl)


@fixer("IAC102")
def add_validation(finding, chain, sources: Sources, project) -> Fix | None:
    """An ``aws_acm_certificate_validation`` (and the DNS records, when none exist and the
    module knows the hosted zone), and the domain pointed at the validation's ARN."""
    cert = chain.certificate.resource
    if cert is None or instance_key(cert.address) or chain.validations:
        return None
    block = block_of(cert, sources)
    if block is None or block.indent != "  ":
        return None
    _, name = local_name(cert.address)
    ref = f"aws_acm_certificate.{name}"
    if _taken(project, cert, f"aws_acm_certificate_validation.{name}"):
        return None
    text = ""
    if chain.records:
        record_blocks = {INDEX_RE.sub("", r.address) for r in chain.records}
        records = chain.records[0]
        one_route53 = len(record_blocks) == 1 and records.type == "aws_route53_record"
        fqdns = local_name(records.address)[1] if one_route53 else None
    else:
        zone = _zone_reference(cert, project)
        fqdns = f"{name}_validation"
        if zone is None or _taken(project, cert, f"aws_route53_record.{fqdns}"):
            return None
        text += _blank_then(block, RECORDS.format(name=fqdns, cert=ref, zone=zone))
    text += _blank_then(block, _validation_block(name, ref, fqdns))
    at = block.offset(block.last + 1)
    edits = [Edit(block.file, at, at, text)]
    domain_block = block_of(chain.holder or chain.domain, sources)  # where the ARN is given
    planned = _Planned(_in_module(cert, f"aws_acm_certificate_validation.{name}"), cert.module)
    swap = _reference_edit(domain_block, cert, planned) if domain_block else None
    if swap is not None:
        edits.append(swap)
    what = "a validation" if chain.records else "DNS validation records and a validation"
    return Fix("IAC102", UNSAFE, f"add {what} for {ref}", tuple(edits))


def _validation_block(name: str, cert_ref: str, records: str | None) -> str:
    if records is None:
        return (
            f'resource "aws_acm_certificate_validation" "{name}" {{\n'
            f"  certificate_arn = {cert_ref}.arn\n}}\n"
        )
    return VALIDATION.format(name=name, cert=cert_ref, records=records)


def _in_module(res, address: str) -> str:
    return f"{res.module}.{address}" if res.module else address


@fixer("IAC103")
def add_records(finding, chain, sources: Sources, project) -> Fix | None:
    cert = chain.certificate.resource
    if cert is None or instance_key(cert.address) or len(chain.validations) != 1:
        return None
    validation = chain.validations[0]
    block = block_of(validation, sources)
    zone = _zone_reference(cert, project)
    if block is None or zone is None or block.indent != "  " or instance_key(validation.address):
        return None
    _, cert_name = local_name(cert.address)
    records = f"{cert_name}_validation"
    if _taken(project, cert, f"aws_route53_record.{records}"):
        return None
    ref = f"aws_acm_certificate.{cert_name}"
    edits = []
    if "validation_record_fqdns" not in validation.attr_lines:
        first = last = None
        for n in block.body():
            if (
                _one_line_attr(block.lines[n - 1])
                and block.line(n).startswith("  ")
                and not block.line(n).startswith("   ")
            ):
                first = first or n
                last = n
            elif first:
                break
        fqdns = (
            f"  validation_record_fqdns = [for record in aws_route53_record.{records} : "
            f"record.fqdn]{block.newline()}"
        )
        if first is None:
            return None
        edits.append(
            replace_lines(block, first, last, realigned([*block.lines[first - 1 : last], fqdns]))
        )
    at = block.offset(block.last + 1)
    edits.append(
        Edit(
            block.file,
            at,
            at,
            _blank_then(block, RECORDS.format(name=records, cert=ref, zone=zone)),
        )
    )
    return Fix("IAC103", UNSAFE, f"add the DNS validation records of {ref}", tuple(edits))


@dataclass
class _Planned:
    """A resource a fix is about to add: its address and module, as a Resource would say."""

    address: str
    module: str
