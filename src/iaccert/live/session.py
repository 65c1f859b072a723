"""Credentials, sessions and clients, by the standard boto3 means and nothing of our own.

Credentials: the default chain (environment, shared files, SSO, container or instance role),
``--profile``, or STS AssumeRole into each account (``--role-arn`` with ``{account}`` or a role
name, ``--accounts``, ``--external-id``). Endpoints: whatever the standard configuration says
(``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_<SERVICE>``, ``endpoint_url`` in the profile);
iaccert never sets one, so pointing it at any AWS-compatible endpoint is configuration.

Every client uses the standard retry mode with an explicit total number of attempts and
explicit timeouts; ACM DescribeCertificate is rate-limited per account and region.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from ..safe_read import quote, read_named
from .calls import CallFault, Guard, check_body, guarded_call, pages
from .faults import register_secret

ACCOUNT_RE = re.compile(r"^\d{12}$")
SESSION_NAME = "iaccert-live"


class LiveUsageError(Exception):
    """A configuration problem the user must fix (exit 2), said in one line."""


@dataclass
class LiveOptions:
    profile: str | None = None
    regions: list[str] = field(default_factory=list)
    all_regions: bool = False
    role_arn: str | None = None  # an ARN (with {account} for several accounts) or a role name
    accounts: list[str] = field(default_factory=list)
    external_id: str | None = None
    expiry_days: int = 30
    upload_max_age_days: int = 395
    max_workers: int = 8
    acm_rps: float = 10.0  # DescribeCertificate calls per second, per account and region
    max_attempts: int = 5  # total attempts per call, first one included (standard retry mode)
    timeout: float = 10.0  # connect and read timeout per attempt, seconds
    deadline: float | None = None  # seconds for the whole run: no call starts after it
    breaker: int = 3  # consecutive timeouts in one account and region: the rest is not tried
    max_pages: int = 200  # pages per listing
    max_items: int = 100_000  # items per listing


ACCOUNTS_LIMIT = 1024 * 1024  # an accounts file: ids, one per line or comma separated


def parse_accounts(values: list[str]) -> list[str]:
    """Account ids from ``--accounts`` values: comma/space separated lists or files of them."""
    out: list[str] = []
    for value in values:
        text = value
        path = Path(value[1:] if value.startswith("@") else value)
        if value.startswith("@") or (not ACCOUNT_RE.match(value.strip()) and path.is_file()):
            try:  # a regular file of at most 1 MiB: a FIFO or a device never blocks the run
                text = read_named(path, ACCOUNTS_LIMIT).decode("utf-8")
            except UnicodeDecodeError:
                raise LiveUsageError(f"accounts file {quote(str(path))} is not UTF-8") from None
            except OSError as exc:
                why = exc.strerror or str(exc)
                raise LiveUsageError(
                    f"cannot read accounts file {quote(str(path))}: {why}"
                ) from None
            text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
        for item in re.split(r"[\s,]+", text):
            if not item:
                continue
            if not ACCOUNT_RE.match(item):
                raise LiveUsageError(f"not an AWS account id (12 digits): {quote(item)}")
            if item not in out:
                out.append(item)
    return out


class RateLimiter:
    """At most ``rate`` calls in any window of ``capacity / rate`` seconds, across threads."""

    def __init__(self, rate: float, clock=time.monotonic, sleep=time.sleep):
        self.capacity = max(1, int(rate))
        self.window = self.capacity / rate
        self._times: deque[float] = deque()
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def acquire(self) -> None:
        with self._lock:
            while True:
                now = self._clock()
                while self._times and now - self._times[0] >= self.window:
                    self._times.popleft()
                if len(self._times) < self.capacity:
                    self._times.append(now)
                    return
                self._sleep(self.window - (now - self._times[0]))


class CallCounter:
    """API calls made, by ``service:Operation`` (one per call, retries not counted)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def attach(self, client, service: str) -> None:
        def on_call(model, **_):
            with self._lock:
                self.calls[f"{service}:{model.name}"] += 1

        client.meta.events.register("before-call", on_call)

    @property
    def total(self) -> int:
        return sum(self.calls.values())


