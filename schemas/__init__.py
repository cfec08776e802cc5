"""Trading contracts: value types, market data, orders, errors and component interfaces.

Layout (import from ``schemas``, never from the private modules):
    _values.py       Price, Amount, NonNegativeAmount, Rate/Fee, Timestamp, Symbol,
                     MandateName, enums
    _errors.py       ExchangeError and its retryable / permanent subclasses
    _orders.py       OrderRequest, Order, OrderStatus, Fill
    _market.py       Market (precision, limits, fees) and all quantization
    _trusted.py      trusted(): a contract model from values known valid (the one fast path);
                     trusted_update(): a copy of one with a few fields changed
    _market_data.py  OrderBook, OrderBookLevel, Ticker, Trade, Candle, Balance, Balances
    _exchange.py     the Exchange interface and the venue's client-id format
    _prices.py       the PriceProvider interface, PriceQuote and PriceUnavailable

Each family's contracts are a public submodule of their own, imported by the family that
needs them (so a mandate pays only for the contracts it uses):
    risk.py            KillSwitch
    market_making.py   Quote, Strategy, Executor, RiskCheck and their results
    arbitrage.py       QuoteAdapter, Converter, Quote, TradeResult
    swap.py            SwapVenue, Token, SwapQuote, SwapRequest, SwapReceipt, their errors
    metrics.py         metric records, Sink, FillSource
    http.py            HttpClient (the shared aiohttp session)
    feeds.py           what listeners offer readers: the latest reading of a venue's data
    listeners.py       the records listeners store in sinks, and their persisted cursors

Money is ``Decimal`` from the first parse (floats are refused); timestamps are
timezone-aware UTC datetimes.
"""

from schemas._errors import (
    AuthenticationError,
    BadSymbol,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidOrder,
    NetworkError,
    NotSupported,
    OrderNotFound,
    OrderRejected,
    RateLimited,
    RequestTimeout,
)
from schemas._exchange import ClientIdFormat, Exchange
from schemas._identity import same_objects
from schemas._market import Market, quantize
from schemas._market_data import (
    Balance,
    Balances,
    Candle,
    OrderBook,
    OrderBookLevel,
    Ticker,
    Trade,
)
from schemas._orders import FeeCharge, Fill, Order, OrderRequest, OrderStatus
from schemas._prices import PriceProvider, PriceQuote, PriceUnavailable
from schemas._trusted import prepare as _prepare_trusted
from schemas._trusted import trusted, trusted_update
from schemas._values import (
    Amount,
    Fee,
    Liquidity,
    MandateName,
    NonNegativeAmount,
    OrderType,
    Price,
    Rate,
    Side,
    Symbol,
    TimeInForce,
    Timestamp,
    from_milliseconds,
    to_milliseconds,
)

__all__ = [
    "Amount",
    "AuthenticationError",
    "BadSymbol",
    "Balance",
    "Balances",
    "Candle",
    "ClientIdFormat",
    "Exchange",
    "ExchangeError",
    "ExchangeUnavailable",
    "Fee",
    "FeeCharge",
    "Fill",
    "InsufficientFunds",
    "InvalidOrder",
    "Liquidity",
    "MandateName",
    "Market",
    "NetworkError",
    "NonNegativeAmount",
    "NotSupported",
    "Order",
    "OrderBook",
    "OrderBookLevel",
    "OrderNotFound",
    "OrderRejected",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "Price",
    "PriceProvider",
    "PriceQuote",
    "PriceUnavailable",
    "Rate",
    "RateLimited",
    "RequestTimeout",
    "Side",
    "Symbol",
    "Ticker",
    "TimeInForce",
    "Timestamp",
    "Trade",
    "from_milliseconds",
    "quantize",
    "same_objects",
    "to_milliseconds",
    "trusted",
    "trusted_update",
]

# The builders of the contracts that hot paths make by the thousand, made before anything
# can validate (and so complete) these classes: see schemas/_trusted.py.
_prepare_trusted(OrderBookLevel, OrderBook, Ticker, Trade, Candle, Balance, Balances,
                 FeeCharge, Fill, Order, OrderRequest, PriceQuote)
