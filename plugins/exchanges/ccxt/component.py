"""The component behind every ``exchanges.ccxt.<id>``: ccxt with exact numbers and rules.

The Exchange contract on top of small parts, one job each:

- :mod:`transport`: calls into ccxt, every failure a :mod:`schemas` error (refined by the
  venue's own codes, :mod:`errors`), reads retried with backoff, writes sent once;
- :mod:`emulation`: open orders, closed orders and cancel-all, native or emulated as the
  venue's :class:`~capabilities.Profile` says;
- :mod:`client_ids`: the client order ids this session placed, bounded, indexed both ways;
- :mod:`convert`, :mod:`markets` and :mod:`guard`: ccxt structures to exact models, what
  cannot be held dropped with a log line or refused as a contract error.

Left here is the order path. Orders are quantized by ``Market.check_order`` and sent as
plain decimal strings; one that rounds to zero or under a minimum never leaves. An order
creation is never retried: after a retryable failure the order is looked up by its client
order id to learn whether it went through (never guessed). What exists only while loaded
(the ccxt instance, the parts, the markets) is one :class:`Session`, made by ``load``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from fortuna import Component, MetricsSource, Timings
from plugins.exchanges.ccxt import book, convert, guard, markets
from plugins.exchanges.ccxt.args import CcxtArgs
from plugins.exchanges.ccxt.capabilities import ClientIds, ClosedOrders, Profile, derive_profile
from plugins.exchanges.ccxt.client_ids import ClientIdIndex, fresh_client_id
from plugins.exchanges.ccxt.emulation import Emulations
from plugins.exchanges.ccxt.errors import OrderIdMissing, refine
from plugins.exchanges.ccxt.transport import Transport
from plugins.exchanges.ccxt.wire import plain, refuses, wire_price
from schemas import (
    Balances,
    Candle,
    ClientIdFormat,
    Exchange,
    ExchangeError,
    Fill,
    Market,
    Order,
    OrderBook,
    OrderRejected,
    OrderRequest,
    OrderType,
    Ticker,
    TimeInForce,
    Trade,
    to_milliseconds,
)
from schemas.limits import key_identity
from schemas.streams import UpdateKind, Updates, UpdateSource

if TYPE_CHECKING:
    from plugins.exchanges.ccxt.streams.reads import StreamedReads

__all__ = ["CcxtExchange", "Session", "plain"]


@dataclass
class Session:
    """What a loaded venue holds, from ``load`` to ``unload``."""

    client: Any
    transport: Transport
    emulations: Emulations
    profile: Profile
    client_ids: ClientIdIndex
    markets: dict[str, Market] = field(default_factory=dict)
    precision: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    traded: dict[str, None] = field(default_factory=dict)
    """Markets this session placed orders on (covered by emulated all-markets calls)."""
    streams: StreamedReads | None = None
    """The reads served from websocket streams (:mod:`streams.reads`), when ``stream``
    is on: each read asks it first and calls REST when it declines."""


class CcxtExchange(Component[CcxtArgs], Exchange, MetricsSource, UpdateSource):
    """An exchange through ccxt, with exact decimals, quantized orders and mapped errors."""

    exchange_id: ClassVar[str] = ""
    derivatives_only: ClassVar[bool] = False
    """The exchange lists no spot market (the pinned id list's tag)."""
    profile: ClassVar[Profile | None] = None
    """Declared by a tuned venue; derived from ccxt's metadata at load otherwise."""
    default_options: ClassVar[Mapping[str, Any]] = {}
    """ccxt options a tuned venue sets unless the mandate's ``options`` say otherwise."""
    client_id_format: ClassVar[ClientIdFormat] = ClientIdFormat(
        max_length=32, characters="A-Za-z0-9._-", description="letters, digits, '.', '_' and '-'"
    )
    """The client order ids the venue takes (a tuned venue states its own)."""
    error_codes: ClassVar[Mapping[str, type[ExchangeError]]] = {}
    """Venue error codes ccxt leaves generic, refined by a tuned venue (code -> error)."""
    error_messages: ClassVar[Mapping[str, type[ExchangeError]]] = {}
    """Venue error texts ccxt maps too broadly, refined by a tuned venue (text -> error)."""
    book_claims = ("plugins.exchanges.ccxt.rates:claims",)
    """The key's request rate and generated client order ids, in a book."""

    _session: Session | None = None

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def venue(self) -> str:
        return self.exchange_id

    @property
    def session(self) -> Session:
        """What the loaded venue holds; ``RuntimeError`` outside load .. unload."""
        if self._session is None:
            raise RuntimeError(f"{self.name}: the exchange is not loaded")
        return self._session

    @property
    def client(self) -> Any:
        """The ccxt instance (exact-number subclass); available between load and unload."""
        return self.session.client

    @property
    def transport(self) -> Transport:
        return self.session.transport

    def ccxt_config(self) -> dict[str, Any]:
        """The ccxt constructor's config: the args over the venue's default options."""
        return self.args.ccxt_config(self.default_options)

    async def load(self) -> None:
        from plugins.exchanges.ccxt.exact import exact_class, redirect

        streaming = self.args.stream.any
        client = exact_class(self.exchange_id, pro=streaming)(self.ccxt_config())
        client.number = str
        try:
            if self.args.sandbox:
                client.set_sandbox_mode(True)
            if self.args.api_url is not None:
                redirect(client, self.args.api_url)
            transport = Transport(client, self, self.translate, retries=self.args.retries,
                                  backoff=float(self.args.retry_backoff))
            client.shared_budget, client.shared_budget_key = self.args.rate_budget, self.budget_key
            profile = self.profile or derive_profile(client.has, client.features)
            emulations = Emulations(self, transport, profile, parse=self._orders,
                                    symbols=self._symbols)
            self._session = Session(client, transport, emulations, profile,
                                    ClientIdIndex(self.args.remembered_client_ids))
            await transport.read(lambda: client.load_markets())
            self.session.markets, self.session.precision = markets.spot_markets(
                client, self.venue, self.log)
            if streaming:
                from plugins.exchanges.ccxt.streams.reads import open_streams

                self.session.streams = open_streams(self, client, self.args.stream,
                                                    order_of=self._one_order,
                                                    fill_of=self.fill_of)
        except BaseException:
            self._session = None
            await client.close()
            raise

    async def unload(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            if session.streams is not None:
                await session.streams.close()
            await session.client.close()

    @property
    def budget_key(self) -> str:
        """This venue's and API key's identity in a shared rate budget (a hash, not the key)."""
        key = self.args.api_key
        return key_identity(self.exchange_id, key.get_secret_value() if key else None)

    def metrics(self) -> Iterable[Any]:
        """``fortuna_venue_latency_seconds{venue}``: the wall time of each call to the venue."""
        if self._session is not None:
            yield Timings.family("fortuna_venue_latency_seconds", "wall time of one call to "
                                 "the venue", ("venue",), [((self.venue,), self.transport.latency)])

    def translate(self, error: BaseException) -> ExchangeError:
        """The project error for a ccxt exception, refined by the venue's own codes."""
        return refine(error, self.venue, self.error_codes, self.error_messages)

    def _symbols(self) -> list[str]:
        """The markets an emulated all-markets call covers: the watched and the traded."""
        session = self.session
        chosen = dict.fromkeys([*self.args.symbols, *session.traded])
        return [symbol for symbol in chosen if symbol in session.markets]

    @staticmethod
    def _since(since: datetime | None) -> int | None:
        return None if since is None else to_milliseconds(since)

    def _each(self, kind: str, raws: Any, convert_one: Any) -> list[Any]:
        return guard.each(kind, raws, convert_one, venue=self.venue, log=self.log)

    # -- market data ----------------------------------------------------------------------

    async def markets(self) -> Mapping[str, Market]:
        return self.session.markets

    async def check_order(
        self, request: OrderRequest, *, reference_price: Decimal | None = None
    ) -> OrderRequest:
        market = await self.market(request.symbol)
        if int(self.client.precisionMode) == markets.SIGNIFICANT_DIGITS:
            market = markets.at_magnitude(market, self.session.precision[market.symbol],
                                          request.price or reference_price, request.amount)
        return market.check_order(request, reference_price=reference_price)

    def updates(self, symbol: str, kinds: frozenset[UpdateKind]) -> Updates | None:
        streams = self.session.streams
        return None if streams is None else streams.updates(symbol, kinds)

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        streams = self.session.streams
        if streams is not None and (
                streamed := streams.order_book(symbol, limit)) is not None:
            return streamed
        raw = await self.transport.read(lambda: self.client.fetch_order_book(symbol, limit))
        now = self.clock.now()
        return guard.one("order book", self.venue,
                         lambda: book.order_book(raw, symbol, now))

    async def fetch_ticker(self, symbol: str) -> Ticker:
        streams = self.session.streams
        if streams is not None and (streamed := streams.ticker(symbol)) is not None:
            return streamed
        raw = await self.transport.read(lambda: self.client.fetch_ticker(symbol))
        now = self.clock.now()
        return guard.one("ticker", self.venue, lambda: convert.ticker(raw, symbol, now))

    async def fetch_trades(
        self, symbol: str, since: datetime | None = None, limit: int | None = None
    ) -> list[Trade]:
        streams = self.session.streams
        if streams is not None and (
                served := streams.public_trades(symbol, since, limit)) is not None:
            return served
        raw = await self.transport.read(
            lambda: self.client.fetch_trades(symbol, self._since(since), limit))
        now = self.clock.now()
        trades = self._each("trade", raw, lambda entry: convert.trade(entry, now))
        return sorted(trades, key=lambda t: t.timestamp)

    async def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Candle]:
        raw = await self.transport.read(
            lambda: self.client.fetch_ohlcv(symbol, timeframe, self._since(since), limit))
        candles = self._each("candle", raw, convert.candle)
        return sorted(candles, key=lambda c: c.timestamp)

    async def fetch_balances(self) -> Balances:
        raw = await self.transport.read(lambda: self.client.fetch_balance())
        now = self.clock.now()
        return guard.one("balances", self.venue, lambda: convert.balances(raw, now))

    # -- orders ---------------------------------------------------------------------------

    def client_id_from_venue(self, text: str) -> str:
        """The client order id we sent, from the form the venue echoes it in."""
        return text

    def _order(self, raw: Any, *, amount: Decimal | None = None,
               symbol: str | None = None) -> Order | None:
        """One order from ccxt, its client order id restored (as we sent it, or from the
        index when the venue left it out); None when the answer does not describe it."""
        order = convert.order(raw, self.clock.now(), amount=amount, symbol=symbol)
        if order is None:
            return None
        mine = self._mine(order.client_order_id, order.id)
        if mine != order.client_order_id:
            order = order.model_copy(update={"client_order_id": mine})
        return order

    def _mine(self, echoed: str | None, order_id: str) -> str | None:
        """Our client order id of an order: as the venue echoed it, or from the index."""
        if echoed is not None:
            return self.client_id_from_venue(echoed)
        return self.session.client_ids.client_id_of(order_id)

    def _orders(self, raws: Iterable[Any]) -> list[Order]:
        return self._each("order", raws, self._order)

    def _one_order(self, raw: Any, **known: Any) -> Order | None:
        if not isinstance(raw, Mapping):
            return None
        return guard.one("order", self.venue, lambda: self._order(raw, **known))

    def client_order_id_params(self, client_order_id: str) -> dict[str, Any]:
        """The ccxt params that carry the client order id (ccxt's unified name)."""
        return {"clientOrderId": client_order_id}

    def order_params(self, request: OrderRequest) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if request.post_only:
            params["postOnly"] = True
        elif request.time_in_force in (TimeInForce.IOC, TimeInForce.FOK):
            params["timeInForce"] = request.time_in_force.value
        return params

    async def create_order(self, request: OrderRequest) -> Order:
        checked = await self.check_order(request)
        refusal = refuses(self.client, self.venue, checked)
        if refusal is not None:
            raise OrderRejected(refusal, code="unsupported", request=checked,
                                venue=self.venue)
        if checked.client_order_id is not None:
            # refused before the wire: truncating or rewriting the id instead would break
            # finding the order by it (and a mandate's prefix)
            refusal = self.client_id_format.refusal(checked.client_order_id, self.venue)
            if refusal is not None:
                raise OrderRejected(refusal, code="client_order_id", request=checked,
                                    venue=self.venue)
        session = self.session
        client_id = checked.client_order_id or fresh_client_id(
            self.args.client_order_id_prefix, self.client_id_format.max_length)
        params = {**self.order_params(checked)}
        if session.profile.client_ids is ClientIds.NATIVE:
            params.update(self.client_order_id_params(client_id))
        session.traded[checked.symbol] = None
        amount = plain(checked.amount)
        price = wire_price(self.client, checked)
        try:
            raw = await self.client.create_order(
                checked.symbol, checked.type.value, checked.side.value, amount, price, params
            )
        except Exception as failure:
            error = self.translate(failure)
            if not error.retryable:
                raise error from failure
            return await self._after_failed_create(checked, client_id, error, failure)
        try:
            accepted = self._accepted(raw, checked, client_id)
        except OrderIdMissing as missing:
            accepted = await self._after_failed_create(checked, client_id, missing, missing)
        if session.streams is not None:
            session.streams.record([accepted])
        return accepted

    def _accepted(self, raw: Any, checked: OrderRequest, client_id: str) -> Order:
        order = self._one_order(raw, amount=checked.amount, symbol=checked.symbol)
        if order is None:
            order_id = raw.get("id") if isinstance(raw, Mapping) else None
            if not order_id:
                raise OrderIdMissing(
                    f"the venue accepted order {client_id} without giving its id",
                    venue=self.venue,
                )
            order = Order(
                id=str(order_id), client_order_id=client_id, symbol=checked.symbol,
                side=checked.side, type=checked.type, price=checked.price,
                amount=checked.amount, time_in_force=checked.time_in_force,
                post_only=checked.post_only, timestamp=self.clock.now(),
            )
        update: dict[str, Any] = {}
        if order.client_order_id is None:
            update["client_order_id"] = client_id
        if order.type is OrderType.LIMIT and order.price is None:
            update["price"] = checked.price
        if update:
            order = order.model_copy(update=update)
        self.session.client_ids.remember(client_id, order.id, str(checked.symbol))
        return order

    async def _after_failed_create(
        self, checked: OrderRequest, client_id: str, error: ExchangeError,
        failure: BaseException,
    ) -> Order:
        """A retryable failure left the order's fate unknown: ask the venue by client id."""
        try:
            found = await self.find_order_by_client_id(client_id, checked.symbol)
        except ExchangeError as lookup:
            raise type(error)(
                f"{error.message}; whether order {client_id} was placed is unknown "
                f"(looking it up failed: {lookup.message})", venue=self.venue,
            ) from failure
        if found is None:
            raise type(error)(
                f"{error.message}; order {client_id} was not placed (the venue does not "
                "know its client order id)", venue=self.venue,
            ) from failure
        self.log.warning("order placed despite error", venue=self.venue,
                         client_order_id=client_id, order_id=found.id, error=str(error))
        self.session.client_ids.remember(client_id, found.id, str(checked.symbol))
        return found

    async def find_order_by_client_id(self, client_order_id: str, symbol: str) -> Order | None:
        """The order carrying ``client_order_id``, or None. Default: search the open, then
        the closed orders of ``symbol``; tuned venues ask the venue directly."""
        for order in await self.fetch_open_orders(symbol):
            if order.client_order_id == client_order_id:
                return order
        if self.session.profile.closed_orders is not ClosedOrders.NONE:
            for order in await self.fetch_closed_orders(symbol):
                if order.client_order_id == client_order_id:
                    return order
        return None

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        raw = await self.transport.read(lambda: self.client.fetch_order(order_id, symbol))
        order = self._one_order(raw, symbol=symbol)
        if order is None:
            raise ExchangeError(f"the venue described order {order_id} without its size",
                                venue=self.venue)
        return order

    async def cancel_order(self, order_id: str, symbol: str) -> Order | None:
        raw = await self.transport.call(lambda: self.client.cancel_order(order_id, symbol))
        if not isinstance(raw, Mapping):
            return None
        if not raw.get("status"):
            # an acknowledged cancel that does not say the status: the order is cancelled
            raw = {**raw, "status": "canceled"}
        order = self._one_order(raw, symbol=symbol)
        if self.session.streams is not None:
            self.session.streams.record([order])
        return order

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        streams = self.session.streams
        if streams is None:
            return await self.session.emulations.open_orders(symbol)
        served = streams.open_orders(symbol)
        if served is not None:
            return served
        mark = streams.seeding()
        orders = await self.session.emulations.open_orders(symbol)
        return streams.seed(symbol, orders, mark)

    async def fetch_closed_orders(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Order]:
        return await self.session.emulations.closed_orders(symbol, since, limit)

    async def cancel_all_orders(self, symbol: str | None = None) -> list[Order]:
        return await self.session.emulations.cancel_all(symbol)

    async def fetch_my_trades(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Fill]:
        streams = self.session.streams
        if streams is not None and (served := streams.fills(symbol, since, limit)) is not None:
            return served
        start = self._since(since)
        client = self.client
        raws = await self.transport.read_each_symbol(
            "fetchMyTrades", symbol, lambda s: client.fetch_my_trades(s, start, limit),
            self._symbols)
        fills: list[Fill] = self._each("fill", raws, self.fill_of)
        if streams is not None:
            return streams.merge_fills(fills, symbol, since)
        return sorted(fills, key=lambda f: f.timestamp)

    def fill_of(self, raw: Any) -> Fill:
        """One fill from ccxt, its client order id restored (as echoed, or from the index)."""
        fill = convert.fill(raw, self.clock.now())
        mine = self._mine(fill.client_order_id, fill.order_id)
        if mine != fill.client_order_id:
            fill = fill.model_copy(update={"client_order_id": mine})
        return fill
