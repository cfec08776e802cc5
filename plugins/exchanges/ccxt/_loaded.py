"""What a ccxt venue holds while loaded, and the part of the component every other part
stands on.

:class:`LoadedVenue` is the Exchange component less its calls: the class-level choices a
tuned venue makes (its id, :class:`~capabilities.Profile`, default options, client order
id format, error tables), ``load`` and ``unload``, and the venue's own records of our
orders and fills read back with their client order ids restored (as the venue echoed
them, or from the session's index when it left them out). The market-data calls
(:mod:`_reads`) and the order path (:mod:`_orders`) are its two subclasses;
:class:`~component.CcxtExchange` joins them.

Everything that exists only while loaded (the ccxt instance, the transport, the
emulations, the markets, the streams) is one :class:`Session`, made whole by ``load`` or
not at all: a load that fails closes the ccxt instance and leaves no session behind, so
every call outside load .. unload fails with the same ``RuntimeError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from fortuna import Component, MetricsSource, Timings
from plugins.exchanges.ccxt import convert, guard, markets
from plugins.exchanges.ccxt.args import CcxtArgs
from plugins.exchanges.ccxt.book import LevelMemo
from plugins.exchanges.ccxt.capabilities import Profile, derive_profile
from plugins.exchanges.ccxt.client_ids import ClientIdIndex
from plugins.exchanges.ccxt.emulation import Emulations
from plugins.exchanges.ccxt.errors import refine
from plugins.exchanges.ccxt.transport import Transport
from schemas import ClientIdFormat, Exchange, ExchangeError, Fill, Market, Order, to_milliseconds
from schemas.limits import key_identity
from schemas.streams import UpdateSource

if TYPE_CHECKING:
    from plugins.exchanges.ccxt.streams.reads import StreamedReads

__all__ = ["LoadedVenue", "Session"]


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
    books: dict[str, LevelMemo] = field(default_factory=dict)
    """Each market's levels of its latest REST book, reused by the next read (:mod:`book`)."""
    traded: dict[str, None] = field(default_factory=dict)
    """Markets this session placed orders on (covered by emulated all-markets calls)."""
    streams: StreamedReads | None = None
    """The reads served from websocket streams (:mod:`streams.reads`), when ``stream``
    is on: each read asks it first and calls REST when it declines."""


class LoadedVenue(Component[CcxtArgs], Exchange, MetricsSource, UpdateSource):
    """A ccxt venue's choices, session and records; the calls are its subclasses'."""

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

    # -- the venue's records of our orders and fills --------------------------------------

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

    def fill_of(self, raw: Any) -> Fill:
        """One fill from ccxt, its client order id restored (as echoed, or from the index)."""
        fill = convert.fill(raw, self.clock.now())
        mine = self._mine(fill.client_order_id, fill.order_id)
        if mine != fill.client_order_id:
            fill = fill.model_copy(update={"client_order_id": mine})
        return fill
