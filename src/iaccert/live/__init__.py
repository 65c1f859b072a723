"""Live mode: what is deployed, read with boto3 (the ``live`` extra).

Nothing here is imported by a static scan: boto3 loads only for ``iaccert live`` and
``iaccert lint --live``.

  session.py    credentials (default chain, --profile, assume-role), clients, retries, rate limits
  calls.py      every call guarded: answers checked (body, shape), pages bounded, breaker, deadline
  inventory.py  domains (REST and v2), certificates (ACM, IAM server certificates), lookups
  checks.py     the live rules IAC201-IAC207 and IAC105 as deployed, over what inventory read
  faults.py     AWS errors -> "could not check" entries (never a pass)
  runner.py     iaccert live: accounts x regions on a bounded thread pool -> ScanResult
  resolve.py    iaccert lint --live: resolve what static analysis left as IAC109
"""
