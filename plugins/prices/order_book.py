"""``prices.order_book``: a reference price from an exchange's order book."""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import UTC
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from fortuna import Component, ComponentArgs, ExactDecimal
from plugins.prices._composite import from_venue
from schemas import (
    Exchange,
    OrderBook,
    PriceProvider,
    PriceQuote,
    PriceUnavailable,
    Side,
    Symbol,
    money,
    trusted,
)
from schemas.feeds import OrderBookFeed

__all__ = ["OrderBookPrice", "OrderBookPriceArgs"]



class OrderBookPriceArgs(ComponentArgs):
    exchange: Exchange | OrderBookFeed = Field(
        description="the venue whose book is read, or a listeners.order_book that samples it"
    )
    symbol: Symbol = Field(description='the market, e.g. "BTC/USDT"')
    method: Literal["mid", "depth_weighted"] = Field(
        default="mid",
        description="mid: halfway between best bid and ask; depth_weighted: halfway between "
        "the average prices of selling and buying `depth` base",
    )
    depth: Annotated[ExactDecimal, Field(gt=0)] | None = Field(
        default=None, description="base amount walked on each side (depth_weighted only)"
    )
    limit: int | None = Field(
        default=None, ge=1, description="levels fetched per side (the venue's default if omitted)"
    )

    @model_validator(mode="after")
    def _depth(self) -> Self:
        if self.method == "depth_weighted" and self.depth is None:
            raise ValueError("method depth_weighted needs a depth")
        return self


class OrderBookPrice(Component[OrderBookPriceArgs], PriceProvider):
    """Reference price from an order book: mid, or depth-weighted over both sides."""

    def _from(self, book: OrderBook) -> Decimal:
        args = self.args
        if args.method == "mid" or args.depth is None:
            mid = book.mid
            if mid is None:
                raise PriceUnavailable(f"{args.symbol}: a side of the book is empty",
                                       source=self.name)
            return mid
        bought = book.average_fill_price(Side.BUY, args.depth)
        sold = book.average_fill_price(Side.SELL, args.depth)
        if bought is None or sold is None:
            raise PriceUnavailable(
                f"{args.symbol}: the book holds less than {args.depth} on a side",
                source=self.name,
            )
        return money.mid(bought, sold)

    async def price(self) -> Decimal:
        return self._from(await self._book())

    async def quote(self) -> PriceQuote:
        book = await self._book()
        price, timestamp = self._from(book), book.timestamp
        if type(price) is Decimal and price.is_finite() and price > 0 and timestamp.tzinfo is UTC:
            # What validation would accept and keep as it is (a finite Decimal above zero,
            # a timestamp already in UTC; the source is the name, a str): built without it.
            return trusted(PriceQuote, price=price, timestamp=timestamp, source=self.name)
        return PriceQuote(price=price, timestamp=timestamp, source=self.name)

    def _book(self) -> Coroutine[Any, Any, OrderBook]:
        """The book, read through :func:`from_venue` (its coroutine, awaited by the caller:
        one layer less on every tick's price)."""
        exchange, symbol = self.args.exchange, self.args.symbol
        return from_venue(self.name, exchange.fetch_order_book(symbol, self.args.limit))
