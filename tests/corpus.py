"""Score iaccert against the labelled real-world corpus in ../shared/corpus (when present).

Run directly for a report: ``python tests/corpus.py [terraform|cloudformation]``.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

REASON_RULES = {
    "EMAIL_VALIDATION": "IAC101",
    "NO_VALIDATION": "IAC102",
    "CFN_DNS_VALIDATION_WITHOUT_HOSTEDZONEID": "IAC102",
    "NO_DNS_RECORDS": "IAC103",
    "VALIDATION_NOT_AWAITED": "IAC104",
    "CERT_REGION_MISMATCH": "IAC105",
    "DOMAIN_NOT_COVERED_BY_CERT": "IAC106",
    "NOT_ACM_ISSUED_CERT": "IAC108",
    "WRONG_CERT_ATTRIBUTE_FOR_ENDPOINT": "IAC111",
    "PRIVATE_CA_CERT": "IAC112",
    "TEMPLATE_PARSE_ERROR": "IAC000",
}


@dataclass
class Outcome:
    repo: str
    label: dict
    ok: bool
    got: list[str] = field(default_factory=list)


def labels(kind: str) -> list[tuple[dict, dict]]:
    data = json.loads((CORPUS / "labels.json").read_text())
    out = []
    for repo in data["repos"]:
        for domain in repo["domains"]:
            is_tf = domain["file"].endswith((".tf", ".tf.json"))
            if (kind == "terraform") == is_tf:
                out.append((repo, domain))
    return out


def repo_dir(repo: dict) -> Path:
    return CORPUS / "repos" / repo["repo"].replace("/", "__")


def _scan(directory: Path):
    from analyzer.scan import scan

    cwd = os.getcwd()
    os.chdir(directory)
    try:
        return scan([Path(".")])
    finally:
        os.chdir(cwd)


def score(kind: str = "terraform") -> list[Outcome]:
    results = {}
    outcomes = []
    for repo, label in labels(kind):
        key = repo["repo"]
        if key not in results:
            results[key] = _scan(repo_dir(repo))
        result = results[key]
        domains = {
            c.domain.address
            for c in result.chains
            if c.domain.location.file == label["file"] and c.domain.location.line == label["line"]
        }
        mine = [f for f in result.findings if f.domain in domains]
        got = sorted({f"{f.rule.id}:{f.severity}" for f in mine})
        rule_ids = {f.rule.id for f in mine}
        verdict = label["verdict"]
        if not domains:
            ok = False
        elif verdict == "PASS":
            ok = not any(f.severity in ("error", "warning") for f in mine)
        elif verdict == "FAIL":
            wanted = {REASON_RULES[r] for r in label["reasons"] if r in REASON_RULES}
            ok = bool(wanted) and wanted <= rule_ids
        else:
            ok = "IAC109" in rule_ids or "IAC000" in rule_ids
        outcomes.append(Outcome(key, label, ok, got))
    return outcomes


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    which = sys.argv[1] if len(sys.argv) > 1 else "terraform"
    outs = score(which)
    for o in outs:
        mark = "ok " if o.ok else "BAD"
        print(
            f"{mark} {o.label['verdict']:<7} {o.repo} {o.label['file']}:{o.label['line']} "
            f"{o.label['reasons']} got={o.got}"
        )
    print(f"{sum(o.ok for o in outs)}/{len(outs)} domains as labelled")
