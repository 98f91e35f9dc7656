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
DURATION = 5  # seconds of load, per pass
CONNECTIONS = 16
# (server processes, connections): one connection for the latency of a request alone, 16 for the throughput
PASSES = ((1, 1), (1, CONNECTIONS), (2, CONNECTIONS))
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


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), robust to other processes sharing the cores."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wrk(url: str, connections: int, pids: list[int]) -> None:
    script = f'wrk.method = "POST"\nwrk.body = {json.dumps(json.dumps(BODY))}\n'
    script += 'wrk.headers["Content-Type"] = "application/json"\n'
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        threads = min(2, connections)
        args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{DURATION}s", "--latency", "-s", handle.name, url]
        cpu = sum(_cpu_seconds(pid) for pid in pids)
        out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=DURATION + 30).stdout
        cpu = sum(_cpu_seconds(pid) for pid in pids) - cpu
    finally:
        os.unlink(handle.name)
    p50 = re.search(r"^\s*50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    rate = re.search(r"Requests/sec:\s+(\S+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    print(f"wrk, {connections} connection(s), {DURATION} s")
    print(f"  p50 {p50[1] if p50 else '?'}, p99 {p99[1] if p99 else '?'}, {rate[1] if rate else '?'} requests/s")
    print(f"  non-2xx responses: {errors[1] if errors else 0}")
    if total and int(total[1]):
        per_request = cpu / int(total[1]) * 1000
        print(f"  server CPU {per_request:.2f} ms per request: at most {1000 / per_request:.0f} requests/s per core")


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
    print(f"httpx (wrk not installed), {CONNECTIONS} concurrent, {len(latencies)} requests")
    print(f"  p50 {statistics.median(latencies) * 1000:.2f} ms, {len(latencies) / elapsed:.0f} requests/s")
    print("  (the Python client shares the 2 cores with the server: wrk gives the server's own figures)")


def _serve(workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [str(CLI), "serve", "--host", "127.0.0.1", "--port", str(port), "--rate-limit", "0"]
    server = subprocess.Popen(
        [*command, "--workers", str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _wait(port, server)
    url = f"http://127.0.0.1:{port}/v1/simulations"
    import urllib.request

    request = urllib.request.Request(url, json.dumps(BODY).encode(), {"Content-Type": "application/json"})
    for _ in range(4 * workers):  # warm-up: each worker loads the law once
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
    return server, url


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def main() -> int:
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    for workers, connections in PASSES:
        server, url = _serve(workers)
        try:
            print(f"== {workers} uvicorn process(es)")
            if shutil.which("wrk"):
                pids = _children(server.pid) if workers > 1 else [server.pid]
                _wrk(url, connections, pids)
            else:
                asyncio.run(_httpx(url))
        finally:
            server.terminate()
            server.wait(timeout=20)
        if not shutil.which("wrk"):
            break
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
