"""The registry of condition functions: each is named by the condition of policies/bases.yaml it answers.

The loader (bases.parse_bases) refuses a catalogue condition with no function here and a function here that the
catalogue does not name, so the named conditions counsel reads and the Python that checks them cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

ConditionFn = Callable[..., bool]
F = TypeVar("F", bound=Callable[..., Any])

# Filled by @condition as the modules of this package are imported (app/policy/conditions/__init__.py imports all).
CONDITIONS: dict[str, ConditionFn] = {}


def condition(fn: F) -> F:
    """Register `fn` under its own name, which must be the name of a condition of bases.yaml."""
    if fn.__name__ in CONDITIONS:
        raise ValueError(f"condition {fn.__name__} is defined twice")
    CONDITIONS[fn.__name__] = fn
    return fn
