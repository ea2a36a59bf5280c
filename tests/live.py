"""A real `gatekeeper serve` process for load and crash tests: start it on a free loopback port with the Harbor
district loaded, drive it with a bounded closed-loop load of many clients, stop it with SIGTERM or SIGKILL.

The load generator is plain threads and http.client, one connection per request (no keep-alive: a burst of
connections opened together would land unevenly on the workers). Every loop is bounded in time and count."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.factories import PROJECT, SECRET, token
from tests.harbor import NOW, load_harbor

GK = str(PROJECT / ".venv" / "bin" / "gatekeeper")
CLIENT_TIMEOUT_S = 30.0
URL = "/api/v1/disclosure-requests"
# The Harbor principal pushing to the SRO: three fields released at creation (the push is the signature), one
# withheld; the values come back in the answer.
RELEASING_BODY = {"student_id": "st-a", "purpose": "LE_RESPONSE", "incident_id": "INC-101", "recipient": "sro-1",
                  "fields": ["name", "grade_level", "incident_report:INC-101", "religion"]}
PENDING_BODY = {**RELEASING_BODY, "recipient": None}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """One server process group on one database; `start` may be called again after a kill (a restart)."""

    def __init__(self, db_url: str, tmp: Path, workers: int = 1, **env: str) -> None:
        self.env = {**os.environ, "GATEKEEPER_DATABASE_URL": db_url, "GATEKEEPER_ENV": "test",
                    "GATEKEEPER_JWT_SECRET": SECRET, "GATEKEEPER_CLOCK_START": NOW,
                    "GATEKEEPER_SIGNING_KEY_FILE": str(tmp / "signing.pem"),
                    "GATEKEEPER_DIGEST_KEY_FILE": str(tmp / "digest.key"),
                    "GATEKEEPER_POLICY_DIR": str(PROJECT / "policies"), **env}
        self.workers = workers
        self.log_path = tmp / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = ""

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([GK, *args], env=self.env, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> str:
        port = _free_port()
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen([GK, "serve", "--port", str(port), "--workers", str(self.workers)],
                                         env=self.env, start_new_session=True, stdout=log, stderr=log)
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if httpx.get(self.base + "/readyz", timeout=2).status_code == 200:
                    return self.base
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not become ready: {self.log_text()[-2000:]}")

    def load_harbor(self) -> None:
        assert self.cli("user", "add", "admin", "--role", "admin").returncode == 0
        with httpx.Client(base_url=self.base, timeout=30) as client:
            load_harbor(client)  # type: ignore[arg-type]  # the same put() as TestClient

    def terminate(self, limit_s: float) -> float:
        """SIGTERM to the process group; the seconds until the server process exited (killed after limit_s)."""
        assert self.proc is not None
        t0 = time.monotonic()
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=limit_s)
        except subprocess.TimeoutExpired:
            self.kill()
        return time.monotonic() - t0

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        # Workers of a killed group die with it; wait until none holds the port or the database any more.
        if self.proc is not None:
            _wait_group_gone(self.proc.pid)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def _wait_group_gone(pgid: int, limit_s: float = 15) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused or reset, or the client timed out)
    seconds: float
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    error: str = ""


def post(base: str, path: str, body: dict[str, Any], headers: dict[str, str]) -> Answer:
    host, port = base.removeprefix("http://").split(":")
    payload = json.dumps(body).encode()
    t0 = time.monotonic()
    conn = http.client.HTTPConnection(host, int(port), timeout=CLIENT_TIMEOUT_S)
    try:
        conn.request("POST", path, body=payload, headers={**headers, "Content-Type": "application/json"})
        resp = conn.getresponse()
        raw = resp.read()
        parsed = json.loads(raw) if raw else None
        return Answer(resp.status, time.monotonic() - t0, {k.lower(): v for k, v in resp.getheaders()}, parsed)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Answer(0, time.monotonic() - t0, error=type(exc).__name__)
    finally:
        conn.close()


Request = Callable[[int, int], tuple[str, dict[str, Any], dict[str, str]]]


def pushes(_client: int, _n: int) -> tuple[str, dict[str, Any], dict[str, str]]:
    """Every request releases data."""
    return URL, RELEASING_BODY, {"Authorization": f"Bearer {token('prin-1')}"}


def mixed(client: int, n: int) -> tuple[str, dict[str, Any], dict[str, str]]:
    """Pushes that release, SRO requests that wait for approval, and refusals: no token (401), a parent (403)."""
    kind = (client + n) % 8
    if kind == 6:
        return URL, PENDING_BODY, {}
    if kind == 7:
        return URL, PENDING_BODY, {"Authorization": f"Bearer {token('parent-ana')}"}
    if kind % 2:
        return URL, PENDING_BODY, {"Authorization": f"Bearer {token('sro-1')}"}
    return pushes(client, n)


def drive(base: str, clients: int, seconds: float, request: Request = mixed, per_client: int = 200,
          stop: threading.Event | None = None) -> list[Answer]:
    """`clients` threads, each sending one request at a time until `seconds` have passed, `per_client` requests
    were sent or `stop` is set. Released together, so the first requests arrive as one burst."""
    answers: list[Answer] = []
    lock = threading.Lock()
    gate = threading.Barrier(clients)
    deadline = time.monotonic() + seconds
    stop = stop or threading.Event()

    def client(i: int) -> None:
        gate.wait()
        mine: list[Answer] = []
        for n in range(per_client):
            if time.monotonic() >= deadline or stop.is_set():
                break
            path, body, headers = request(i, n)
            answer = post(base, path, body, headers)
            mine.append(answer)
            if answer.status == 503:  # a polite client: it waits as told (at most a second here)
                stop.wait(min(float(answer.headers.get("retry-after", "1")), 1.0))
            elif answer.status == 0:  # no server (killed): do not spin on refused connections
                stop.wait(0.05)
        with lock:
            answers.extend(mine)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + CLIENT_TIMEOUT_S + 30)
    return answers
