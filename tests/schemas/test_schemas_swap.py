"""Swap-venue contracts: unit conversion, quotes, bounded requests, receipts, errors."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from schemas import ExchangeError, InsufficientFunds, InvalidOrder
from schemas.money import MoneyError, Rounding
from schemas.swap import (
    DeadlineExpired,
    GasBudgetExceeded,
    InsufficientAllowance,
    SlippageExceeded,
    SwapDropped,
    SwapInsufficientFunds,
    SwapKind,
    SwapOutcomeUnknown,
    SwapQuote,
    SwapReceipt,
    SwapRequest,
    SwapReverted,
    Token,
    from_units,
    to_units,
)

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
USDC = Token(address="0x" + "a" * 40, symbol="USDC", decimals=6)
WETH = Token(address="0x" + "b" * 40, symbol="WETH", decimals=18)


def quote(kind: SwapKind = SwapKind.EXACT_IN, amount_in: str = "1000",
          amount_out: str = "0.5") -> SwapQuote:
    return SwapQuote(
        venue="uniswap_v2", pool="0x" + "c" * 40, kind=kind, token_in=USDC, token_out=WETH,
        amount_in=Decimal(amount_in), amount_out=Decimal(amount_out),
        fee_rate=Decimal("0.003"), block=7, timestamp=NOW,
    )


# -- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "decimals", "units"),
    [
        ("1", 6, 1_000_000),
        ("0.000001", 6, 1),
        ("123.456789", 6, 123_456_789),
        ("1", 18, 10**18),
        ("0.000000000000000001", 18, 1),
        ("115792089237316195423570985008687907853269984665640564039457.584007913129639935", 18,
         2**256 - 1),
        ("0", 18, 0),
        ("5", 0, 5),
    ],
)
def test_amounts_convert_to_units_and_back_exactly(amount: str, decimals: int, units: int) -> None:
    assert to_units(Decimal(amount), decimals) == units
    assert from_units(units, decimals) == Decimal(amount)


@pytest.mark.parametrize("decimals", [6, 18])
def test_to_units_refuses_digits_beyond_the_tokens_decimals(decimals: int) -> None:
    too_fine = Decimal(1).scaleb(-(decimals + 1))
    with pytest.raises(MoneyError, match=f"more than {decimals} decimal places"):
        to_units(too_fine, decimals)


def test_to_units_rounds_only_in_the_direction_asked() -> None:
    assert to_units(Decimal("1.0000019"), 6, Rounding.FLOOR) == 1_000_001
    assert to_units(Decimal("1.0000011"), 6, Rounding.CEILING) == 1_000_002


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity")])
def test_to_units_refuses_what_is_not_a_finite_decimal(bad: Decimal) -> None:
    with pytest.raises(MoneyError, match="not a finite number"):
        to_units(bad, 6)


def test_a_token_refuses_decimals_beyond_a_uint256() -> None:
    with pytest.raises(ValidationError, match="less than or equal to 77"):
        Token(address="0x" + "d" * 40, symbol="X", decimals=78)


def test_a_token_converts_with_its_own_decimals() -> None:
    assert USDC.to_units(Decimal("2.5")) == 2_500_000
    assert WETH.from_units(5 * 10**17) == Decimal("0.5")


# -- quotes and requests ----------------------------------------------------------------------


def test_a_quote_refuses_an_amount_its_token_cannot_hold() -> None:
    with pytest.raises(ValidationError, match=r"amount_in 1\.0000001 has more than 6 decimals"):
        quote(amount_in="1.0000001")


def test_a_quote_refuses_the_same_token_on_both_sides() -> None:
    with pytest.raises(ValidationError, match="two different tokens"):
        SwapQuote(venue="v", pool="p", kind=SwapKind.EXACT_IN, token_in=USDC, token_out=USDC,
                  amount_in=Decimal(1), amount_out=Decimal(1), fee_rate=Decimal(0), timestamp=NOW)


def test_a_quote_refuses_a_float_amount() -> None:
    with pytest.raises(ValidationError):
        SwapQuote(venue="v", pool="p", kind=SwapKind.EXACT_IN, token_in=USDC, token_out=WETH,
                  amount_in=1.5, amount_out=Decimal(1), fee_rate=Decimal(0), timestamp=NOW)


def test_a_quotes_price_is_input_per_output() -> None:
    assert quote().price == Decimal(2000)


def test_an_exact_in_request_floors_the_minimum_out() -> None:
    request = quote(amount_out="0.333333333333333333").request(Decimal("0.01"), NOW)
    assert request.kind is SwapKind.EXACT_IN
    assert request.amount == Decimal(1000)
    # 333333333333333333 * 0.99 = 329999999999999999.67 -> floor
    assert request.limit == Decimal("0.329999999999999999")
    assert request.amount_in == Decimal(1000)
    assert request.amount_out == request.limit


def test_an_exact_out_request_ceils_the_maximum_in() -> None:
    request = quote(SwapKind.EXACT_OUT, amount_in="1000.000001").request(Decimal("0.005"), NOW)
    assert request.amount == Decimal("0.5")
    # 1000000001 * 1.005 = 1005000001.005 -> ceiling
    assert request.limit == Decimal("1005.000002")
    assert request.amount_in == request.limit


def test_slippage_bounds_stay_exact_for_amounts_beyond_28_digits() -> None:
    huge = "123456789012345678901.234567890123456789"
    request = quote(amount_out=huge).request(Decimal("0.001"), NOW)
    units = WETH.to_units(Decimal(huge))
    assert WETH.to_units(request.limit) == units * 999 // 1000


@pytest.mark.parametrize("slippage", [Decimal("-0.1"), Decimal(1), Decimal(2)])
def test_a_slippage_outside_zero_to_one_is_refused(slippage: Decimal) -> None:
    with pytest.raises(ValueError, match=r"slippage must be a Decimal fraction in \[0, 1\)"):
        quote().request(slippage, NOW)


def test_a_request_refuses_a_limit_its_token_cannot_hold() -> None:
    with pytest.raises(ValidationError, match=r"limit 1\.0000001 has more than 6 decimals"):
        SwapRequest(kind=SwapKind.EXACT_OUT, token_in=USDC, token_out=WETH,
                    amount=Decimal("0.5"), limit=Decimal("1.0000001"), deadline=NOW)


def test_an_exact_out_request_needs_a_maximum_input() -> None:
    with pytest.raises(ValidationError, match="maximum input above zero"):
        SwapRequest(kind=SwapKind.EXACT_OUT, token_in=USDC, token_out=WETH,
                    amount=Decimal("0.5"), limit=Decimal(0), deadline=NOW)


def test_a_request_refuses_a_naive_deadline() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        SwapRequest(kind=SwapKind.EXACT_IN, token_in=USDC, token_out=WETH, amount=Decimal(1),
                    limit=Decimal(0), deadline=datetime(2026, 1, 1))


def test_a_receipt_carries_gas_cost_and_location() -> None:
    receipt = SwapReceipt(
        venue="uniswap_v2", pool="0xpool", kind=SwapKind.EXACT_IN, token_in=USDC,
        token_out=WETH, amount_in=Decimal(1000), amount_out=Decimal("0.4985"), gas_used=110_000,
        gas_cost=Decimal("0.00022"), native_currency="ETH", block=12, tx_hash="0xabc",
        timestamp=NOW,
    )
    assert receipt.price == Decimal("2006.018054162487462387161484453360")
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        receipt.model_copy(update={}).model_validate({**receipt.model_dump(), "gas_used": -1})


# -- errors -----------------------------------------------------------------------------------


def test_a_revert_reports_the_on_chain_reason_and_transaction() -> None:
    error = SlippageExceeded("UniswapV2Router: INSUFFICIENT_OUTPUT_AMOUNT", venue="uniswap_v2",
                             tx_hash="0xdead", block=9, gas_used=31_000)
    assert isinstance(error, SwapReverted)
    assert isinstance(error, InvalidOrder)
    assert not error.retryable
    assert error.reason == "UniswapV2Router: INSUFFICIENT_OUTPUT_AMOUNT"
    assert "transaction 0xdead (block 9)" in str(error)
    assert "INSUFFICIENT_OUTPUT_AMOUNT" in str(error)


def test_a_revert_found_before_sending_says_nothing_was_sent() -> None:
    assert "(not sent)" in str(DeadlineExpired("UniswapV2Router: EXPIRED"))


def test_insufficient_balance_is_both_a_revert_and_insufficient_funds() -> None:
    error = SwapInsufficientFunds("TransferHelper: TRANSFER_FROM_FAILED")
    assert isinstance(error, InsufficientFunds)
    assert isinstance(error, SwapReverted)
    assert isinstance(InsufficientAllowance("STF"), SwapReverted)


def test_a_gas_budget_refusal_names_the_figures_and_sends_nothing() -> None:
    error = GasBudgetExceeded(needed=Decimal("0.01"), remaining=Decimal("0.002"), currency="ETH")
    assert isinstance(error, InvalidOrder)
    assert not error.retryable
    assert "nothing sent" in str(error)
    assert "0.002 ETH" in str(error)


def test_an_unknown_outcome_is_retryable_and_carries_the_hash() -> None:
    error = SwapOutcomeUnknown(tx_hash="0xfeed")
    assert isinstance(error, ExchangeError)
    assert error.retryable
    assert error.tx_hash == "0xfeed"
    assert "0xfeed" in str(error)


def test_a_dropped_transaction_is_permanent_and_carries_the_hash() -> None:
    error = SwapDropped("nonce 4 was used by 0xother", tx_hash="0xfeed")
    assert not error.retryable
    assert "0xfeed" in str(error)
