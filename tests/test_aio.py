"""The run's event loop: a blocking call nobody awaits any more never holds the run open."""

from __future__ import annotations

import asyncio
import threading
import time

from marketshock import aio


def test_a_blocking_call_whose_awaiter_gave_up_does_not_hold_the_run_open():
    release = threading.Event()

    async def main() -> str:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(0.1):
                await loop.run_in_executor(None, release.wait, 30)  # a name lookup that never answers
        except TimeoutError:
            return "gave up"
        return "answered"

    started = time.monotonic()
    try:
        assert aio.run(main()) == "gave up"
        assert time.monotonic() - started < 5  # asyncio.run alone waits the full 30 s here
    finally:
        release.set()


def test_blocking_calls_still_answer_and_raise_as_in_a_thread_pool():
    def fails() -> None:
        raise OSError("no such host")

    async def main() -> tuple[int, str]:
        loop = asyncio.get_running_loop()
        value = await loop.run_in_executor(None, sum, [1, 2, 3])
        try:
            await loop.run_in_executor(None, fails)
        except OSError as error:
            return value, str(error)
        return value, ""

    assert aio.run(main()) == (6, "no such host")
