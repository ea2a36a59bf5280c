"""POST /api/v1/disclosure-requests/{id}/replay (issue 13, item 6): a request's decisions, decided again from their
kept facts, under the policy in force then and under another stored version; refusals; no student value kept."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from app.db.artifacts import DecisionRecord
from app.domain import policy_versions
from app.policy.engine import PolicyEngine
from app.policy.version import policy_version
from tests.factories import PROJECT, audit_events, auth
from tests.harbor import EMERGENCY, USERS, VALUES, outcomes, request_body
from tests.walls import load_dover


def _replay(client: TestClient, request_id: str, by: str = "aud-1", **body: Any) -> Any:
    return client.post(f"/api/v1/disclosure-requests/{request_id}/replay", json=body or None, headers=auth(by))


def _approved_request(harbor: TestClient) -> str:
    """An SRO's request, some of it pending, then approved by the principal: two decisions, both kept."""
    created = harbor.post("/api/v1/disclosure-requests", json=request_body(), headers=auth("sro-1"))
    assert created.status_code == 201, created.text
    assert "PENDING" in {outcome for outcome, _ in outcomes(created.json()).values()}
    request_id = str(created.json()["id"])
    approved = harbor.post(f"/api/v1/disclosure-requests/{request_id}/approve", headers=auth("prin-1"))
    assert approved.status_code == 200, approved.text
    return request_id


def test_each_decision_of_a_request_is_reproduced_under_its_policy_and_the_replay_is_audited(
        harbor: TestClient) -> None:
    request_id = _approved_request(harbor)
    resp = _replay(harbor, request_id)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    current = harbor.get("/api/v1/policy", headers=auth("aud-1")).json()["version"]
    assert body["reproduced"] is True and body["policy_version"] == current
    assert [d["occasion"] for d in body["decisions"]] == ["created", "approved"]
    for decision in body["decisions"]:
        assert decision["reproduced"] is True and decision["differences"] == []
        assert decision["policy_version"] == current
        assert decision["under"] == {"policy_version": current, "decision": decision["stored"], "differences": []}
    created = body["decisions"][0]["stored"]
    assert {f["field"]: f["outcome"] for f in created["fields"]} == {
        f: o for f, (o, _) in outcomes(harbor.post("/api/v1/disclosure-requests", json=request_body(),
                                                   headers=auth("sro-1")).json()).items()}
    replayed = audit_events(harbor, type="decision.replayed")
    assert [(e["request_id"], e["actor_id"]) for e in replayed] == [(request_id, "aud-1")]
    assert replayed[0]["data"]["reproduced"] is True and replayed[0]["data"]["decisions"] == 2


def test_a_replay_under_another_stored_version_names_each_changed_field(harbor: TestClient, tmp_path: Path) -> None:
    request_id = _approved_request(harbor)
    changed = tmp_path / "policies"
    shutil.copytree(PROJECT / "policies", changed)
    purposes = yaml.safe_load((changed / "purposes.yaml").read_text(encoding="utf-8"))
    purposes["relevance"]["LE_RESPONSE"]["fields"].remove("class_schedule")
    (changed / "purposes.yaml").write_text(yaml.safe_dump(purposes), encoding="utf-8")
    version = PolicyEngine.load(changed).version
    policy_versions.keep_loaded(harbor.app.state.session_factory, changed, version)  # type: ignore[attr-defined]

    body = _replay(harbor, request_id, policy_version=version).json()
    assert body["policy_version"] == version and body["reproduced"] is True
    first = body["decisions"][0]
    assert first["differences"] == [] and first["under"]["policy_version"] == version
    fields = [d for d in first["under"]["differences"] if d["what"] == "field"]
    assert [d["field"] for d in fields] == ["class_schedule"]
    assert fields[0]["before"]["outcome"] != "WITHHOLD"
    assert fields[0]["after"]["outcome"] == "WITHHOLD" and fields[0]["after"]["reason"] == "W_NOT_RELEVANT"


def test_replay_refusals(harbor: TestClient, tmp_path: Path) -> None:
    request_id = _approved_request(harbor)
    load_dover(harbor)
    assert _replay(harbor, request_id, by="sro-1").status_code == 403
    assert _replay(harbor, request_id, by="prin-1").status_code == 403
    assert _replay(harbor, request_id, by="aud-2").status_code == 404  # another district's: as if missing
    assert _replay(harbor, "req-missing").status_code == 404
    assert _replay(harbor, request_id, by="adm-2").status_code == 404
    assert _replay(harbor, request_id, by="adm-1").status_code == 200
    for bad in ("md5:abc", "sha256:" + "0" * 63, 7):
        resp = _replay(harbor, request_id, policy_version=bad)
        assert resp.status_code == 422, (bad, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")
    never_loaded = _replay(harbor, request_id, policy_version="sha256:" + "0" * 64)
    assert never_loaded.status_code == 422 and "policy_version" in never_loaded.text
    # A version stored by an older release that this one cannot load (here: no rules.yaml) is a 409, not a 500.
    older = tmp_path / "older"
    shutil.copytree(PROJECT / "policies", older)
    (older / "rules.yaml").unlink()
    old_version = policy_version(older)
    policy_versions.keep_loaded(harbor.app.state.session_factory, older, old_version)  # type: ignore[attr-defined]
    unloadable = _replay(harbor, request_id, policy_version=old_version)
    assert unloadable.status_code == 409 and "rules.yaml" in unloadable.text
    # A request decided before decision facts were kept (migration 0005) cannot be replayed.
    with harbor.app.state.session_factory() as session:  # type: ignore[attr-defined]
        session.execute(delete(DecisionRecord).where(DecisionRecord.request_id == request_id))
        session.commit()
    assert _replay(harbor, request_id).status_code == 409


def test_kept_facts_hold_no_student_value_name_or_threat(harbor: TestClient) -> None:
    emergency = harbor.post("/api/v1/emergencies", json=EMERGENCY, headers=auth("prin-1"))
    assert emergency.status_code == 201, emergency.text
    asked = harbor.post("/api/v1/disclosure-requests", headers=auth("sro-1"), json=request_body(
        purpose="EMERGENCY", emergency_id=emergency.json()["id"], fields=["name", "photo"]))
    assert asked.status_code == 201, asked.text
    _approved_request(harbor)
    with harbor.app.state.session_factory() as session:  # type: ignore[attr-defined]
        kept = [str(facts) for facts in session.scalars(select(DecisionRecord.facts))]
    assert len(kept) == 3
    secrets = [*VALUES.values(), EMERGENCY["threat"], "2009-06-14", *(u["name"] for u in USERS.values())]
    assert [(s, i) for i, facts in enumerate(kept) for s in secrets if s in facts] == []
