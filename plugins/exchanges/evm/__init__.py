"""EVM swap venues: Uniswap v2 and its forks (PancakeSwap, QuickSwap), Uniswap v3.

``chain`` (the RPC connection), ``wallet`` (key and nonces) and ``gas`` (fee caps and
budget) are components of their own, shared by every venue of a mandate. The venues
implement :class:`schemas.swap.SwapVenue`. web3.py is imported only when a component loads.
"""
