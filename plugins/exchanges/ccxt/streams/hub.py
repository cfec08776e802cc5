"""One venue account's websocket streams: the watchers, their health, and who is waiting.

Why it is built this way:

- **One connection per account.** The exchange component is one instance per mandate
  (every reader holds the same one), and it owns one ccxt.pro client: every stream of the
  account is a subscription on that client's connections, made once, however many
  readers read it.
- **A watcher per stream, started by its first read.** The exchange does not know which
  markets its readers want until they ask; the first read of a stream subscribes (and is
  answered by REST), later reads are served from the stream.
- **Live, stale, dropped.** A stream is *live* from its first message until it fails or
  falls silent for ``max_age``. A failure (dropped connection, refused subscription) marks
  it down and the watcher reconnects with backoff (``reconnect_backoff`` doubling to
  ``reconnect_max``); a sequence gap or checksum mismatch is not a failure of the
  connection: ccxt drops that book, and the next watch resubscribes and rebuilds it from a
  fresh snapshot at once (a second gap before any message applied waits the backoff, so a
  venue out of sequence cannot make it fetch snapshots in a loop). A supervisor checks the
  ages every ``max_age / 4``: a stream silent for ``max_age`` is marked stale (reads fall
  back to REST) and its connections are closed, so the watcher's next watch reconnects
  and resubscribes. While a stream is not live, every read goes to REST: the data used is
  never older than ``max_age``.
- **Waiters.** A reader that wants to act on a change (the market-making service's
  ``requote_on``) subscribes to kinds of update of one market and is woken by the watcher
  that saw it, without polling.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from plugins.exchanges.ccxt.streams.settings import StreamSettings
from plugins.exchanges.ccxt.transport import Host
from plugins.exchanges.updates import UpdateQueue
from schemas.streams import UpdateKind, Updates

__all__ = ["Feed", "Host", "StreamHub", "first_wait"]

BOOK, TRADES, TICKER, ORDERS, FILLS = "order_book", "trades", "ticker", "orders", "fills"
_PRIVATE = (ORDERS, FILLS)
_MESSAGE_HASHES = {ORDERS: "orders", FILLS: "myTrades"}
"""What ccxt's message hash of a private stream contains (binance ``orders`` and
``myTrades``, okx ``orders`` and ``orders::myTrades``): its pending watch, on a connection."""
_UPDATE_OF = {BOOK: UpdateKind.BOOK, TRADES: UpdateKind.TRADE, TICKER: UpdateKind.TICKER,
              ORDERS: UpdateKind.ORDER, FILLS: UpdateKind.FILL}


def first_wait(settings: StreamSettings) -> float:
    """The wait before the first reconnection: ``reconnect_backoff``, capped by
    ``reconnect_max`` like every later (doubled) wait."""
    return min(settings.reconnect_backoff, settings.reconnect_max)


@dataclass

class Feed:
    """One stream: ``kind`` of ``symbol`` (None: the whole account's)."""

    kind: str
    symbol: str | None
    started: datetime
    """When it was first subscribed (the venue's time is not known before a message)."""
    received: float | None = None
    """The clock's monotonic time of the latest message; None before the first."""
    received_at: datetime | None = None
    live: bool = False
    value: Any = None
    """ccxt's latest structure (a book, a ticker); lists are handed to ``on_message``."""
    version: int = 0
    messages: int = 0
    drops: int = 0
    resyncs: int = 0
    stalls: int = 0
    task: asyncio.Task[None] | None = field(default=None, repr=False)


Handler = Callable[[Feed, Any], None]


class StreamHub:
    """The streams of one ccxt.pro client, read by one exchange component."""

    def __init__(self, client: Any, host: Host, settings: StreamSettings,
                 handlers: dict[str, Handler]) -> None:
        self.client = client
        self.host = host
        self.settings = settings
        self.handlers = handlers
        self.feeds: dict[tuple[str, str | None], Feed] = {}
        self.waiters: set[UpdateQueue] = set()
        self._supervisor: asyncio.Task[None] | None = None
        self._closed = False

    # -- reading ----------------------------------------------------------------------------

    def feed(self, kind: str, symbol: str | None) -> Feed:
        """The stream of ``kind`` for ``symbol``, subscribed by this first call."""
        key = (kind, symbol)
        feed = self.feeds.get(key)
        if feed is None:
            feed = Feed(kind, symbol, self.host.clock.now())
            self.feeds[key] = feed
            if not self._closed:
                feed.task = asyncio.ensure_future(self._watch(feed))
                if self._supervisor is None:
                    self._supervisor = asyncio.ensure_future(self._supervise())
        return feed

    def fresh(self, kind: str, symbol: str | None) -> Feed | None:
        """The stream when it is live and has spoken within ``max_age``; else None (the
        caller reads REST), subscribing it on the way."""
        feed = self.feed(kind, symbol)
        if not feed.live or feed.received is None:
            return None
        if self.host.clock.monotonic() - feed.received > self.settings.max_age:
            return None
        return feed

    def connected(self, kind: str) -> bool:
        """Whether the account stream ``kind`` is up: subscribed on an open connection
        with a watch pending, and not failed since. (A private stream is silent while
        nothing happens, so its health is its connection's, not its last message's.)"""
        feed = self.feed(kind, None)
        if feed.live:
            return True
        wanted = _MESSAGE_HASHES[kind]
        for connection in list((self.client.clients or {}).values()):
            if connection.closed():
                continue
            if any(wanted in str(key) for key in connection.futures):
                feed.live = True
                self.host.log.info("stream live", venue=self.host.venue, stream=kind)
                return True
        return False

    def updates(self, symbol: str, kinds: frozenset[UpdateKind]) -> Updates:
        """Wake-ups on every update of ``kinds`` for ``symbol`` (streams subscribed now)."""
        for kind, update in _UPDATE_OF.items():
            if update in kinds:
                self.feed(kind, None if kind in (ORDERS, FILLS) else symbol)
        waiter = UpdateQueue(symbol, kinds, self.waiters.discard)
        self.waiters.add(waiter)
        return waiter

    # -- the watchers -----------------------------------------------------------------------

    def _call(self, feed: Feed) -> Awaitable[Any]:
        client, symbol = self.client, feed.symbol
        if feed.kind == BOOK:
            return client.watch_order_book(symbol)  # type: ignore[no-any-return]
        if feed.kind == TRADES:
            return client.watch_trades(symbol)  # type: ignore[no-any-return]
        if feed.kind == TICKER:
            return client.watch_ticker(symbol)  # type: ignore[no-any-return]
        if feed.kind == ORDERS:
            return client.watch_orders()  # type: ignore[no-any-return]
        return client.watch_my_trades()  # type: ignore[no-any-return]

    async def _watch(self, feed: Feed) -> None:
        from ccxt.base.errors import InvalidNonce

        settings, clock, log = self.settings, self.host.clock, self.host.log
        delay = first_wait(settings)
        gaps = 0  # resyncs in a row, without a message applied between them
        task = asyncio.current_task()
        while not self._closed:
            try:
                raw = await self._call(feed)
            except asyncio.CancelledError:
                if self._closed or (task is not None and task.cancelling()):
                    raise
                error: BaseException = ConnectionError("the connection was closed")
            except InvalidNonce as gap:  # a sequence gap or checksum mismatch
                feed.live = False
                feed.resyncs += 1
                log.warning("stream out of sequence; resyncing from a snapshot",
                            venue=self.host.venue, stream=feed.kind, symbol=feed.symbol,
                            error=str(gap))
                if gaps:  # no message applied since the last resync: not at full speed
                    await clock.sleep(delay)
                    delay = min(delay * 2, settings.reconnect_max)
                gaps += 1
                continue
            except Exception as failure:
                error = failure
            else:
                delay = first_wait(settings)
                gaps = 0
                try:
                    self._accept(feed, raw)
                except Exception as bad:  # a message the contracts cannot hold
                    log.error("stream message not applied", venue=self.host.venue,
                              stream=feed.kind, symbol=feed.symbol,
                              error=f"{type(bad).__name__}: {bad}")
                continue
            feed.live = False
            feed.drops += 1
            log.warning("stream down; reads fall back to REST", venue=self.host.venue,
                        stream=feed.kind, symbol=feed.symbol, retry_in=delay,
                        error=f"{type(error).__name__}: {error}")
            await clock.sleep(delay)
            delay = min(delay * 2, settings.reconnect_max)

    def _accept(self, feed: Feed, raw: Any) -> None:
        clock = self.host.clock
        if not feed.live:
            self.host.log.info("stream live", venue=self.host.venue, stream=feed.kind,
                               symbol=feed.symbol)
        feed.live = True
        feed.received = clock.monotonic()
        feed.received_at = clock.now()
        feed.messages += 1
        feed.version += 1
        feed.value = raw
        handler = self.handlers.get(feed.kind)
        if handler is not None:
            handler(feed, raw)
        update = (_UPDATE_OF[feed.kind],)
        for waiter in list(self.waiters):
            if feed.symbol is None or feed.symbol == waiter.symbol:
                waiter.push(update)

    # -- staleness --------------------------------------------------------------------------

    async def _supervise(self) -> None:
        settings, clock = self.settings, self.host.clock
        while not self._closed:
            await clock.sleep(settings.max_age / 4)
            if not self._stale():
                continue
            await clock.sleep(0)  # messages already received (a busy loop) are applied first
            stale = self._stale()
            if not stale:
                continue
            now = clock.monotonic()
            for feed in stale:
                feed.live = False
                feed.stalls += 1
                self.host.log.warning(
                    "stream stalled; reads fall back to REST, reconnecting",
                    venue=self.host.venue, stream=feed.kind, symbol=feed.symbol,
                    silent_for=round(now - feed.received, 3) if feed.received else None)
            self._reconnect()

    def _stale(self) -> list[Feed]:
        now, max_age = self.host.clock.monotonic(), self.settings.max_age
        return [feed for feed in self.feeds.values()
                if feed.live and feed.kind not in _PRIVATE and feed.received is not None
                and now - feed.received > max_age]

    def _reconnect(self) -> None:
        """Close every websocket connection of the client with an error: each pending
        watch fails, and the watcher's next watch reconnects and resubscribes."""
        from ccxt.base.errors import NetworkError

        for connection in list((self.client.clients or {}).values()):
            connection.on_error(NetworkError("stream stalled: no message within max_age"))

    # -- closing ----------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop every watcher (the caller closes the client and its connections)."""
        self._closed = True
        tasks = [feed.task for feed in self.feeds.values() if feed.task is not None]
        if self._supervisor is not None:
            tasks.append(self._supervisor)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        self.waiters.clear()
