"""``arbitrage.adapters.dex``: one pool of a swap venue behind ``QuoteAdapter``.

A buy of ``amount`` base is an exact-output swap (quote token in, exactly ``amount`` base
out); a sell is an exact-input swap (exactly ``amount`` base in). So a swap fills all or
nothing, and the arbitrage service's figures map onto the pool's exact integer math:

- ``price`` is the swap's average price with the pool fee inside it (the pool takes its
  fee from the input, so there is no separate pool fee to add): quote paid (buy) or
  received (sell) per base, 34 significant digits. ``worst_price`` is the same average
  (the swap executes at one average; its bound is on the whole amount).
- ``fee_rate`` is the *network* fee: the swap's estimated gas cost, valued in the quote
  currency through ``native_price`` (a price provider of the native coin in the quote
  currency, e.g. the WETH/USDC pool's own ``prices.uniswap_v2``) or ``converter``, rounded
  up to the quote token's unit, as a fraction of the swap's value. So ``Quote.net_cost``
  (what the service's profit check uses) is the pool's amounts net of gas. A swap whose
  gas would exceed its value is refused as ``InvalidOrder``.

Trading turns the limit price into the swap's bound: a buy spends at most ``amount x
limit`` quote (rounded down to the token's unit), a sell receives at least ``amount x
limit`` (rounded up), with a deadline ``deadline`` seconds ahead. A reverted swap is
permanent (nothing filled) and propagates with the chain's reason; a swap whose fate is
unknown raises ``TradeOutcomeUnknown``, and :meth:`DexAdapter.find_trade` looks its
transaction up by the client order id it was sent with.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pydantic import Field, model_validator

from fortuna import Component, ComponentArgs, Duration
from schemas import (
    InvalidOrder,
    OrderRejected,
    OrderStatus,
    PriceProvider,
    Side,
    Symbol,
)
from schemas.arbitrage import (
    AdapterBalance,
    Converter,
    InsufficientDepth,
    Quote,
    QuoteAdapter,
    TradeOutcomeUnknown,
    TradeResult,
)
from schemas.money import Rounding, divide, multiply, ratio, round_to
from schemas.swap import (
    SwapKind,
    SwapOutcomeUnknown,
    SwapQuote,
    SwapReceipt,
    SwapRequest,
    SwapVenue,
    Token,
)

__all__ = ["DexAdapter", "DexAdapterArgs"]

_ZERO = Decimal(0)


class DexAdapterArgs(ComponentArgs):
    venue: SwapVenue = Field(description="the swap venue holding the pool (@name)")
    symbol: Symbol = Field(description="the market as the strategy names it, 'WETH/USDC'")
    base: str = Field(min_length=1, description="address of the base token (bought and sold)")
    quote: str = Field(min_length=1, description="address of the quote token (paid, received)")
    native_price: PriceProvider | None = Field(
        default=None,
        description="price of the chain's native coin in the quote currency (@name), to value "
        "gas; e.g. a prices.uniswap_v2 of the WETH/USDC pool",
    )
    converter: Converter | None = Field(
        default=None,
        description="converter from the native coin to the quote currency (@name), to value "
        "gas, when no native_price is given",
    )
    deadline: Duration = Field(
        default=60.0, gt=0, description="how long a swap may wait to be mined before the chain "
        "refuses it, e.g. 60s"
    )

    @model_validator(mode="after")
    def _one_gas_valuation(self) -> DexAdapterArgs:
        if (self.native_price is None) == (self.converter is None):
            raise ValueError(
                "give exactly one of native_price or converter: gas is valued in the quote "
                "currency through it")
        return self


class DexAdapter(Component[DexAdapterArgs], QuoteAdapter):
    """Quotes from a pool's exact math, net of gas, and trades it with bounded swaps."""

    _base: Token | None = None
    _quote: Token | None = None
    _sent: dict[str, str]

    async def load(self) -> None:
        venue = self.args.venue
        self._base = await venue.token(self.args.base)
        self._quote = await venue.token(self.args.quote)
        self._sent = {}

    @property
    def venue(self) -> str:
        return self.args.venue.venue

    @property
    def symbol(self) -> Symbol:
        return self.args.symbol

    def _tokens(self) -> tuple[Token, Token]:
        if self._base is None or self._quote is None:
            raise RuntimeError(f"{self.name} is not loaded")
        return self._base, self._quote

    async def _native_in_quote(self, amount: Decimal) -> Decimal:
        """Native coin ``amount`` (gas) in the quote currency, rounded up to the quote
        token's unit (a cost is never understated)."""
        native = self.args.venue.native_currency
        if self.args.native_price is not None:
            value = multiply(amount, await self.args.native_price.price())
        else:
            assert self.args.converter is not None
            value = await self.args.converter.convert(amount, native, self.args.symbol.quote)
        _, quote = self._tokens()
        return round_to(value, Decimal(1).scaleb(-quote.decimals), Rounding.UP)

    async def _swap_quote(self, side: Side, amount: Decimal) -> SwapQuote:
        base, quote = self._tokens()
        venue = self.args.venue
        try:
            if side is Side.BUY:
                return await venue.quote(SwapKind.EXACT_OUT, quote, base, amount)
            return await venue.quote(SwapKind.EXACT_IN, base, quote, amount)
        except InvalidOrder as error:
            if "cannot pay" in str(error):
                raise InsufficientDepth(
                    venue=self.venue, symbol=self.args.symbol, side=side, amount=amount,
                    available=_ZERO) from error
            raise

    async def quote(self, side: Side, amount: Decimal) -> Quote:
        side = Side(side)
        if amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")
        swap = await self._swap_quote(side, amount)
        value = swap.amount_in if side is Side.BUY else swap.amount_out
        gas = await self._native_in_quote(swap.gas_cost or _ZERO)
        if gas > value:
            raise InvalidOrder(
                f"{self.args.symbol}: gas ({gas} {self.args.symbol.quote}) exceeds the swap's "
                f"value ({value})", venue=self.venue)
        price = ratio(value, amount)
        return Quote(
            venue=self.venue, symbol=self.args.symbol, side=side, amount=amount, price=price,
            worst_price=price, fee_rate=ratio(gas, value), timestamp=swap.timestamp,
        )

    async def check_trade(
        self, side: Side, amount: Decimal, limit_price: Decimal | None = None
    ) -> Decimal:
        base, _ = self._tokens()
        if amount <= 0 or amount != base.from_units(base.to_units(amount, Rounding.DOWN)):
            raise OrderRejected(
                f"{amount} {base.symbol} is not a positive amount of whole units "
                f"({base.decimals} decimals)", code="amount_zero", venue=self.venue)
        return amount

    def _request(self, side: Side, amount: Decimal, limit_price: Decimal) -> SwapRequest:
        base, quote = self._tokens()
        unit = Decimal(1).scaleb(-quote.decimals)
        when = self.clock.now() + timedelta(seconds=self.args.deadline)
        if side is Side.BUY:
            most = divide(multiply(amount, limit_price), Decimal(1), unit, Rounding.DOWN)
            return SwapRequest(kind=SwapKind.EXACT_OUT, token_in=quote, token_out=base,
                               amount=amount, limit=most, deadline=when)
        least = divide(multiply(amount, limit_price), Decimal(1), unit, Rounding.UP)
        return SwapRequest(kind=SwapKind.EXACT_IN, token_in=base, token_out=quote,
                           amount=amount, limit=least, deadline=when)

    async def trade(
        self,
        side: Side,
        amount: Decimal,
        *,
        limit_price: Decimal | None = None,
        client_order_id: str | None = None,
    ) -> TradeResult:
        side = Side(side)
        await self.check_trade(side, amount, limit_price)
        if limit_price is None:
            limit_price = (await self.quote(side, amount)).worst_price
        request = self._request(side, amount, limit_price)
        try:
            receipt = await self.args.venue.swap(request)
        except SwapOutcomeUnknown as error:
            if client_order_id is not None:
                self._sent[client_order_id] = error.tx_hash
            raise TradeOutcomeUnknown(
                f"swap {error.tx_hash} ({client_order_id}) was sent; its outcome is unknown",
                venue=self.venue) from error
        if client_order_id is not None:
            self._sent[client_order_id] = receipt.tx_hash
        return await self._result(side, amount, limit_price, receipt, client_order_id)

    async def find_trade(
        self,
        side: Side,
        amount: Decimal,
        *,
        limit_price: Decimal | None = None,
        client_order_id: str,
    ) -> TradeResult | None:
        tx_hash = self._sent.get(client_order_id)
        if tx_hash is None:
            return None
        receipt = await self.args.venue.receipt(tx_hash)
        if receipt is None:
            raise TradeOutcomeUnknown(f"swap {tx_hash} is not mined yet", venue=self.venue)
        return await self._result(Side(side), amount, limit_price, receipt, client_order_id)

    async def _result(self, side: Side, amount: Decimal, limit_price: Decimal | None,
                      receipt: SwapReceipt, client_order_id: str | None) -> TradeResult:
        value = receipt.amount_in if side is Side.BUY else receipt.amount_out
        return TradeResult(
            venue=self.venue, symbol=self.args.symbol, side=side, amount=amount,
            filled=amount, average_price=ratio(value, amount), limit_price=limit_price,
            fee=receipt.gas_cost, fee_currency=receipt.native_currency,
            fee_in_quote=await self._native_in_quote(receipt.gas_cost),
            order_id=receipt.tx_hash, client_order_id=client_order_id,
            status=OrderStatus.CLOSED, timestamp=receipt.timestamp,
        )

    async def balance(self) -> AdapterBalance:
        base, quote = self._tokens()
        venue = self.args.venue
        return AdapterBalance(
            base=self.args.symbol.base, quote=self.args.symbol.quote,
            base_free=await venue.balance(base), quote_free=await venue.balance(quote),
        )
