"""Market-making executors (``market_making.executors.*``): desired quotes to resting orders."""
