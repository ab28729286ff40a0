"""The fallback chain: the one place the stale-if-error rule lives.

A dataset's providers are asked in the configured order (`[datasets]`), and the first
fresh answer wins (a fresh cache entry counts: it makes no request). Only when every one
fails is a cached value served, of any age, from the first provider that has one: marked
stale, with a note naming each failure. So a fresh answer from a fallback beats a stale
one from the first choice, and a provider that is down never blanks a figure the cache
still has. An unknown symbol is bad input, not a failure: it ends the chain at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Literal, TypeVar

from marketshock.errors import ProviderError, UnknownSymbolError, combined
from marketshock.notes import note
from marketshock.providers.http import Fetched

T = TypeVar("T")
# How one attempt may use the cache: "never" (a fresh answer, or a fresh cache entry) on the
# first pass; "only" (the cache, whatever its age, and no request) on the second.
Mode = Literal["never", "only"]
Attempt = tuple[str, Callable[[Mode], Awaitable[Fetched[T]]]]


async def first(
    attempts: Sequence[Attempt[T]], *, cached: bool = True, trace: Callable[[str], None] | None = None
) -> Fetched[T]:
    """The first provider's fresh answer, else the first cached one marked stale (`cached`:
    whether a cache exists at all). Raises the providers' failures as one ProviderError
    (`errors.combined`), or UnknownSymbolError as soon as a provider says so."""
    errors: list[ProviderError] = []
    for name, make in attempts:
        try:
            fetched = await make("never")
        except UnknownSymbolError:
            raise
        except ProviderError as error:
            errors.append(error)
            continue
        if errors and trace is not None:
            trace(f"{errors[0].provider} failed ({errors[0].cause}); served by {name}")
        return fetched
    failure = combined(errors)
    if cached:
        for _name, make in attempts:
            try:
                fetched = await make("only")
            except ProviderError:
                continue
            note(failure, f"showing the value cached {fetched.fetched_at:%Y-%m-%d %H:%M} UTC (stale)")
            return Fetched(fetched.value, fetched.fetched_at, stale=True, error=failure)
    raise failure
