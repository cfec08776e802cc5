"""Quote arithmetic shared by the strategies and the service: ladders, quantization, funding.

Every function is pure and exact (``Decimal`` in, ``Decimal`` out). Quantization goes
through :class:`schemas.Market` with its explicit rule: a buy price rounds down, a sell
price rounds up, an amount rounds down, so a quote is never more aggressive than asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Literal

from schemas import Balances, Market, Order, Side
from schemas.market_making import DesiredQuote, check_quote

__all__ = ["Sides", "fit_to_balances", "ladder", "on_grid", "quantize_quotes"]

Sides = Literal["both", "buy", "sell"]
_ONE = Decimal(1)
_ZERO = Decimal(0)


def ladder(
    reference: Decimal,
    *,
    levels: int,
    spread: Decimal,
    step: Decimal,
    amount: Decimal,
    amount_step: Decimal = _ZERO,
    amount_factor: Decimal = _ONE,
    sides: Sides = "both",
    shift: Decimal = _ZERO,
    buy_scale: Decimal = _ONE,
    sell_scale: Decimal = _ONE,
    tag: str = "",
) -> list[DesiredQuote]:
    """``levels`` quotes per side: level ``i`` at ``spread + i * step`` (fractions of the
    reference) from ``reference * (1 + shift)``, sized ``amount * amount_factor**i +
    i * amount_step`` (times ``buy_scale`` / ``sell_scale``). Levels whose price or size
    would not be positive are left out."""
    quotes: list[DesiredQuote] = []
    centre = reference * (_ONE + shift)
    size = amount
    for level in range(levels):
        distance = spread + step * level
        sized = size + amount_step * level
        label = f"{tag}{level}" if tag else str(level)
        if sides != "sell":
            price, qty = centre * (_ONE - distance), sized * buy_scale
            if price > 0 and qty > 0:
                quotes.append(DesiredQuote(Side.BUY, price, qty, label))
        if sides != "buy":
            price, qty = centre * (_ONE + distance), sized * sell_scale
            if price > 0 and qty > 0:
                quotes.append(DesiredQuote(Side.SELL, price, qty, label))
        size *= amount_factor
    return quotes


def _power_of_ten(increment: Decimal) -> bool:
    """1, 0.1, 0.01 ... written as such: quantizing to it is one ``Decimal.quantize``."""
    _, digits, exponent = increment.as_tuple()
    return digits == (1,) and isinstance(exponent, int) and exponent <= 0


def _price_on_tick(
    market: Market, price: Decimal, side: Side, fast: bool | None = None
) -> Decimal:
    """``market.quantize_price(price, side)``; for a power-of-ten tick (0.01, 1, 1E-8) the
    same result in one ``Decimal.quantize`` (the rounding rule is the market's: buy down,
    sell up). ``fast``: whether the tick is a power of ten, when the caller knows."""
    increment = market.price_increment
    if fast if fast is not None else _power_of_ten(increment):
        rounding = ROUND_FLOOR if side is Side.BUY else ROUND_CEILING
        try:
            return price.quantize(increment, rounding=rounding)
        except InvalidOperation:
            pass
    return market.quantize_price(price, side)


def _amount_on_step(market: Market, amount: Decimal, fast: bool | None = None) -> Decimal:
    """``market.quantize_amount(amount)`` (rounded down), fast for a power-of-ten step."""
    increment = market.amount_increment
    if fast if fast is not None else _power_of_ten(increment):
        try:
            return amount.quantize(increment, rounding=ROUND_FLOOR)
        except InvalidOperation:
            pass
    return market.quantize_amount(amount)


def on_grid(market: Market, quote: DesiredQuote) -> bool:
    """Whether ``quote`` is exactly what ``market.check_order`` would send: price on the
    tick, amount on the step, within the market's minimums and maximum (a cheap test that
    lets a quantized quote skip the full check)."""
    price, amount = quote.price, quote.amount
    if _price_on_tick(market, price, quote.side) != price:
        return False
    if _amount_on_step(market, amount) != amount:
        return False
    if market.max_amount is not None and amount > market.max_amount:
        return False
    return market.active and _meets_minimums(market, price, amount) is None


def _meets_minimums(market: Market, price: Decimal, amount: Decimal) -> str | None:
    if amount <= 0:
        return f"amount rounds to zero at step {market.amount_increment}"
    if amount < market.min_amount:
        return f"amount {amount} is under the market minimum {market.min_amount}"
    if price <= 0:
        return f"price rounds to zero at tick {market.price_increment}"
    if market.min_notional is not None and amount * price < market.min_notional:
        return f"notional {amount * price} is under the market minimum {market.min_notional}"
    return None


def quantize_quotes(
    quotes: Iterable[DesiredQuote], market: Market
) -> tuple[list[DesiredQuote], list[tuple[DesiredQuote, str]]]:
    """Quotes on the market's tick and step, merged by side and price, and those dropped
    (with the reason): malformed quotes (:func:`check_quote`), amounts that round to zero
    or under the venue's minimums. Merged amounts are capped at the market's
    ``max_amount``."""
    merged: dict[tuple[Side, Decimal], DesiredQuote] = {}
    dropped: list[tuple[DesiredQuote, str]] = []
    tick, step = market.price_increment, market.amount_increment
    fast_price = _power_of_ten(tick)
    fast_amount = _power_of_ten(step)
    max_amount = market.max_amount
    buy = Side.BUY
    min_amount, min_notional = market.min_amount, market.min_notional
    for quote in quotes:
        side, raw_price, raw_amount = quote.side, quote.price, quote.amount
        if (  # the usual well-formed quote passes these without a function call
            type(raw_price) is not Decimal or type(raw_amount) is not Decimal
            or type(side) is not Side or not raw_price.is_finite()
            or not raw_amount.is_finite() or raw_price <= 0 or raw_amount <= 0
        ):
            problem = check_quote(quote)
            if problem is not None:
                dropped.append((quote, problem))
                continue
        try:  # the market's rounding rule: a buy rounds down, a sell up, an amount down
            price = (
                quote.price.quantize(tick, ROUND_FLOOR if side is buy else ROUND_CEILING)
                if fast_price else market.quantize_price(quote.price, side)
            )
            amount = (
                quote.amount.quantize(step, ROUND_FLOOR)
                if fast_amount else market.quantize_amount(quote.amount)
            )
        except InvalidOperation:  # beyond the default precision: the exact path
            price = market.quantize_price(quote.price, side)
            amount = market.quantize_amount(quote.amount)
        if max_amount is not None and amount > max_amount:
            amount = max_amount
        key = (side, price)
        earlier = merged.get(key)
        if earlier is not None:
            amount = earlier.amount + amount
            if max_amount is not None and amount > max_amount:
                amount = max_amount
            merged[key] = DesiredQuote(side, price, amount, earlier.tag)
            continue
        if (
            amount <= 0 or amount < min_amount or price <= 0
            or (min_notional is not None and amount * price < min_notional)
        ):
            dropped.append((quote, _meets_minimums(market, price, amount) or "under minimums"))
            continue
        merged[key] = DesiredQuote(side, price, amount, quote.tag)
    return list(merged.values()), dropped


def fit_to_balances(
    quotes: Sequence[DesiredQuote],
    balances: Balances,
    market: Market,
    resting: Sequence[Order] = (),
) -> tuple[list[DesiredQuote], list[tuple[DesiredQuote, str]]]:
    """Trim quotes so the mandate never asks for more than it holds.

    Sells are funded by free base plus what the mandate's resting sells lock; buys by free
    quote plus what its resting buys lock, each buy costing its value plus the market's
    higher fee (venues reserve that much). Quotes nearest the reference are funded first;
    the one that runs out is cut down (on the step), the rest dropped with the reason.
    """
    base = balances.free(market.base)
    cash = balances.free(market.quote)
    with_fee = _ONE + max(market.maker_fee, market.taker_fee, _ZERO)
    for order in resting:
        if order.side is Side.SELL:
            base += order.remaining
        elif order.price is not None:
            cash += order.remaining * order.price * with_fee
    wanted_base = _ZERO
    wanted_cash = _ZERO
    for quote in quotes:
        if quote.side is Side.SELL:
            wanted_base += quote.amount
        else:
            wanted_cash += quote.amount * quote.price
    if wanted_base <= base and wanted_cash * with_fee <= cash:
        return list(quotes), []  # everything is funded: the usual case
    sells = sorted((q for q in quotes if q.side is Side.SELL), key=lambda q: q.price)
    buys = sorted((q for q in quotes if q.side is Side.BUY), key=lambda q: -q.price)
    kept: list[DesiredQuote] = []
    dropped: list[tuple[DesiredQuote, str]] = []
    for quote in sells:
        amount = quote.amount if quote.amount <= base else market.quantize_amount(base)
        if amount < quote.amount and _meets_minimums(market, quote.price, amount) is not None:
            dropped.append((quote, f"not enough {market.base}: {base} left to sell"))
            base = _ZERO
            continue
        base -= amount
        kept.append(quote if amount == quote.amount else _resized(quote, amount))
    for quote in buys:
        unit = quote.price * with_fee
        affordable = cash / unit
        amount = quote.amount if quote.amount <= affordable else market.quantize_amount(affordable)
        if amount < quote.amount and _meets_minimums(market, quote.price, amount) is not None:
            dropped.append((quote, f"not enough {market.quote}: {cash} left to buy with"))
            cash = _ZERO
            continue
        cash -= amount * unit
        kept.append(quote if amount == quote.amount else _resized(quote, amount))
    return kept, dropped


def _resized(quote: DesiredQuote, amount: Decimal) -> DesiredQuote:
    return DesiredQuote(quote.side, quote.price, amount, quote.tag)
