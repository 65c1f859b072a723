"""Domain-name matching: wildcards cover exactly one label, names are case-insensitive."""

import pytest

from iaccert.names import covered_by_any, covers, plausible


@pytest.mark.parametrize(
    ("cert", "domain", "expected"),
    [
        ("api.example.com", "api.example.com", True),
        ("API.Example.com", "api.example.COM", True),
        ("api.example.com.", "api.example.com", True),
        ("*.example.com", "api.example.com", True),
        ("*.example.com", "a.b.example.com", False),
        ("*.example.com", "example.com", False),
        ("*.example.com", ".example.com", False),
        ("example.com", "api.example.com", False),
        ("*.bücher.example", "shop.xn--bcher-kva.example", True),
        ("", "api.example.com", False),
        ("*.example.com", "*.example.com", True),
        ("*.Example.com.", "*.example.COM", True),
        ("example.com", "*.example.com", False),
        ("*.example.com", "*.api.example.com", False),
        ("api.example.com", "*.example.com", False),
    ],
)
def test_covers(cert, domain, expected):
    assert covers(cert, domain) is expected


def test_apex_plus_wildcard_san_covers_both_levels_but_not_deeper():
    names = ["example.com", "*.example.com"]
    assert covered_by_any(names, "example.com")
    assert covered_by_any(names, "api.example.com")
    assert not covered_by_any(names, "v1.api.example.com")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("api.example.com", True), ("", False), ("api.", False), ("*.", False), ("localhost", False)],
)
def test_plausible_rejects_placeholders(name, expected):
    assert plausible(name) is expected
