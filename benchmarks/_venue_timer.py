"""Times every call a benchmark's mandate makes into its venue (measurement only): the
methods named are wrapped on the instance, so the venue's share of a tick is measured in
CPU time apart from the framework's."""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

__all__ = ["VenueTimer"]


class VenueTimer:
    """CPU seconds spent in, and calls made to, the venue's ``methods``."""

    def __init__(self, venue: Any, methods: Iterable[str]) -> None:
        self.seconds = 0.0
        self.calls: dict[str, int] = defaultdict(int)
        for name in methods:
            setattr(venue, name, self._wrap(name, getattr(venue, name)))

    def _wrap(self, name: str, method: Callable[..., Awaitable[Any]]
              ) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(method)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            try:
                return await method(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - began
                self.calls[name] += 1

        return timed
