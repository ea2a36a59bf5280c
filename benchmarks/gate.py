"""Throughput and latency of POST /disclosure-requests against baselines in the same app (issue 5).

For SQLite and PostgreSQL, with 1 and 2 workers: starts `gatekeeper serve` (GATEKEEPER_ENV=development, which mounts
/_bench/baseline and /_bench/bare), loads a district with one student holding 20 fields and an active emergency, and
drives each endpoint with the same 20-field EMERGENCY request (mixed outcomes: necessary fields released, section 37L
and unnecessary fields withheld). The endpoints take turns in rounds. Prints requests/s, p50 and p99, the server's
CPU time per request (all its processes; the load generator runs on the same machine), the ratios gate/baseline and
gate/bare, and the gate's throughput with 2 workers against 1.

    .venv/bin/python benchmarks/gate.py [--seconds 12] [--slice 1] [--concurrency 8] [--dialects sqlite,postgresql]
                                        [--workers 1,2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import jwt
from scratch import postgres_database
from server import GK, SECRET, launch, server_env, stop

NECESSARY = ["name", "photo", "class_schedule", "parent_names", "emergency_contacts", "grade_level",
             "threat_assessment_file", "discipline_history", "phone", "home_address", "medication_allergy_info",
             "attendance_detail"]
OTHER = ["religion", "race_ethnicity", "immigration_status", "grades", "transcript", "health_record",
         "counseling_notes", "citizenship"]
FIELDS = NECESSARY + OTHER
WARM_UP = 20


def token(sub: str) -> str:
    now = int(time.time())
    return jwt.encode({"sub": sub, "iss": "gatekeeper", "aud": "gatekeeper", "iat": now, "exp": now + 7200},
                      SECRET, algorithm="HS256")


def start(url: str, workers: int, tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = server_env(url, tmp)
    subprocess.run([GK, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([GK, "user", "add", "admin", "--role", "admin"], env=env, check=True, capture_output=True)
    proc, base, _ = launch(env, workers)
    return proc, base


def load(base: str) -> dict[str, Any]:
    h = {"Authorization": f"Bearer {token('admin')}"}
    today = time.strftime("%Y-%m-%d")
    year = int(today[:4])
    calls: list[tuple[str, dict[str, Any]]] = [
        ("/api/v1/districts/d1", {"name": "Bench", "timezone": "America/New_York", "mou": {"signed_on": "2020-01-01"},
                                  "annual_notifications": [], "settings": {"redisclosure_notice_version": "RN-1"}}),
        ("/api/v1/schools/s1", {"district_id": "d1", "name": "Bench High"}),
        ("/api/v1/students/st-1", {"school_id": "s1", "date_of_birth": f"{year - 15}-01-01",
                                   "fields": {f: f"bench value of {f} 000{i}" for i, f in enumerate(FIELDS)}}),
        ("/api/v1/users/sro-1", {"name": "SRO", "role": "sro", "school_ids": ["s1"], "mou_contact": True}),
        ("/api/v1/users/prin-1", {"name": "Principal", "role": "principal", "school_ids": ["s1"]}),
    ]
    for path, body in calls:
        httpx.put(base + path, json=body, headers=h, timeout=10).raise_for_status()
    now = time.time()
    iso = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now - 60))
    review = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now + 3 * 3600))
    em = httpx.post(base + "/api/v1/emergencies", headers={"Authorization": f"Bearer {token('prin-1')}"}, json={
        "school_id": "s1", "student_ids": ["st-1"],
        "threat": "A student posted a photo of a handgun and a named list of classmates at 07:10 this morning.",
        "significance": "Firearm access and a target list", "imminence": "imminent",
        "persons_at_risk": "students and staff", "starts_at": iso, "review_at": review, "recipients": ["sro-1"],
        "necessary_fields": {f: "needed to respond to the threat" for f in NECESSARY}}, timeout=10)
    em.raise_for_status()
    return {"student_id": "st-1", "purpose": "EMERGENCY", "emergency_id": em.json()["id"], "fields": FIELDS}


class Client:
    """Closed-loop load on one endpoint: `concurrency` threads, each sending one request at a time. http.client with
    the body and headers encoded once keeps the generator's own CPU small: it shares the machine with the server."""

    def __init__(self, base: str, path: str, body: dict[str, Any]) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.address = (host, int(port))
        self.path = path
        self.payload = json.dumps(body).encode()
        self.headers = {"Authorization": f"Bearer {token('sro-1')}", "Content-Type": "application/json"}

    def post(self) -> tuple[int, bytes]:
        # A connection per request: with keep-alive, the connections opened together at the start land unevenly
        # on uvicorn's workers (each accepts a burst at once), and the figure would measure that.
        conn = http.client.HTTPConnection(*self.address, timeout=30)
        try:
            conn.request("POST", self.path, body=self.payload, headers=self.headers)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def warm_up(self) -> None:  # first compilations, caches (and the baseline's one cached decision)
        for _ in range(WARM_UP):
            self.post()

    def drive(self, seconds: float, concurrency: int) -> tuple[list[float], float]:
        """Latencies of the requests of one slice of `seconds`, and its wall time."""
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + seconds

        def worker() -> None:
            mine: list[float] = []
            while time.monotonic() < deadline:
                t0 = time.perf_counter()
                status, text = self.post()
                if status in (200, 201):
                    mine.append(time.perf_counter() - t0)
                else:
                    with lock:
                        failures.append(f"{self.path} -> {status}: {text[:200]!r}")
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failures or not latencies:
            raise SystemExit(f"{len(failures)} failed calls, e.g. {failures[:1]}")
        return latencies, time.monotonic() - t0


