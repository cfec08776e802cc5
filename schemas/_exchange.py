"""The :class:`Exchange` interface: what every venue (simulated, ccxt, on-chain) provides.

Timestamps in and out are timezone-aware UTC datetimes. Errors are the classes of
:mod:`schemas._errors` (re-exported by ``schemas``); a venue translates its own.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from fortuna import Interface
from schemas._errors import BadSymbol
from schemas._market import Market
from schemas._market_data import Balances, Candle, OrderBook, Ticker, Trade
from schemas._orders import Fill, Order, OrderRequest

__all__ = ["ClientIdFormat", "Exchange"]

_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_TAIL = re.compile(r"[0-9a-z]+")
_RUN_DIGITS = 8  # base-36 digits of a run token: a run's start in ms, modulo 36**8 (~33 days)
_MIN_RUN_DIGITS = 4
_STEMS_KEPT = 64


# Every number under 36**2 spelled without leading zeros, and every pair of digits with
# them: a sequence number is spelled two digits a step (an order id per order placed).
_PAIRS = tuple(high + low for high in _BASE36 for low in _BASE36)
_SHORT = tuple(_BASE36[n] if n < 36 else _PAIRS[n] for n in range(36 * 36))


def _base36(number: int) -> str:
    """``number`` (>= 0) in base 36, lower case, no leading zeros."""
    if number < 1296:
        return _SHORT[number]
    high, low = divmod(number, 1296)
    return _base36(high) + _PAIRS[low]


@dataclass(frozen=True)
class ClientIdFormat:
    """The client order ids a venue accepts, and how a mandate spells its own there.

    A mandate's id is ``<prefix><separator><run><separator><sequence>``: the mandate's
    name, a token of the run (its start time in ms) and the order's number within the run,
    both in base 36, lower case. The run and the sequence never contain the separator, so
    the prefix is everything before the last two separators: a mandate recognises its own
    orders (also those of an earlier run) by ``owns``, and a mandate named ``mm1`` never
    claims the orders of ``mm10``, nor ``mm`` those of ``mmZ1`` where ``Z`` separates.
    A venue that takes letters and digits only separates with an upper-case letter. Where
    an id would be too long, the run token keeps its last digits (at least four); a prefix
    that still does not fit, or that has characters the venue refuses, is refused by
    ``issue`` with the reason.
    """

    max_length: int = 64
    """The most characters the venue takes."""
    characters: str = r"\x21-\x7e"
    """The characters the venue takes, as the body of a regular-expression class."""
    description: str = "printable ASCII characters other than space"
    """The same, in words, for refusals."""
    separator: str = "-"
    """Between prefix, run and sequence: one character the venue takes, not in ``[0-9a-z]``."""
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _stems: dict[tuple[str, int, str], str] = field(
        init=False, repr=False, compare=False, default_factory=dict)
    """``<prefix><sep><run token><sep>`` by (prefix, run, venue): a run issues many ids."""

    def __post_init__(self) -> None:
        if len(self.separator) != 1 or _TAIL.fullmatch(self.separator):
            raise ValueError(f"a client id separator is one character outside [0-9a-z], "
                             f"not {self.separator!r}")
        pattern = re.compile(f"[{self.characters}]+")
        if not pattern.fullmatch(self.separator):
            raise ValueError(f"the separator {self.separator!r} is not among the characters "
                             "the format takes")
        if not pattern.fullmatch(_BASE36):
            raise ValueError("a client id format takes at least digits and lower-case letters")
        object.__setattr__(self, "_pattern", pattern)

    def refusal(self, client_order_id: str, venue: str = "the venue") -> str | None:
        """Why the venue would refuse ``client_order_id``, or None."""
        if len(client_order_id) > self.max_length:
            return (f"client order id {client_order_id!r} is {len(client_order_id)} "
                    f"characters; {venue} takes at most {self.max_length}")
        if not self._pattern.fullmatch(client_order_id):
            return (f"client order id {client_order_id!r}: {venue} takes only "
                    f"{self.description}")
        return None

    def issue(self, prefix: str, run: int, sequence: int, venue: str = "the venue") -> str:
        """The id of order ``sequence`` of the run started at ``run`` (ms) by ``prefix``;
        ``ValueError`` with the reason when the venue cannot carry it."""
        stem = self._stems.get((prefix, run, venue))
        if stem is None:
            if len(self._stems) >= _STEMS_KEPT:
                self._stems.clear()
            stem = self._stems[prefix, run, venue] = _stem(self, prefix, run, venue)
        tail = _base36(sequence)
        if len(stem) + len(tail) <= self.max_length:
            return stem + tail
        sep = self.separator
        token = stem[len(prefix) + 1 : -1]
        room = self.max_length - len(prefix) - 2 * len(sep) - len(tail)
        if room < min(len(token), _MIN_RUN_DIGITS):
            raise ValueError(
                f"client order ids with the prefix {prefix!r} do not fit the "
                f"{self.max_length} characters {venue} takes (the prefix may have at most "
                f"{self.max_length - 2 * len(sep) - _MIN_RUN_DIGITS - len(tail)})")
        return f"{prefix}{sep}{token[-room:]}{sep}{tail}"

    def owns(self, prefix: str, client_order_id: str | None) -> bool:
        """Whether ``client_order_id`` was issued for ``prefix`` (by any run)."""
        return client_order_id is not None and self.owner(client_order_id) == prefix

    def owner(self, client_order_id: str) -> str | None:
        """The prefix that would claim ``client_order_id`` as its own, or None when no
        prefix would (two prefixes collide on an account when some id has them both)."""
        parts = client_order_id.rsplit(self.separator, 2)
        return parts[0] if len(parts) == 3 and all(parts[1:]) else None


def _stem(form: ClientIdFormat, prefix: str, run: int, venue: str) -> str:
    """``<prefix><sep><run token><sep>``, the prefix checked once (the token, the sequence
    and the separator are characters every format takes, checked at its creation)."""
    refusal = form.refusal(prefix, venue)
    if refusal is not None:
        raise ValueError(f"the prefix {prefix!r} cannot make client order ids: {refusal}")
    return f"{prefix}{form.separator}{_base36(run % 36**_RUN_DIGITS)}{form.separator}"


class Exchange(Interface, abc.ABC):
    """A trading venue: market metadata, market data, balances and orders.

    Contract for implementations:
    - ``create_order`` first calls ``await self.check_order(request)`` (the market's
      ``check_order``) and sends the quantized request it returns, so nothing unquantized
      or under the venue's minimums reaches the wire (``OrderRejected`` otherwise).
    - Unknown symbols raise ``BadSymbol``; unknown order ids raise ``OrderNotFound``.
    - Transient failures raise a retryable ``ExchangeError`` (``NetworkError``,
      ``RequestTimeout``, ``RateLimited``, ``ExchangeUnavailable``).
    - Lists are in chronological order (oldest first) for trades, candles, fills and
      closed orders.
    - ``client_id_format`` says which client order ids the venue takes; callers that make
      their own ids make them with it (the default takes what most venues do).
    """

    client_id_format: ClassVar[ClientIdFormat] = ClientIdFormat()

    @property
    @abc.abstractmethod
    def venue(self) -> str:
        """The venue's name, such as ``"binance"`` or ``"sim"``."""

    @abc.abstractmethod
    async def markets(self) -> Mapping[str, Market]:
        """Every market of the venue, by symbol."""

    async def market(self, symbol: str) -> Market:
        """One market; ``BadSymbol`` when the venue has none by that name."""
        markets = await self.markets()
        try:
            return markets[symbol]
        except KeyError:
            raise BadSymbol(f"no market {symbol}", venue=self.venue) from None

    async def check_order(
        self, request: OrderRequest, *, reference_price: Decimal | None = None
    ) -> OrderRequest:
        """``request`` quantized to its market, or ``OrderRejected``: what ``create_order``
        sends. Callers may use it to learn the exact order before placing it."""
        market = await self.market(request.symbol)
        return market.check_order(request, reference_price=reference_price)

    @abc.abstractmethod
    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        """The book, up to ``limit`` levels per side (venue default when None)."""

    @abc.abstractmethod
    async def fetch_ticker(self, symbol: str) -> Ticker:
        """Top of book and last price."""

    @abc.abstractmethod
    async def fetch_trades(
        self, symbol: str, since: datetime | None = None, limit: int | None = None
    ) -> list[Trade]:
        """Public trades, oldest first, from ``since`` (inclusive) when given."""

    @abc.abstractmethod
    async def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Candle]:
        """Candles of ``timeframe`` (ccxt notation: 1m, 5m, 1h, 1d ...), oldest first."""

    @abc.abstractmethod
    async def fetch_balances(self) -> Balances:
        """The account's balances."""

    @abc.abstractmethod
    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        """Resting orders, of one market or of all."""

    @abc.abstractmethod
    async def fetch_closed_orders(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Order]:
        """Final orders (closed, canceled, rejected, expired), oldest first."""

    @abc.abstractmethod
    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        """One order by the venue's id; ``OrderNotFound`` if unknown."""

    @abc.abstractmethod
    async def create_order(self, request: OrderRequest) -> Order:
        """Place an order after ``Market.check_order``; returns it as the venue accepted it."""

    @abc.abstractmethod
    async def cancel_order(self, order_id: str, symbol: str) -> Order | None:
        """Cancel one order. Returns it as it now stands (``canceled``, or already final
        when it filled first), or None when the venue acknowledges without describing it.
        ``OrderNotFound`` when the venue does not know the id."""

    @abc.abstractmethod
    async def cancel_all_orders(self, symbol: str | None = None) -> list[Order]:
        """Cancel every open order, of one market or of all; returns those the venue
        reported (possibly fewer than were cancelled, never ones that were not)."""

    @abc.abstractmethod
    async def fetch_my_trades(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Fill]:
        """The account's fills, oldest first."""
