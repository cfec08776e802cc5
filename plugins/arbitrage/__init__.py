"""Arbitrage: the cross-venue service (``arbitrage``), its normalized venue adapters
(``arbitrage.adapters.*``) and the currency converters (``arbitrage.converters.*``)."""
