#!/usr/bin/env python3
"""Fuzz the loaders for minutes at a time, outside CI (hypothesis-based).

Feeds mutated real-looking input (the fixtures' own files, cut, spliced and sprinkled
with random bytes) and pure random text to the HCL, .tf.json and template loaders and to
a whole scan of a temporary module. Anything but a ParseError/problem is a bug: the
failing input is printed (hypothesis shrinks it) and the run stops.

usage: python fuzz/fuzz_loaders.py [--minutes 5] [--target hcl|tfjson|cfn|serverless|scan|all]
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {
    "hcl": [p.read_text() for p in sorted((ROOT / "fixtures").rglob("*.tf"))],
    "tfjson": [p.read_text() for p in sorted((ROOT / "fixtures").rglob("*.tf.json"))],
    "cfn": [p.read_text() for p in sorted((ROOT / "fixtures").rglob("*.yaml"))]
    + [p.read_text() for p in sorted((ROOT / "fixtures").rglob("*.template.json"))],
    "serverless": [p.read_text() for p in sorted((ROOT / "fixtures").rglob("serverless.yml"))],
}


def mutated(kind: str):
    seeds = SEEDS[kind] or ["x = 1\n"]
    seed = st.sampled_from(seeds)
    cut = st.tuples(seed, st.integers(0, 4000)).map(lambda t: t[0][: t[1]])
    splice = st.tuples(seed, seed, st.integers(0, 4000)).map(lambda t: t[0][: t[2]] + t[1][t[2] :])
    noise = st.tuples(seed, st.integers(0, 4000), st.text(min_size=1, max_size=8)).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
    )
    return st.one_of(seed, cut, splice, noise, st.text(max_size=500))


def check_hcl(text: str) -> None:
    from iaccert.terraform.hcl import ParseError, load_hcl

    with contextlib.suppress(ParseError):
        load_hcl(text, "fuzz.tf")


def check_tfjson(text: str) -> None:
    from iaccert.terraform.hcl import ParseError
    from iaccert.terraform.tfjson import load_tfjson

    with contextlib.suppress(ParseError):
        load_tfjson(text, "fuzz.tf.json")


def check_cfn(text: str) -> None:
    from iaccert.scan import scan

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "template.yaml"
        path.write_text("AWSTemplateFormatVersion: '2010-09-09'\n" + text)
        scan([path])


def check_serverless(text: str) -> None:
    """A serverless file: an internal error is caught per file, so it must not appear."""
    from iaccert.scan import scan

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "serverless.yml"
        path.write_text(text)
        for finding in scan([path]).findings:
            assert "cannot analyse" not in finding.message, finding.message


def check_scan(text: str) -> None:
    from iaccert.scan import scan
    from iaccert.terraform import TfOptions

    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "main.tf").write_text(text)
        scan([Path(directory)], TfOptions(environ={}, prefilter=False))


CHECKS = {
    "hcl": check_hcl,
    "tfjson": check_tfjson,
    "cfn": check_cfn,
    "serverless": check_serverless,
    "scan": check_scan,
}


def run(target: str, minutes: float) -> None:
    kind = "hcl" if target == "scan" else target
    deadline = time.monotonic() + minutes * 60
    rounds = 0
    while time.monotonic() < deadline:
        fuzz = settings(
            max_examples=500, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )(given(mutated(kind))(CHECKS[target]))
        fuzz()
        rounds += 500
    print(f"{target}: {rounds} inputs, no failure")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--target", default="all", choices=[*CHECKS, "all"])
    args = parser.parse_args()
    targets = list(CHECKS) if args.target == "all" else [args.target]
    for target in targets:
        run(target, args.minutes / len(targets))


if __name__ == "__main__":
    main()
