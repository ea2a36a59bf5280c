"""The named conditions of policies/bases.yaml as pure, typed functions over the decision facts (issue 13).

One function per condition, named as the catalogue names it and registered in CONDITIONS; the resolvers of
app/policy/ ask these functions rather than restating a check. Where a resolver must also say which rule failed
(its reason), the module has a `*_failure` function returning that rule id (None: it holds) and the condition is
exactly "the failure is None"; where it reports parts of a condition apart (an opt-out, a field the report does not
list), the parts are plain functions beside it and the condition is built from them. Every function is pure: no
database, no clock of its own (the caller passes `now`).
"""

from __future__ import annotations

# Importing each module registers its conditions.
import app.policy.conditions.consent
import app.policy.conditions.directory
import app.policy.conditions.emergency
import app.policy.conditions.orders
import app.policy.conditions.parties
import app.policy.conditions.purpose
import app.policy.conditions.reports  # noqa: F401
from app.policy.conditions.registry import CONDITIONS, ConditionFn

__all__ = ["CONDITIONS", "ConditionFn"]
