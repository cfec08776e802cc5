"""The args every execution service takes: the parent order, safety and journal
(:class:`ParentOrderArgs`); for the services on a centralized venue that venue and its
order handling (:class:`ParentArgs`), for the on-chain ones the pool and what a swap may
cost (:class:`SwapParentArgs`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from fortuna import Duration, ExactDecimal, TickArgs
from schemas import Amount, Exchange, MandateName, Price, PriceProvider, Side, Symbol
from schemas.execution import ProgressStore
from schemas.market_making import RiskCheck
from schemas.risk import KillSwitch
from schemas.swap import SwapVenue

__all__ = ["ParentArgs", "ParentOrderArgs", "SwapParentArgs"]


class ParentOrderArgs(TickArgs):
    symbol: Symbol = Field(
        description='the market, e.g. "BTC/USDT" (on-chain: the pair as logs and the journal '
        'name it, base/quote, e.g. "WETH/USDC")'
    )
    side: Side = Field(description="buy or sell: the parent order's side")
    amount: Amount = Field(
        description="the parent order's total, in base currency; child orders never add up "
        "to more"
    )
    limit_price: Price | None = Field(
        default=None,
        description="no child buys above (sells below) this price, in quote per base; no "
        "limit when omitted",
    )
    mandate: MandateName = Field(
        description="the mandate's name: the prefix of every child's client order id and "
        "the key of its journal (letters, digits, '_' and '.', at most 32)"
    )
    journal: ProgressStore | None = Field(
        default=None,
        description="a SQL sink (sinks.postgres, sinks.sqlite) where progress is journaled, "
        "so a restart resumes the remaining amount; without one a restart starts over",
    )
    risk: RiskCheck | None = Field(
        default=None,
        description="pre-trade limits (market_making.risk) every child passes before it is "
        "sent; without it only duplicates and self-crossing orders are refused",
    )
    kill_switches: list[KillSwitch] = Field(
        default_factory=list,
        description="any one tripped cancels the working child and sends no other until "
        "an operator resets it",
    )


class ParentArgs(ParentOrderArgs):
    exchange: Exchange = Field(description="the venue the child orders go to")
    on_start: Literal["cancel", "adopt"] = Field(
        default="cancel",
        description="a child order an earlier run left resting: cancel it (its fills "
        "count), or adopt it as the working child",
    )
    cancel_attempts: int = Field(
        default=3, ge=1, description="rounds of cancels on stop before giving up (logged)"
    )


class SwapParentArgs(ParentOrderArgs):
    venue: SwapVenue = Field(
        description="the swap venue whose pool the swaps go to (@name of an exchanges.evm.* "
        "or exchanges.solana.* venue with a wallet)"
    )
    base: str = Field(min_length=1, description="address of the base token (bought or sold)")
    quote: str = Field(min_length=1, description="address of the quote token (paid or received)")
    native_price: PriceProvider = Field(
        description="price of the chain's native coin in the quote currency (@name), to value "
        "gas, e.g. a prices.uniswap_v2 of the WETH/USDC pool or a prices.fixed"
    )
    reference: PriceProvider | None = Field(
        default=None,
        description="the price the slippage budget is measured from (@name); the pool's own "
        "mid when omitted",
    )
    max_slippage: Annotated[ExactDecimal, Field(gt=0, lt=1)] = Field(
        description="the slippage budget: the most a swap's average price may be worse than "
        "the reference, pool fee included, as a fraction (0.005 = 0.5 %; above the pool's fee). "
        "A larger swap is shrunk to fit; the swap's on-chain bound is the same price"
    )
    max_gas_share: Annotated[ExactDecimal, Field(gt=0, le=1)] = Field(
        default=Decimal("0.01"),
        description="the most a swap's estimated gas may cost, as a fraction of its value "
        "(0.01 = 1 %): a smaller swap is not sent (the next one is larger)",
    )
    deadline: Annotated[Duration, Field(gt=0)] = Field(
        default=60.0,
        description="the chain refuses a swap not mined this long after it is sent, e.g. 60s",
    )
    max_quotes: int = Field(
        default=6, ge=1, le=50,
        description="quotes per swap while shrinking it into the slippage budget",
    )

    @model_validator(mode="after")
    def _two_tokens(self) -> SwapParentArgs:
        if self.base.lower() == self.quote.lower():
            raise ValueError(f"base and quote are the same token ({self.base}): a swap needs two")
        return self
