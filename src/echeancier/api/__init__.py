"""The HTTP interface (issue #8): the public API under `/v1` and the French web page, on one FastAPI app.

`create_app()` builds it; `echeancier serve` runs it with uvicorn. FastAPI is imported only here and below, never
by the command line's other commands.
"""

from __future__ import annotations

from echeancier.api.app import Settings, create_app

__all__ = ["Settings", "create_app"]
