"""The error a price provider raises when its source has no price to give."""

from __future__ import annotations

__all__ = ["PriceUnavailable"]


class PriceUnavailable(RuntimeError):
    """The source holds no price now (an empty side of a book, no trade yet)."""
