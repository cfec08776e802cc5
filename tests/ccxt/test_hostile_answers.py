"""A venue's answer is untrusted: whatever a field holds, real ccxt against the stand-in
gives the caller a model (a malformed record dropped with one log line) or a contract
error (``ExchangeError``), never a raw pydantic, key or type error."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest

from fortuna import Context
from plugins.exchanges.ccxt.component import CcxtExchange
from schemas import Candle, ExchangeError
from tests.ccxt.conftest import VenueFactory
from tests.ccxt.standins.base import StandIn

D = Decimal
ARGS = {"rate_limit": 0.001, "retries": 0}

HOSTILE: list[Any] = [
    None, "", "abc", "-1", "0", "-0", "NaN", "Infinity", "-Infinity", "1e999999", "1e-999999",
    "9" * 150, "0." + "0" * 120 + "1", "1" * 5000, "0x10", " 1 ", True, False, 0, -5,
    10**30, 1e308, -1e-300, [], {}, [1, 2], {"a": 1}, "2023-01-01",
]
"""Values a hostile or broken venue puts in a field: absent, empty, not a number, signed,
non-finite, beyond an exact decimal's range or digits, huge, the wrong type."""


class RecordingLog:
    """A logger that keeps (level, event, fields)."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict[str, Any]]] = []

    def debug(self, event: str, *args: Any, **fields: Any) -> None:
        self.lines.append(("debug", event, fields))

    def info(self, event: str, *args: Any, **fields: Any) -> None:
        self.lines.append(("info", event, fields))

    def warning(self, event: str, *args: Any, **fields: Any) -> None:
        self.lines.append(("warning", event, fields))

    def error(self, event: str, *args: Any, **fields: Any) -> None:
        self.lines.append(("error", event, fields))

    def critical(self, event: str, *args: Any, **fields: Any) -> None:
        self.lines.append(("critical", event, fields))

    def exception(self, event: str, *args: Any, **fields: Any) -> None:
        self.lines.append(("exception", event, fields))

    def bind(self, **fields: Any) -> RecordingLog:
        return self

    def dropped(self) -> list[dict[str, Any]]:
        return [fields for _, event, fields in self.lines if event == "dropped venue records"]


KLINE: list[Any] = [1700000000000, "30000.10", "30010.00", "29990.00", "30005.00", "12.5",
         1700000059999, "375000.0", 100, "6.0", "180000.0", "0"]
AGG_TRADE: dict[str, Any] = {
    "a": 26129, "p": "30000.10000000", "q": "0.00100000", "f": 27781, "l": 27781,
    "T": 1700000000000, "m": True, "M": True}
ORDER: dict[str, Any] = {
         "symbol": "BTCUSDT", "orderId": 1001, "orderListId": -1, "clientOrderId": "abc1",
         "price": "30000.00000000", "origQty": "0.01000000", "executedQty": "0.00000000",
         "cummulativeQuoteQty": "0.00000000", "status": "NEW", "timeInForce": "GTC",
         "type": "LIMIT", "side": "BUY", "time": 1700000000000, "updateTime": 1700000000000}
FILL: dict[str, Any] = {"symbol": "BTCUSDT", "id": 5, "orderId": 1001, "orderListId": -1,
        "price": "30000.00000000", "qty": "0.01000000", "quoteQty": "300.00000000",
        "commission": "0.01000000", "commissionAsset": "USDT", "time": 1700000000000,
        "isBuyer": True, "isMaker": True, "isBestMatch": True}
TICKER: dict[str, Any] = {"symbol": "BTCUSDT", "lastPrice": "30000.1", "bidPrice": "30000.1",
          "bidQty": "1", "askPrice": "30000.2", "askQty": "1", "openPrice": "29000",
          "highPrice": "31000", "lowPrice": "28000", "volume": "10", "quoteVolume": "300000",
          "openTime": 1699913600000, "closeTime": 1700000000000, "count": 76}
ACCOUNT: dict[str, Any] = {"makerCommission": 10, "takerCommission": 10, "canTrade": True,
           "updateTime": 1700000000000, "accountType": "SPOT", "permissions": ["SPOT"],
           "balances": [{"asset": "BTC", "free": "1.5", "locked": "0"},
                        {"asset": "USDT", "free": "1000", "locked": "10"}]}
BOOK: dict[str, Any] = {"lastUpdateId": 1, "bids": [["30000.10", "1"], ["29999.00", "2"]],
        "asks": [["30000.20", "1"], ["30001.00", "2"]]}

Call = Callable[[CcxtExchange], Awaitable[Any]]


def variants(record: Any) -> list[tuple[str, Any]]:
    """``record`` with one field replaced by each hostile value, or removed."""
    keys: list[Any] = list(range(len(record))) if isinstance(record, list) else list(record)
    out: list[tuple[str, Any]] = []
    for key in keys:
        for value in HOSTILE:
            changed = copy.deepcopy(record)
            changed[key] = value
            out.append((f"{key}={value!r:.30}", changed))
        if isinstance(record, dict):
            removed = copy.deepcopy(record)
            del removed[key]
            out.append((f"without {key}", removed))
    return out


async def survey(exchange: CcxtExchange, standin: StandIn, method: str, path: str,
                 answers: list[tuple[str, Any]], call: Call) -> list[str]:
    """Each answer served once and read through ``call``; the ones that escaped as
    anything but a model or an ExchangeError."""
    escaped: list[str] = []
    for label, answer in answers:
        standin.fail(method, path, 200, answer)
        try:
            await call(exchange)
        except ExchangeError:
            pass
        except Exception as error:  # what this test exists to catch
            escaped.append(f"{label}: {type(error).__name__}: {str(error)[:120]}")
    return escaped


async def make(venue_factory: VenueFactory) -> tuple[CcxtExchange, StandIn, RecordingLog]:
    exchange, standin = await venue_factory("binance", **ARGS)
    log = RecordingLog()
    exchange.context = Context(name="binance", log=log)
    return exchange, standin, log


async def test_a_candle_whose_high_is_below_its_low_is_dropped_with_a_log_line(
    venue_factory: VenueFactory,
) -> None:
    exchange, standin, log = await make(venue_factory)
    inverted = [KLINE[0] + 60_000, "30000", "29000", "31000", "30000", "1", *KLINE[6:]]
    standin.fail("GET", "/api/v3/klines", 200, [KLINE, inverted])
    candles = await exchange.fetch_ohlcv("BTC/USDT")
    assert [c.high for c in candles] == [D("30010.00")]
    (line,) = log.dropped()
    assert line["kind"] == "candle"
    assert line["dropped"] == 1
    assert "high 29000 low 31000" in line["first_reason"]


async def test_many_malformed_records_cost_one_log_line(venue_factory: VenueFactory) -> None:
    exchange, standin, log = await make(venue_factory)
    bad = {**AGG_TRADE, "p": "-1"}
    standin.fail("GET", "/api/v3/aggTrades", 200, [bad] * 500 + [AGG_TRADE])
    trades = await exchange.fetch_trades("BTC/USDT")
    assert len(trades) == 1
    (line,) = log.dropped()
    assert (line["kind"], line["dropped"], line["kept"]) == ("trade", 500, 1)


async def test_a_reason_never_carries_a_megabyte_field(venue_factory: VenueFactory) -> None:
    exchange, standin, log = await make(venue_factory)
    standin.fail("GET", "/api/v3/klines", 200, [[*KLINE[:1], "9" * 1_000_000, *KLINE[2:]]])
    assert await exchange.fetch_ohlcv("BTC/USDT") == []
    (line,) = log.dropped()
    assert len(line["first_reason"]) <= 200


async def test_a_book_with_a_repeated_or_malformed_level_keeps_the_good_levels(
    venue_factory: VenueFactory,
) -> None:
    exchange, standin, _ = await make(venue_factory)
    standin.fail("GET", "/api/v3/depth", 200, {
        "lastUpdateId": 1, "bids": [["30000.1", "1"], ["30000.1", "2"], ["x", "1"], [],
                                    ["29999", "9" * 150], ["29998", "1"]],
        "asks": [["30000.2", "1"]]})
    book = await exchange.fetch_order_book("BTC/USDT")
    assert [(lv.price, lv.amount) for lv in book.bids] == [(D("30000.1"), D("1")),
                                                            (D("29998"), D("1"))]


async def test_an_order_echoing_an_overlong_client_id_is_kept_without_it(
    venue_factory: VenueFactory,
) -> None:
    exchange, standin, _ = await make(venue_factory)
    standin.fail("GET", "/api/v3/openOrders", 200, [{**ORDER, "clientOrderId": "x" * 500}])
    (order,) = await exchange.fetch_open_orders("BTC/USDT")
    assert order.id == "1001"
    assert order.client_order_id is None


async def test_a_candle_is_never_built_out_of_range() -> None:
    from plugins.exchanges.ccxt import convert
    from plugins.exchanges.ccxt.guard import Dropped

    with pytest.raises(Dropped, match="not low <= open, close <= high"):
        convert.candle([1700000000000, "100", "101", "99", "102", "1"])
    assert isinstance(convert.candle([1700000000000, "100", "101", "99", "100", "1"]), Candle)


@pytest.mark.parametrize(("label", "method", "path", "record", "wrap", "call"), [
    ("candles", "GET", "/api/v3/klines", KLINE, lambda r: [r],
     lambda ex: ex.fetch_ohlcv("BTC/USDT")),
    ("trades", "GET", "/api/v3/aggTrades", AGG_TRADE, lambda r: [r],
     lambda ex: ex.fetch_trades("BTC/USDT")),
    ("ticker", "GET", "/api/v3/ticker/24hr", TICKER, lambda r: r,
     lambda ex: ex.fetch_ticker("BTC/USDT")),
    ("book", "GET", "/api/v3/depth", BOOK, lambda r: r,
     lambda ex: ex.fetch_order_book("BTC/USDT")),
    ("book level", "GET", "/api/v3/depth", ["30000.10", "1"],
     lambda r: {**BOOK, "bids": [r, ["29999", "1"]]}, lambda ex: ex.fetch_order_book("BTC/USDT")),
    ("balances", "GET", "/api/v3/account", ACCOUNT, lambda r: r,
     lambda ex: ex.fetch_balances()),
    ("balance", "GET", "/api/v3/account", ACCOUNT["balances"][0],
     lambda r: {**ACCOUNT, "balances": [r]}, lambda ex: ex.fetch_balances()),
    ("open orders", "GET", "/api/v3/openOrders", ORDER, lambda r: [r],
     lambda ex: ex.fetch_open_orders("BTC/USDT")),
    ("one order", "GET", "/api/v3/order", ORDER, lambda r: r,
     lambda ex: ex.fetch_order("1001", "BTC/USDT")),
    ("closed orders", "GET", "/api/v3/allOrders", {**ORDER, "status": "FILLED"},
     lambda r: [r], lambda ex: ex.fetch_closed_orders("BTC/USDT")),
    ("fills", "GET", "/api/v3/myTrades", FILL, lambda r: [r],
     lambda ex: ex.fetch_my_trades("BTC/USDT")),
])
async def test_no_malformed_field_escapes_as_anything_but_a_contract_error(
    label: str, method: str, path: str, record: Any, wrap: Callable[[Any], Any], call: Call,
    venue_factory: VenueFactory,
) -> None:
    exchange, standin, _ = await make(venue_factory)
    answers = [(name, wrap(changed)) for name, changed in variants(record)]
    answers += [(f"whole {label} {value!r:.30}", value) for value in HOSTILE]
    escaped = await survey(exchange, standin, method, path, answers, call)
    assert escaped == []
