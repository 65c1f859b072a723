"""Built-in models of popular registry modules, used when a module is not downloaded.

Each family is one file in ``rules/modules/``: the registry source and its models, each a
small HCL summary of the module's certificate chain for the version *ranges* it describes,
which the evaluator runs like any local module. A call's version constraint picks the model
of the newest releases it allows, as Terraform picks the newest release; a call that allows
only releases newer than every model gets the newest model and a note that says so.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..compiled import documents
from ..roles import roles
from .versions import Interval, is_version, parse_constraint


@dataclass(frozen=True)
class ModuleModel:
    key: str  # e.g. "terraform-aws-modules/acm/aws@4.4.0,5.x-6.x"
    hcl: str
    defaults: tuple  # (variable, default) pairs overriding the HCL's defaults


@dataclass(frozen=True)
class ModelChoice:
    """What a known family gives a module call: a model (maybe assumed, with a note why), or
    no model and the reason."""

    family: str
    model: ModuleModel | None
    note: str = ""  # set when the model is assumed rather than chosen by the version
    reason: str = ""  # set when there is no model
    creates: str = ""  # the consumers some model of the family creates, in words

    @property
    def creates_domains(self) -> bool:
        """Whether some model of the family creates a certificate consumer."""
        return bool(self.creates)


@functools.lru_cache(maxsize=1)
def _families() -> list[dict]:
    return [data for _, data in documents("modules/")]


def _normalise(source: str) -> tuple[str, str | None]:
    """Registry, ``tfr://`` or GitHub source -> (family key, git ref or tfr version if any)."""
    text = source.strip().removeprefix("git::").removeprefix("https://").removeprefix("ssh://")
    text = re.sub(r"^tfr://[^/]*/", "", text)  # Terragrunt: tfr:///ns/name/provider?version=
    text = text.removeprefix("registry.terraform.io/").removeprefix("git@")
    text = text.replace("github.com:", "github.com/")
    ref = re.search(r"[?&](?:ref|version)=([^&]*)", text)
    base = re.sub(r"\?.*$", "", text).removesuffix(".git").split("//")[0].rstrip("/")
    return base.lower(), ref.group(1) if ref else None


def _model(family: dict, spec: dict) -> ModuleModel:
    hcl = spec.get("hcl") or family.get("hcl", "")
    if spec.get("extra_hcl"):
        hcl = f"{hcl}\n{spec['extra_hcl']}\n"
    defaults = tuple((spec.get("defaults") or {}).items())
    return ModuleModel(f"{family['source']}@{spec['name']}", hcl, defaults)


def _ranges(family: dict) -> list[tuple[Interval, dict]]:
    """Every (range, model) of a family, the newest range first."""
    pairs = [(parse_constraint(r), spec) for spec in family["models"] for r in spec["versions"]]
    return sorted(pairs, key=lambda p: (p[0].high, p[0].high_closed), reverse=True)


def _creates(family: dict) -> str:
    return _family_creates(family["source"])


@functools.cache
def _family_creates(source: str) -> str:
    """The certificate consumers (or resources attaching certificates to one) some model of
    the family holds, in words ("CloudFront distributions"); "" for none. Asked once."""
    family = next(f for f in _families() if f["source"] == source)
    table = roles()
    kinds = {n: (r.service, r.noun) for n, r in table.consumers.items()}
    for role in table.consumers.values():
        kinds.update({a.type: (role.service, role.noun) for a in role.attachments})
    hcl = "\n".join(_model(family, spec).hcl for spec in family["models"])
    held = set(re.findall(r'resource\s+"([\w-]+)"', hcl))
    found = sorted({kinds[t] for t in held if t in kinds})
    return ", ".join(f"{service} {noun}s" for service, noun in found)


def find_family(source: str | None) -> dict | None:
    if not source:
        return None
    base, _ = _normalise(source)
    for family in _families():
        if base in (family["source"].lower(), family.get("git", "").lower()):
            return family
    return None


def choose_model(source: str | None, version: str | None) -> ModelChoice | None:
    """The model for a module call's source and version constraint; None for an unknown family."""
    family = find_family(source)
    if family is None:
        return None
    _, ref = _normalise(source or "")
    name = family["source"]
    ranges = _ranges(family)
    newest = _model(family, ranges[0][1])
    creates = _creates(family)
    asked = f"version {version!r}" if version else "no version constraint"
    if ref is not None:
        if not is_version(ref.removeprefix("v")):
            note = (
                f"{name} at ref {ref!r}, which is not a release: analysed with iaccert's model "
                f"of its newest releases ({ranges[0][1]['name']}); run terraform init to "
                "analyse the module's own code"
            )
            return ModelChoice(name, newest, note=note, creates=creates)
        version, asked = ref.removeprefix("v"), f"ref {ref!r}"
    try:
        allowed = parse_constraint(version)
    except ValueError:
        note = (
            f"{name}: {asked} cannot be read as a version constraint; analysed with "
            f"iaccert's model of its newest releases ({ranges[0][1]['name']})"
        )
        return ModelChoice(name, newest, note=note, creates=creates)
    for interval, spec in ranges:
        if not allowed.meet(interval).empty():
            return ModelChoice(name, _model(family, spec), creates=creates)
    top = ranges[0][0]
    if allowed.low >= top.high:
        note = (
            f"{name} with {asked} allows only releases newer than iaccert's models; analysed "
            f"with the model of the newest ({ranges[0][1]['name']}); run terraform init to "
            "analyse the module's own code"
        )
        return ModelChoice(name, newest, note=note, creates=creates)
    reason = f"iaccert has no model of {name} for {asked}"
    return ModelChoice(name, None, reason=reason, creates=creates)


def find_model(source: str | None, version: str | None) -> ModuleModel | None:
    """The model a module call is analysed with, if any (assumed or chosen)."""
    choice = choose_model(source, version)
    return choice.model if choice else None


def family_creates_domains(source: str | None) -> bool:
    """Whether a registry source is a known family that can create a certificate consumer."""
    family = find_family(source)
    return family is not None and bool(_creates(family))
