"""Market-making strategies (``market_making.strategies.*``): context in, desired quotes out."""