def server_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every process of the server (uvicorn's supervisor and workers share a process group)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, ..., utime (11), stime (12)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


ENDPOINTS = (("gate", "/api/v1/disclosure-requests"), ("baseline", "/_bench/baseline"), ("bare", "/_bench/bare"))


class Tally:
    """One endpoint's slices added up."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.wall = 0.0
        self.cpu = 0.0
        self.slice_rps: list[float] = []

    def add(self, latencies: list[float], wall: float, cpu: float) -> None:
        self.latencies += latencies
        self.wall += wall
        self.cpu += cpu
        self.slice_rps.append(len(latencies) / wall)

    def figures(self) -> dict[str, float]:
        ordered = sorted(self.latencies)
        return {"rps": len(ordered) / self.wall, "p50": statistics.median(ordered) * 1000,
                "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000, "cpu_ms": self.cpu * 1000 / len(ordered)}


def measure(url: str, workers: int, tmp: Path, args: argparse.Namespace) -> dict[str, Tally]:
    """The endpoints take turns in slices of about --slice seconds, in alternating order: a slow spell of the machine
    (other tenants of the host) then falls on all of them alike, and each figure adds up all its slices."""
    proc, base = start(url, workers, tmp)
    tallies = {name: Tally() for name, _ in ENDPOINTS}
    try:
        body = load(base)
        clients = {name: Client(base, path, body) for name, path in ENDPOINTS}
        for client in clients.values():
            client.warm_up()
        order = list(clients.items())
        rounds = max(2, round(args.seconds / args.slice))
        for round_no in range(rounds):
            # Every other round runs the endpoints in reverse, so none always follows the same one (counterbalanced).
            for name, client in order if round_no % 2 == 0 else order[::-1]:
                cpu0 = server_cpu_seconds(proc.pid)
                latencies, wall = client.drive(args.seconds / rounds, args.concurrency)
                tallies[name].add(latencies, wall, server_cpu_seconds(proc.pid) - cpu0)
    finally:
        stop(proc)
    return tallies


def ratios(tallies: dict[str, Tally]) -> str:
    gate, baseline, bare = (tallies[n].figures() for n in ("gate", "baseline", "bare"))
    slices = [g / b for g, b in zip(tallies["gate"].slice_rps, tallies["baseline"].slice_rps, strict=True)]
    return (f"ratio gate/baseline {gate['rps'] / baseline['rps']:.2f}x (slices {min(slices):.2f}-{max(slices):.2f}), "
            f"gate/bare {gate['rps'] / bare['rps']:.2f}x; server CPU per request gate/baseline "
            f"{gate['cpu_ms'] / baseline['cpu_ms']:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=12.0, help="per endpoint, split over the rounds")
    parser.add_argument("--slice", type=float, default=1.0, help="seconds of each turn of an endpoint")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--dialects", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    print(f"{'db':<11}{'workers':>8}  {'endpoint':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'server CPU ms/req':>19}")
    gate_rps: dict[tuple[str, int], float] = {}
    for workers in (int(w) for w in args.workers.split(",")):
        with tempfile.TemporaryDirectory() as tmpdir, postgres_database() as pg_url:
            tmp = Path(tmpdir)
            urls = {"sqlite": f"sqlite:///{tmp / 'bench.db'}", "postgresql": pg_url}
            for db in args.dialects.split(","):
                if not urls.get(db):
                    print(f"{db}: no server, skipped")
                    continue
                tallies = measure(str(urls[db]), workers, tmp, args)
                results = {name: tally.figures() for name, tally in tallies.items()}
                for name, r in results.items():
                    print(f"{db:<11}{workers:>8}  {name:<10}{r['rps']:>9.1f}{r['p50']:>9.2f}{r['p99']:>9.2f}"
                          f"{r['cpu_ms']:>19.2f}")
                gate_rps[db, workers] = results["gate"]["rps"]
                print(f"{db:<11}{workers:>8}  {ratios(tallies)}")
    for db in args.dialects.split(","):
        if (db, 1) in gate_rps and (db, 2) in gate_rps:
            print(f"{db}: gate with 2 workers {gate_rps[db, 2] / gate_rps[db, 1]:.2f}x one worker")
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
