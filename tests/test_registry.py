"""The rule registry: one rule that fails on one consumer is reported, never a traceback,
and every other rule still runs (static and live)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from iaccert import registry
from iaccert.scan import scan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _broken(rule_id: str, monkeypatch) -> None:
    def boom(facts):
        raise KeyError("a value the rule did not expect")

    entry = registry.registered()[rule_id]
    monkeypatch.setitem(registry.RULES, rule_id, replace(entry, fn=boom))


def test_a_static_rule_that_fails_is_iac000_for_its_consumer_and_the_others_run(monkeypatch):
    before = scan([FIXTURES / "tf_iac101_email"], policy=None)
    assert [f.rule.id for f in before.findings] == ["IAC101"]
    _broken("IAC106", monkeypatch)
    after = scan([FIXTURES / "tf_iac101_email"], policy=None)
    assert sorted(f.rule.id for f in after.findings) == ["IAC000", "IAC101"]
    [failed] = [f for f in after.findings if f.rule.id == "IAC000"]
    assert "rule IAC106 could not check domain" in failed.message
    assert "KeyError" in failed.message and "did not expect" not in failed.message
    assert after.domains_in("checked") == 0  # not a pass: the consumer was not fully checked


def test_a_live_rule_that_fails_is_could_not_check(monkeypatch):
    from iaccert.live.inventory import CertRef, CertResult, LiveDomain
    from iaccert.live.runner import Inventory, evaluate
    from iaccert.live.session import LiveOptions

    arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    d = LiveDomain("123456789012", "us-east-1", "api.example.com")
    d.certificates.append(CertRef("certificateArn", arn, "EDGE", "us-east-1"))
    info = {"DomainName": "api.example.com", "Status": "PENDING_VALIDATION"}
    info["Type"] = "AMAZON_ISSUED"
    inv = Inventory(domains=[d])
    inv.certificates[(d.account, arn)] = CertResult(arn, info=info)
    now = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    _broken("IAC204", monkeypatch)
    result = evaluate(inv, LiveOptions(), now)
    assert [f.rule.id for f in result.findings] == ["IAC201"]
    [fault] = result.incomplete
    assert (fault.operation, fault.code, fault.certificate) == ("IAC204", "KeyError", arn)
