"""Terraform version constraints (``~> 4.0, >= 4.2``), for choosing a known-module model.

A constraint is read into an interval of releases (lowest, highest) so that it can be
compared with the ranges of releases each model describes, without a list of releases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Version = tuple[int, int, int]
_CLAUSE = re.compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*v?(\d+(?:\.\d+){0,2})(?:[-+][0-9A-Za-z.-]*)?\s*$")
_TOP: Version = (10**9, 0, 0)


def parse_version(text: str) -> Version:
    parts = [int(p) for p in re.findall(r"\d+", text)[:3]]
    return tuple(parts + [0] * (3 - len(parts)))  # type: ignore[return-value]


def is_version(text: str) -> bool:
    """A plain release number (``6.2.0``, ``v4``), not a constraint or a branch name."""
    match = _CLAUSE.match(text)
    return match is not None and match.group(1) is None


@dataclass(frozen=True)
class Interval:
    """Releases ``low <= v < high`` (or ``<= high`` when ``high_closed``), minus ``excluded``."""

    low: Version = (0, 0, 0)
    high: Version = _TOP
    high_closed: bool = False
    excluded: frozenset = frozenset()

    def empty(self) -> bool:
        if self.low < self.high:
            return False
        return not (self.low == self.high and self.high_closed and self.low not in self.excluded)

    def meet(self, other: Interval) -> Interval:
        if self.high < other.high or (self.high == other.high and not self.high_closed):
            high, closed = self.high, self.high_closed
        else:
            high, closed = other.high, other.high_closed
        return Interval(max(self.low, other.low), high, closed, self.excluded | other.excluded)


def _bump(version: Version, given: int) -> Version:
    """The first release past ``~>``'s range: ``~> 4.2`` -> 5.0.0, ``~> 4.2.1`` -> 4.3.0."""
    if given <= 2:
        return (version[0] + 1, 0, 0)
    return (version[0], version[1] + 1, 0)


def _clause(op: str, want: Version, given: int) -> Interval:
    nxt = (want[0], want[1], want[2] + 1)
    return {
        "=": Interval(want, want, True),
        "!=": Interval(excluded=frozenset({want})),
        ">": Interval(low=nxt),
        ">=": Interval(low=want),
        "<": Interval(high=want),
        "<=": Interval(high=want, high_closed=True),
        "~>": Interval(want, _bump(want, given)),
    }[op]


def parse_constraint(constraint: str | None) -> Interval:
    """The releases a constraint allows; raises ValueError when it cannot be read."""
    interval = Interval()
    if not constraint or not constraint.strip():
        return interval
    for clause in constraint.split(","):
        match = _CLAUSE.match(clause)
        if match is None:
            raise ValueError(f"cannot read version constraint {constraint!r}")
        op, text = match.group(1) or "=", match.group(2)
        interval = interval.meet(_clause(op, parse_version(text), text.count(".") + 1))
    return interval


def satisfies(candidate: str, constraint: str | None) -> bool:
    """Whether a release satisfies every clause of a constraint (no constraint: any)."""
    try:
        interval = parse_constraint(constraint)
    except ValueError:
        return False
    version = parse_version(candidate)
    return not interval.meet(Interval(version, version, True)).empty()


def newest(releases: list[str], constraint: str | None) -> str | None:
    """The release Terraform would pick from a list: the newest that satisfies the constraint."""
    allowed = [r for r in releases if satisfies(r, constraint)]
    return max(allowed, key=parse_version) if allowed else None
