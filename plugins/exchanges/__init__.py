"""Exchanges: the venues a mandate trades on (the in-process simulator, ccxt, on-chain)."""
