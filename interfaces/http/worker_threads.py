"""Blocking work of a request (reading and saving cases) in a worker thread, handed over
with asyncio's own executor call.

FastAPI runs a plain `def` route through anyio's `to_thread`, whose bookkeeping (capacity
limiter, cancel scope, checkpoints) costs about a tenth of a command's CPU on the event
loop; the busiest routes are `async def` and hand their blocking part over here instead.
Threads are started as needed, up to the same 40 as anyio's default, and reused."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import ParamSpec, TypeVar

from fastapi import Request

P = ParamSpec("P")
T = TypeVar("T")
MAX_THREADS = 40


def request_threads() -> ThreadPoolExecutor:
    """The pool of one API process (see `create_app`), shut down with it."""
    return ThreadPoolExecutor(max_workers=MAX_THREADS, thread_name_prefix="request")


async def in_worker_thread(
    request: Request, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run `function` in the app's request threads (with this context) and await it."""
    threads: ThreadPoolExecutor = request.app.state.request_threads
    call = partial(contextvars.copy_context().run, function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(threads, call)
