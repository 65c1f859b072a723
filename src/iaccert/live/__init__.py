"""Live mode: what is deployed, read with boto3 (the ``live`` extra).

Nothing that needs boto3 is imported by a static scan: boto3 loads only for ``iaccert live``
and ``iaccert lint --live``. The live rules (checks.py, plain functions over facts) are
registered with the static ones and skipped by a static scan, which has none of their facts.

  session.py    credentials (default chain, --profile, assume-role), clients, retries, rate limits
  calls.py      every call guarded: answers checked (body, shape), pages bounded, breaker, deadline
  inventory.py  consumers (API Gateway REST and v2 domains, CloudFront, ELBv2 listeners), every
                ACM certificate, IAM server certificates, lookups
  checks.py     the live rules IAC201-IAC208, over the deployed facts (src/iaccert/facts.py)
  faults.py     AWS errors -> "could not check" entries (never a pass)
  runner.py     iaccert live: accounts x regions on a bounded thread pool -> ScanResult
  resolve.py    iaccert lint --live: the deployed facts of the certificates the code names
"""
