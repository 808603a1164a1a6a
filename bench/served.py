"""What the benchmarks that run a real server share: waiting until it answers."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import httpx


def wait_healthy(
    base_url: str,
    process: subprocess.Popen[bytes],
    seconds: float = 30.0,
    log_tail: Callable[[], str] = lambda: "",
) -> None:
    """Until GET /health answers 200; an error if the server exits or takes too long."""
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base_url, timeout=1.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited early ({process.returncode}){log_tail()}")
            try:
                if client.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"no healthy server within {seconds:.0f} s")
