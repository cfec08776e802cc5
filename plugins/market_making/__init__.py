"""Market making: the ``market_making`` tick service, its strategies, executors and risk."""
