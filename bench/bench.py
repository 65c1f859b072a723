#!/usr/bin/env python3
"""Time iaccert against checkov and grep on the same trees; print ratios and peak memory.

Each tool runs as its own process; wall time is the median of --repeat runs, peak memory
the child's max RSS (getrusage). checkov is optional: point --checkov at its executable
(installed in a separate virtual environment, never a project dependency).

usage: python bench/bench.py [--sizes 1000 5000 10000 20000] [--repeat 3] [--checkov PATH]
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_tree import generate, generate_domains  # noqa: E402

HERE = Path(__file__).resolve().parent
POLICIES = HERE.parent.parent / "shared" / "bench" / "checkov-policies"


def run(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one child process (its own rusage, via wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"{command[0]} exited {code}")
    return wall, usage.ru_maxrss // 1024


def median(command, cwd, repeat, env=None, before_each=None) -> tuple[float, int]:
    walls, peaks = [], []
    for _ in range(repeat):
        if before_each:
            before_each()
        wall, peak = run(command, cwd, env)
        walls.append(wall)
        peaks.append(peak)
    return statistics.median(walls), max(peaks)


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
    args = parser.parse_args()

    iaccert = [sys.executable, "-m", "iaccert", "lint", ".", "-f", "json", "--exit-zero"]
    work = Path(tempfile.mkdtemp(prefix="iaccert-bench-"))
    cache = work / "cache"
    env = {**os.environ, "IACCERT_CACHE_DIR": str(cache)}

    def clear_cache() -> None:
        """Forget parsed files (the grammar cache, built once per install, stays)."""
        for entry in cache.glob("parse-v*"):
            shutil.rmtree(entry, ignore_errors=True)

    # The pre-commit case: one small module with a full chain.
    module = work / "module"
    shutil.copytree(HERE.parent / "fixtures" / "tf_pass_regional_v2", module)
    cold, _ = median(iaccert, module, args.repeat, env, before_each=clear_cache)
    warm, peak = median(iaccert, module, args.repeat, env)
    line = f"one module: iaccert cold {cold:.2f} s, warm {warm:.2f} s, peak {peak} MB"
    if args.checkov and POLICIES.is_dir():
        ckv, ckv_peak = median([args.checkov, "-d", ".", *CHECKOV_ARGS], module, args.repeat)
        line += f"; checkov {ckv:.2f} s, peak {ckv_peak} MB"
        line += f": {ckv / cold:.0f}x cold, {ckv / warm:.0f}x warm"
    print(line)

    print(
        f"{'files':>6} {'grep':>6} {'cold':>6} {'warm':>6} {'checkov':>8} {'ckv/cold':>8} "
        f"{'warm/grep':>9} {'peak MB':>7} {'ckv MB':>6}"
    )
    for size in args.sizes:
        tree = work / f"tree{size}"
        generate(tree, size, seed=7, templates=args.cfn)
        grep, _ = median(["grep", "-rl", "aws_", "."], tree, args.repeat)
        cold, cold_peak = median(iaccert, tree, args.repeat, env, before_each=clear_cache)
        warm, warm_peak = median(iaccert, tree, args.repeat, env)
        ckv, ckv_peak = None, None
        if args.checkov and size <= args.checkov_max and POLICIES.is_dir():
            ckv, ckv_peak = run([args.checkov, "-d", ".", *CHECKOV_ARGS], tree)
        ckv_text = f"{ckv:8.1f} {ckv / cold:7.0f}x" if ckv else f"{'-':>8} {'-':>8}"
        print(
            f"{size:>6} {grep:6.2f} {cold:6.2f} {warm:6.2f} {ckv_text} {warm / grep:8.1f}x "
            f"{max(cold_peak, warm_peak):>7} {ckv_peak or '-':>6}"
        )
    if args.domains:
        print(f"{'domains':>7} {'cold':>6} {'warm':>6} {'cold/domain ms':>14} {'peak MB':>7}")
    for count in args.domains:
        tree = work / f"domains{count}"
        generate_domains(tree, count)
        cold, cold_peak = median(iaccert, tree, args.repeat, env, before_each=clear_cache)
        warm, warm_peak = median(iaccert, tree, args.repeat, env)
        print(
            f"{count:>7} {cold:6.2f} {warm:6.2f} {1000 * cold / count:14.2f} "
            f"{max(cold_peak, warm_peak):>7}"
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
