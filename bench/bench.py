#!/usr/bin/env python3
"""Time iaccert against checkov, grep and a ``python -c pass`` floor on the same trees;
print same-run ratios and peak memory.

Each tool runs as its own process. For each case the script reports the median over
--repeat runs of wall time and of CPU time (user + system of the child, from wait4):
on a shared machine wall time mostly measures the other jobs, CPU time much less so, and
ratios are always taken between numbers of the same run. Peak memory is the child's max
RSS. checkov is optional: point --checkov at its executable (in its own virtual
environment, never a project dependency).

usage: python bench/bench.py [--sizes 1000 5000 10000 20000] [--cfn 500] [--repeat 3]
                             [--domains 10 100 1000 5000] [--checkov PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_tree import generate, generate_domains  # noqa: E402

HERE = Path(__file__).resolve().parent
POLICIES = HERE.parent.parent / "shared" / "bench" / "checkov-policies"


@dataclass
class Timing:
    wall: float  # seconds, median
    cpu: float  # user + system seconds of the child, median
    peak: int  # MB, max over the runs

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s wall {self.cpu:6.2f} s cpu {self.peak:>5} MB"


def run(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one child process (wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"{command[0]} exited {code}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def measure(command, cwd, repeat, env=None, before_each=None) -> Timing:
    walls, cpus, peaks = [], [], []
    for _ in range(repeat):
        if before_each:
            before_each()
        wall, cpu, peak = run(command, cwd, env)
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(peak)
    return Timing(statistics.median(walls), statistics.median(cpus), max(peaks))


CHECKOV_ARGS = [
    "--framework",
    "terraform",
    "cloudformation",
    "--external-checks-dir",
    str(POLICIES),
    "-c",
    "CKV2_IACCERT_1,CKV2_IACCERT_2,CKV2_IACCERT_3,CKV2_IACCERT_4",
    "--skip-download",
    "-o",
    "json",
    "--quiet",
]


def ratio(slow: Timing | None, fast: Timing) -> str:
    """slow / fast, by CPU time and by wall time."""
    if slow is None:
        return "-"
    return f"{slow.cpu / fast.cpu:.1f}x cpu, {slow.wall / fast.wall:.1f}x wall"


class Bench:
    def __init__(self, args):
        self.args = args
        self.iaccert = [sys.executable, "-m", "iaccert", "lint", ".", "-f", "json", "--exit-zero"]
        self.work = Path(tempfile.mkdtemp(prefix="iaccert-bench-"))
        self.cache = self.work / "cache"
        # as installed: bytecode is written and reused (PYTHONDONTWRITEBYTECODE would have
        # every run compile iaccert's modules from source, as no user's install does)
        self.env = {**os.environ, "IACCERT_CACHE_DIR": str(self.cache)}
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)

    def clear_parse_cache(self) -> None:
        """Forget parsed files and remembered directory facts (the compiled catalog stays)."""
        for pattern in ("parse-v*", "prefilter-v*"):
            for entry in self.cache.glob(pattern):
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink()

    def clear_all(self) -> None:
        """A fresh runner: an empty cache directory."""
        shutil.rmtree(self.cache, ignore_errors=True)

    def lint(self, cwd: Path, before_each=None) -> Timing:
        return measure(self.iaccert, cwd, self.args.repeat, self.env, before_each)

    def checkov(self, cwd: Path, repeat: int) -> Timing | None:
        if not (self.args.checkov and POLICIES.is_dir()):
            return None
        return measure([self.args.checkov, "-d", ".", *CHECKOV_ARGS], cwd, repeat)

    def one_module(self, floor: Timing) -> None:
        """The pre-commit case: one small module with a full chain."""
        module = self.work / "module"
        shutil.copytree(HERE.parent / "fixtures" / "tf_pass_regional_v2", module)
        edited = sorted(module.glob("*.tf"))[0]
        original = edited.read_text()
        count = iter(range(10**6))

        def edit() -> None:  # that file misses the parse cache, the others hit it
            edited.write_text(f"{original}\n# edit {next(count)}\n")

        self.lint(module)  # fill the caches
        cases = {
            "warm": self.lint(module),
            "one file edited": self.lint(module, edit),
            "cold (parse cache empty)": self.lint(module, self.clear_parse_cache),
            "fresh runner (no cache dir)": self.lint(module, self.clear_all),
        }
        ckv = self.checkov(module, self.args.repeat)
        print(f"one module   floor (python -c pass) {floor}")
        if ckv:
            print(f"one module   checkov                {ckv}")
        for name, timing in cases.items():
            print(f"one module   iaccert {name:<26} {timing}  checkov/iaccert {ratio(ckv, timing)}")

    def tree(self, size: int, templates: int) -> None:
        tree = self.work / f"tree{size}-{templates}"
        generate(tree, size, seed=7, templates=templates)
        label = f"{size} files" + (f" + {templates} templates" if templates else "")
        grep = measure(["grep", "-rl", "aws_", "."], tree, self.args.repeat)
        cold = self.lint(tree, self.clear_parse_cache)
        warm = self.lint(tree)
        ckv = None
        if size <= self.args.checkov_max:
            ckv = self.checkov(tree, 1)
        print(f"{label:<22} grep            {grep}")
        print(f"{label:<22} iaccert cold    {cold}  checkov/iaccert {ratio(ckv, cold)}")
        print(f"{label:<22} iaccert warm    {warm}  checkov/iaccert {ratio(ckv, warm)}")
        print(
            f"{label:<22} warm/grep {warm.cpu / grep.cpu if grep.cpu else 0:.1f}x cpu, "
            f"{warm.wall / grep.wall:.1f}x wall"
        )
        if ckv:
            print(f"{label:<22} checkov         {ckv}")

    def domains(self, count: int) -> None:
        tree = self.work / f"domains{count}"
        generate_domains(tree, count)
        cold = self.lint(tree, self.clear_parse_cache)
        warm = self.lint(tree)
        per = 1000 * cold.cpu / count
        print(f"{count:>5} domains  cold {cold}  warm {warm}  {per:.2f} ms cpu/domain cold")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000, 10000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--checkov", default=shutil.which("checkov"))
    parser.add_argument(
        "--checkov-max",
        type=int,
        default=10000,
        help="skip checkov above this many files (it takes minutes)",
    )
    parser.add_argument("--cfn", type=int, default=0, help="also time N CloudFormation templates")
    parser.add_argument(
        "--domains",
        type=int,
        nargs="*",
        default=[10, 100, 1000, 5000],
        help="also time one module with N domains (for_each over maps); none: skip",
    )
    parser.add_argument("--no-module", action="store_true", help="skip the one-module cases")
    args = parser.parse_args()
    bench = Bench(args)
    floor = measure([sys.executable, "-c", "pass"], bench.work, max(args.repeat, 5))
    try:
        if not args.no_module:
            bench.one_module(floor)
        for size in args.sizes:
            bench.tree(size, args.cfn if size == 0 else 0)
        if args.cfn and 0 not in args.sizes:
            bench.tree(0, args.cfn)
        for count in args.domains:
            bench.domains(count)
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    main()
