"""One way to run the async part of a command: `asyncio.run` whose blocking calls (the name
lookups asyncio hands to its default executor) never hold the process open at exit.

A request whose connect timed out is cancelled, but the thread resolving its host name is not:
a resolver that does not answer keeps it 5 s or more (glibc's default), and `asyncio.run` then
waits for every such thread before it returns, so a run on a machine without DNS ended seconds
after its work was done. Here each call gets a daemon thread, and shutting the executor down
waits for none: a lookup nobody awaits any more is left to finish, or not, on its own.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class DaemonExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs each call in its own daemon thread (a run makes a few dozen: one per name lookup).
    A ThreadPoolExecutor by type only, which asyncio requires of a default executor: its pool of
    non-daemon threads, which the interpreter joins at exit, is never started."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def call() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as error:  # handed to the awaiting task, as a pool thread would
                future.set_exception(error)

        threading.Thread(target=call, name="marketshock-blocking-call", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Waits for nothing: what is still running is a call nobody awaits any more."""


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)` with a `DaemonExecutor` as the loop's default executor."""

    async def with_executor() -> T:
        asyncio.get_running_loop().set_default_executor(DaemonExecutor())
        return await main

    return asyncio.run(with_executor())