def client_config(options: LiveOptions):
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "total_max_attempts": max(1, options.max_attempts)},
        connect_timeout=options.timeout,
        read_timeout=options.timeout,
        max_pool_connections=max(10, options.max_workers),
    )


class Clients:
    """Every client of a run, made from one boto3 session (its service models load once).

    Accounts reached by AssumeRole get their own credentials per client; the profile's
    configuration (region, endpoint_url, ...) applies to all of them.
    """

    def __init__(self, session, config, counter: CallCounter, options: LiveOptions):
        self.session = session
        self._config = config
        self._counter = counter
        self._acm_rps = options.acm_rps
        self.options = options
        self.guard = Guard(options.deadline, options.breaker)
        self._cache: dict[tuple[str, str, str], object] = {}
        self._lock = threading.Lock()  # a boto3 session is not thread-safe; its clients are

    def get(self, account_id: str, credentials: dict | None, service: str, region: str):
        key = (account_id, service, region)
        with self._lock:
            found = self._cache.get(key)
            if found is None:
                found = self.session.client(
                    service, region_name=region, config=self._config, **(credentials or {})
                )
                self._counter.attach(found, service)
                found.meta.events.register("before-parse", check_body(service))
                if service == "acm":
                    limiter = RateLimiter(self._acm_rps)
                    found.meta.events.register(
                        "before-send.acm.DescribeCertificate", lambda **_: limiter.acquire()
                    )
                self._cache[key] = found
        return found


class Account:
    """One AWS account: its id and the credentials its clients use (None: the caller's own)."""

    def __init__(self, account_id: str, clients: Clients, credentials: dict | None = None):
        self.id = account_id
        self._clients = clients
        self._credentials = credentials

    def client(self, service: str, region: str):
        return self._clients.get(self.id, self._credentials, service, region)

    def call(self, service: str, region: str, method: str, **kwargs) -> dict:
        """One guarded call (calls.py): its answer has what the operation must return."""
        client = self.client(service, region)
        key = (self.id, region)
        return guarded_call(client, self._clients.guard, key, service, method, **kwargs)

    def pages(self, service: str, region: str, method: str, **kwargs):
        """The items of each page of a listing, bounded (calls.pages)."""
        client = self.client(service, region)
        operation = f"{service}:{client.meta.method_to_api_mapping[method]}"
        options = self._clients.options

        def one(**page_kwargs):
            return self.call(service, region, method, **page_kwargs)

        return pages(one, operation, options.max_pages, options.max_items, **kwargs)


