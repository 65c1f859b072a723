"""The compiled rule catalog (src/iaccert/compiled.py): the same data as the YAML, selectors
that find what jsonpath-ng finds, and a cache that is never served stale or malformed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonpath_ng import parse

from iaccert import compiled
from iaccert.compiled import compile_catalog, rules_dir


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A private cache and a catalog loaded anew, from a checkout's catalog: an installed
    wheel ships ``compiled.json`` beside the rules, which these tests leave out."""
    rules = tmp_path / "checkout-rules"
    shutil.copytree(rules_dir(), rules, ignore=shutil.ignore_patterns(compiled.PACKAGED_NAME))
    monkeypatch.setattr(compiled, "rules_dir", lambda: rules)
    monkeypatch.setattr(compiled, "cache_dir", tmp_path / "cache")
    monkeypatch.setattr(compiled, "_cache_dir_set", True)
    compiled.catalog.cache_clear()
    yield tmp_path
    compiled.catalog.cache_clear()


def test_documents_are_the_yaml_documents():
    data = compile_catalog(rules_dir())
    on_disk = sorted(p.relative_to(rules_dir()).as_posix() for p in rules_dir().rglob("*.yaml"))
    assert sorted(data["documents"]) == on_disk
    for name in on_disk:
        text = (rules_dir() / name).read_text("utf-8")
        assert data["documents"][name] == yaml.safe_load(text)
    # the compiled form is JSON and survives a round trip unchanged
    assert json.loads(json.dumps(data)) == data


def test_every_selector_of_the_catalog_is_compiled_to_steps():
    data = compile_catalog(rules_dir())
    assert len(data["selectors"]) >= 20
    assert "$.endpoint_configuration[*].types[*]" in data["selectors"]
    assert all(steps is not None for steps in data["selectors"].values())


def _values(names):
    leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3))
    keys = st.sampled_from([*names, "other"])
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=4)
        ),
        max_leaves=12,
    )


SELECTORS = sorted(compile_catalog(rules_dir())["selectors"]) + [
    "$.a[0].b",
    "$.a[-1]",
    "$.*.b",
    "$.a[*][*]",
]
NAMES = sorted(
    {
        name
        for selector in SELECTORS
        for step in compiled._compile_selector(selector, "test") or ()
        if step[0] == "fields"
        for name in step[1:]
    }
)


@settings(max_examples=300, deadline=None)
@given(selector=st.sampled_from(SELECTORS), data=_values(NAMES))
def test_steps_find_what_jsonpath_ng_finds(selector, data):
    steps = compiled._compile_selector(selector, "test")
    assert steps is not None
    values = [data]
    for step in steps:
        values = compiled._apply(step, values)
    assert values == [m.value for m in parse(selector).find(data)]


@settings(max_examples=300, deadline=None)
@given(selector=st.sampled_from(SELECTORS), data=_values(NAMES))
def test_steps_give_the_paths_jsonpath_ng_gives(selector, data):
    """A fact's path is how a front end keys its line: ``aliases[1]``, ``a.b``."""
    steps = compiled._compile_selector(selector, "test")
    want = [(m.value, compiled._jsonpath_text(m.full_path)) for m in parse(selector).find(data)]
    assert compiled.follow_paths(steps, data) == want


def test_a_selector_jsonpath_ng_rejects_fails_the_compile(tmp_path):
    shutil.copytree(rules_dir(), tmp_path / "rules")
    path = tmp_path / "rules" / "bindings.yaml"
    path.write_text(path.read_text("utf-8") + "\nbroken: {name: '$.a[[b'}\n", "utf-8")
    with pytest.raises(ValueError, match=r"rules/bindings.yaml: '\$\.a\[\[b'"):
        compile_catalog(tmp_path / "rules")


def test_a_selector_outside_the_chain_form_is_left_to_jsonpath_ng(fresh, monkeypatch):
    assert compiled._compile_selector("$..certificate_arn", "test") is None
    data = {"x": [{"certificate_arn": "a"}], "certificate_arn": "b"}
    assert sorted(compiled.find("$..certificate_arn", data)) == ["a", "b"]


def test_the_cache_entry_is_written_once_then_used(fresh, monkeypatch):
    first = compiled.catalog()
    entries = list((fresh / "cache").rglob("*.json"))
    assert len(entries) == 1 and entries[0].name == f"{first['digest']}.json"
    compiled.catalog.cache_clear()
    calls = []
    monkeypatch.setattr(compiled, "compile_catalog", lambda d: calls.append(d))
    assert compiled.catalog() == first and calls == []


