"""Currency converters for arbitrage: ``schemas.arbitrage.Converter`` implementations."""
