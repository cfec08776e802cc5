"""The :class:`PriceProvider` interface, :class:`PriceQuote` (a price with its age) and
:class:`PriceUnavailable`, the one error every provider raises when it has no price.

The error contract: a provider whose source cannot give a price now (an empty book side, a
venue error, a stale or diverging input of a composite) raises :class:`PriceUnavailable`,
translating its source's own errors (``ExchangeError`` and the like) at the edge, with the
original as ``__cause__``. A consumer (a strategy's service, a kill switch, another provider)
catches ``PriceUnavailable`` and nothing broader: any other exception is a bug and is left
to the tick loop's failure accounting rather than swallowed.
"""

from __future__ import annotations

import abc
from datetime import UTC, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from fortuna import Component, Interface
from schemas._values import Price, Timestamp

__all__ = ["PriceProvider", "PriceQuote", "PriceUnavailable"]


class PriceUnavailable(RuntimeError):
    """The provider has no price to give now; ``source`` names it, the message says why.

    Raised by every :class:`PriceProvider` for every reason it cannot price (a source error
    is chained as ``__cause__``). Catch this, never a bare ``Exception``.
    """

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class PriceQuote(BaseModel):
    """A reference price, when it was observed at its source, and which source."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    price: Price = Field(description="the reference price, quote per base")
    timestamp: Timestamp = Field(description="when the source observed it (UTC)")
    source: str = Field(default="", description="the providing component or venue")

    def age(self, now: datetime) -> float:
        """Seconds since ``timestamp`` at ``now`` (pass ``self.clock.now()``)."""
        return (now - self.timestamp).total_seconds()


class PriceProvider(Interface, abc.ABC):
    """A reference price for one market.

    Implement :meth:`price`. Override :meth:`quote` as well when the source carries its
    own timestamp (a ticker, a book, a pool's block time): the default stamps the price
    with the time it was read, so staleness checks only see how old the data is when
    ``quote`` is overridden. Both raise :class:`PriceUnavailable` when there is no price.
    """

    @abc.abstractmethod
    async def price(self) -> Decimal:
        """The current reference price (quote per base)."""

    async def quote(self) -> PriceQuote:
        """The price with its observation time and source."""
        value = await self.price()
        if isinstance(self, Component):
            return PriceQuote(price=value, timestamp=self.clock.now(), source=self.name)
        return PriceQuote(price=value, timestamp=datetime.now(UTC), source=type(self).__name__)
