"""POST /api/v1/disclosure-requests/{id}/replay: decide a request's stored facts again (issue 13, item 6; R-AUD).

Every decision the engine made for the request (at creation, and each re-decision that changed it) is decided again
from its stored facts twice: under the policy version in force when it was made, which must reproduce the stored
answer exactly, and under the current version or the one the auditor names, with every difference field by field.
Approvals and denials are people's acts, not the engine's: they are not replayed.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import append
from app.auth.principal import Principal
from app.db.artifacts import DecisionRecord
from app.domain import access, policy_versions
from app.domain.disclosures import repository
from app.domain.disclosures.gate import Gate, Policy
from app.errors import Conflict, NotFound, Unprocessable
from app.policy.diff import decision_differences
from app.policy.replay import decide_again, engine_for
from app.policy.table import PolicyError


def replay(session: Session, gate: Gate, caller: Principal, request_id: str,
           policy_version: str | None) -> dict[str, Any]:
    row = repository.get_in(session, access.scope_of(caller), request_id)
    if row is None:
        raise NotFound("No such disclosure request.")
    records = repository.decision_records(session, row.id)
    if not records:
        raise Conflict("This request was decided before decision facts were kept; it cannot be replayed.")
    chosen = gate.policy.version if policy_version is None else policy_version
    under = _policy(session, gate, chosen)
    if under is None:
        raise Unprocessable.at(["policy_version"], "no policy version of that name was ever loaded")
    # Each version in force is loaded once, however many of the request's decisions were made under it.
    then = {version: _policy(session, gate, version) for version in {r.policy_version for r in records}}
    decisions = [_replayed(record, then[record.policy_version], under) for record in records]
    reproduced = all(d["reproduced"] for d in decisions)
    append(session, "decision.replayed", actor_id=caller.id, student_id=row.student_id if row.in_record else None,
           request_id=row.id, district_id=row.district_id, data={
               "policy_version": chosen, "decisions": len(decisions), "reproduced": reproduced,
               "changed_under_policy_version": sum(1 for d in decisions if d["under"]["differences"])},
           policy_version=gate.policy.version)
    return {"request_id": row.id, "policy_version": chosen, "reproduced": reproduced, "decisions": decisions}


def _policy(session: Session, gate: Gate, version: str) -> Policy | None:
    if version == gate.policy.version:
        return gate.policy
    files = policy_versions.files_of(session, version)
    if files is None:
        return None
    try:
        return engine_for(version, files)
    except PolicyError as exc:  # written for an older release (a file or a key this one requires is missing)
        raise Conflict(f"Policy version {version} does not load in this release of Gatekeeper: {exc}") from exc


def _replayed(record: DecisionRecord, at_the_time: Policy | None, under: Policy) -> dict[str, Any]:
    stored = _plain(record.decision)
    if at_the_time is None:  # every loaded version is stored at start-up (policy_versions.keep_loaded)
        raise Conflict(f"The policy version in force for this decision ({record.policy_version}) is not stored.")
    again = _plain(decide_again(at_the_time.decide, record.facts))
    now = again if under is at_the_time else _plain(decide_again(under.decide, record.facts))
    return {
        "occasion": record.occasion, "decided_at": record.decided_at.isoformat(),
        "policy_version": record.policy_version, "stored": stored,
        "reproduced": again == stored, "differences": decision_differences(stored, again),
        "under": {"policy_version": under.version, "decision": now, "differences": decision_differences(stored, now)},
    }


def _plain(decision: dict[str, Any]) -> Any:
    """The JSON form a stored decision has after the database (tuples as lists, keys as strings)."""
    return json.loads(json.dumps(decision))
