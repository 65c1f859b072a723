"""Every rule that judges a certificate consumer, static (IAC1xx) and live (IAC2xx), is
registered here the same way: an id, the facts it needs, and a function over ``Facts``.

Two providers fill the facts: the code (a chain, src/iaccert/chain.py) and AWS (a
certificate description, src/iaccert/live/). A rule runs only when every fact it needs is
present, so a static scan never runs a live rule and ``iaccert live`` never runs a rule
that reads the code; ``lint --live`` has both, and every rule runs once over them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .facts import Facts
    from .model import Resource

#: The facts a rule may need (``Facts.has`` says which are present).
NEEDS = frozenset(
    {
        "code",  # the chain as the code writes it
        "deployed",  # the certificate as AWS describes it (found)
        "deployed.missing",  # AWS says the certificate does not exist
        "region",  # where the certificate is and where the consumer needs it
        "names",  # the names the consumer serves and those its certificate covers
        "uploaded",  # a certificate uploaded to the consumer's service or IAM
        "status",  # the consumer's own status as its service reports it
    }
)


@dataclass
class Hit:
    """``fact``: where the fix goes, as a role fact (``certificate.validation_method``), or
    facts in order of preference (the first one written in the code wins); ``message``:
    what is wrong; ``fix``: what to do about it (reports show it apart); ``related``: other
    links, as facts or resources; ``severity``: overrides the catalog's (an expired
    certificate is an error)."""

    fact: str | tuple[str, ...]
    message: str
    related: list[Resource | str] = field(default_factory=list)
    severity: str | None = None
    fix: str = ""


RuleFn = Callable[["Facts"], Iterable[Hit]]


@dataclass(frozen=True)
class Registered:
    id: str
    needs: frozenset[str]
    fn: RuleFn


RULES: dict[str, Registered] = {}


def rule(rule_id: str, needs: Iterable[str]) -> Callable[[RuleFn], RuleFn]:
    """Register ``fn`` as the one implementation of ``rule_id``."""
    wanted = frozenset(needs)
    unknown = wanted - NEEDS
    if unknown or not wanted:
        raise ValueError(f"{rule_id}: unknown or no facts needed: {sorted(unknown)}")

    def register(fn: RuleFn) -> RuleFn:
        if rule_id in RULES:
            raise ValueError(f"{rule_id} is registered twice")
        RULES[rule_id] = Registered(rule_id, wanted, fn)
        return fn

    return register


def run(
    facts: Facts, failed: Callable[[str, Exception], None] | None = None
) -> Iterator[tuple[str, Hit]]:
    """(rule id, hit) of every rule whose facts are all present, in registration order.

    A rule that raises on these facts is reported to ``failed`` (the caller says so, as a
    finding or a "could not check" entry) and the other rules still run; without
    ``failed`` the error propagates."""
    for entry in registered().values():
        if not all(facts.has(need) for need in entry.needs):
            continue
        try:
            hits = list(entry.fn(facts))
        except Exception as exc:  # noqa: BLE001 - one rule must not hide the others
            if failed is None:
                raise
            failed(entry.id, exc)
            continue
        for hit in hits:
            yield entry.id, hit


def registered() -> dict[str, Registered]:
    """Every rule, its modules imported here so that no caller forgets one."""
    from . import checks  # noqa: F401
    from .live import checks as live_checks  # noqa: F401

    return RULES
