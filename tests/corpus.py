"""Score iaccert against the labelled real-world corpus in ../shared/corpus (when present).

Run directly for a report: ``python tests/corpus.py [terraform|cloudformation]``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
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
    from iaccert.scan import scan

    cwd = os.getcwd()
    os.chdir(directory)
    try:
        return scan([Path(".")])
    finally:
        os.chdir(cwd)


def _dep_dir(source: str, deps: list[str]) -> Path | None:
    """The deps/ directory holding the release a registry or git module source names."""
    text = re.sub(r"^(git::)?(https://)?", "", source).split("?")[0].removesuffix(".git")
    parts = text.split("/")
    if text.startswith("github.com/") and len(parts) >= 3:
        owner, repo = parts[1], parts[2]
    elif len(parts) == 3:
        owner, repo = parts[0], f"terraform-{parts[2]}-{parts[1]}"
    else:
        return None
    for dep in deps:
        if dep.split("@")[0].lower() == f"{owner}/{repo}".lower():
            found = CORPUS / "deps" / dep.replace("/", "__")
            return found if found.is_dir() else None
    return None


def install_deps(tree: Path, deps: list[str]) -> None:
    """Lay out .terraform/modules in every root of ``tree`` as `terraform init` would."""
    from iaccert.terraform.config import load_module

    dirs = {p.parent for p in tree.rglob("*.tf") if ".terraform" not in p.parts}
    for root in dirs:
        entries: list[dict] = []
        stack = [(root, "")]
        seen = set()
        while stack:
            directory, key = stack.pop()
            if directory in seen or not directory.is_dir():
                continue
            seen.add(directory)
            config = load_module(directory, str)
            for name, block in config.modules.items():
                source = block.attrs.get("source")
                source = getattr(source.expr, "value", None) if source else None
                if not isinstance(source, str):
                    continue
                child_key = f"{key}.{name}" if key else name
                if source.startswith(("./", "../")):
                    stack.append(((directory / source).resolve(), child_key))
                    continue
                dep = _dep_dir(source, deps)
                if dep is not None:
                    target = root / ".terraform" / "modules" / child_key
                    shutil.copytree(dep, target, dirs_exist_ok=True)
                    # relative to the root module, as terraform init writes it
                    rel = str(target.relative_to(root))
                    entries.append({"Key": child_key, "Source": source, "Dir": rel})
        if entries:
            (root / ".terraform" / "modules" / "modules.json").write_text(
                json.dumps({"Modules": entries})
            )


def score(kind: str = "terraform", remote: bool = False) -> list[Outcome]:
    """Each labelled domain against its verdict; ``remote``: with its modules downloaded,
    against ``verdict_if_remote_resolved`` (for repos whose dependencies are in deps/)."""
    results = {}
    outcomes = []
    scratch = Path(tempfile.mkdtemp(prefix="iaccert-corpus-")) if remote else None
    for repo, label in labels(kind):
        key = repo["repo"]
        if remote and not repo.get("resolution_deps"):
            continue
        if key not in results:
            directory = repo_dir(repo)
            if remote:
                directory = scratch / key.replace("/", "__")
                shutil.copytree(repo_dir(repo), directory)
                install_deps(directory, repo["resolution_deps"])
            results[key] = _scan(directory)
        result = results[key]
        if remote and label.get("verdict_if_remote_resolved"):
            label = _resolved(label)
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
            reasons = set(label["reasons"])
            if "NO_VALIDATION" in reasons:
                reasons.discard("NO_DNS_RECORDS")  # IAC103 needs a validation resource to exist
            wanted = {REASON_RULES[r] for r in reasons if r in REASON_RULES}
            ok = bool(wanted) and wanted <= rule_ids
        else:
            ok = "IAC109" in rule_ids or "IAC000" in rule_ids
        outcomes.append(Outcome(key, label, ok, got))
    return outcomes


def _resolved(label: dict) -> dict:
    """``FAIL(NO_VALIDATION, NO_DNS_RECORDS)`` -> verdict FAIL with those reasons."""
    text = label["verdict_if_remote_resolved"]
    match = re.match(r"(\w+)(?:\((.*)\))?", text)
    reasons = [r.strip() for r in (match.group(2) or "").split(",") if r.strip()]
    return {**label, "verdict": match.group(1), "reasons": reasons}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    which = sys.argv[1] if len(sys.argv) > 1 else "terraform"
    outs = score(which, remote="--remote" in sys.argv)
    for o in outs:
        mark = "ok " if o.ok else "BAD"
        print(
            f"{mark} {o.label['verdict']:<7} {o.repo} {o.label['file']}:{o.label['line']} "
            f"{o.label['reasons']} got={o.got}"
        )
    print(f"{sum(o.ok for o in outs)}/{len(outs)} domains as labelled")
