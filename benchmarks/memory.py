"""Peak memory of a call, measured in a fresh process so that earlier work does not hide it (Linux VmHWM, reset
through /proc/self/clear_refs; elsewhere the process's maximum resident set)."""

from __future__ import annotations

import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def print_peak_kb(call: Callable[[], object]) -> None:
    """Run `call` in this process and print 'peak_kb before_kb' (to be read by `peak_memory_mb`)."""
    before = _status_kb("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current resident set
    except OSError:
        before = None
    call()
    peak = _status_kb("VmHWM") if before is not None else None
    if peak is None or before is None:
        peak, before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 0
    print(peak, before)


def peak_memory_mb(module: str, call: str) -> tuple[float, float]:
    """(peak resident set of a fresh process running `module.call`, what the call adds to it), in MB."""
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import {module} as b; b.{call}"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    peak, before = (int(value) for value in output.split()[-2:])
    return peak / 1024, (peak - before) / 1024
