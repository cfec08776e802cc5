"""The component behind every ``exchanges.ccxt.<id>``: ccxt with exact numbers and rules.

- Exact numbers: see :mod:`exact` (``number = str``, string book levels) and :mod:`convert`
  (every field a ``Decimal``). Orders are quantized by ``Market.check_order`` and sent as
  plain decimal strings; an order that rounds to zero or under a minimum never leaves.
- Errors: every ccxt exception becomes a :mod:`schemas` error (:mod:`errors`). Reads are
  retried a bounded number of times with exponential backoff on the graph's clock when the
  error is retryable. An order creation is never retried: after a retryable failure the
  order is looked up by its client order id to learn whether it went through.
- Venue gaps: closed orders, open orders of every market and cancel-all are emulated from
  what the venue has, as its :class:`~capabilities.Profile` says.
- Markets: the venue's spot markets. Derivatives are left out: their amounts count
  contracts, which :class:`schemas.Market` (amounts in base currency) does not express.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from fortuna import Component
from plugins.exchanges.ccxt import convert
from plugins.exchanges.ccxt.args import CcxtArgs
from plugins.exchanges.ccxt.capabilities import (
    CancelAll,
    ClientIds,
    ClosedOrders,
    OpenOrders,
    Profile,
    derive_profile,
)
from plugins.exchanges.ccxt.errors import OrderIdMissing, translate
from schemas import (
    Balances,
    Candle,
    Exchange,
    ExchangeError,
    Fill,
    Market,
    NotSupported,
    Order,
    OrderBook,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Ticker,
    TimeInForce,
    Trade,
    to_milliseconds,
)

__all__ = ["CcxtExchange", "plain"]

T = TypeVar("T")
_CODE = re.compile(r'"code"\s*:\s*"?(-?\w+)"?')


def _needs_symbol(error: ExchangeError) -> bool:
    """Whether ccxt refused a call for want of a symbol (``ArgumentsRequired``)."""
    return type(error.__cause__).__name__ == "ArgumentsRequired"


def plain(value: Decimal) -> str:
    """A decimal as the plain string that goes on the wire: no exponent, no float, no
    trailing zeros (``0.01000`` -> ``0.01``, ``3.0E+4`` -> ``30000``)."""
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    return format(value.normalize(), "f")


class CcxtExchange(Component[CcxtArgs], Exchange):
    """An exchange through ccxt, with exact decimals, quantized orders and mapped errors."""

    exchange_id: ClassVar[str] = ""
    profile: ClassVar[Profile | None] = None
    """Declared by a tuned venue; derived from ccxt's metadata at load otherwise."""
    default_options: ClassVar[Mapping[str, Any]] = {}
    """ccxt options a tuned venue sets unless the mandate's ``options`` say otherwise."""
    client_id_length: ClassVar[int] = 32
    client_id_pattern: ClassVar[re.Pattern[str]] = re.compile(r"[A-Za-z0-9._\-]+")
    client_id_characters: ClassVar[str] = "letters, digits, '.', '_' and '-'"
    error_codes: ClassVar[Mapping[str, type[ExchangeError]]] = {}
    """Venue error codes ccxt leaves generic, refined by a tuned venue (code -> error)."""
    error_messages: ClassVar[Mapping[str, type[ExchangeError]]] = {}
    """Venue error texts ccxt maps too broadly, refined by a tuned venue (text -> error)."""

    _client: Any = None

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def venue(self) -> str:
        return self.exchange_id

    @property
    def client(self) -> Any:
        """The ccxt instance (exact-number subclass); available between load and unload."""
        if self._client is None:
            raise RuntimeError(f"{self.name}: the exchange is not loaded")
        return self._client

    def ccxt_config(self) -> dict[str, Any]:
        args = self.args
        config: dict[str, Any] = {
            "enableRateLimit": args.enable_rate_limit,
            "timeout": int(args.timeout * 1000),
            "options": {**self.default_options, **args.options},
        }
        if args.rate_limit is not None:
            config["rateLimit"] = args.rate_limit * 1000
        for key, secret in (("apiKey", args.api_key), ("secret", args.secret),
                            ("password", args.password), ("uid", args.uid)):
            if secret is not None:
                config[key] = secret.get_secret_value()
        return config

    async def load(self) -> None:
        from plugins.exchanges.ccxt.exact import exact_class, redirect

        client = exact_class(self.exchange_id)(self.ccxt_config())
        client.number = str
        if self.args.sandbox:
            client.set_sandbox_mode(True)
        if self.args.api_url is not None:
            redirect(client, self.args.api_url)
        self._client = client
        self._active_profile = self.profile or derive_profile(client.has, client.features)
        self._symbol_required = {
            method for method in ("fetchOpenOrders", "fetchClosedOrders", "fetchOrders",
                                  "fetchMyTrades")
            if ((client.features or {}).get("spot") or {}).get(method)
            and client.features["spot"][method].get("symbolRequired")
        }
        self._traded: dict[str, None] = {}
        self._client_ids: dict[str, tuple[str, str]] = {}
        self._markets: dict[str, Market] = {}
        self._precision: dict[str, tuple[Any, Any]] = {}
        try:
            await self._read(lambda: client.load_markets())
            self._index_markets()
        except BaseException:
            await self.unload()
            raise

    async def unload(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    def _index_markets(self) -> None:
        mode = int(self.client.precisionMode)
        markets: dict[str, Market] = {}
        for raw in self.client.markets.values():
            if raw.get("spot") is False and raw.get("type") not in (None, "spot"):
                continue
            market = convert.market(raw, mode)
            if market is not None:
                markets[market.symbol] = market
                precision = raw.get("precision") or {}
                self._precision[market.symbol] = (precision.get("price"),
                                                  precision.get("amount"))
        self._markets = markets

    # -- calls ----------------------------------------------------------------------------

    def translate(self, error: BaseException) -> ExchangeError:
        """The project error for a ccxt exception, refined by the venue's own codes."""
        result = translate(error, self.venue)
        for text, refined_class in self.error_messages.items():
            if text in str(error):
                return refined_class(result.message, venue=self.venue)
        if type(result) is ExchangeError and self.error_codes:
            found = _CODE.search(str(error))
            refined = self.error_codes.get(found.group(1)) if found else None
            if refined is not None:
                return refined(result.message, venue=self.venue)
        return result

    async def _call(self, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        except ExchangeError:
            raise
        except Exception as error:
            raise self.translate(error) from error

    async def _read(self, call: Callable[[], Awaitable[T]]) -> T:
        """``call`` with bounded retries and exponential backoff on retryable errors."""
        delay = float(self.args.retry_backoff)
        for attempt in range(self.args.retries + 1):
            try:
                return await self._call(call)
            except ExchangeError as error:
                if not error.retryable or attempt == self.args.retries:
                    raise
                wait = getattr(error, "retry_after", None) or delay
                self.log.warning("retrying", venue=self.venue, attempt=attempt + 1,
                                 wait=wait, error=str(error))
                await self.clock.sleep(wait)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _symbols(self, extra: Iterable[str] = ()) -> list[str]:
        """The markets an emulated all-markets call covers: the watched and the traded."""
        chosen = dict.fromkeys([*self.args.symbols, *self._traded, *extra])
        return [symbol for symbol in chosen if symbol in self._markets]

    async def _each_symbol(
        self, method: str, symbol: str | None, call: Callable[[str | None], Awaitable[Any]]
    ) -> list[Any]:
        if symbol is not None or method not in self._symbol_required:
            try:
                return list(await self._read(lambda: call(symbol)))
            except ExchangeError as error:
                if symbol is not None or not _needs_symbol(error):
                    raise
                self._symbol_required.add(method)  # ccxt's metadata did not say so
        results: list[Any] = []
        for each in self._symbols():
            results.extend(await self._read(lambda each=each: call(each)))  # type: ignore[misc]
        return results

    @staticmethod
    def _since(since: datetime | None) -> int | None:
        return None if since is None else to_milliseconds(since)

    # -- market data ----------------------------------------------------------------------

    async def markets(self) -> Mapping[str, Market]:
        return self._markets

    async def check_order(
        self, request: OrderRequest, *, reference_price: Decimal | None = None
    ) -> OrderRequest:
        market = await self.market(request.symbol)
        if int(self.client.precisionMode) == convert.SIGNIFICANT_DIGITS:
            price_precision, amount_precision = self._precision[market.symbol]
            magnitude = request.price or reference_price
            price_step = convert.increment(
                price_precision, convert.SIGNIFICANT_DIGITS, magnitude
            )
            amount_step = convert.increment(
                amount_precision, convert.SIGNIFICANT_DIGITS, request.amount
            )
            market = market.model_copy(update={
                "price_increment": price_step or market.price_increment,
                "amount_increment": amount_step or market.amount_increment,
            })
        return market.check_order(request, reference_price=reference_price)

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        raw = await self._read(lambda: self.client.fetch_order_book(symbol, limit))
        return convert.order_book(raw, symbol, self.clock.now())

    async def fetch_ticker(self, symbol: str) -> Ticker:
        raw = await self._read(lambda: self.client.fetch_ticker(symbol))
        return convert.ticker(raw, symbol, self.clock.now())

    async def fetch_trades(
        self, symbol: str, since: datetime | None = None, limit: int | None = None
    ) -> list[Trade]:
        raw = await self._read(
            lambda: self.client.fetch_trades(symbol, self._since(since), limit)
        )
        now = self.clock.now()
        trades = [convert.trade(entry, now) for entry in raw]
        return sorted((t for t in trades if t is not None), key=lambda t: t.timestamp)

    async def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Candle]:
        raw = await self._read(
            lambda: self.client.fetch_ohlcv(symbol, timeframe, self._since(since), limit)
        )
        candles = [convert.candle(entry) for entry in raw]
        return sorted((c for c in candles if c is not None), key=lambda c: c.timestamp)

    async def fetch_balances(self) -> Balances:
        raw = await self._read(lambda: self.client.fetch_balance())
        return convert.balances(raw, self.clock.now())

    # -- orders ---------------------------------------------------------------------------

    def client_id_from_venue(self, text: str) -> str:
        """The client order id we sent, from the form the venue echoes it in."""
        return text

    def _order(self, raw: Any, *, amount: Decimal | None = None,
               symbol: str | None = None) -> Order | None:
        order = convert.order(raw, self.clock.now(), amount=amount, symbol=symbol)
        if order is not None and order.client_order_id is not None:
            mine = self.client_id_from_venue(order.client_order_id)
            if mine != order.client_order_id:
                order = order.model_copy(update={"client_order_id": mine})
        if order is not None and order.client_order_id is None:
            known = next((cid for cid, (oid, _) in self._client_ids.items()
                          if oid == order.id), None)
            if known is not None:
                order = order.model_copy(update={"client_order_id": known})
        return order

    def _orders(self, raws: Iterable[Any]) -> list[Order]:
        orders = [self._order(raw) for raw in raws]
        return [order for order in orders if order is not None]

    def new_client_order_id(self) -> str:
        """A fresh client order id: the prefix and a random hex tail, letters and digits
        only (the strictest venues accept nothing else)."""
        prefix = "".join(ch for ch in self.args.client_order_id_prefix if ch.isalnum())
        return (prefix + uuid.uuid4().hex)[: self.client_id_length]

    def client_order_id_refusal(self, client_order_id: str) -> str | None:
        """Why the venue would refuse a caller's client order id, or ``None``. Checked
        before the wire: truncating or rewriting the id instead would break finding the
        order by it (and a mandate's prefix)."""
        if len(client_order_id) > self.client_id_length:
            return (f"client order id {client_order_id!r} is {len(client_order_id)} characters;"
                    f" {self.venue} takes at most {self.client_id_length}")
        if not self.client_id_pattern.fullmatch(client_order_id):
            return (f"client order id {client_order_id!r}: {self.venue} takes only "
                    f"{self.client_id_characters}")
        return None

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

    def refuses(self, request: OrderRequest) -> str | None:
        """Why the venue cannot honour ``request`` as asked (ccxt's own ``features``), or
        None. A post-only order is never sent where it could silently take."""
        spot = (self._client.features or {}).get("spot") or {}
        create = spot.get("createOrder") or {}
        supported = create.get("timeInForce") or {}
        tif = request.time_in_force.value
        if supported and tif != "GTC" and supported.get(tif) is False:
            return f"{self.venue} does not support time in force {tif} through ccxt"
        return None

    def _wire_price(self, request: OrderRequest) -> str | None:
        """The price handed to ccxt. A market order's price is only the reference its
        notional was checked against: ccxt turns a price on a market order into a size in
        the quote currency on some venues (binance and mexc send ``quoteOrderQty`` =
        amount x price), so it is withheld, except for market buys on venues that size
        those in quote and say so (``createMarketBuyOrderRequiresPrice``)."""
        if request.price is None:
            return None
        if request.type is OrderType.MARKET:
            sized_in_quote = self.client.options.get("createMarketBuyOrderRequiresPrice")
            if request.side is not Side.BUY or not sized_in_quote:
                return None
        return plain(request.price)

    async def create_order(self, request: OrderRequest) -> Order:
        checked = await self.check_order(request)
        refusal = self.refuses(checked)
        if refusal is not None:
            raise OrderRejected(refusal, code="unsupported", request=checked,
                                venue=self.venue)
        if checked.client_order_id is not None:
            refusal = self.client_order_id_refusal(checked.client_order_id)
            if refusal is not None:
                raise OrderRejected(refusal, code="client_order_id", request=checked,
                                    venue=self.venue)
        client_id = checked.client_order_id or self.new_client_order_id()
        params = {**self.order_params(checked)}
        if self._active_profile.client_ids is ClientIds.NATIVE:
            params.update(self.client_order_id_params(client_id))
        self._traded[checked.symbol] = None
        amount = plain(checked.amount)
        price = self._wire_price(checked)
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
            return self._accepted(raw, checked, client_id)
        except OrderIdMissing as missing:
            return await self._after_failed_create(checked, client_id, missing, missing)

    def _accepted(self, raw: Any, checked: OrderRequest, client_id: str) -> Order:
        order = self._order(raw, amount=checked.amount, symbol=checked.symbol)
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
        if order.client_order_id is None:
            order = order.model_copy(update={"client_order_id": client_id})
        if order.type is OrderType.LIMIT and order.price is None:
            order = order.model_copy(update={"price": checked.price})
        self._client_ids[client_id] = (order.id, str(checked.symbol))
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
        self._client_ids[client_id] = (found.id, str(checked.symbol))
        return found

    async def find_order_by_client_id(self, client_order_id: str, symbol: str) -> Order | None:
        """The order carrying ``client_order_id``, or None. Default: search the open, then
        the closed orders of ``symbol``; tuned venues ask the venue directly."""
        for order in await self.fetch_open_orders(symbol):
            if order.client_order_id == client_order_id:
                return order
        if self._active_profile.closed_orders is not ClosedOrders.NONE:
            for order in await self.fetch_closed_orders(symbol):
                if order.client_order_id == client_order_id:
                    return order
        return None

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        raw = await self._read(lambda: self.client.fetch_order(order_id, symbol))
        order = self._order(raw, symbol=symbol)
        if order is None:
            raise ExchangeError(f"the venue described order {order_id} without its size",
                                venue=self.venue)
        return order

    async def cancel_order(self, order_id: str, symbol: str) -> Order | None:
        raw = await self._call(lambda: self.client.cancel_order(order_id, symbol))
        if not isinstance(raw, Mapping):
            return None
        if not raw.get("status"):
            # an acknowledged cancel that does not say the status: the order is cancelled
            raw = {**raw, "status": "canceled"}
        return self._order(raw, symbol=symbol)

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        if self._active_profile.open_orders is OpenOrders.NONE:
            raise NotSupported("open orders are not available", venue=self.venue)
        raws = await self._each_symbol(
            "fetchOpenOrders", symbol, lambda s: self.client.fetch_open_orders(s)
        )
        return sorted(self._orders(raws), key=lambda o: o.timestamp)

    async def fetch_closed_orders(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Order]:
        how = self._active_profile.closed_orders
        start = self._since(since)
        if how in (ClosedOrders.NATIVE, ClosedOrders.NATIVE_PER_SYMBOL):
            raws = await self._each_symbol(
                "fetchClosedOrders", symbol,
                lambda s: self.client.fetch_closed_orders(s, start, limit),
            )
            orders = [o for o in self._orders(raws) if o.is_done]
        elif how is ClosedOrders.FROM_ALL_ORDERS:
            raws = await self._each_symbol(
                "fetchOrders", symbol, lambda s: self.client.fetch_orders(s, start, limit)
            )
            orders = [o for o in self._orders(raws) if o.is_done]
        elif how is ClosedOrders.FROM_MY_TRADES:
            orders = self._orders_from_fills(await self.fetch_my_trades(symbol, since))
        else:
            raise NotSupported("closed orders are not available", venue=self.venue)
        orders.sort(key=lambda o: o.timestamp)
        if limit is not None and len(orders) > limit:
            orders = orders[:limit] if since is not None else orders[-limit:]
        return orders

    def _orders_from_fills(self, fills: list[Fill]) -> list[Order]:
        """Filled orders rebuilt from fills: one order per order id, amount the sum of its
        fills, average their volume-weighted price. (An order cancelled without a fill
        leaves no trace in the fills; one cancelled after a partial fill shows as closed
        at the filled amount.)"""
        grouped: dict[str, list[Fill]] = {}
        for fill in fills:
            grouped.setdefault(fill.order_id, []).append(fill)
        orders: list[Order] = []
        for order_id, parts in grouped.items():
            amount = sum((f.amount for f in parts), Decimal(0))
            cost = sum((f.amount * f.price for f in parts), Decimal(0))
            first = parts[0]
            orders.append(Order(
                id=order_id, client_order_id=first.client_order_id, symbol=first.symbol,
                side=first.side, amount=amount, filled=amount, remaining=Decimal(0),
                average=cost / amount, price=first.price, status=OrderStatus.CLOSED,
                fee=sum((f.fee for f in parts), Decimal(0)), fee_currency=first.fee_currency,
                timestamp=first.timestamp, updated=parts[-1].timestamp,
            ))
        return orders

    async def cancel_all_orders(self, symbol: str | None = None) -> list[Order]:
        how = self._active_profile.cancel_all
        if how is CancelAll.NONE:
            raise NotSupported("cancel all is not available", venue=self.venue)
        if how is CancelAll.NATIVE or (how is CancelAll.NATIVE_PER_SYMBOL and symbol):
            try:
                raws = await self._call(lambda: self.client.cancel_all_orders(symbol))
                return self._orders(raws if isinstance(raws, list) else [])
            except ExchangeError as error:
                if symbol is not None or not _needs_symbol(error):
                    raise
                how = CancelAll.NATIVE_PER_SYMBOL  # ccxt's metadata did not say so
        open_orders = await self.fetch_open_orders(symbol)
        cancelled: list[Order] = []
        if how is CancelAll.NATIVE_PER_SYMBOL:
            for each in dict.fromkeys(o.symbol for o in open_orders):
                raws = await self._call(lambda each=each: self.client.cancel_all_orders(each))  # type: ignore[misc]
                cancelled.extend(self._orders(raws if isinstance(raws, list) else []))
            return cancelled
        for order in open_orders:
            answer = await self.cancel_order(order.id, order.symbol)
            cancelled.append(answer if answer is not None else order.model_copy(
                update={"status": OrderStatus.CANCELED}))
        return cancelled

    async def fetch_my_trades(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Fill]:
        start = self._since(since)
        raws = await self._each_symbol(
            "fetchMyTrades", symbol, lambda s: self.client.fetch_my_trades(s, start, limit)
        )
        now = self.clock.now()
        fills: list[Fill] = []
        for raw in raws:
            fill = convert.fill(raw, now)
            if fill is None:
                continue
            if fill.client_order_id is not None:
                fill = fill.model_copy(
                    update={"client_order_id": self.client_id_from_venue(fill.client_order_id)})
            else:
                known = next((cid for cid, (oid, _) in self._client_ids.items()
                              if oid == fill.order_id), None)
                if known is not None:
                    fill = fill.model_copy(update={"client_order_id": known})
            fills.append(fill)
        return sorted(fills, key=lambda f: f.timestamp)
