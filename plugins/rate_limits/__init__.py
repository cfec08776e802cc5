"""Request budgets shared across processes (``rate_limits.*``)."""
