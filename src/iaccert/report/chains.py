"""The chain behind a finding, and the links of a chain, for reports that show the whole chain."""

from __future__ import annotations

from collections import defaultdict

from ..chain import Chain
from ..findings import Finding
from ..model import Resource

#: The roles of a chain's links, as findings name them (``Finding.role``, ``Related.role``).
ROLES = ("consumer", "attachment", "certificate", "validation", "records")


def links(chain: Chain) -> list[tuple[str, Resource]]:
    """(role, resource) for every link the code shows: the consumer, the attachment that gives
    it the certificate (when not the consumer itself), certificate, validations, records."""
    out: list[tuple[str, Resource]] = [("consumer", chain.domain)]
    if chain.holder is not None and chain.holder is not chain.domain:
        out.append(("attachment", chain.holder))
    if chain.certificate.resource is not None:
        out.append(("certificate", chain.certificate.resource))
    validations = list(chain.validations)
    via = chain.via_validation
    if via is not None and all(v.address != via.address for v in validations):
        validations.insert(0, via)
    out.extend(("validation", v) for v in validations)
    out.extend(("records", r) for r in chain.records)
    return out


def role_word(role: str, chain: Chain | None) -> str:
    """A role in a reader's words: the consumer's own noun (domain, distribution, listener),
    "DNS record" for records."""
    if role == "consumer":
        return chain.noun if chain is not None else "consumer"
    return "DNS record" if role == "records" else role


def _files(chain: Chain) -> set[str]:
    return {res.location.file for _, res in links(chain)}


class ChainIndex:
    """The chain a finding concerns: its chain id (``Finding.chain_id``, set for every
    finding a check made). A finding made without one (a looked-up ``lint --live`` finding)
    is matched by its domain address, and by file where addresses repeat across roots."""

    def __init__(self, chains: list[Chain]):
        self.chains = chains
        self._by_domain: dict[str, list[Chain]] = defaultdict(list)
        self._by_id = {chain.chain_id: chain for chain in chains}
        for chain in chains:
            self._by_domain[chain.domain.address].append(chain)

    def chain_of(self, finding: Finding) -> Chain | None:
        if finding.chain_id:
            return self._by_id.get(finding.chain_id)
        if not finding.domain:
            return None
        candidates = self._by_domain.get(finding.domain, [])
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        files = {finding.location.file} | {r.location.file for r in finding.related}
        for chain in candidates:
            if any(
                res.address == finding.resource and res.location.file in files
                for _, res in links(chain)
            ):
                return chain
        for chain in candidates:
            if _files(chain) & files:
                return chain
        return candidates[0]
