#!/usr/bin/env python3
"""Live mode: wall time and API calls for 500 domains sharing 50 certificates in 5 regions.

Starts a moto server in its own process on 127.0.0.1 (nothing leaves the machine), seeds it
through boto3 (10 ACM certificates and 100 domains per region, REST and HTTP APIs mixed),
then inventories it with ``iaccert live`` sequentially (one worker) and concurrently
(a thread per (account, region), up to --workers). ``--latency-ms`` puts a proxy in front of
moto that delays every request, to stand in for the round trip to a real AWS endpoint (moto
on localhost answers in about a millisecond; AWS in tens).

usage: python bench/live_bench.py [--domains 500] [--certificates 50] [--regions 5]
                                  [--workers 8] [--latency-ms 0 50] [--repeat 3]
Needs the ``live`` and ``test`` extras (boto3, moto[server]).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent))

REGIONS = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2", "us-west-2", "sa-east-1"]
ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "bench-not-a-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "MOTO_ACM_VALIDATION_WAIT": "0",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto server did not start")


def seed(endpoint: str, domains: int, certificates: int, regions: list[str]) -> None:
    import boto3

    per_region_certs = certificates // len(regions)
    per_region_domains = domains // len(regions)
    for region in regions:
        acm = boto3.client("acm", region_name=region, endpoint_url=endpoint)
        rest = boto3.client("apigateway", region_name=region, endpoint_url=endpoint)
        v2 = boto3.client("apigatewayv2", region_name=region, endpoint_url=endpoint)
        arns = [
            acm.request_certificate(DomainName=f"*.c{i}.{region}.example.com")["CertificateArn"]
            for i in range(per_region_certs)
        ]
        for i in range(per_region_domains):
            name = f"d{i}.c{i % per_region_certs}.{region}.example.com"
            arn = arns[i % per_region_certs]
            if i % 2:
                rest.create_domain_name(
                    domainName=name,
                    regionalCertificateArn=arn,
                    endpointConfiguration={"types": ["REGIONAL"]},
                )
            else:
                v2.create_domain_name(
                    DomainName=name,
                    DomainNameConfigurations=[{"CertificateArn": arn, "EndpointType": "REGIONAL"}],
                )


def run_once(regions: list[str], workers: int) -> tuple[float, dict, int, int]:
    from iaccert.live.runner import collect, evaluate
    from iaccert.live.session import CallCounter, Credentials, LiveOptions

    options = LiveOptions(regions=regions, max_workers=workers)
    counter = CallCounter()
    start = time.perf_counter()
    inventory = collect(Credentials(options, counter), options)
    result = evaluate(inventory, options)
    elapsed = time.perf_counter() - start
    assert not result.incomplete, result.incomplete
    return elapsed, dict(counter.calls), len(inventory.domains), len(result.findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--domains", type=int, default=500)
    parser.add_argument("--certificates", type=int, default=50)
    parser.add_argument("--regions", type=int, default=5)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, 50.0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.update(ENV)
    regions = REGIONS[: args.regions]

    moto, endpoint = start_moto()
    try:
        t0 = time.perf_counter()
        seed(endpoint, args.domains, args.certificates, regions)
        print(
            f"seeded {args.domains} domains, {args.certificates} certificates, "
            f"{len(regions)} regions in {time.perf_counter() - t0:.1f} s"
        )
        from live_support import Fault, FaultProxy

        rows = []
        for latency in args.latency_ms:
            with FaultProxy(endpoint) as proxy:
                if latency:
                    proxy.add(Fault("delay", delay=latency / 1000))
                os.environ["AWS_ENDPOINT_URL"] = proxy.endpoint
                run_once(regions, 1)  # warm-up: moto's per-region backends, botocore models
                for workers in (1, args.workers):
                    times = []
                    for _ in range(args.repeat):
                        elapsed, calls, found, findings = run_once(regions, workers)
                        times.append(elapsed)
                    rows.append((latency, workers, statistics.median(times), calls, found))
        print()
        print(
            "| latency/request | workers | wall time (median) | API calls | DescribeCertificate "
            "| calls per unique certificate | domains |"
        )
        print("|---|---|---|---|---|---|---|")
        for latency, workers, wall, calls, found in rows:
            describe = calls.get("acm:DescribeCertificate", 0)
            print(
                f"| {latency:.0f} ms | {workers} | {wall:.2f} s | {sum(calls.values())} | "
                f"{describe} | {describe / args.certificates:.2f} | {found} |"
            )
        print()
        print(
            "calls by operation (last run):",
            ", ".join(f"{k} {v}" for k, v in sorted(calls.items())),
        )
    finally:
        moto.terminate()
        moto.wait(timeout=10)


if __name__ == "__main__":
    main()
