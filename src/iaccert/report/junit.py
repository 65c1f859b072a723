"""JUnit XML: one test case per chain, for CI systems that show test reports.

A chain is a certificate consumer (an API Gateway domain, a distribution, a listener), or
one more certificate attached to it (``aws_lb_listener_certificate``), whose case is named
``consumer via attachment``. Findings go to the chain they name (``Finding.chain_id``).
A chain's test case fails when it has a finding at warning or error; the failure lists
every finding of that chain (notes go to ``system-out``). A file that could not be parsed
(IAC000) is a failing test case of its own, and so is any finding that concerns no domain.
A live domain (``account/region/domain``, class ``aws``) is one test case with all its
findings.
A live "could not check" entry is an ``error`` test case: not a pass, not a finding.

Every value from the repository or from AWS goes through escape.text, as in the text
format: the XML is valid for any input (no character XML 1.0 refuses reaches it).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from ..chain import Chain
from ..config import shown_value
from ..findings import SEVERITY_ORDER, Finding
from ..results import ScanResult
from .chains import ChainIndex
from .escape import text
from .text import finding_line, incomplete_line


def _case(name: str, classname: str, findings: list[Finding]) -> ET.Element:
    case = ET.Element("testcase", name=text(name), classname=text(classname), time="0")
    failing = [f for f in findings if SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER["warning"]]
    if failing:
        first = failing[0]
        if len(failing) == 1:
            message = f"{first.rule.id} {first.rule.name}: {first.message_and_fix}"
        else:
            codes = ", ".join(dict.fromkeys(f"{f.rule.id} {f.rule.name}" for f in failing))
            message = f"{len(failing)} findings: {codes}"
        failure = ET.SubElement(case, "failure", message=text(message), type=first.rule.id)
        failure.text = "\n".join(finding_line(f) for f in failing) + "\n"
    notes = [f for f in findings if f not in failing]
    if notes:
        ET.SubElement(case, "system-out").text = "\n".join(finding_line(f) for f in notes) + "\n"
    return case


def _properties(suite: ET.Element, configuration: dict | None) -> None:
    """The configuration file read and what it changed, as the suite's properties."""
    if not configuration or not configuration.get("file"):
        return
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="configuration", value=text(configuration["file"]))
    for key, value in configuration["changes"].items():
        ET.SubElement(props, "property", name=f"configuration.{key}", value=shown_value(value))


def _chain_name(chain: Chain) -> str:
    """The consumer, and the attachment that gives this chain's certificate if not itself:
    two certificates of one listener are two cases with two names."""
    holder = chain.holder
    via = f" via {holder.address}" if holder is not None and holder is not chain.domain else ""
    return chain.domain.address + via


def render(result: ScanResult) -> str:
    index = ChainIndex(result.chains)
    by_chain: dict[str, list[Finding]] = defaultdict(list)  # by chain id
    cases: list[tuple[tuple, ET.Element]] = []
    live_domains: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        chain = index.chain_of(f)
        if chain is not None:
            by_chain[chain.chain_id].append(f)
            continue
        if f.logical_location and not f.location.file:  # a live domain: one case for it
            live_domains[f.logical_location].append(f)
            continue
        where = f.location.file or f.logical_location or ""
        name = f"{f.rule.id} {f.rule.name}" + (f" {f.resource}" if f.resource else "")
        cases.append(((where, f.location.line, name), _case(name, where, [f])))
    for domain, found in live_domains.items():
        cases.append(((domain, 0, domain), _case(domain, "aws", found)))
    named = set()
    for chain in result.chains:  # one case per chain id (Fn::If branches of one domain: one)
        if chain.chain_id in named:
            continue
        named.add(chain.chain_id)
        loc, name = chain.domain.location, _chain_name(chain)
        case = _case(name, loc.file, by_chain.get(chain.chain_id, []))
        cases.append(((loc.file, loc.line, name), case))
    cases.sort(key=lambda item: item[0])
    errors = 0
    for i in getattr(result, "incomplete", []):
        where = i.location.file if i.location else i.logical_location
        name, where = text(f"could not check {i.logical_location}"), text(where)
        case = ET.Element("testcase", name=name, classname=where, time="0")
        error = ET.SubElement(case, "error", message=text(f"{i.operation} {i.reason}"))
        error.set("type", text(i.code))
        error.text = incomplete_line(i) + "\n"
        cases.append(((where, 0, ""), case))
        errors += 1

    tests = len(cases)
    failures = sum(1 for _, c in cases if c.find("failure") is not None)
    counts = {"tests": str(tests), "failures": str(failures), "errors": str(errors)}
    root = ET.Element("testsuites", name="iaccert", **counts, time="0")
    suite = ET.SubElement(root, "testsuite", name="iaccert", **counts, skipped="0", time="0")
    _properties(suite, getattr(result, "configuration", None))
    suite.extend(c for _, c in cases)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
