"""`make run`'s first walk through the pages, on the demo district that `gatekeeper demo` creates: the SRO asks,
the principal approves, the parent reads the record, the auditor sees the log."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from app.demo.command import build_demo
from app.main import create_app
from tests.factories import make_settings
from tests.web.conftest import csrf_of, post_form, sign_in


def test_the_demo_walk_through(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(db_url, tmp_path, demo=True)
    build_demo(settings)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        page = client.get("/signin")
        for user in ("demo-sro", "demo-principal", "demo-parent", "demo-auditor", "demo-admin"):
            assert f'value="{user}"' in page.text
        sign_in(client, "demo-sro")
        asked = post_form(client, "/requests/new/form", "/requests/new/form", {
            "student_id": "demo-st-001", "purpose": "LE_RESPONSE", "incident_id": "INC-DEMO-1",
            "fields": ["name", "class_schedule"]})
        assert asked.status_code == 200, asked.text[:500]  # type: ignore[attr-defined]
        request_id = re.search(r'href="/requests/(req_[^"]+)"', asked.text).group(1)  # type: ignore[attr-defined,union-attr]

        sign_in(client, "demo-principal")
        assert request_id in client.get("/queue").text
        page = client.get(f"/requests/{request_id}")
        done = client.post(f"/requests/{request_id}/approve",
                           data={"fields": ["name", "class_schedule"], "csrf_token": csrf_of(page.text)})
        assert done.status_code == 200 and "The approval was recorded." in done.text

        sign_in(client, "demo-parent")
        record = client.get("/record")
        assert record.status_code == 200 and "Class schedule" in record.text
        sign_in(client, "demo-auditor")
        assert client.get("/audit", params={"searched": "1", "request_id": request_id}).status_code == 200
        sign_in(client, "demo-admin")
        assert "Harborview Public Schools (demo)" in client.get("/admin").text
