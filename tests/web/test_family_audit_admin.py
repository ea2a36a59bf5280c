"""The parent's record of disclosures (in three languages), the auditor's pages and the admin's overview."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.factories import audit_events, auth
from tests.harbor import ORDER, VALUES, request_body
from tests.web.conftest import csrf_of, sign_in


def _sealed_and_open_requests(client: TestClient) -> tuple[str, str]:
    opened = client.post("/api/v1/disclosure-requests", json=request_body(fields=["name", "religion"]),
                         headers=auth("sro-1"))
    assert opened.status_code == 201, opened.text
    assert {f["field"]: f.get("reason") for f in opened.json()["fields"]}["religion"] == "W_37L"
    order = client.post("/api/v1/legal-orders", json={**ORDER, "non_disclosure_order": True}, headers=auth("admin"))
    assert order.status_code == 201, order.text
    sealed = client.post("/api/v1/disclosure-requests", json={
        "student_id": "st-a", "purpose": "COURT_ORDER", "fields": ["attendance_detail"],
        "legal_order_id": order.json()["id"]}, headers=auth("det-1"))
    assert sealed.status_code == 201, sealed.text
    return opened.json()["id"], sealed.json()["id"]


def test_parent_reads_the_record_in_spanish_without_the_sealed_entry(pages: TestClient) -> None:
    opened, sealed = _sealed_and_open_requests(pages)
    sign_in(pages, "parent-ana")
    start = pages.get("/record", follow_redirects=False)
    assert start.status_code == 303 and start.headers["location"] == "/record/st-a"
    page = pages.get("/record/st-a")
    form = csrf_of(page.text)
    pages.post("/language", data={"lang": "es", "back": "/record/st-a", "csrf_token": form})
    page = pages.get("/record/st-a")
    assert page.status_code == 200 and '<html lang="es">' in page.text
    assert "Registro de divulgaciones" in page.text
    assert "La ley de Massachusetts (c.71 §37L) protege esta información de la policía." in page.text
    assert "Officer Reyes" in page.text
    assert opened not in page.text and sealed not in page.text  # request ids are not shown to families
    assert page.text.count('class="entry"') == 1  # the sealed entry is not there
    assert "<strong>Religión</strong>" in page.text and "Detalles de asistencia" not in page.text
    for value in VALUES.values():
        assert value not in page.text
    viewed = audit_events(pages, type="record.viewed", student_id="st-a")
    assert viewed and viewed[-1]["data"]["view"] == "family"
    # Portuguese too, and another family's child is refused like the API refuses it.
    pages.post("/language", data={"lang": "pt", "back": "/", "csrf_token": csrf_of(page.text)})
    assert "Registro de divulgações" in pages.get("/record/st-a").text
    refused = pages.get("/record/v-1")
    assert refused.status_code == 403
    # ...in the family's language (app/web/refusals.py)
    assert "Você não pode ler o registro de divulgações deste estudante." in refused.text


def test_auditor_searches_reads_an_entry_verifies_and_exports(pages: TestClient) -> None:
    _sealed_and_open_requests(pages)
    sign_in(pages, "aud-1")
    before = len(audit_events(pages, type="audit.queried"))
    found = pages.get("/audit", params={"searched": "1", "student_id": "st-a", "type": "request.decided"})
    assert found.status_code == 200
    seqs = re.findall(r'href="/audit/entries/(\d+)"', found.text)
    assert seqs
    entry = pages.get(f"/audit/entries/{seqs[0]}")
    assert entry.status_code == 200 and "request.decided" in entry.text
    queried = audit_events(pages, type="audit.queried")
    assert len(queried) >= before + 2
    assert queried[-2]["data"]["filters"]["student_id"] == "st-a"
    assert "The log is intact" in pages.get("/audit/verify", params={"run": "1"}).text
    export = pages.get("/audit/export", params={"format": "csv"})
    assert export.status_code == 200 and export.text.startswith("seq,")
    bad = pages.get("/audit", params={"searched": "1", "since": "yesterday"})
    assert bad.status_code == 400 and "UTC offset" in bad.text or "date and time" in bad.text
    # Signing a checkpoint is the admin's, as in the API.
    page = pages.get("/audit/checkpoints")
    assert "Make a checkpoint now" not in page.text
    refused = pages.post("/audit/checkpoints", data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 403


def test_admin_sees_the_district_and_disables_a_user(pages: TestClient) -> None:
    sign_in(pages, "admin")
    page = pages.get("/admin")
    assert page.status_code == 200
    assert "Harbor Regional" in page.text and "Harbor High" in page.text
    assert pages.app.state.policy_version in page.text  # type: ignore[attr-defined]
    resp = pages.post("/admin/users/t-1/disable", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert resp.status_code == 303
    assert "The account was disabled." in pages.get(resp.headers["location"]).text
    assert audit_events(pages, by="admin", type="user.disabled")
    checkpoints = pages.get("/audit/checkpoints")
    made = pages.post("/audit/checkpoints", data={"csrf_token": csrf_of(checkpoints.text)}, follow_redirects=False)
    assert made.status_code == 303
    listed = pages.get(made.headers["location"])
    seq = re.search(r'href="/audit/checkpoints/(\d+)\.json"', listed.text)
    assert seq
    download = pages.get(f"/audit/checkpoints/{seq.group(1)}.json")
    assert download.status_code == 200 and '"signature"' in download.text


def test_roles_without_the_page_are_refused_and_audited(pages: TestClient) -> None:
    sign_in(pages, "sro-1")
    assert pages.get("/admin").status_code == 403
    assert pages.get("/audit").status_code == 403
    assert pages.get("/queue").status_code == 403
    forbidden = audit_events(pages, type="access.forbidden", actor_id="sro-1")
    assert len(forbidden) >= 3


def test_audit_search_pages_through_the_log(pages: TestClient) -> None:
    for _ in range(8):
        _sealed_and_open_requests(pages)
    sign_in(pages, "aud-1")
    first = pages.get("/audit", params={"searched": "1"})
    seqs = [int(s) for s in re.findall(r'href="/audit/entries/(\d+)"', first.text)]
    assert len(seqs) == 50
    more = re.search(r'href="(/audit\?[^"]*cursor=[^"]+)"', first.text)
    assert more, "no next page link"
    second = pages.get(more.group(1).replace("&amp;", "&"))
    later = [int(s) for s in re.findall(r'href="/audit/entries/(\d+)"', second.text)]
    assert later and min(later) > max(seqs)
