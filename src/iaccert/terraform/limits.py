"""Budgets that bound the work and memory of evaluating one Terraform root module.

Why sizes as well as steps: a few lines of HCL can describe values of exponential size
(locals that double a string, ``concat`` of a list with itself, a list that holds the same
list twice, squaring a number), and one step of a function can build a string of any
length. So every value that evaluation builds is measured before it exists (the functions
that can amplify check the size of their result first) and charged to a budget per root.
A limit that is hit makes the value unknown with the reason; the root reports it once
as IAC001, by the limit's name, and the rest of the scan goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..model import Computed, Unknown

MAX_STEPS = 2_000_000  # expression evaluations per root module
MAX_ITEMS = 10_000  # elements in one list or map that evaluation builds
MAX_STRING_LENGTH = 1_000_000  # characters in one string
MAX_VALUE_SIZE = 1_000_000  # one value's size: characters plus elements, shared parts counted
MAX_TOTAL_SIZE = 20_000_000  # the sizes of all values built in one root module, added up
MAX_NUMBER_BITS = 512  # an integer's size (Terraform's numbers are 512-bit floats)

_REMEMBER = 32  # containers at least this large remember their size (walked only once)


class EvalError(Exception):
    """Terraform itself would fail here (wrong type, missing key, index out of range)."""


class LimitError(Exception):
    """A size budget would be exceeded: ``limit`` is its name (``max-string-length``…)."""

    def __init__(self, limit: str, detail: str):
        super().__init__(f"limit {limit} reached: {detail}")
        self.limit = limit


@dataclass(frozen=True)
class Limits:
    max_steps: int = MAX_STEPS
    max_items: int = MAX_ITEMS
    max_string_length: int = MAX_STRING_LENGTH
    max_value_size: int = MAX_VALUE_SIZE
    max_total_size: int = MAX_TOTAL_SIZE
    max_number_bits: int = MAX_NUMBER_BITS


class Budget:
    """Steps and sizes spent on one root module, and the limits that were hit."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits()
        self.steps = 0
        self.total = 0
        self.hits: dict[str, tuple[str, tuple | None]] = {}  # name -> (message, (file, line))
        self.where: tuple | None = None  # the attribute being evaluated: (file, line)
        # id -> (the container, kept alive so that its id stays its own; size; has unknowns)
        self._known: dict[int, tuple[Any, int, bool]] = {}

    # -- steps ---------------------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.limits.max_steps:
            raise EvalError("evaluation step limit reached")

    # -- checks before building ------------------------------------------------------------
    @contextmanager
    def at(self, file: str, line: int) -> Iterator[None]:
        """Limits hit meanwhile are reported at this attribute (the first that needed them)."""
        outer, self.where = self.where, (file, line)
        try:
            yield
        finally:
            self.where = outer

    def fail(self, limit: str, detail: str) -> LimitError:
        error = LimitError(limit, detail)
        self.hits.setdefault(limit, (str(error), self.where))
        return error

    def string(self, length: int, what: str) -> None:
        """Raise before a string of ``length`` characters is built, if it is too long."""
        if length > self.limits.max_string_length:
            raise self.fail(
                "max-string-length",
                f"{what} would be {length:,} characters long "
                f"(at most {self.limits.max_string_length:,})",
            )

    def items(self, count: int, what: str) -> None:
        """Raise before a collection of ``count`` elements is built, if it is too long."""
        if count > self.limits.max_items:
            raise self.fail(
                "max-items",
                f"{what} would have {count:,} elements (at most {self.limits.max_items:,})",
            )

    def number(self, value: Any, what: str) -> Any:
        if isinstance(value, int) and value.bit_length() > self.limits.max_number_bits:
            raise self.fail(
                "max-number-bits",
                f"{what} would be a number of {value.bit_length():,} bits "
                f"(at most {self.limits.max_number_bits})",
            )
        return value

    def number_bits(self, bits: int, what: str) -> None:
        if bits > self.limits.max_number_bits + 1:
            raise self.fail(
                "max-number-bits",
                f"{what} would be a number of about {bits:,} bits "
                f"(at most {self.limits.max_number_bits})",
            )

    # -- sizes -----------------------------------------------------------------------------
    def size(self, value: Any, cap: int | None = None) -> int:
        """Characters plus elements, a shared part counted every time it appears; the count
        stops a little past ``cap`` (so measuring is never more work than the limit)."""
        return self._measure(value, self.limits.max_value_size if cap is None else cap)[0]

    def has_unknown(self, value: Any) -> bool:
        """Whether an Unknown or Computed lies inside (remembered for large containers)."""
        if isinstance(value, Unknown | Computed):
            return True
        if not isinstance(value, list | dict | tuple):
            return False
        return self._measure(value, self.limits.max_value_size)[1]

    def _measure(self, value: Any, cap: int, depth: int = 0) -> tuple[int, bool]:
        if isinstance(value, str):
            return len(value) + 1, False
        if isinstance(value, Unknown | Computed):
            return 1, True
        if not isinstance(value, list | dict | tuple):
            return 1, False
        known = self._known.get(id(value))
        if known is not None and known[0] is value:
            return known[1], known[2]
        items = value.values() if isinstance(value, dict) else value
        total, unknown = 1 + len(value), False
        if depth > 60:
            return total, unknown
        for item in items:
            size, inner = self._measure(item, cap - total, depth + 1)
            total += size
            unknown = unknown or inner
            if total > cap:
                return total, unknown  # too large: not remembered, the caller refuses it
        if total >= _REMEMBER:
            self._known[id(value)] = (value, total, unknown)
        return total, unknown

    def built(self, value: Any, what: str) -> Any:
        """Charge a value that evaluation built (or hands to a resource) to the budget."""
        if not isinstance(value, str | list | dict):
            return value
        size = self.size(value)
        if isinstance(value, str):
            self.string(len(value), what)
        else:
            self.items(len(value), what)
        if size > self.limits.max_value_size and not isinstance(value, str):
            raise self.fail(
                "max-value-size",
                f"{what} would hold more than {self.limits.max_value_size:,} elements and "
                "characters (its parts counted as often as they appear)",
            )
        self.total += size
        if self.total > self.limits.max_total_size:
            raise self.fail(
                "max-total-size",
                f"the values built in this root module add up to more than "
                f"{self.limits.max_total_size:,} elements and characters",
            )
        return value
