"""Bad input against a real `gatekeeper serve` process, and no student value in its logs (issue 12 items 5 and 6).

One server per database: the Harbor district is loaded with distinctive values, then the bad bodies and query
strings of test_bad_input.py, a chunked body over 1 MiB (413, not FastAPI's 400), 401 and 403 refusals on paths the
audit guard would not take as sent (audited with the route's template, not a 500), and rounds of eight concurrent
PUTs creating and updating one student (one 201, the rest 200, never a duplicate-key 500). Then the server is
stopped and its stdout and stderr are scanned for every value and date of birth it was sent: zero hits.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.test_bad_input import BAD_BODIES, BAD_DOB, BAD_QUERIES, NEVER_ECHOED
from tests.factories import PROJECT, SECRET, audit_events, auth
from tests.harbor import HARBOR_DISTRICT, NOW, VALUES, load_harbor, request_body

GK = str(PROJECT / ".venv" / "bin" / "gatekeeper")
LOADED_DOBS = ["2009-06-14", "2009-02-11"]  # st-a and v-1 in tests/harbor.py
ROUNDS = 3
WRITERS = 8


@dataclass
class Server:
    base: str
    proc: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def stop(self) -> str:
        """SIGTERM to the process group; everything the server wrote to stdout and stderr."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in (self.stdout, self.stderr))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[Server]:
    env = {**os.environ, "GATEKEEPER_DATABASE_URL": db_url, "GATEKEEPER_ENV": "test", "GATEKEEPER_JWT_SECRET": SECRET,
           "GATEKEEPER_CLOCK_START": NOW, "GATEKEEPER_SIGNING_KEY_FILE": str(tmp_path / "signing.pem"),
           "GATEKEEPER_DIGEST_KEY_FILE": str(tmp_path / "digest.key"),
           "GATEKEEPER_POLICY_DIR": str(PROJECT / "policies")}
    added = subprocess.run([GK, "user", "add", "admin", "--role", "admin"], env=env, capture_output=True, text=True,
                           timeout=120, check=False)
    assert added.returncode == 0, added.stderr[-2000:]
    out, err, port = tmp_path / "stdout.log", tmp_path / "stderr.log", _free_port()
    with out.open("wb") as out_file, err.open("wb") as err_file:
        proc = subprocess.Popen([GK, "serve", "--port", str(port)], env=env, start_new_session=True,
                                stdout=out_file, stderr=err_file)
    srv = Server(f"http://127.0.0.1:{port}", proc, out, err)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(srv.base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, srv.stop()[-2000:]
            time.sleep(0.1)
        with httpx.Client(base_url=srv.base, timeout=30) as client:
            load_harbor(client)  # type: ignore[arg-type]  # the same put() as TestClient
        yield srv
    finally:
        srv.stop()


def _problem(resp: httpx.Response, status: int, case: str) -> None:
    assert resp.status_code == status, (case, resp.status_code, resp.text[:300])
    assert resp.headers["content-type"].startswith("application/problem+json"), case
    for value in NEVER_ECHOED:
        assert value not in resp.text, (case, value)


def _bad_input(client: httpx.Client) -> None:
    for case, method, path, user, body in BAD_BODIES:
        _problem(client.request(method, path, json=body, headers=auth(user)), 422, case)
    for case, query, user, status in BAD_QUERIES:
        _problem(client.get(query, headers=auth(user)), status, case)
    assert client.get("/api/v1/students/st-bad", headers=auth("admin")).status_code == 404


def _chunked(client: httpx.Client) -> None:
    def chunks(total: int) -> Iterator[bytes]:
        sent = 0
        while sent < total:
            piece = b" " * min(64 * 1024, total - sent)
            sent += len(piece)
            yield piece

    big = client.post("/api/v1/disclosure-requests", content=chunks(1024 * 1024 + 1),
                      headers={**auth("sro-1"), "Content-Type": "application/json"})
    _problem(big, 413, "chunked body over 1 MiB")
    # A chunked body under the limit reaches the route whole.
    small = b"".join([b'{"student_id": "st-a", "purpose": "LE_RESPONSE", "fields": ["name"]}', b" " * 200_000])
    ok = client.post("/api/v1/disclosure-requests", content=iter([small[:1000], small[1000:]]),
                     headers={**auth("sro-1"), "Content-Type": "application/json"})
    assert ok.status_code == 201, ok.text[:300]


def _odd_paths(client: httpx.Client) -> None:
    template = "/api/v1/students/{student_id}"
    before = {t: len(audit_events(client, "admin", type=t)) for t in ("auth.failed", "access.forbidden")}
    for path in ("/api/v1/students/%1f", "/api/v1/students/" + "s" * 600):
        _problem(client.get(path), 401, f"no token on {path[:30]}")
        _problem(client.get(path, headers=auth("sro-1")), 403, f"an SRO on {path[:30]}")
    for type in ("auth.failed", "access.forbidden"):
        added = audit_events(client, "admin", type=type)[before[type]:]
        assert [e["data"]["path"] for e in added] == [template, template], (type, added)


def _concurrent_puts(client: httpx.Client, base: str) -> list[str]:
    """Rounds of WRITERS simultaneous PUTs of one new student, then of the same student again; the values sent."""
    sent: list[str] = []
    for round_ in range(ROUNDS):
        student = f"st-race-{round_}"
        for phase in ("create", "update"):
            bodies = [{"school_id": "hhs", "date_of_birth": f"200{round_}-0{1 + (phase == 'update')}-{10 + i}",
                       "fields": {"name": f"Racer Synthetic {round_}-{phase}-{i}",
                                  "class_schedule": f"Racer schedule synthetic {round_}-{phase}-{i}"}}
                      for i in range(WRITERS)]
            sent += [v for b in bodies for v in (b["date_of_birth"], *b["fields"].values())]
            statuses = _together(base, f"/api/v1/students/{student}", bodies)
            created = 1 if phase == "create" else 0
            assert sorted(statuses) == [200] * (WRITERS - created) + [201] * created, (student, phase, statuses)
            record = client.get(f"/api/v1/students/{student}", headers=auth("admin")).json()
            # One PUT's whole body won: its date of birth and its fields, never a mix.
            winner = next(b for b in bodies if b["date_of_birth"] == record["date_of_birth"])
            assert record["fields"] == winner["fields"]
    return sent


def _concurrent_creates(base: str) -> None:
    """WRITERS simultaneous PUTs creating one new school, incident, user and district: one 201, the rest 200."""
    district = {**HARBOR_DISTRICT, "name": "Race District"}
    creates = [
        ("/api/v1/schools/race-school", {"district_id": "hrps", "name": "Race School", "grades": ["9"]}),
        ("/api/v1/incidents/INC-RACE", {"school_id": "hhs", "occurred_at": "2025-03-07T12:10:00-05:00",
                                        "classification": "CODE_OF_CONDUCT",
                                        "students": [{"student_id": "st-a", "role": "aggressor"}]}),
        ("/api/v1/users/race-user", {"name": "Race User", "role": "staff", "school_ids": ["hhs"]}),
        ("/api/v1/districts/race-district", district),
    ]
    for path, body in creates:
        statuses = _together(base, path, [body] * WRITERS)
        assert sorted(statuses) == [200] * (WRITERS - 1) + [201], (path, statuses)


def _together(base: str, path: str, bodies: list[dict[str, Any]]) -> list[int]:
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(bodies))
    headers = auth("admin")

    def put(body: dict[str, Any]) -> None:
        with httpx.Client(base_url=base, timeout=30) as own:
            start.wait()
            status = own.put(path, json=body, headers=headers).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=put, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return statuses


def test_real_server_refuses_bad_input_and_logs_no_value(server: Server) -> None:
    with httpx.Client(base_url=server.base, timeout=30) as client:
        _bad_input(client)
        _chunked(client)
        _odd_paths(client)
        raced = _concurrent_puts(client, server.base)
        assert client.post("/api/v1/disclosure-requests", json=request_body(),
                           headers=auth("sro-1")).status_code == 201
        _concurrent_creates(server.base)  # last: a second district changes what "the district" defaults to
    logs = server.stop()
    loaded = [*VALUES.values(), "Victor Synthetic-Osei", *LOADED_DOBS, BAD_DOB, "Bad-put", *raced]
    leaked = [value for value in loaded if value in logs]
    assert leaked == [], f"{len(leaked)} loaded values in the server's output: {logs[-3000:]}"
