"""The chain behind a finding, and the links of a chain, for reports that show the whole chain."""

from __future__ import annotations

from collections import defaultdict

from ..chain import Chain
from ..findings import Finding
from ..model import Resource

ROLES = ("domain", "certificate", "validation", "DNS record")


def links(chain: Chain) -> list[tuple[str, Resource]]:
    """(role, resource) for every link the code shows: domain, certificate, validations, records."""
    out: list[tuple[str, Resource]] = [("domain", chain.domain)]
    if chain.certificate.resource is not None:
        out.append(("certificate", chain.certificate.resource))
    validations = list(chain.validations)
    via = chain.via_validation
    if via is not None and all(v.address != via.address for v in validations):
        validations.insert(0, via)
    out.extend(("validation", v) for v in validations)
    out.extend(("DNS record", r) for r in chain.records)
    return out


def _files(chain: Chain) -> set[str]:
    return {res.location.file for _, res in links(chain)}


class ChainIndex:
    """Finds the chain a finding concerns (by domain address; by file where addresses repeat
    across roots, e.g. two Terraform root modules with the same resource names)."""

    def __init__(self, chains: list[Chain]):
        self.chains = chains
        self._by_domain: dict[str, list[Chain]] = defaultdict(list)
        self._by_id = {chain.chain_id: chain for chain in chains}
        for chain in chains:
            self._by_domain[chain.domain.address].append(chain)

    def chain_of(self, finding: Finding) -> Chain | None:
        """The finding's own chain (its chain id); a finding made without one (live mode)
        is matched by its domain."""
        if finding.chain_id and finding.chain_id in self._by_id:
            return self._by_id[finding.chain_id]
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
