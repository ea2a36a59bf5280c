"""Start `gatekeeper serve` for a benchmark: the environment, a free port, and the wait for /readyz."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
GK = str(ROOT / ".venv" / "bin" / "gatekeeper")
SECRET = "bench-" + "s" * 40


def server_env(url: str, tmp: Path) -> dict[str, str]:
    return {**os.environ, "GATEKEEPER_DATABASE_URL": url, "GATEKEEPER_ENV": "development",
            "GATEKEEPER_JWT_SECRET": SECRET, "GATEKEEPER_SIGNING_KEY_FILE": str(tmp / "sign.pem"),
            "GATEKEEPER_DIGEST_KEY_FILE": str(tmp / "digest.key"), "GATEKEEPER_POLICY_DIR": str(ROOT / "policies")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch(env: dict[str, str], workers: int = 1, poll: float = 0.01) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start the server; return it, its base URL and the seconds from launch to the first 200 of /readyz."""
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([GK, "serve", "--port", str(port), "--workers", str(workers)], env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = t0 + 60
    while time.perf_counter() < deadline:
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                return proc, base, time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(poll)
    stop(proc)
    raise SystemExit("server did not become ready")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)
