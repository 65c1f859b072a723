"""Domain-name matching as ACM and browsers do it: a wildcard covers exactly one label.

A wildcard *domain* (API Gateway serves ``*.example.com`` for every name one label
below) needs a certificate for that same wildcard name: no other name covers it.
"""

from __future__ import annotations


def normalise(name: str) -> str:
    """Lower case, no trailing dot, internationalised labels in their ASCII (punycode) form."""
    name = name.strip().rstrip(".").lower()
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name


def covers(certificate_name: str, domain: str) -> bool:
    """True if a certificate issued for ``certificate_name`` is valid for ``domain``."""
    pattern, host = normalise(certificate_name), normalise(domain)
    if not pattern or not host:
        return False
    if host.startswith("*."):
        return pattern == host
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and head != "*" and rest == pattern[2:]
    return pattern == host


def covered_by_any(names: list[str], domain: str) -> bool:
    return any(covers(n, domain) for n in names)


def plausible(name: str) -> bool:
    """A name a certificate could be issued for: two or more non-empty labels.

    Placeholder defaults ("" or "api." built from an empty variable) are not judged.
    """
    labels = normalise(name).split(".")
    return len(labels) >= 2 and all(labels)
