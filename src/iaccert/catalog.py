"""The rule catalog: one YAML file per rule in ``rules/``, the rule's whole identity and docs."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .compiled import documents

SEVERITIES = ("error", "warning", "note")
#: How often a finding of the rule is a true problem (GitHub code scanning's ``precision``).
PRECISIONS = ("very-high", "high", "medium", "low")
DOC_SECTIONS = ("what", "why", "example", "use_instead", "references")
#: The links of a chain a rule can say are missing, in the chain's order: the consumer's
#: certificate, the certificate's validation, the validation's DNS records, and the consumer
#: being ordered after the validation (awaited).
CHAIN_LINKS = ("certificate", "validation", "records", "awaited")


@dataclass(frozen=True)
class Break:
    """The link of the chain a rule's finding says is missing (``breaks:`` in the rule's
    YAML): reports that draw the chain (``iaccert graph``) show it as a broken edge, named
    by the rule, to a node that says ``label``, without knowing the rule. The certificate
    link is drawn where the chain resolved no certificate, with the chain's own reason
    when it has one (``label`` otherwise)."""

    link: str  # one of CHAIN_LINKS
    label: str  # what is missing, in a few words: "no validation"


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    mode: str
    applies_to: tuple[str, ...]
    summary: str
    why: str
    docs: dict = field(default_factory=dict, hash=False, compare=False)
    fix: str = ""  # what `lint --fix` does for it, "safe: …" or "unsafe: …"; "" when nothing
    tags: tuple[str, ...] = ()  # "security" only where the rule is about security
    precision: str = "high"  # one of PRECISIONS
    # the attribute a finding names is the value to change: it points where that value was
    # set (a caller's argument, a variables file); else at the attribute, the origin related
    points_at_origin: bool = False
    breaks: Break | None = None  # the chain link its findings say is missing, if any

    @property
    def security(self) -> bool:
        """A security rule: tagged ``security`` and ranked by ``security-severity`` on GitHub;
        parse errors, analysis limits and suppression hygiene are not."""
        return "security" in self.tags

    @property
    def doc_text(self) -> str:
        return "\n\n".join(self.docs.get(s, "").strip() for s in DOC_SECTIONS if self.docs.get(s))


@functools.lru_cache(maxsize=1)
def rules() -> dict[str, Rule]:
    """Every rule by id, sorted by id."""
    out = {}
    for name, data in documents("IAC"):
        if "/" in name:
            continue
        out[data["id"]] = Rule(
            id=data["id"],
            name=data["name"],
            severity=data["severity"],
            mode=data.get("mode", "static"),
            applies_to=tuple(data.get("applies_to", ())),
            summary=data.get("summary", ""),
            why=data.get("why", ""),
            docs=data.get("docs", {}),
            fix=data.get("fix", ""),
            tags=tuple(data.get("tags", ())),
            precision=data.get("precision", "high"),
            points_at_origin=bool(data.get("points_at_origin", False)),
            breaks=_break(name, data.get("breaks")),
        )
    return out


def _break(document: str, value) -> Break | None:
    """A rule's ``breaks: {link, label}``; a link not in CHAIN_LINKS or a missing label is
    an error at load, naming the document, as a bad selector is."""
    if value is None:
        return None
    link = value.get("link") if isinstance(value, dict) else None
    label = value.get("label") if isinstance(value, dict) else None
    extra = set(value) - {"link", "label"} if isinstance(value, dict) else set()
    if link not in CHAIN_LINKS or not isinstance(label, str) or not label.strip() or extra:
        raise ValueError(
            f"rules/{document}: breaks must be {{link: one of {', '.join(CHAIN_LINKS)}, "
            f"label: text}}, not {value!r}"
        )
    return Break(link, label.strip())


def find_rule(code_or_name: str) -> Rule | None:
    """A rule by its code (IAC101) or its name (email-validation)."""
    key = code_or_name.strip()
    for rule in rules().values():
        if key.upper() == rule.id or key.lower() == rule.name:
            return rule
    return None


def select_rules(selector: str) -> list[Rule]:
    """The rules a selector names: a code (IAC101), a code prefix (IAC1, IAC10) or a name."""
    found = find_rule(selector)
    if found is not None:
        return [found]
    prefix = selector.strip().upper()
    if not re.fullmatch(r"IAC\d{0,3}", prefix):
        return []
    return [rule for rule in rules().values() if rule.id.startswith(prefix)]
