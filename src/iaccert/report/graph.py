"""Each domain's chain as a graph: Mermaid (default) or Graphviz DOT (``iaccert graph``).

    domain ──certificate──▶ certificate ──validated by──▶ validation ──records──▶ DNS record

Nodes carry the resource address and ``file:line``; a node with a finding is red and names
the rule. A broken link is a dashed red edge, named by the rule, to what is missing: each
finding whose rule ``breaks`` a link of the chain (rules/IAC*.yaml: "no validation", "no DNS
records", "not awaited") draws one from the node it points at; the certificate's own link
is drawn from the chain, with the chain's reason ("unknown: <reason>", "uploaded
certificate (...)", "no ACM certificate"). No rule is known here by its id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..catalog import CHAIN_LINKS
from ..chain import Chain
from ..findings import Finding
from ..model import Resource
from ..results import ScanResult
from .chains import ChainIndex
from .escape import text as visible

FORMATS = ("mermaid", "dot")
MAX_REASON = 90  # longer "unknown: ..." reasons are cut in the label


@dataclass
class Node:
    id: str
    lines: list[str]
    broken: bool = False  # a finding on this resource, or a missing link


@dataclass
class Edge:
    source: str
    target: str
    label: str
    broken: bool = False


@dataclass
class Cluster:
    id: str
    title: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def _where(res: Resource) -> str:
    return f"{res.location.file}:{res.location.line}"


def _short(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _breaking(findings: list[Finding]) -> dict[str, list[Finding]]:
    """The findings whose rule says a link of the chain is missing (the catalog's
    ``breaks``), by the link, in the findings' order."""
    out: dict[str, list[Finding]] = {}
    for f in findings:
        if f.rule.breaks is not None:
            out.setdefault(f.rule.breaks.link, []).append(f)
    return out


def _cluster(n: int, chain: Chain, findings: list[Finding]) -> Cluster:
    title = chain.name if isinstance(chain.name, str) else chain.domain.address
    cluster = Cluster(f"d{n}", title)
    nodes: dict[str, Node] = {}  # by resource address

    def node(key: str, res: Resource) -> Node:
        if res.address not in nodes:
            nodes[res.address] = Node(f"d{n}{key}", [res.address, _where(res)])
            cluster.nodes.append(nodes[res.address])
        return nodes[res.address]

    missing_count = 0

    def missing(source: Node, text: str, rule_id: str) -> None:
        nonlocal missing_count
        missing_count += 1
        target = Node(f"d{n}x{missing_count}", [text], broken=True)
        cluster.nodes.append(target)
        cluster.edges.append(Edge(source.id, target.id, rule_id, broken=True))

    domain = node("", chain.domain)
    giver = domain  # the node that gives the certificate: the consumer or an attachment
    if chain.holder is not None and chain.holder is not chain.domain:
        giver = node("a", chain.holder)
        cluster.edges.append(Edge(domain.id, giver.id, "attached"))
    cert = chain.certificate
    cert_node = None
    if cert.resource is not None:
        cert_node = node("c", cert.resource)
        cluster.edges.append(Edge(giver.id, cert_node.id, chain.cert_attr or "certificate"))
    breaking = _breaking(findings)
    if cert.origin in ("lookup", "literal", "unknown", "none"):
        # the chain itself says the certificate is missing, and why: drawn even when no
        # rule reported it (not selected, suppressed); the rule that did names the edge
        said = breaking.get("certificate", [])
        rule_id = said[0].rule.id if said else ""
        if cert.origin != "none":
            missing(cert_node or domain, _short(f"unknown: {cert.reason}"), rule_id)
        else:
            label = said[0].rule.breaks.label if said else "no ACM certificate"
            uploaded = f"uploaded certificate ({', '.join(chain.uploaded)})"
            missing(domain, uploaded if chain.uploaded else label, rule_id)

    validations = list(chain.validations)
    if chain.via_validation is not None and chain.via_validation not in validations:
        validations.insert(0, chain.via_validation)
    val_nodes = [node(f"v{i}", v) for i, v in enumerate(validations, 1)]
    for v in val_nodes:
        if cert_node is not None:
            cluster.edges.append(Edge(cert_node.id, v.id, "validated by"))
    rec_nodes = [node(f"r{i}", rec) for i, rec in enumerate(chain.records, 1)]
    for rec_node in rec_nodes:
        for source in val_nodes or ([cert_node] if cert_node else []):
            cluster.edges.append(Edge(source.id, rec_node.id, "records"))

    by_role = {
        "consumer": domain,
        "attachment": giver,
        "certificate": cert_node,
        "validation": val_nodes[0] if val_nodes else None,
        "records": rec_nodes[0] if rec_nodes else None,
    }
    drawn: set[tuple[str, str]] = set()
    for link in CHAIN_LINKS[1:]:  # the certificate's own link is drawn above, from the chain
        for f in breaking.get(link, []):
            # from where the finding points: the link that lacks what follows it
            source = nodes.get(f.resource) or by_role.get(f.role) or domain
            if (f.rule.id, source.id) not in drawn:
                drawn.add((f.rule.id, source.id))
                missing(source, f.rule.breaks.label, f.rule.id)

    for f in findings:  # the node where the fix goes names the rule
        target = nodes.get(f.resource, domain)
        target.broken = True
        label = f"{f.rule.id} {f.rule.name}"
        if label not in target.lines:
            target.lines.append(label)
    return cluster


