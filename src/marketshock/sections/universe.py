"""Asking for every symbol of a section's universe at once, and what a failing one means.

A symbol whose provider fails is a note and is left out: the other rows still show. A symbol
no provider knows is bad input when the user typed it for this run (`-s`, exit 2), but a
note when it comes from the watchlist: one delisted ticker in a config file must not stop
every cron snapshot. The section fails only when no symbol is left.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from marketshock.context import RunContext
from marketshock.errors import NotCovered, ProviderError, UnknownSymbolError
from marketshock.notes import not_covered, note

T = TypeVar("T")


async def each_symbol(
    ctx: RunContext, symbols: Sequence[str], fetch: Callable[[str], Awaitable[T]]
) -> list[tuple[str, T]]:
    """(symbol, answer) for every symbol whose answer came, in the given order. Raises
    UnknownSymbolError for a symbol given on the command line that no provider knows, and the
    first failure when every symbol failed (the others filed as notes)."""
    results = await asyncio.gather(*(fetch(s) for s in symbols), return_exceptions=True)
    answered: list[tuple[str, T]] = []
    failures: list[ProviderError] = []
    covered: list[NotCovered] = []
    for symbol, result in zip(symbols, results, strict=True):
        if isinstance(result, UnknownSymbolError) and symbol in ctx.universe.explicit:
            raise result
        if isinstance(result, NotCovered):
            covered.append(result)  # what the data covers: the envelope's `coverage`, not a failure
        elif isinstance(result, ProviderError):
            failures.append(result)
        elif isinstance(result, BaseException):
            raise result
        else:
            answered.append((symbol, result))
    for gap in covered:
        not_covered(gap)
    if failures and not answered:
        for failure in failures[1:]:
            note(failure)
        raise failures[0]
    if covered and not answered:
        raise covered[0]  # nothing at this date: the section is not produced, and says why
    for failure in failures:
        note(failure, "left out" if isinstance(failure, UnknownSymbolError) else "")
    return answered
