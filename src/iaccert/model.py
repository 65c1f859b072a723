"""The provider-neutral model both front ends (Terraform, CloudFormation) produce.

Rules never see HCL or YAML: they see Resources whose attribute values are plain
Python data, ``Computed`` (an attribute only known after apply, e.g. an ARN) or
``Unknown`` (with the reason the code cannot tell).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int
    end_line: int | None = None
    column: int = 1


@dataclass(frozen=True, slots=True)
class Origin:
    """One step of where an attribute's value was set, outside the resource that uses it:
    a module call's argument, a variables file, a variable's default, a template parameter.

    ``location`` is None for values given where no file holds them (``--var``, ``TF_VAR_``,
    ``--parameter``); ``what`` says it in a finding's message."""

    what: str  # "module.cert's argument method", "var.method in terraform.tfvars"
    location: Location | None
    address: str = ""  # what is set there ("module.cert", "var.method", "parameter Method")


@dataclass(frozen=True, slots=True)
class Computed:
    """An attribute of a resource that only exists after apply (``aws_acm_certificate.c.arn``)."""

    address: str
    attr: str
    after: frozenset = frozenset()  # addresses this value is ordered after (output depends_on)


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value the code does not determine; ``refs`` are the Computed values it derives from."""

    reason: str
    refs: frozenset = frozenset()


def is_known(value: Any) -> bool:
    return not isinstance(value, Unknown | Computed)


def leaves(value: Any, depth: int = 0):
    """Every scalar inside nested lists, tuples and dicts (bounded depth)."""
    if depth > 30:
        return
    if isinstance(value, list | tuple):
        for item in value:
            yield from leaves(item, depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            yield from leaves(item, depth + 1)
    else:
        yield value


def refs_of(value: Any, _depth: int = 0) -> set[Computed]:
    """Every Computed a value carries or derives from, however deep."""
    if isinstance(value, Computed):
        return {value}
    if isinstance(value, Unknown):
        return set(value.refs)
    out: set[Computed] = set()
    if _depth > 50:
        return out
    if isinstance(value, dict):
        for item in value.values():
            out |= refs_of(item, _depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            out |= refs_of(item, _depth + 1)
    return out


@dataclass(frozen=True, slots=True)
class Region:
    """Where a resource lives: a known name, or the provider configuration it shares with others."""

    provider: str
    name: str | None
    why_unknown: str = ""

    def same_as(self, other: Region) -> bool | None:
        if self.name and other.name:
            return self.name == other.name
        if self.provider and self.provider == other.provider:
            return True
        return None


@dataclass(slots=True)
class Resource:
    """One resource instance as a front end read it."""

    address: str
    type: str
    location: Location
    attrs: dict[str, Any]
    attr_lines: dict[str, int] = field(default_factory=dict)
    # attributes written in another file than the block (a Terraform override file)
    attr_files: dict[str, str] = field(default_factory=dict)
    region: Region | None = None
    depends_on: set[str] = field(default_factory=set)
    kind: str = "resource"  # resource | data
    source: str = "terraform"  # terraform | cloudformation
    module: str = ""  # address prefix of the module instance ("" for root)
    logical_id: str = ""
    root: str = ""  # the root module or template it was loaded from; addresses are unique per root
    # CloudFormation ``Metadata: {iaccert: {ignore: [{id, reason}]}}``: (rule selector, reason)
    suppress: list[tuple[str, str]] = field(default_factory=list)
    # why the code's values do not create it (count 0, empty for_each, a module switched
    # off); it is still checked, as a feature flag must not hide a broken chain
    latent: str = ""
    # where the value of an attribute came from, innermost step first (terraform/origins.py):
    # a finding about the attribute points at the last located step, where the fix goes
    attr_origins: dict[str, list[Origin]] = field(default_factory=dict)

    def line_of(self, attr: str) -> int:
        return self.attr_lines.get(attr, self.location.line)

    def _line_at(self, path: str) -> int | None:
        """The line of an attribute path (``aliases[1]``, ``Domain.CertificateArn``), else of
        the nearest enclosing attribute a front end recorded."""
        while path:
            line = self.attr_lines.get(path)
            if line is not None:
                return line
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None

    def has_line(self, path: str) -> bool:
        return self._line_at(path) is not None

    def location_of(self, attr: str) -> Location:
        line = self._line_at(attr)
        if line is None:
            return self.location
        return Location(self.attr_files.get(attr, self.location.file), line, line)


@dataclass(slots=True)
class ParseProblem:
    """A file that could not be read or parsed (IAC000), or a limit the analysis hit (IAC001)."""

    file: str
    line: int
    column: int
    message: str
    rule: str = "IAC000"


@dataclass(slots=True)
class Project:
    """Everything loaded from the scanned paths."""

    resources: list[Resource] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    parsed_files: int = 0  # how many files a parser was asked to read (the prefilter's guard)
    roots: Any = None  # safe_read.Roots the scan read inside (suppressions, code frames)
    # module blocks in the user's code as (block's lines, call address): suppressions above
    # one apply to the findings that call produces
    module_calls: list[tuple[Location, str]] = field(default_factory=list)

    def merge(self, other: Project) -> None:
        self.resources.extend(other.resources)
        self.problems.extend(other.problems)
        self.files |= other.files
        self.parsed_files += other.parsed_files
        self.module_calls.extend(other.module_calls)
