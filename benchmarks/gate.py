"""Throughput and latency of POST /disclosure-requests against baselines in the same app (issue 5).

For SQLite and PostgreSQL, with 1 and 2 workers: starts `gatekeeper serve` (GATEKEEPER_ENV=development, which mounts
/_bench/baseline and /_bench/bare), loads a district with one student holding 20 fields and an active emergency, and
drives each endpoint with the same 20-field EMERGENCY request (mixed outcomes: necessary fields released, section 37L
and unnecessary fields withheld). Prints requests/s, p50 and p99, and the ratios gate/baseline and gate/bare.

    .venv/bin/python benchmarks/gate.py [--seconds 8] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
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

ROOT = Path(__file__).resolve().parents[1]
GK = str(ROOT / ".venv" / "bin" / "gatekeeper")
SECRET = "bench-" + "s" * 40
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
NECESSARY = ["name", "photo", "class_schedule", "parent_names", "emergency_contacts", "grade_level",
             "threat_assessment_file", "discipline_history", "phone", "home_address", "medication_allergy_info",
             "attendance_detail"]
OTHER = ["religion", "race_ethnicity", "immigration_status", "grades", "transcript", "health_record",
         "counseling_notes", "citizenship"]
FIELDS = NECESSARY + OTHER


def token(sub: str) -> str:
    now = int(time.time())
    return jwt.encode({"sub": sub, "iss": "gatekeeper", "aud": "gatekeeper", "iat": now, "exp": now + 7200},
                      SECRET, algorithm="HS256")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(url: str, workers: int, tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "GATEKEEPER_DATABASE_URL": url, "GATEKEEPER_ENV": "development",
           "GATEKEEPER_JWT_SECRET": SECRET, "GATEKEEPER_SIGNING_KEY_FILE": str(tmp / "sign.pem"),
           "GATEKEEPER_DIGEST_KEY_FILE": str(tmp / "digest.key"), "GATEKEEPER_POLICY_DIR": str(ROOT / "policies")}
    subprocess.run([GK, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([GK, "user", "add", "admin", "--role", "admin"], env=env, check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([GK, "serve", "--port", str(port), "--workers", str(workers)], env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    proc.kill()
    raise SystemExit("server did not become ready")


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


def drive(base: str, path: str, body: dict[str, Any], seconds: float, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token('sro-1')}"}

    def worker() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while time.monotonic() < deadline:
                t0 = time.perf_counter()
                resp = client.post(path, json=body)
                elapsed = time.perf_counter() - t0
                with lock:
                    if resp.status_code in (200, 201):
                        latencies.append(elapsed)
                    else:
                        failures.append(f"{path} -> {resp.status_code}: {resp.text[:200]}")

    with httpx.Client(base_url=base, headers=headers, timeout=30) as warm:
        for _ in range(20):  # warm-up (and the baseline's one cached decision)
            warm.post(path, json=body)
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    if failures or not latencies:
        raise SystemExit(f"{len(failures)} failed calls, e.g. {failures[:1]}")
    latencies.sort()
    return {"rps": len(latencies) / wall, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    print(f"{'db':<11}{'workers':>8}  {'endpoint':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmpdir, postgres_database() as pg_url:
            tmp = Path(tmpdir)
            dbs = [("sqlite", f"sqlite:///{tmp / 'bench.db'}")] + ([("postgresql", pg_url)] if pg_url else [])
            for db, url in dbs:
                proc, base = start(url, workers, tmp)
                try:
                    body = load(base)
                    results = {name: drive(base, path, body, args.seconds, args.concurrency) for name, path in (
                        ("gate", "/api/v1/disclosure-requests"), ("baseline", "/_bench/baseline"),
                        ("bare", "/_bench/bare"))}
                finally:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=20)
                for name, r in results.items():
                    print(f"{db:<11}{workers:>8}  {name:<10}{r['rps']:>9.1f}{r['p50']:>9.2f}{r['p99']:>9.2f}")
                gate = results["gate"]["rps"]
                print(f"{db:<11}{workers:>8}  ratio gate/baseline {gate / results['baseline']['rps']:.2f}x, "
                      f"gate/bare {gate / results['bare']['rps']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