def clusters(result: ScanResult) -> list[Cluster]:
    index = ChainIndex(result.chains)
    per_chain: dict[int, list[Finding]] = {}
    for f in result.findings:
        chain = index.chain_of(f)
        if chain is not None:
            per_chain.setdefault(id(chain), []).append(f)
    chains = sorted(
        result.chains,
        key=lambda c: (c.domain.location.file, c.domain.location.line, c.domain.address),
    )
    return [_cluster(n, c, per_chain.get(id(c), [])) for n, c in enumerate(chains, 1)]


# --- Mermaid -------------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    return (
        visible(text)
        .replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
    )


def mermaid(result: ScanResult) -> str:
    out = ["flowchart LR"]
    broken_nodes, broken_links, link = [], [], 0
    for cluster in clusters(result):
        out.append(f'  subgraph {cluster.id}g ["{_mermaid_text(cluster.title)}"]')
        for nd in cluster.nodes:
            label = "<br/>".join(_mermaid_text(line) for line in nd.lines)
            out.append(f'    {nd.id}["{label}"]')
            if nd.broken:
                broken_nodes.append(nd.id)
        for e in cluster.edges:
            arrow = "-.->" if e.broken else "-->"
            label = f"|{_mermaid_text(e.label)}|" if e.label else ""
            out.append(f"    {e.source} {arrow}{label} {e.target}")
            if e.broken:
                broken_links.append(str(link))
            link += 1
        out.append("  end")
    if not result.chains:
        out.append('  none["no API Gateway custom domain found"]')
    out.append("  classDef broken fill:#fde8e8,stroke:#c00,color:#900")
    if broken_nodes:
        out.append(f"  class {','.join(broken_nodes)} broken")
    if broken_links:
        out.append(f"  linkStyle {','.join(broken_links)} stroke:#c00,color:#c00")
    return "\n".join(out) + "\n"


# --- DOT -----------------------------------------------------------------------------------


def _dot_text(text: str) -> str:
    """A DOT string; our own line breaks (between a node's lines) become ``\\n``."""
    text = "\n".join(visible(line) for line in text.split("\n"))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def dot(result: ScanResult) -> str:
    out = [
        "digraph iaccert {",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    red = 'color="#cc0000", fontcolor="#cc0000"'
    for cluster in clusters(result):
        out.append(f"  subgraph cluster_{cluster.id} {{")
        out.append(f"    label={_dot_text(cluster.title)};")
        for nd in cluster.nodes:
            style = f", {red}" if nd.broken else ""
            out.append(f"    {nd.id} [label={_dot_text(chr(10).join(nd.lines))}{style}];")
        for e in cluster.edges:
            attrs = [f"label={_dot_text(e.label)}"] if e.label else []
            if e.broken:
                attrs += ["style=dashed", red]
            out.append(
                f"    {e.source} -> {e.target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";"
            )
        out.append("  }")
    if not result.chains:
        out.append(f"  none [label={_dot_text('no API Gateway custom domain found')}];")
    out.append("}")
    return "\n".join(out) + "\n"


def render(result: ScanResult, fmt: str = "mermaid") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}")
    return dot(result) if fmt == "dot" else mermaid(result)
