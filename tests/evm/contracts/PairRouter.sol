// SPDX-License-Identifier: MIT
// Bounded swaps in one constant-product pair of any fee, in one transaction, for forks whose
// own router is not published on npm (the PancakeSwap core build). Fortuna's own contract.
pragma solidity 0.8.24;

interface IPair {
    function getReserves() external view returns (uint112, uint112, uint32);
    function token0() external view returns (address);
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
}

contract PairRouter {
    /// Spend exactly amountIn of tokenIn; revert unless at least minOut comes out.
    function swapExactIn(
        address pair, address tokenIn, uint256 amountIn, uint256 minOut,
        uint256 feeKept, uint256 feeDenominator, address to, uint256 deadline
    ) external returns (uint256 amountOut) {
        require(block.timestamp <= deadline, "PairRouter: EXPIRED");
        (uint256 reserveIn, uint256 reserveOut, bool zeroIn) = _reserves(pair, tokenIn);
        uint256 kept = amountIn * feeKept;
        amountOut = kept * reserveOut / (reserveIn * feeDenominator + kept);
        require(amountOut >= minOut, "PairRouter: INSUFFICIENT_OUTPUT_AMOUNT");
        _pay(tokenIn, pair, amountIn);
        IPair(pair).swap(zeroIn ? 0 : amountOut, zeroIn ? amountOut : 0, to, "");
    }

    /// Receive exactly amountOut; revert unless it costs at most maxIn of tokenIn.
    function swapExactOut(
        address pair, address tokenIn, uint256 amountOut, uint256 maxIn,
        uint256 feeKept, uint256 feeDenominator, address to, uint256 deadline
    ) external returns (uint256 amountIn) {
        require(block.timestamp <= deadline, "PairRouter: EXPIRED");
        (uint256 reserveIn, uint256 reserveOut, bool zeroIn) = _reserves(pair, tokenIn);
        require(amountOut < reserveOut, "PairRouter: INSUFFICIENT_LIQUIDITY");
        amountIn = reserveIn * amountOut * feeDenominator / ((reserveOut - amountOut) * feeKept) + 1;
        require(amountIn <= maxIn, "PairRouter: EXCESSIVE_INPUT_AMOUNT");
        _pay(tokenIn, pair, amountIn);
        IPair(pair).swap(zeroIn ? 0 : amountOut, zeroIn ? amountOut : 0, to, "");
    }

    function _reserves(address pair, address tokenIn)
        private view returns (uint256 reserveIn, uint256 reserveOut, bool zeroIn)
    {
        (uint112 reserve0, uint112 reserve1,) = IPair(pair).getReserves();
        zeroIn = IPair(pair).token0() == tokenIn;
        (reserveIn, reserveOut) = zeroIn ? (uint256(reserve0), uint256(reserve1))
                                         : (uint256(reserve1), uint256(reserve0));
    }

    function _pay(address token, address pair, uint256 amount) private {
        // transferFrom(msg.sender, pair, amount); tokens that return nothing are accepted
        (bool ok, bytes memory data) = token.call(
            abi.encodeWithSelector(0x23b872dd, msg.sender, pair, amount));
        require(ok && (data.length == 0 || abi.decode(data, (bool))),
                "PairRouter: TRANSFER_FROM_FAILED");
    }
}
