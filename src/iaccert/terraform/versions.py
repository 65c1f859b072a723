"""Terraform version constraints (``~> 4.0, >= 4.2``), for choosing a known-module model."""

from __future__ import annotations

import re

_CLAUSE = re.compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*v?(\d+(?:\.\d+){0,2})")


def parse_version(text: str) -> tuple[int, int, int]:
    parts = [int(p) for p in re.findall(r"\d+", text)[:3]]
    return tuple(parts + [0] * (3 - len(parts)))  # type: ignore[return-value]


def _pessimistic(version: tuple[int, int, int], given: int, candidate: tuple) -> bool:
    """``~> 4.2`` allows 4.x >= 4.2; ``~> 4.2.1`` allows 4.2.x >= 4.2.1."""
    if candidate < version:
        return False
    fixed = max(given - 1, 1)
    return candidate[:fixed] == version[:fixed]


def satisfies(candidate: str, constraint: str | None) -> bool:
    """Whether a release satisfies every clause of a constraint (no constraint: any)."""
    if not constraint or not constraint.strip():
        return True
    have = parse_version(candidate)
    for clause in constraint.split(","):
        match = _CLAUSE.match(clause)
        if match is None:
            return False
        op, text = match.group(1) or "=", match.group(2)
        want = parse_version(text)
        given = text.count(".") + 1
        ok = {
            "=": have == want,
            "!=": have != want,
            ">": have > want,
            ">=": have >= want,
            "<": have < want,
            "<=": have <= want,
            "~>": _pessimistic(want, given, have),
        }[op]
        if not ok:
            return False
    return True


def newest(releases: list[str], constraint: str | None) -> str | None:
    """The release Terraform would pick: the newest that satisfies the constraint."""
    allowed = [r for r in releases if satisfies(r, constraint)]
    return max(allowed, key=parse_version) if allowed else None
