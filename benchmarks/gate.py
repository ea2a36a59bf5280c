"""The gate against the shared reference baseline, endpoint c of ../shared/bench (issue 14).

For SQLite and PostgreSQL, with 1 and 2 workers, one run starts two servers side by side:

- c: `../shared/bench/baseline_app.py` under its own uvicorn (the project venv's, cwd ../shared/bench), its database
  seeded as its README says (`gate_common.seed`, 10,000 students x 20 fields), driven with its own
  `wrk/students.lua` on `GET /students/{id}/fields/audited`: authenticate, read 20 fields, append one hash-chained
  audit row, commit.
- the gate: `gatekeeper serve`, a district with one student holding 20 fields and an active emergency, driven with
  `benchmarks/wrk/gate.lua` on `POST /api/v1/disclosure-requests`: the same 20-field EMERGENCY request each time
  (mixed outcomes: the 12 necessary fields released, section 37L and unnecessary fields withheld).

Same database kind and durability: on SQLite both commit with `synchronous=FULL` (app/db/session.py sets WAL and
leaves `synchronous` at SQLite's default, FULL, so c runs with BENCH_SQLITE_SYNC=FULL); on PostgreSQL both use the
local server. The same load generator for both, `wrk -t1 -c8 --latency` with keep-alive connections (Debian package
`wrk`; `make bench` installs it if missing). The endpoints take turns of --turn seconds, every other round in reverse
order; a configuration's req/s adds up all its turns (requests / seconds), its p99 is the median of the turns' p99.
Any non-2xx answer or socket error voids the run (the script stops). Prints gate/c and p99(gate)/p99(c).

    .venv/bin/python benchmarks/gate.py [--rounds 6] [--turn 10] [--connections 8] [--dialects sqlite,postgresql]
                                        [--workers 1,2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
from scratch import postgres_database
from server import GK, ROOT, SECRET, free_port, launch, server_env, stop

SHARED = ROOT.parent / "shared" / "bench"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
UVICORN = str(ROOT / ".venv" / "bin" / "uvicorn")
GATE_LUA = str(ROOT / "benchmarks" / "wrk" / "gate.lua")
C_STUDENTS = 10_000
SQLITE_SYNC = "FULL"  # the product's SQLite: journal_mode=WAL, synchronous left at its default, FULL

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


# ---- the gate ---------------------------------------------------------------------------------------------------

def start_gate(url: str, workers: int, tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
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
    body = {"student_id": "st-1", "purpose": "EMERGENCY", "emergency_id": em.json()["id"], "fields": FIELDS}
    check = httpx.post(base + "/api/v1/disclosure-requests", json=body,
                       headers={"Authorization": f"Bearer {token('sro-1')}"}, timeout=10)
    check.raise_for_status()
    released = check.json().get("released")
    if not isinstance(released, dict) or len(released) != len(NECESSARY):
        raise SystemExit(f"the gate released {len(released or [])} fields, expected {len(NECESSARY)}")
    return body


# ---- endpoint c of ../shared/bench ------------------------------------------------------------------------------

def c_env(url: str, flock: bool) -> dict[str, str]:
    env = {**os.environ, "BENCH_SQLITE_SYNC": SQLITE_SYNC}
    if url.startswith("sqlite"):
        env |= {"BENCH_DB": "sqlite", "BENCH_SQLITE_PATH": url.removeprefix("sqlite:///")}
        if flock:
            env["BENCH_SQLITE_FLOCK"] = "1"  # as its README says for several SQLite workers
    else:
        env |= {"BENCH_DB": "postgres", "BENCH_PG_URL": url}
    return env


def seed_c(url: str) -> None:
    subprocess.run([PYTHON, "-c", f"import gate_common as g; g.seed(g.default_url(), students={C_STUDENTS})"],
                   env=c_env(url, False), cwd=SHARED, check=True)


def start_c(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([UVICORN, "baseline_app:app", "--host", "127.0.0.1", "--port", str(port), "--workers",
                             str(workers), "--no-access-log"], env=c_env(url, workers > 1), cwd=SHARED,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/ping", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    stop(proc)
    raise SystemExit("baseline_app did not start")


# ---- wrk --------------------------------------------------------------------------------------------------------

UNIT = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


@dataclass
class Turn:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * UNIT[m.group(2)]


def wrk(base: str, script: str, script_args: list[str], seconds: float, connections: int, label: str) -> Turn:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", script, base, "--", *script_args]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=SHARED).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if bad or errors:
        raise SystemExit(f"void run: {label} answered {bad.group(1) if bad else 0} non-2xx, socket errors "
                         f"{errors.group(1) if errors else 'none'}\n{out}")
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    if not (done and p50 and p99):
        raise SystemExit(f"cannot read wrk's output for {label}:\n{out}")
    wall = float(done.group(2)) * {"ms": 1e-3, "s": 1.0, "m": 60.0}[done.group(3)]
    return Turn(int(done.group(1)), wall, _ms(p50.group(1)), _ms(p99.group(1)))


@dataclass
class Tally:
    turns: list[Turn] = field(default_factory=list)

    def rps(self) -> float:
        return sum(t.requests for t in self.turns) / sum(t.seconds for t in self.turns)

    def p50(self) -> float:
        return statistics.median(t.p50_ms for t in self.turns)

    def p99(self) -> float:
        return statistics.median(t.p99_ms for t in self.turns)


def measure(gate_url: str, c_url: str, workers: int, tmp: Path, args: argparse.Namespace) -> dict[str, Tally]:
    with ExitStack() as stack:
        gate_proc, gate_base = start_gate(gate_url, workers, tmp)
        stack.callback(stop, gate_proc)
        c_proc, c_base = start_c(c_url, workers)
        stack.callback(stop, c_proc)
        body_file = tmp / f"gate-body-{workers}.json"
        body_file.write_text(json.dumps(load(gate_base)))
        drivers = {
            "c": (c_base, str(SHARED / "wrk" / "students.lua"), ["/fields/audited", str(C_STUDENTS)]),
            "gate": (gate_base, GATE_LUA, [str(body_file), token("sro-1")]),
        }
        for name, (base, script, script_args) in drivers.items():  # warm-up: first compilations, pools, caches
            wrk(base, script, script_args, 2, args.connections, name)
        tallies = {name: Tally() for name in drivers}
        order = list(drivers)
        for round_no in range(args.rounds):
            for name in order if round_no % 2 == 0 else order[::-1]:
                base, script, script_args = drivers[name]
                tallies[name].turns.append(wrk(base, script, script_args, args.turn, args.connections, name))
        return tallies


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=6, help="turns per endpoint, in alternating order")
    parser.add_argument("--turn", type=float, default=10.0, help="seconds of each wrk turn")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--dialects", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (Debian), or `make bench`")
    print(f"wrk -t1 -c{args.connections}, {args.rounds} rounds x {args.turn:g} s per endpoint, "
          f"SQLite synchronous={SQLITE_SYNC}")
    print(f"{'db':<11}{'workers':>8}  {'endpoint':<9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    summary: list[str] = []
    for db in args.dialects.split(","):
        with ExitStack() as stack:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            if db == "sqlite":
                c_url = f"sqlite:///{tmp / 'c.db'}"
            else:
                pg_c = stack.enter_context(postgres_database())
                if pg_c is None:
                    print(f"{db}: no server, skipped")
                    continue
                c_url = pg_c
            seed_c(c_url)
            for workers in (int(w) for w in args.workers.split(",")):
                if db == "sqlite":
                    gate_url: str | None = f"sqlite:///{tmp / f'gate-{workers}.db'}"
                    tallies = measure(str(gate_url), c_url, workers, tmp, args)
                else:
                    with postgres_database() as gate_url:
                        tallies = measure(str(gate_url), c_url, workers, tmp, args)
                for name in ("c", "gate"):
                    t = tallies[name]
                    print(f"{db:<11}{workers:>8}  {name:<9}{t.rps():>9.1f}{t.p50():>9.2f}{t.p99():>9.2f}")
                gate, c = tallies["gate"], tallies["c"]
                turns = [g.requests / g.seconds / (b.requests / b.seconds)
                         for g, b in zip(gate.turns, c.turns, strict=True)]
                line = (f"{db:<11}{workers:>8}  gate/c {gate.rps() / c.rps():.2f}x (rounds {min(turns):.2f}-"
                        f"{max(turns):.2f}), p99(gate)/p99(c) {gate.p99() / c.p99():.2f}x")
                print(line)
                summary.append(line)
    print("summary:")
    for line in summary:
        print(line)
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
