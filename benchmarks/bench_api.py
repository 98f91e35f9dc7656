"""`POST /v1/simulations` against the running server: p50 latency and requests per second (issue #8, DESIGN §5).

Starts `echeancier serve` (uvicorn, one process, rate limit off) on a free loopback port, then loads it with `wrk`
(Debian package `wrk`: `apt-get install wrk`) for a few seconds, or with an asyncio httpx client when wrk is
missing. Loopback only, bounded in time and in requests; prints the figures, asserts nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = Path(sys.executable).with_name("echeancier")
BODY = {"year": 2026, "profession": "artisan", "income": 40000}
DURATION = 5  # seconds of load
CONNECTIONS = 16
FALLBACK_REQUESTS = 5_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server stopped")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def _wrk(url: str) -> None:
    script = f'wrk.method = "POST"\nwrk.body = {json.dumps(json.dumps(BODY))}\n'
    script += 'wrk.headers["Content-Type"] = "application/json"\n'
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", "-s", handle.name, url]
        out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=DURATION + 30).stdout
    finally:
        os.unlink(handle.name)
    p50 = re.search(r"^\s*50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    rate = re.search(r"Requests/sec:\s+(\S+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    print(f"wrk, {CONNECTIONS} connections, {DURATION} s, one uvicorn process")
    print(f"  p50 {p50[1] if p50 else '?'}, p99 {p99[1] if p99 else '?'}, {rate[1] if rate else '?'} requests/s")
    print(f"  non-2xx responses: {errors[1] if errors else 0}")


async def _httpx(url: str) -> None:
    import httpx

    latencies: list[float] = []
    remaining = FALLBACK_REQUESTS

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            response = await client.post(url, json=BODY)
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()

    started = time.perf_counter()
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=CONNECTIONS)) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONNECTIONS)))
    elapsed = time.perf_counter() - started
    print(f"httpx (wrk not installed), {CONNECTIONS} concurrent, {len(latencies)} requests, one uvicorn process")
    print(f"  p50 {statistics.median(latencies) * 1000:.2f} ms, {len(latencies) / elapsed:.0f} requests/s")
    print("  (the Python client shares the 2 cores with the server: wrk gives the server's own figures)")


def main() -> int:
    port = _free_port()
    server = subprocess.Popen(
        [str(CLI), "serve", "--host", "127.0.0.1", "--port", str(port), "--rate-limit", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(port, server)
        url = f"http://127.0.0.1:{port}/v1/simulations"
        import urllib.request

        request = urllib.request.Request(url, json.dumps(BODY).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:  # warm-up: the law is loaded once
            assert response.status == 200
        if shutil.which("wrk"):
            _wrk(url)
        else:
            asyncio.run(_httpx(url))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
