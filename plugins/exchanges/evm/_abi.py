"""The ABI fragments the EVM venues call: ERC-20, Uniswap v2 pair and router, Uniswap v3
pool, QuoterV2 and SwapRouter; Algebra's pool, Quoter and SwapRouter (QuickSwap v3).

Only the functions used are listed, each written as a signature (a public fact of the
deployed contracts) and expanded into the JSON ABI web3 expects by :func:`_fn`; a wrong
signature fails every test against the real contracts, so the list is checked there.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ALGEBRA_POOL",
    "ALGEBRA_QUOTER",
    "ALGEBRA_ROUTER",
    "ERC20",
    "PAIR_ROUTER",
    "QUOTER_V2",
    "SWAP_ROUTER",
    "V2_PAIR",
    "V2_ROUTER",
    "V3_POOL",
    "exact_out_selectors",
]


def _params(types: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for index, spec in enumerate(filter(None, (t.strip() for t in _split(types)))):
        if spec.startswith("("):
            inner, _, suffix = spec[1:].rpartition(")")
            result.append({"name": f"p{index}", "type": "tuple" + suffix,
                           "components": _params(inner)})
        else:
            result.append({"name": f"p{index}", "type": spec})
    return result


def _split(types: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in types:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current += char
    parts.append(current)
    return parts


def _fn(
    name: str, inputs: str, outputs: str = "", mutability: str = "nonpayable"
) -> dict[str, Any]:
    return {"type": "function", "name": name, "inputs": _params(inputs),
            "outputs": _params(outputs), "stateMutability": mutability}


ERC20 = [
    _fn("decimals", "", "uint8", "view"),
    _fn("symbol", "", "string", "view"),
    _fn("balanceOf", "address", "uint256", "view"),
    _fn("allowance", "address,address", "uint256", "view"),
    _fn("approve", "address,uint256", "bool"),
    _fn("transfer", "address,uint256", "bool"),
]

V2_PAIR = [
    _fn("getReserves", "", "uint112,uint112,uint32", "view"),
    _fn("token0", "", "address", "view"),
    _fn("token1", "", "address", "view"),
]

V2_ROUTER = [
    _fn("swapExactTokensForTokens", "uint256,uint256,address[],address,uint256", "uint256[]"),
    _fn("swapTokensForExactTokens", "uint256,uint256,address[],address,uint256", "uint256[]"),
]

PAIR_ROUTER = [
    # Fortuna's PairRouter (tests/evm/contracts/PairRouter.sol): (pair, tokenIn, amount,
    # bound, feeKept, feeDenominator, to, deadline)
    _fn("swapExactIn", "address,address,uint256,uint256,uint256,uint256,address,uint256",
        "uint256"),
    _fn("swapExactOut", "address,address,uint256,uint256,uint256,uint256,address,uint256",
        "uint256"),
]

V3_POOL = [
    # sqrtPriceX96, tick, observationIndex, observationCardinality,
    # observationCardinalityNext, feeProtocol, unlocked
    _fn("slot0", "", "uint160,int24,uint16,uint16,uint16,uint8,bool", "view"),
    _fn("liquidity", "", "uint128", "view"),
    _fn("fee", "", "uint24", "view"),
    _fn("tickSpacing", "", "int24", "view"),
    _fn("token0", "", "address", "view"),
    _fn("token1", "", "address", "view"),
    # liquidityGross, liquidityNet, feeGrowthOutside0X128, feeGrowthOutside1X128,
    # tickCumulativeOutside, secondsPerLiquidityOutsideX128, secondsOutside, initialized
    _fn("ticks", "int24", "uint128,int128,uint256,uint256,int56,uint160,uint32,bool", "view"),
    _fn("tickBitmap", "int16", "uint256", "view"),
]

QUOTER_V2 = [
    # (tokenIn, tokenOut, amountIn, fee, sqrtPriceLimitX96)
    # -> amountOut, sqrtPriceX96After, initializedTicksCrossed, gasEstimate
    _fn("quoteExactInputSingle", "(address,address,uint256,uint24,uint160)",
        "uint256,uint160,uint32,uint256"),
    # (tokenIn, tokenOut, amount, fee, sqrtPriceLimitX96)
    _fn("quoteExactOutputSingle", "(address,address,uint256,uint24,uint160)",
        "uint256,uint160,uint32,uint256"),
]

SWAP_ROUTER = [
    # (tokenIn, tokenOut, fee, recipient, deadline, amountIn, amountOutMinimum,
    #  sqrtPriceLimitX96) -> amountOut
    _fn("exactInputSingle",
        "(address,address,uint24,address,uint256,uint256,uint256,uint160)", "uint256", "payable"),
    # (tokenIn, tokenOut, fee, recipient, deadline, amountOut, amountInMaximum,
    #  sqrtPriceLimitX96) -> amountIn
    _fn("exactOutputSingle",
        "(address,address,uint24,address,uint256,uint256,uint256,uint160)", "uint256", "payable"),
]

ALGEBRA_POOL = [
    # price (sqrtPriceX96), tick: the head every Algebra version shares (the fields after
    # it differ between v1 and later builds and are not read)
    _fn("globalState", "", "uint160,int24", "view"),
    _fn("liquidity", "", "uint128", "view"),
]

ALGEBRA_QUOTER = [
    # (tokenIn, tokenOut, amountIn, limitSqrtPrice) -> amountOut, fee the swap paid
    _fn("quoteExactInputSingle", "address,address,uint256,uint160", "uint256,uint16"),
    # (tokenIn, tokenOut, amountOut, limitSqrtPrice) -> amountIn, fee the swap paid
    _fn("quoteExactOutputSingle", "address,address,uint256,uint160", "uint256,uint16"),
]

ALGEBRA_ROUTER = [
    # (tokenIn, tokenOut, recipient, deadline, amountIn, amountOutMinimum, limitSqrtPrice)
    _fn("exactInputSingle", "(address,address,address,uint256,uint256,uint256,uint160)",
        "uint256", "payable"),
    # (tokenIn, tokenOut, fee (unused by Algebra), recipient, deadline, amountOut,
    #  amountInMaximum, limitSqrtPrice)
    _fn("exactOutputSingle",
        "(address,address,uint24,address,uint256,uint256,uint256,uint160)", "uint256", "payable"),
]


_EXACT_OUT = {"swapTokensForExactTokens", "swapExactOut", "exactOutputSingle"}


def _canonical(param: dict[str, Any]) -> str:
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_canonical(component) for component in param["components"])
        return f"({inner}){kind.removeprefix('tuple')}"
    return kind


def exact_out_selectors() -> frozenset[bytes]:
    """The 4-byte selectors of every router function above that swaps an exact output."""
    from web3 import Web3

    return frozenset(
        bytes(Web3.keccak(text=f"{function['name']}("
                               f"{','.join(_canonical(p) for p in function['inputs'])})"))[:4]
        for abi in (V2_ROUTER, PAIR_ROUTER, SWAP_ROUTER, ALGEBRA_ROUTER) for function in abi
        if function["name"] in _EXACT_OUT)