@pytest.mark.parametrize(
    "tamper",
    [
        lambda data: {**data, "digest": "0" * 64},
        lambda data: {**data, "format": 999},
        lambda data: {**data, "selectors": {"$.a": [["eval", "x"]]}},
        lambda data: {**data, "selectors": {"$.a": [["index", "0"]]}},
        lambda data: [data],
        lambda data: {**data, "documents": {"bindings.yaml": {}}},
    ],
)
def test_a_wrong_or_foreign_cache_entry_is_compiled_again(fresh, tamper):
    good = compiled.catalog()
    (entry,) = (fresh / "cache").rglob("*.json")
    entry.write_text(json.dumps(tamper(good)))
    compiled.catalog.cache_clear()
    assert compiled.catalog() == good
    assert json.loads(entry.read_text()) == good  # rewritten


def test_an_edited_rule_is_never_served_from_an_older_compile(fresh, monkeypatch):
    rules = fresh / "rules"
    shutil.copytree(rules_dir(), rules)
    monkeypatch.setattr(compiled, "rules_dir", lambda: rules)
    before = compiled.catalog()
    path = rules / "IAC101.yaml"
    path.write_text(path.read_text("utf-8").replace("name:", "name: x-", 1), "utf-8")
    compiled.catalog.cache_clear()
    after = compiled.catalog()
    assert after["digest"] != before["digest"]
    assert after["documents"]["IAC101.yaml"]["name"].startswith("x-")


def test_a_stale_packaged_catalog_is_ignored(fresh, monkeypatch):
    rules = fresh / "rules"
    shutil.copytree(rules_dir(), rules)
    monkeypatch.setattr(compiled, "rules_dir", lambda: rules)
    packaged = compile_catalog(rules)
    packaged["documents"]["bindings.yaml"] = {"consumers": {}}
    (rules / compiled.PACKAGED_NAME).write_text(json.dumps(packaged))
    assert compiled.catalog()["documents"]["bindings.yaml"]["consumers"] == {}  # digest matches
    (rules / "bindings.yaml").write_text(
        (rules / "bindings.yaml").read_text("utf-8") + "\n# edited\n", "utf-8"
    )
    compiled.catalog.cache_clear()
    assert compiled.catalog()["documents"]["bindings.yaml"]["consumers"]


def test_a_warm_run_imports_neither_pyyaml_nor_jsonpath_ng(tmp_path):
    """Once compiled, loading the catalog and evaluating every selector is JSON only."""
    code = (
        "import sys\n"
        "from iaccert.catalog import rules\n"
        "from iaccert.roles import roles\n"
        "from iaccert.terraform.known_modules import find_model\n"
        "from iaccert.compiled import catalog\n"
        "from iaccert.compiled import find, find_paths\n"
        "rules(); roles(); find_model('terraform-aws-modules/acm/aws', '~> 5.0')\n"
        "for s in catalog()['selectors']: find(s, {}); find_paths(s, {})\n"
        "print(sorted(m for m in ('yaml', 'jsonpath_ng', 'ply') if m in sys.modules))\n"
    )
    env = {**os.environ, "IACCERT_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    if not (rules_dir() / compiled.PACKAGED_NAME).is_file():  # a checkout: the first compiles
        assert "yaml" in first.stdout
    else:  # an installed wheel: compiled at build time, nothing compiled at run time
        assert first.stdout.strip() == "[]"
    assert second.stdout.strip() == "[]"


@pytest.mark.e2e
def test_the_wheel_ships_the_compiled_catalog(tmp_path):
    """hatch_build.py puts rules/compiled.json in the wheel; installed, the catalog loads from it
    with no cache written and neither PyYAML nor jsonpath-ng imported."""
    import zipfile

    from snapshots import ROOT

    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if build.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {build.stderr[-300:]}")
    (wheel,) = tmp_path.glob("iaccert-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert "iaccert/rules/compiled.json" in archive.namelist()
        archive.extractall(tmp_path / "site")
    code = (
        "import sys\n"
        "from iaccert.compiled import catalog\n"
        "from iaccert.catalog import rules\n"
        "assert catalog()['documents'] and rules()\n"
        "print(sorted(m for m in ('yaml', 'jsonpath_ng') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    env["IACCERT_CACHE_DIR"] = str(tmp_path / "cache")
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
    assert not (tmp_path / "cache").exists()  # nothing compiled at run time