class Credentials:
    """The base session and, on demand, one Account per account id (assuming roles once)."""

    def __init__(self, options: LiveOptions, counter: CallCounter | None = None):
        import boto3
        from botocore.exceptions import ProfileNotFound

        self.options = options
        self.counter = counter or CallCounter()
        self.config = client_config(options)
        try:
            self.base = boto3.Session(profile_name=options.profile)
        except ProfileNotFound as exc:
            raise LiveUsageError(str(exc)) from exc
        self._register_base_secrets()
        self.clients = Clients(self.base, self.config, self.counter, options)
        self._accounts: dict[str, Account] = {}
        self._default: Account | None = None
        self._lock = threading.Lock()
        self._account_locks: dict[str, threading.Lock] = {}
        if options.accounts and not options.role_arn:
            raise LiveUsageError("--accounts needs --role-arn: the role to assume in each account")

    def _register_base_secrets(self) -> None:
        creds = self.base.get_credentials()
        if creds is not None:
            frozen = creds.get_frozen_credentials()
            register_secret(frozen.secret_key, frozen.token)

    @property
    def default_region(self) -> str | None:
        return self.base.region_name

    def home_region(self) -> str:
        """A region for global calls (STS, IAM, EC2 DescribeRegions)."""
        return self.default_region or (self.options.regions or ["us-east-1"])[0]

    def partition(self) -> str:
        try:
            return self.base.get_partition_for_region(self.home_region())
        except Exception:  # noqa: BLE001 - an unknown region: the commercial partition
            return "aws"

    def default(self) -> Account:
        """The caller's own account (GetCallerIdentity needs no permission)."""
        from botocore.exceptions import NoCredentialsError

        with self._lock:
            if self._default is None:
                try:
                    identity = Account("", self.clients).call(
                        "sts", self.home_region(), "get_caller_identity"
                    )
                except NoCredentialsError as exc:
                    raise LiveUsageError(
                        "no AWS credentials found (environment, shared files, --profile, SSO "
                        "or an instance role)"
                    ) from exc
                if not ACCOUNT_RE.match(identity["Account"]):
                    raise CallFault(
                        "malformed",
                        "MalformedResponse",
                        "the answer to sts:GetCallerIdentity is damaged: Account is not an id",
                    )
                self._default = Account(identity["Account"], self.clients)
                self._accounts.setdefault(self._default.id, self._default)
            return self._default

    def role_for(self, account_id: str) -> str:
        role = self.options.role_arn or ""
        if "{account}" in role:
            return role.replace("{account}", account_id)
        if role.startswith("arn:"):
            return role
        return f"arn:{self.partition()}:iam::{account_id}:role/{role.strip('/')}"

    def targets(self) -> list[str]:
        """The account ids to inspect, in order (the caller's own without --role-arn)."""
        role = self.options.role_arn
        if not role:
            return [self.default().id]
        if self.options.accounts:
            if (
                role.startswith("arn:")
                and "{account}" not in role
                and len(self.options.accounts) > 1
            ):
                raise LiveUsageError(
                    "--role-arn must contain {account}, or be a role name, to be assumed in "
                    "several accounts"
                )
            return list(self.options.accounts)
        if not role.startswith("arn:") or "{account}" in role:
            raise LiveUsageError(
                "--role-arn without --accounts must be a full role ARN (the account is in it)"
            )
        account = role.split(":")[4] if len(role.split(":")) > 4 else ""
        if not ACCOUNT_RE.match(account):
            raise LiveUsageError(f"--role-arn is not a role ARN: {role!r}")
        return [account]

    def account(self, account_id: str) -> Account:
        """The session for an account: assumed once through the role, or the caller's own."""
        with self._lock:
            found = self._accounts.get(account_id)
            if found is not None:
                return found
            lock = self._account_locks.setdefault(account_id, threading.Lock())
        with lock:
            with self._lock:
                found = self._accounts.get(account_id)
            if found is not None:
                return found
            if not self.options.role_arn:
                found = self.default()
                if found.id != account_id:
                    found = Account(account_id, self.clients)
            else:
                found = self._assume(account_id)
            with self._lock:
                self._accounts[account_id] = found
            return found

    def _assume(self, account_id: str) -> Account:
        """AssumeRole into the account; faults propagate to the caller as boto errors."""
        kwargs = {"RoleArn": self.role_for(account_id), "RoleSessionName": SESSION_NAME}
        if self.options.external_id:
            kwargs["ExternalId"] = self.options.external_id
        sts = Account("", self.clients)
        answer = sts.call("sts", self.home_region(), "assume_role", **kwargs)
        creds = answer["Credentials"]
        register_secret(creds["SecretAccessKey"], creds["SessionToken"])
        assumed = answer["AssumedRoleUser"]["Arn"].split(":")
        if len(assumed) < 5 or assumed[4] != account_id:
            raise CallFault(
                "malformed",
                "MalformedResponse",
                "the answer to sts:AssumeRole is for another account than the role's",
            )
        credentials = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }
        return Account(account_id, self.clients, credentials)

    def regions(self, account: Account) -> list[str]:
        """--region values, else the enabled regions (--all-regions), else the default one."""
        if self.options.regions:
            return list(dict.fromkeys(self.options.regions))
        if self.options.all_regions:
            answer = account.call("ec2", self.home_region(), "describe_regions", AllRegions=False)
            found = answer["Regions"]
            return sorted(
                r["RegionName"]
                for r in found
                if r.get("OptInStatus", "opt-in-not-required") != "not-opted-in"
            )
        self.require_region()
        return [self.default_region]

    def require_region(self) -> None:
        """A usage error, before any call, when no option or configuration names a region."""
        if not (self.options.regions or self.options.all_regions or self.default_region):
            raise LiveUsageError(
                "no region: pass --region (repeatable) or --all-regions, or set AWS_REGION"
            )
