"""What the user decided about the findings, applied in one place after the checks ran:
severity overrides, in-source suppressions, rule selection and the baseline.

The order matters: suppressions see every finding (so a suppression of a rule that is
not selected is still used), selection then drops rules, and the baseline is written
from, and matched against, what is left. ``fail-on`` is the exit-code threshold the CLI
applies (``findings.fails``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import baseline, suppressions
from .catalog import rules, select_rules
from .findings import Finding


class PolicyError(Exception):
    """A selector on the command line that names no rule."""


@dataclass(frozen=True)
class Policy:
    enabled: frozenset[str] | None = None  # rule ids to report; None: every rule
    severity: dict[str, str] = field(default_factory=dict)  # rule id -> severity
    fail_on: str = "warning"
    in_source: bool = True  # honour suppression comments and Metadata (--no-ignore: False)
    baseline: Path | None = None
    write_baseline: Path | None = None


DEFAULT_POLICY = Policy()


def split_selectors(values: list[str]) -> list[str]:
    """``--select A,B --select C`` -> [A, B, C]."""
    return [s.strip() for value in values for s in value.split(",") if s.strip()]


def resolve(selectors: list[str], option: str) -> set[str]:
    out: set[str] = set()
    for selector in selectors:
        found = select_rules(selector)
        if not found:
            raise PolicyError(f"{option}: '{selector}' is not a rule code, code prefix or name")
        out |= {r.id for r in found}
    return out


def enabled_rules(layers: list[tuple[list[str] | None, list[str], str]]) -> frozenset[str] | None:
    """Rule selection, layer by layer (configuration, then command line): a layer's
    ``select`` replaces what is enabled, its ``ignore`` removes from it."""
    enabled: set[str] | None = None
    for select, ignore, where in layers:
        if select:
            enabled = resolve(select, f"{where}select")
        if ignore:
            enabled = (set(rules()) if enabled is None else enabled) - resolve(
                ignore, f"{where}ignore"
            )
    return None if enabled is None else frozenset(enabled)


def apply_policy(result, policy: Policy) -> None:
    """Apply ``policy`` to a ScanResult in place: hidden findings move to ``suppressed``."""

    def relevel(items: list[Finding]) -> None:
        for f in items:
            f.severity = policy.severity.get(f.rule.id, f.severity)

    relevel(result.findings)
    if policy.in_source:
        kept, hidden, reports = suppressions.apply(
            result.findings, getattr(result, "project", None), result.live
        )
        relevel(reports)
        result.findings = kept + reports
        result.suppressed.extend(hidden)
    if policy.enabled is not None:
        result.ignored_not_analysed = sum(
            1
            for f in result.findings
            if f.rule.id in ("IAC000", "IAC001", "IAC004") and f.rule.id not in policy.enabled
        )
        result.findings = [f for f in result.findings if f.rule.id in policy.enabled]
        result.suppressed = [f for f in result.suppressed if f.rule.id in policy.enabled]
    if policy.write_baseline is not None:
        baseline.write(policy.write_baseline, result.findings)
    source = policy.write_baseline or policy.baseline
    if source is not None:  # a baseline just written applies at once: this run passes
        kept, hidden, stale = baseline.apply(result.findings, source)
        result.findings = kept
        result.suppressed.extend(hidden)
        result.stale_baseline = stale
    result.findings.sort(key=Finding.sort_key)
    result.suppressed.sort(key=Finding.sort_key)


def from_options(
    config,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    fail_on: str | None = None,
    no_ignore: bool = False,
    baseline_file: Path | None = None,
    write_baseline: Path | None = None,
) -> Policy:
    """The policy of a run: the configuration (src/iaccert/config.py), then the command line."""
    where = f"{_show(config.path)}: " if config.path is not None else ""
    layers = [
        (config.select, config.ignore, where),
        (split_selectors(select or []), split_selectors(ignore or []), "--"),
    ]
    return Policy(
        enabled=enabled_rules(layers),
        severity=dict(config.severity),
        fail_on=fail_on or config.fail_on or "warning",
        in_source=not no_ignore,
        baseline=baseline_file,
        write_baseline=write_baseline,
    )


def _show(path: Path) -> str:
    from .discover import display_path

    return display_path(path)
