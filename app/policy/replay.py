"""Deciding a stored decision's facts again, under the policy version in force then or another one (issue 13).

A stored version is its files (app/policy/version.py); it is loaded the way the service loads its own directory,
from a private temporary copy, and checked to hash to the version it is stored under. The few versions an auditor
replays under are kept loaded: they are policy, never student data.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from app.policy.engine import PolicyEngine
from app.policy.facts import DecisionContext
from app.policy.snapshot import restore
from app.policy.table import PolicyError
from app.policy.types import Decision

KEEP_LOADED = 4

_LOADED: OrderedDict[str, PolicyEngine] = OrderedDict()
_LOCK = threading.Lock()


def engine_for(version: str, files: Mapping[str, str]) -> PolicyEngine:
    """The stored policy `version`, loaded. Raises PolicyError if its files do not load or hash to another version."""
    with _LOCK:
        if version in _LOADED:
            _LOADED.move_to_end(version)
            return _LOADED[version]
    with tempfile.TemporaryDirectory(prefix="gatekeeper-policy-") as tmp:
        root = Path(tmp)
        for name, text in files.items():
            path = (root / name).resolve()
            if not path.is_relative_to(root.resolve()):
                raise PolicyError(f"stored policy {version} names a file outside its directory: {name}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        engine = PolicyEngine.load(root)
    if engine.version != version:
        raise PolicyError(f"the stored content of policy {version} hashes to {engine.version}")
    with _LOCK:
        _LOADED[version] = engine
        while len(_LOADED) > KEEP_LOADED:
            _LOADED.popitem(last=False)
    return engine


def decide_again(decide: Callable[[DecisionContext], Decision], facts: dict[str, Any]) -> dict[str, Any]:
    """The decision JSON a policy's `decide` gives on stored facts (app/policy/snapshot.py)."""
    return decide(restore(facts)).to_json()
