"""Venue adapters for arbitrage: one market of one venue behind ``QuoteAdapter``."""
