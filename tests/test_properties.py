"""Property tests (hypothesis): the name matcher, the evaluator and the HCL loaders."""

from __future__ import annotations

import contextlib
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaccert.model import Computed, Unknown
from iaccert.names import covers, normalise
from iaccert.terraform.hcl import ParseError, load_hcl
from iaccert.terraform.project import ConfigLoader, RootAnalysis, TfOptions
from iaccert.terraform.tfjson import load_tfjson

LABEL = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=12)
NAME = st.lists(LABEL, min_size=2, max_size=5).map(".".join)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(NAME)
def test_a_name_covers_itself_in_any_case_and_with_a_trailing_dot(name):
    assert covers(name, name)
    assert covers(name.upper(), name + ".")


@SETTINGS
@given(LABEL, NAME)
def test_wildcard_covers_exactly_one_label(label, base):
    assert covers(f"*.{base}", f"{label}.{base}")
    assert not covers(f"*.{base}", base)
    assert not covers(f"*.{base}", f"{label}.{label}.{base}")


@SETTINGS
@given(NAME, NAME)
def test_covers_is_case_insensitive(a, b):
    assert covers(a, b) == covers(a.upper(), b.title())


@SETTINGS
@given(st.text(max_size=40))
def test_normalise_never_raises(text):
    assert isinstance(normalise(text), str)


# -- the evaluator ------------------------------------------------------------------------
ATOMS = st.one_of(
    st.integers(-5, 5).map(str),
    st.sampled_from(
        [
            '"a"',
            '"b.c"',
            "true",
            "false",
            "null",
            "var.v",
            "local.l",
            "var.missing",
            "aws_acm_certificate.c.arn",
            "aws_acm_certificate.c.domain_name",
            "each.key",
            "count.index",
            "[]",
            "{}",
        ]
    ),
)
FUNCTIONS = [
    "upper",
    "lower",
    "join",
    "split",
    "coalesce",
    "concat",
    "merge",
    "length",
    "one",
    "toset",
    "tolist",
    "keys",
    "values",
    "element",
    "lookup",
    "try",
    "can",
    "format",
    "replace",
    "trimsuffix",
    "sha256",
    "file",
]


def _expressions(children):
    return st.one_of(
        st.tuples(st.sampled_from(FUNCTIONS), st.lists(children, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
        st.lists(children, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.tuples(children, children, children).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
        st.tuples(children, st.sampled_from(["+", "==", "&&", "<", "%"]), children).map(" ".join),
        children.map(lambda c: f"[for x in {c} : x]"),
        children.map(lambda c: f"{c}[0]"),
        children.map(lambda c: f'"${{{c}}}-x"'),
        children.map(lambda c: f"{c}[*].arn"),
    )


EXPRESSIONS = st.recursive(ATOMS, _expressions, max_leaves=12)


@SETTINGS
@given(EXPRESSIONS)
def test_evaluation_never_raises(tmp_path_factory, expression):
    directory = tmp_path_factory.mktemp("eval")
    (directory / "main.tf").write_text(
        'variable "v" {\n  default = ["x"]\n}\nvariable "missing" {}\n'
        "locals {\n  l = {a = 1}\n  x = " + expression + "\n}\n"
        'resource "aws_acm_certificate" "c" {\n  domain_name = "d.example.com"\n}\n'
    )
    try:
        analysis = RootAnalysis(directory, ConfigLoader(str), TfOptions(environ={}))
        parsed = _expr(expression)
    except ParseError:
        return  # the generator can write HCL that does not parse; that is fine
    value = analysis.ev.eval(parsed, analysis.root.scope)
    allowed = (str, int, float, bool, list, dict, Unknown, Computed, type(None))
    assert isinstance(value, allowed) or type(value).__name__ in ("ResourceObj", "Namespace")
    analysis.resources()


def _expr(text):
    from iaccert.terraform.templates import parse_expression

    return parse_expression(text)


# -- the loaders --------------------------------------------------------------------------
@SETTINGS
@given(st.text(max_size=300))
def test_hcl_loader_raises_only_parse_errors(text):
    with contextlib.suppress(ParseError):
        load_hcl(text, "fuzz.tf")


@SETTINGS
@given(st.text(max_size=300))
def test_tfjson_loader_raises_only_parse_errors(text):
    with contextlib.suppress(ParseError):
        load_tfjson(text, "fuzz.tf.json")
