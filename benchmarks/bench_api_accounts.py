"""Benchmark of the account routes (`/v1/accounts/…`) in process, through FastAPI's TestClient, on a SQLite file. It
prints figures only; nothing here asserts a time.

Run: .venv/bin/python benchmarks/bench_api_accounts.py [N]

For N requests each (default 200): the token check alone (a 403 for a contributor asking for another account: the
token's SHA-256 looked up, nothing else), `GET /v1/accounts/{id}` (token, access check, the account's events, the
whole ledger on its last event's date, JSON), and `POST /v1/accounts/{id}/events` of a payment already recorded
(the idempotent path: validation, key look-up, nothing written). Median and 90th percentile in milliseconds, as
seen by the client (the in-process client's own cost included, no network).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from echeancier.api import Settings, create_app


def timed(call: Callable[[], Any], n: int) -> tuple[float, float]:
    durations = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        durations.append((time.perf_counter() - start) * 1000)
    durations.sort()
    return statistics.median(durations), durations[int(0.9 * (len(durations) - 1))]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-accounts-')) / 'accounts.db'}"
    app = create_app(Settings(db_url=url, rate_limit=0, today=lambda: date(2026, 12, 1)))
    client = TestClient(app)
    admin = app.state.accounts.tokens().create("admin")[1]
    for account_id in ("TI-1", "TI-2"):
        client.post(
            "/v1/accounts",
            headers={"authorization": f"Bearer {admin}"},
            json={"id": account_id, "contributor": {"profession": "artisan", "activity_start": "2015-01-01"},
                  "incomes": {"2024": "30000", "2025": "32000"}},
        )  # fmt: skip
    own = {"authorization": f"Bearer {app.state.accounts.tokens().create('contributor', 'TI-1')[1]}"}
    payment = {"date": "2026-06-08", "type": "payment", "amount": 100}
    client.post("/v1/accounts/TI-1/events", headers=own, json=payment)
    cases = {
        "403, token check only": lambda: client.get("/v1/accounts/TI-2", headers=own),
        "GET /v1/accounts/{id} (ledger, JSON)": lambda: client.get("/v1/accounts/TI-1", headers=own),
        "POST …/events, already recorded": lambda: client.post("/v1/accounts/TI-1/events", headers=own, json=payment),
    }
    print(f"account routes, SQLite, in process, {n} requests each")
    for name, call in cases.items():
        call()  # warm up
        p50, p90 = timed(call, n)
        print(f"  {name:<40} p50 {p50:6.2f} ms   p90 {p90:6.2f} ms")
    app.state.accounts.close()


if __name__ == "__main__":
    main()
