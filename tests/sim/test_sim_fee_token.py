"""A market whose fees are paid in a venue token (a third currency): charged in the token
while the account holds enough of it, in quote after, and carried on fills and orders."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from plugins.exchanges.sim import SimArgs
from schemas import FeeCharge
from tests.sim.helpers import STATIC, D, limit, market, venue

BNB: dict[str, Any] = {"fee_currency": "BNB", "fee_price": D("600")}


async def test_a_taker_fill_pays_its_fee_in_the_fee_token_rounded_up() -> None:
    sim = await venue(markets=[market(**BNB)], balances={"USDT": D("10000"), "BNB": D("1")},
                      **STATIC)
    order = await sim.create_order(limit("buy", "1", "100.10"))
    (fill,) = await sim.fetch_my_trades()
    # 100.10 * 0.002 = 0.2002 USDT = 0.000333666... BNB, rounded up to the 1e-8
    assert (fill.fee, fill.fee_currency) == (D("0.00033367"), "BNB")
    assert fill.fees == (FeeCharge(currency="BNB", cost=D("0.00033367")),)
    assert order.fee_in("BNB") == D("0.00033367")
    assert order.fee_in("USDT") == 0
    balances = await sim.fetch_balances()
    assert balances.total("BNB") == D("1") - D("0.00033367")
    assert balances.total("USDT") == D("10000") - D("100.10")  # no fee taken in quote


async def test_a_fee_the_token_balance_cannot_cover_is_charged_in_quote_and_both_are_kept(
) -> None:
    sim = await venue(markets=[market(**BNB)],
                      balances={"USDT": D("10000"), "BNB": D("0.0004")}, **STATIC)
    first = await sim.create_order(limit("buy", "1", "100.10"))  # 0.00033367 BNB
    assert first.fees == (FeeCharge(currency="BNB", cost=D("0.00033367")),)
    second = await sim.create_order(limit("buy", "1", "100.20"))  # BNB left: 0.00006633
    assert second.fees == (FeeCharge(currency="BNB", cost=D(0)),
                           FeeCharge(currency="USDT", cost=D("0.2004")))
    fills = await sim.fetch_my_trades()
    assert [(f.fee, f.fee_currency) for f in fills] == [
        (D("0.00033367"), "BNB"), (D("0.2004"), "USDT")]
    balances = await sim.fetch_balances()
    assert balances.total("BNB") == D("0.00006633")
    assert balances.total("USDT") == D("10000") - D("100.10") - D("100.20") - D("0.2004")


async def test_a_sell_paying_its_fee_in_the_token_receives_the_whole_value_in_quote() -> None:
    sim = await venue(markets=[market(**BNB)],
                      balances={"BTC": D("1"), "USDT": D("0"), "BNB": D("1")}, **STATIC)
    await sim.create_order(limit("sell", "1", "99.90"))
    balances = await sim.fetch_balances()
    assert balances.total("USDT") == D("99.90")
    assert balances.total("BNB") == D("1") - D("0.00033300")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"fee_currency": "BNB"}, "needs fee_price"),
        ({"fee_currency": "USDT", "fee_price": D(1)}, "is the base or quote currency"),
        ({"fee_price": D(600)}, "only used with fee_currency"),
    ],
)
def test_a_fee_token_needs_a_price_and_a_third_currency(spec: dict[str, Any], message: str
                                                        ) -> None:
    with pytest.raises(ValidationError, match=message):
        SimArgs(markets=[market(**spec)])
